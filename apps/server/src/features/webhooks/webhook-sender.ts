/** How long a receiver has to answer a delivery. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer the delivery log keeps. */
const RESPONSE_KEPT_CHARS = 500;

/** What one HTTP attempt got. */
export interface SendResult {
  /** The receiver's status; null when there was no answer. */
  statusCode: number | null;
  durationMs: number;
  /** Why it failed (a network error, a timeout, a status), or null on a 2xx. */
  error: string | null;
  /** The start of the answer's body. */
  response: string | null;
  /** The receiver's Retry-After, in ms, when it sent one in seconds. */
  retryAfterMs?: number;
}

/**
 * POSTs a body to a receiver and reports what happened. Never throws: every failure is a result.
 * Redirects are not followed (a receiver moved is a configuration to fix, not a place to resend to).
 */
export async function sendDelivery(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = DELIVERY_TIMEOUT_MS,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readStart(response);
    const ok = response.status >= 200 && response.status < 300;
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      statusCode: response.status,
      durationMs: elapsed(),
      error: ok ? null : `the receiver answered ${response.status}`,
      response: text,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  } catch (error) {
    return { statusCode: null, durationMs: elapsed(), error: describe(error, timeoutMs), response: null };
  }
}

/** The first characters of the answer; the rest is discarded unread. */
async function readStart(response: Response): Promise<string | null> {
  if (response.body === null) return null;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < RESPONSE_KEPT_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // An answer cut short still says what it said so far.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.length === 0 ? null : text.slice(0, RESPONSE_KEPT_CHARS);
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause;
  const detail = cause?.code ?? cause?.message;
  return detail === undefined ? (e?.message ?? String(error)) : `${e?.message ?? 'failed'} (${detail})`;
}
