import { GenerationErrorKind } from '@switchboard/core';

/** Error bodies are kept for the caller (a gateway forwards them) up to this many characters. */
export const MAX_ERROR_BODY_CHARS = 65_536;

/** What a {@link ProviderError} is made of. */
export interface ProviderErrorOptions {
  kind: GenerationErrorKind;
  /** Defaults to true for rate limits, server errors, timeouts and connection failures. */
  retryable?: boolean;
  status?: number;
  /** The provider's own error type or code (`rate_limit_error`, `overloaded_error`, `context_length_exceeded`…). */
  type?: string;
  /** How long the provider asked us to wait (Retry-After, retry-after-ms). */
  retryAfterMs?: number;
  provider?: string;
  /** The response body as received (truncated to {@link MAX_ERROR_BODY_CHARS}). */
  body?: string;
  /** The response headers, when there was a response. */
  headers?: Headers;
  cause?: unknown;
}

/**
 * A provider call that failed, classified: `kind` says why (rate limit, server, timeout, connection,
 * invalid request, other) and `retryable` whether the same request may succeed later or elsewhere.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly kind: GenerationErrorKind;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly type: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly body: string | undefined;
  readonly headers: Headers | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind;
    this.retryable = options.retryable ?? isRetryableKind(options.kind);
    this.status = options.status;
    this.type = options.type;
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.body = options.body?.slice(0, MAX_ERROR_BODY_CHARS);
    this.headers = options.headers;
  }
}

/** Whether failures of this kind may go away on their own (or at another provider). */
export function isRetryableKind(kind: GenerationErrorKind): boolean {
  return (
    kind === GenerationErrorKind.RateLimit ||
    kind === GenerationErrorKind.Server ||
    kind === GenerationErrorKind.Timeout ||
    kind === GenerationErrorKind.Connection
  );
}

const TYPE_KINDS: Record<string, GenerationErrorKind> = {
  overloaded_error: GenerationErrorKind.RateLimit,
  rate_limit_error: GenerationErrorKind.RateLimit,
  rate_limit_exceeded: GenerationErrorKind.RateLimit,
  api_error: GenerationErrorKind.Server,
  server_error: GenerationErrorKind.Server,
  timeout_error: GenerationErrorKind.Timeout,
  invalid_request_error: GenerationErrorKind.InvalidRequest,
  authentication_error: GenerationErrorKind.InvalidRequest,
  permission_error: GenerationErrorKind.InvalidRequest,
  not_found_error: GenerationErrorKind.InvalidRequest,
  request_too_large: GenerationErrorKind.InvalidRequest,
};

/**
 * Classifies an HTTP status and/or a provider error type: 429 and Anthropic's 529 (overloaded) are rate
 * limits, 408 a timeout, other 4xx invalid requests, 5xx server errors. Without a status (an error
 * event inside a stream) the provider's error type decides.
 */
export function errorKindOf(status: number | undefined, type?: string): GenerationErrorKind {
  if (status === 429 || status === 529 || type === 'overloaded_error') return GenerationErrorKind.RateLimit;
  if (status === 408) return GenerationErrorKind.Timeout;
  if (status !== undefined && status >= 400 && status < 500) return GenerationErrorKind.InvalidRequest;
  if (status !== undefined && status >= 500) return GenerationErrorKind.Server;
  return (type !== undefined && TYPE_KINDS[type]) || GenerationErrorKind.Other;
}

/** Anything with a `get(name)` for headers: a `Headers`, or a shim. */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * How long a response asks us to wait, in ms: `retry-after-ms` (OpenAI) first, then `retry-after` as
 * seconds or as an HTTP date (compared with `now`, epoch ms). Undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: HeaderSource, now: number): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number.parseFloat(ms);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number.parseFloat(value) * 1000;
  // An HTTP date names its weekday and month; anything else (`-3`, `soon`) is unreadable.
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The provider's error type and message in an OpenAI (`{error:{type,code,message}}`) or Anthropic body. */
export function describeErrorBody(body: unknown): { type: string | undefined; message: string | undefined } {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'string') return { type: undefined, message: error };
  if (typeof error !== 'object' || error === null) return { type: undefined, message: undefined };
  const { type, code, message } = error as Record<string, unknown>;
  // OpenAI puts the precise reason in `code` (rate_limit_exceeded) and a category in `type` (requests).
  const precise = typeof code === 'string' && code in TYPE_KINDS ? code : undefined;
  return {
    type: precise ?? (typeof type === 'string' ? type : typeof code === 'string' ? code : undefined),
    message: typeof message === 'string' ? message : undefined,
  };
}

/** A {@link ProviderError} for a non-2xx response whose body has been read as text. */
export function providerErrorFromResponse(input: {
  provider: string;
  status: number;
  headers: Headers;
  body: string;
  now: number;
}): ProviderError {
  const { type, message } = describeErrorBody(safeJson(input.body));
  const kind = errorKindOf(input.status, type);
  return new ProviderError(
    `${input.provider}: HTTP ${input.status}${type ? ` ${type}` : ''}: ${message ?? 'no message'}`,
    {
      kind,
      status: input.status,
      ...(type !== undefined && { type }),
      ...retryAfterOf(input.headers, input.now),
      provider: input.provider,
      body: input.body,
      headers: input.headers,
    },
  );
}

/** A {@link ProviderError} for an error event inside a stream (its data already parsed). */
export function providerErrorFromEvent(provider: string, data: unknown): ProviderError {
  const { type, message } = describeErrorBody(data);
  return new ProviderError(
    `${provider}: error in stream${type ? ` ${type}` : ''}: ${message ?? 'no message'}`,
    {
      kind: errorKindOf(undefined, type),
      ...(type !== undefined && { type }),
      provider,
      body: JSON.stringify(data),
    },
  );
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * What to throw when `fetch` (or reading its body) failed: the caller's abort reason as it is when the
 * caller aborted, a timeout {@link ProviderError} when a timeout aborted, a connection one otherwise.
 */
export function classifyFailure(error: unknown, signal: AbortSignal | undefined, provider: string): unknown {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof ProviderError) return reason;
    if (isTimeoutError(reason)) {
      return new ProviderError(`${provider}: timed out`, {
        kind: GenerationErrorKind.Timeout,
        provider,
        cause: reason,
      });
    }
    return reason;
  }
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const timedOut = isTimeoutError(error) || (typeof code === 'string' && TIMEOUT_CODES.has(code));
  return new ProviderError(
    `${provider}: ${timedOut ? 'timed out' : 'connection failed'}: ${messageOf(error)}`,
    {
      kind: timedOut ? GenerationErrorKind.Timeout : GenerationErrorKind.Connection,
      provider,
      cause: error,
    },
  );
}

function isTimeoutError(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'TimeoutError';
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause === 'string' ? `${message} (${cause})` : message;
}

function retryAfterOf(headers: Headers, now: number): { retryAfterMs?: number } {
  const retryAfterMs = parseRetryAfter(headers, now);
  return retryAfterMs === undefined ? {} : { retryAfterMs };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
