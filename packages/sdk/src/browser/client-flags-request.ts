import type { ErrorCode, EvaluationContext, JsonValue, Reason } from '@switchboard/core';

/** One flag's result as `POST /api/v1/client/evaluate` returns it: values only, no rule ids. */
export interface ClientFlagResult {
  /** Absent when the caller's own default applies (an error, or no off variant to serve). */
  readonly value?: JsonValue;
  readonly variant?: string;
  readonly reason: Reason;
  readonly errorCode?: ErrorCode;
}

/** What one request for a context's flags gave. Never an exception. */
export type ClientFlagsOutcome =
  | { ok: true; flags: ReadonlyMap<string, ClientFlagResult> }
  | {
      ok: false;
      error: string;
      /** 401 or 403: the key will not work, do not retry. */
      refused: boolean;
      /** How long the server asked us to wait (429 Retry-After). */
      retryAfterMs?: number;
    };

/** What {@link requestClientFlags} needs. */
export interface ClientFlagsRequest {
  /** The endpoint's full URL. */
  url: string;
  clientKey: string;
  context: EvaluationContext;
  fetch: typeof fetch;
  /** Aborts the request (a newer one replaces it). */
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * Asks the server for every flag's value for one context (`POST /api/v1/client/evaluate`) and checks
 * the answer's shape. Never throws: network failures, timeouts, refusals and malformed answers all
 * come back as `{ ok: false }` with what went wrong.
 */
export async function requestClientFlags(request: ClientFlagsRequest): Promise<ClientFlagsOutcome> {
  let body: string;
  try {
    body = JSON.stringify({ context: request.context });
  } catch (error) {
    return failure(`the context cannot be sent as JSON: ${(error as Error).message}`);
  }
  // One signal for both the caller's abort and our timeout (AbortSignal.any is too recent for some browsers).
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), request.timeoutMs);
  const onAbort = () => abort.abort();
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await request.fetch(request.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${request.clientKey}`, 'content-type': 'application/json' },
      body,
      signal: abort.signal,
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      if (response.status === 401 || response.status === 403) {
        return { ok: false, error: `the server refused the client key (${response.status})`, refused: true };
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        ...failure(`the evaluation request failed with ${response.status}`),
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    }
    const flags = parseFlags(await response.json());
    return flags === undefined ? failure("the server's answer is malformed") : { ok: true, flags };
  } catch (error) {
    const reason = abort.signal.aborted && !request.signal.aborted ? 'timed out' : (error as Error).message;
    return failure(`the server is unreachable at ${request.url}: ${reason}`);
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
  }
}

function failure(error: string): ClientFlagsOutcome {
  return { ok: false, error, refused: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ flags: { key: { value?, variant?, reason, errorCode? } } }`, or undefined when it is not that. */
function parseFlags(body: unknown): Map<string, ClientFlagResult> | undefined {
  if (!isRecord(body) || !isRecord(body.flags)) return undefined;
  const flags = new Map<string, ClientFlagResult>();
  for (const [key, item] of Object.entries(body.flags)) {
    if (!isRecord(item) || typeof item.reason !== 'string') return undefined;
    if (item.variant !== undefined && typeof item.variant !== 'string') return undefined;
    if (item.errorCode !== undefined && typeof item.errorCode !== 'string') return undefined;
    // Reasons and error codes are passed on as the server names them: a newer server may add some.
    flags.set(key, item as unknown as ClientFlagResult);
  }
  return flags;
}
