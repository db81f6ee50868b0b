import { GenerationErrorKind } from '@switchboard/core';
import { describeErrorBody, type RoutingError } from '@switchboard/llm';
import { GatewayError } from './gateway-errors.js';

/** Upstream statuses a client is told as they are: its request was at fault, or the provider failed. */
const PASSED_ON = new Set([400, 413, 422, 429, 500, 502, 503, 504, 529]);

/**
 * The answer to a request no link of its chain served: the last provider's status and message when
 * they concern the client (429 with its Retry-After, 400, 5xx), 502 when the provider refused the
 * gateway itself (its key, its model), 504 for a timeout, 503 when every link was skipped (breakers
 * open), 429 when every link is held back by a Retry-After.
 */
export function upstreamFailure(error: RoutingError): GatewayError {
  const last = error.lastError;
  const retryAfterMs = error.retryAfterMs ?? last?.retryAfterMs;
  const retryHeaders =
    retryAfterMs === undefined
      ? undefined
      : { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
  const tried = error.record.attempts.map((a) => `${a.provider}/${a.model}`).join(', ');
  if (last === undefined) {
    const skipped = error.record.attempts.map((a) => a.skipped);
    if (skipped.every((s) => s === 'no-adapter')) {
      return new GatewayError(
        502,
        'provider_not_configured',
        `no provider of the variant's chain is configured on this server (${tried})`,
      );
    }
    if (error.kind === GenerationErrorKind.RateLimit) {
      return new GatewayError(429, 'rate_limited', `every provider of the chain is rate limited (${tried})`, {
        headers: retryHeaders,
      });
    }
    return new GatewayError(
      503,
      'providers_unavailable',
      `every provider of the chain is unavailable (${tried})`,
      {
        headers: retryHeaders,
      },
    );
  }
  const upstream = describeErrorBody(safeJson(last.body)).message ?? last.message;
  const status = last.status;
  if (status === 401 || status === 403) {
    return new GatewayError(
      502,
      'upstream_auth',
      `provider ${last.provider ?? ''} refused the gateway's credentials (HTTP ${status}): check its key`,
    );
  }
  if (status !== undefined && PASSED_ON.has(status)) {
    return new GatewayError(status, last.type ?? last.kind, upstream, {
      headers: status === 429 ? retryHeaders : undefined,
    });
  }
  if (last.kind === GenerationErrorKind.Timeout) {
    return new GatewayError(504, 'upstream_timeout', `no answer in time (${tried})`);
  }
  return new GatewayError(502, 'upstream_error', `${upstream} (${tried})`);
}

function safeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
