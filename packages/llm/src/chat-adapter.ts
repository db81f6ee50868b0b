import type { ChatRequest, ChatResult, FinishReason, Usage } from './chat-request.js';
import type { ChatStream } from './chat-stream.js';
import type { ProviderError } from './provider-error.js';

/** Per-call options of an adapter. */
export interface CallOptions {
  /** Aborts the call and its stream. A `AbortSignal.timeout()` signal fails it as a timeout. */
  signal?: AbortSignal | undefined;
  /** Extra request headers (auth headers are always the adapter's own). */
  headers?: Record<string, string> | undefined;
}

/**
 * Talks to one provider in the provider-neutral model. Failures are thrown as {@link ProviderError}
 * (a caller's abort rethrows the abort reason).
 */
export interface ChatAdapter {
  /** The provider's name as AI configs write it (`openai`, `anthropic`, `vllm`, `simulated`…). */
  readonly provider: string;
  /** One request, answered whole. */
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  /** One request, streamed: resolves once the provider accepted it (headers received). */
  stream(request: ChatRequest, options?: CallOptions): Promise<ChatStream>;
}

/** The wire protocols the adapters speak. */
export type WireProtocol = 'openai-chat' | 'anthropic-messages';

/** A request body in the provider's own format: JSON text, bytes, or a parsed object. */
export type WireBody = string | Uint8Array | Record<string, unknown>;

/** Options of {@link WireAdapter.send}. */
export interface SendOptions extends CallOptions {
  /** Whether the body asks for a stream; read from the body's `stream` field when missing. */
  stream?: boolean;
  /**
   * For a stream: hold the response until its first token (or an error event, or its end) before
   * resolving, so an error before the first token can still fall back. Default true.
   */
  peek?: boolean;
}

/** What a forwarded response's body told us, known once it has been read. */
export interface WireMetrics {
  /** Milliseconds from `send` to the first token; for an answer that is not streamed, to the whole body. */
  ttftMs: number | undefined;
  /** Milliseconds from `send` to the end of the body (or its failure or cancellation). */
  latencyMs: number;
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;
  /** The model that answered, as the provider names it. */
  model: string | undefined;
  /** True when the body reached the protocol's end ([DONE], message_stop, a complete JSON body). */
  completed: boolean;
  /** Why it did not: an error event, a cut stream, a malformed body. */
  error: ProviderError | undefined;
  /** True when the consumer cancelled the body before its end. */
  cancelled: boolean;
}

/** An upstream response accepted (2xx, and for a peeked stream no error before its first token). */
export interface ForwardedSuccess {
  ok: true;
  status: number;
  /** The upstream's headers as `fetch` gives them (bodies are decoded: see `forwardableHeaders`). */
  headers: Headers;
  /** The upstream's body bytes, unchanged. Read it or cancel it, exactly once. */
  body: ReadableStream<Uint8Array>;
  /**
   * For an answer that is not a stream: its bytes, already read (`body` holds the same bytes); a
   * consumer that takes these need not read `body`.
   */
  bytes?: Uint8Array;
  /** Resolves when the body has been read to its end, failed or been cancelled; never rejects. */
  metrics: Promise<WireMetrics>;
}

/** An upstream response refused (non-2xx, an error event before the first token, a malformed body). */
export interface ForwardedFailure {
  ok: false;
  status: number;
  headers: Headers;
  /** The bytes received, unchanged: forward them when no fallback is left. */
  body: Uint8Array;
  error: ProviderError;
}

/** The answer to {@link WireAdapter.send}. */
export type ForwardedResponse = ForwardedSuccess | ForwardedFailure;

/**
 * An adapter that can also forward a request in its provider's own wire format, untouched — the
 * gateway's same-protocol passthrough — while measuring time to first token and reading usage from the
 * bytes as they go by.
 */
export interface WireAdapter extends ChatAdapter {
  readonly protocol: WireProtocol;
  /**
   * Sends `body` as it is (with the adapter's auth headers) and resolves with the upstream's response.
   * Throws a {@link ProviderError} only when there is no response at all (connection failure, timeout).
   */
  send(body: WireBody, options?: SendOptions): Promise<ForwardedResponse>;
}
