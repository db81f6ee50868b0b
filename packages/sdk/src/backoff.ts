/** Reconnection delays: exponential with full jitter, capped. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** The SDK's stream reconnection policy: 1 s doubling up to 30 s, each delay drawn uniformly below it. */
export const STREAM_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000 };

/**
 * The delay before reconnection attempt `attempt` (0 for the first): uniform in
 * [0, min(cap, base * 2^attempt)) — "full jitter", so many clients dropped at once come back spread
 * out instead of in a burst. `random` is injected so tests can pin it.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
