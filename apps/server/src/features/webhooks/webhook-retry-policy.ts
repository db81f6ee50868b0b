/** Attempts per delivery: the first and seven retries, spread over about ten hours. */
export const WEBHOOK_MAX_ATTEMPTS = 8;
/** The wait after the first failed attempt; each further one waits four times longer. */
export const RETRY_BASE_DELAY_MS = 10_000;
export const RETRY_FACTOR = 4;
/** No wait is longer than this (a receiver's Retry-After included). */
export const RETRY_MAX_DELAY_MS = 6 * 3_600_000;

/**
 * How long to wait after `attempts` failed attempts: 10 s, 40 s, 2 min 40 s, 10 min 40 s, 42 min 40 s,
 * 2 h 50 min, then 6 h. A receiver's `Retry-After` (429, 503) lengthens the wait, never shortens it.
 */
export function retryDelayMs(attempts: number, retryAfterMs?: number | undefined): number {
  const backoff = Math.min(
    RETRY_BASE_DELAY_MS * RETRY_FACTOR ** Math.max(attempts - 1, 0),
    RETRY_MAX_DELAY_MS,
  );
  return Math.min(Math.max(backoff, retryAfterMs ?? 0), RETRY_MAX_DELAY_MS);
}

/**
 * Whether an attempt that got this answer is worth repeating: no answer (connection refused or
 * dropped, timeout), 408, 425, 429 and 5xx. Any other status is the receiver refusing this very body
 * (400, 401, 404, 410...), which sending it again would not change; redirects are not followed.
 */
export function isRetryable(statusCode: number | null): boolean {
  if (statusCode === null) return true;
  return statusCode === 408 || statusCode === 425 || statusCode === 429 || statusCode >= 500;
}
