import { useEffect, useRef } from 'react';

/** Calls `poll` every `intervalMs` while `active` (and while mounted). */
export function usePolling(poll: () => void, intervalMs: number, active: boolean): void {
  const pollRef = useRef(poll);
  pollRef.current = poll;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => pollRef.current(), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
}
