import { useEffect, useRef, useState } from 'react';
import { useApi } from '../session/session-context.js';
import { followEnvironment, type StreamChange } from './environment-stream.js';

/**
 * Follows an environment's changes while mounted; `onChange` is called for each one the server
 * pushes. Returns whether the stream is connected (changes arrive live) or reconnecting.
 */
export function useEnvironmentStream(
  project: string,
  environment: string | undefined,
  onChange: (change: StreamChange) => void,
): boolean {
  const api = useApi();
  const [connected, setConnected] = useState(false);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  useEffect(() => {
    if (environment === undefined) return;
    setConnected(false);
    return followEnvironment({
      api,
      project,
      environment,
      onChange: (change) => onChangeRef.current(change),
      onConnected: setConnected,
    });
  }, [api, project, environment]);
  return connected;
}
