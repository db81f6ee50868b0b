import type { AttemptView, DeliveryView } from './webhook-types.js';

/** What the receiver answered to one attempt, in words: `HTTP 200 in 12 ms` or the error. */
export function attemptOutcome(attempt: Pick<AttemptView, 'statusCode' | 'durationMs' | 'error'>): string {
  const took = `in ${Math.round(attempt.durationMs)} ms`;
  if (attempt.statusCode !== null)
    return attempt.error === null
      ? `HTTP ${attempt.statusCode} ${took}`
      : `HTTP ${attempt.statusCode} ${took}: ${attempt.error}`;
  return attempt.error === null ? `no answer ${took}` : `${attempt.error} (${took})`;
}

/** A delivery's latest outcome: its last attempt's, or why none was made yet. */
export function deliveryOutcome(
  delivery: Pick<DeliveryView, 'attempts' | 'lastStatusCode' | 'lastError' | 'lastDurationMs'>,
): string {
  if (delivery.attempts === 0) return 'not attempted yet';
  return attemptOutcome({
    statusCode: delivery.lastStatusCode,
    durationMs: delivery.lastDurationMs ?? 0,
    error: delivery.lastError,
  });
}

/** The pill class of a delivery status: green when delivered, red when given up, grey otherwise. */
export function statusPillClass(status: DeliveryView['status']): string {
  if (status === 'succeeded') return 'pill pill-on';
  if (status === 'failed') return 'pill pill-off';
  return 'pill pill-muted';
}
