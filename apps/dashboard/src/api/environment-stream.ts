import type { ApiClient } from './api-client.js';
import { type SseMessage, SseParser } from './sse-parser.js';

/** A change the server pushed: a full snapshot (`put`), or one flag or segment (`patch`/`delete`). */
export interface StreamChange {
  event: 'put' | 'patch' | 'delete';
  version: number;
  kind?: 'flag' | 'segment';
  key?: string;
}

export interface FollowOptions {
  api: ApiClient;
  project: string;
  environment: string;
  onChange: (change: StreamChange) => void;
  onConnected?: (connected: boolean) => void;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Follows one environment's changes on `GET /api/v1/sdk/stream` with the admin key. EventSource
 * cannot send an Authorization header, so this reads the stream through fetch. It reconnects with
 * backoff (and Last-Event-ID, so only missed changes come) until stopped; a 401 ends the session.
 *
 * @returns stops following.
 */
export function followEnvironment(options: FollowOptions): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let retryMs = FIRST_RETRY_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const deliver = (message: SseMessage) => {
    if (message.id !== undefined) lastId = message.id;
    if (message.event !== 'put' && message.event !== 'patch' && message.event !== 'delete') return;
    try {
      const data = JSON.parse(message.data) as { version: number; kind?: 'flag' | 'segment'; key?: string };
      options.onChange({
        event: message.event,
        version: data.version,
        ...(data.kind === undefined ? {} : { kind: data.kind }),
        ...(data.key === undefined ? {} : { key: data.key }),
      });
    } catch {
      // An unreadable event is skipped; the next put or reload brings the truth.
    }
  };

  const connect = async (): Promise<void> => {
    const { api } = options;
    try {
      const response = await fetch(
        api.url('/api/v1/sdk/stream', { project: options.project, environment: options.environment }),
        {
          headers: {
            ...api.authorization(),
            accept: 'text/event-stream',
            ...(lastId === undefined ? {} : { 'last-event-id': lastId }),
          },
          signal: abort.signal,
        },
      );
      if (response.status === 401) {
        api.unauthorized();
        return;
      }
      if (!response.ok || response.body === null) throw new Error(`stream answered ${response.status}`);
      options.onConnected?.(true);
      retryMs = FIRST_RETRY_MS;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const message of parser.push(decoder.decode(value, { stream: true }))) deliver(message);
      }
    } catch {
      // Dropped or refused: retried below, unless stopped.
    }
    if (abort.signal.aborted) return;
    options.onConnected?.(false);
    // Full jitter: many dashboards reconnecting after a restart do not arrive at once.
    timer = setTimeout(() => void connect(), Math.random() * retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  void connect();
  return () => {
    clearTimeout(timer);
    abort.abort();
  };
}
