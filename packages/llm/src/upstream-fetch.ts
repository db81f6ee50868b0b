/** One POST to a provider, as the adapters make it. */
export interface UpstreamRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string | Uint8Array;
  signal?: AbortSignal;
}

/**
 * What the adapters read of a provider's response: the part of `Response` they use. The global
 * `fetch`'s `Response` is one; `@switchboard/llm/node`'s transport gives another without WHATWG streams
 * on the way, for whole answers.
 */
export interface UpstreamResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: Headers;
  /** The body as a web stream (streams are read through it); null when there is none. */
  readonly body: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

/**
 * How the adapters reach a provider: the global `fetch` by default (browsers, Deno, workers) — any
 * function with this shape will do. A failure without a response rejects (classified as a connection
 * failure or, when the signal aborted, as the signal's reason).
 */
export type UpstreamFetch = (url: string, init: UpstreamRequest) => Promise<UpstreamResponse>;
