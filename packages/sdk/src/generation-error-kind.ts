import { GenerationErrorKind } from '@switchboard/core';
import { describeErrorBody, errorKindOf, ProviderError } from '@switchboard/llm';

const TIMEOUT_NAMES = new Set(['TimeoutError', 'APIConnectionTimeoutError']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const CONNECTION_NAMES = new Set(['APIConnectionError', 'FetchError']);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
// The AI SDK wraps the last attempt's error once its retries are spent.
const RETRY_ERROR = 'AI_RetryError';
// How deep `cause`/`lastError` chains are followed: they are short, and never trusted to end.
const MAX_DEPTH = 4;

/**
 * Classifies what a model call threw, whatever client made it: a `ProviderError` keeps its kind; errors
 * of the official `openai` and `@anthropic-ai/sdk` clients (`status`, `error.type`) and of the AI SDK
 * (`statusCode`, `data`, retries) are classified by packages/llm's `errorKindOf` (429 and 529 are rate
 * limits, 408 a timeout, other 4xx invalid requests, 5xx server errors, or the provider's error type
 * when there is no status); timeouts and refused or reset connections by their names and codes.
 * Anything else, a caller's abort included, is `other`.
 */
export function generationErrorKind(error: unknown): GenerationErrorKind {
  return kindOf(error, 0) ?? GenerationErrorKind.Other;
}

function kindOf(error: unknown, depth: number): GenerationErrorKind | undefined {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return undefined;
  if (error instanceof ProviderError) return error.kind;
  const e = error as Record<string, unknown>;
  if (e.name === RETRY_ERROR && e.lastError !== undefined) return kindOf(e.lastError, depth + 1);
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  const type = providerType(e);
  if (typeof status === 'number' || type !== undefined) {
    const kind = errorKindOf(typeof status === 'number' ? status : undefined, type);
    if (kind !== GenerationErrorKind.Other || typeof status === 'number') return kind;
  }
  // The official clients' errors keep the name `Error`: their class names say what they are.
  const name =
    typeof e.name === 'string' && e.name !== 'Error' ? e.name : (e.constructor as { name?: unknown })?.name;
  if (typeof name === 'string' && TIMEOUT_NAMES.has(name)) return GenerationErrorKind.Timeout;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && TIMEOUT_CODES.has(code)) return GenerationErrorKind.Timeout;
  if (code !== undefined && CONNECTION_CODES.has(code)) return GenerationErrorKind.Connection;
  // An abort says nothing by itself: its reason (a timeout's TimeoutError) or its cause may.
  const inner = kindOf(e.cause, depth + 1);
  if (inner !== undefined) return inner;
  if (typeof name === 'string' && CONNECTION_NAMES.has(name)) return GenerationErrorKind.Connection;
  // undici's `fetch failed`: the socket error, when it has a code, was its cause (handled above).
  if (name === 'TypeError' && e.message === 'fetch failed') return GenerationErrorKind.Connection;
  return undefined;
}

/**
 * The provider's error type: from the body the official clients keep in `error` (Anthropic's whole body,
 * OpenAI's `error` object) or an AI SDK error's parsed `data`.
 */
function providerType(e: Record<string, unknown>): string | undefined {
  const type =
    describeErrorBody(e.error).type ??
    describeErrorBody({ error: e.error }).type ??
    describeErrorBody(e.data).type;
  // Anthropic's body names itself `type: 'error'`: not a kind.
  return type === 'error' ? undefined : type;
}
