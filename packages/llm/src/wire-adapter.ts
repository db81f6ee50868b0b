import { GenerationErrorKind } from '@switchboard/core';
import type {
  CallOptions,
  ForwardedResponse,
  SendOptions,
  WireAdapter,
  WireBody,
  WireProtocol,
} from './chat-adapter.js';
import type { ChatChunk, ChatRequest, ChatResult } from './chat-request.js';
import { ChatStream } from './chat-stream.js';
import { type Clock, systemClock } from './clock.js';
import { forwardResponse } from './forwarded-response.js';
import { classifyFailure, ProviderError, providerErrorFromResponse } from './provider-error.js';
import { readSseEvents, type StreamDecoder } from './sse-events.js';
import type { UpstreamFetch, UpstreamResponse } from './upstream-fetch.js';
import { malformed, parseProviderJson, stringField } from './wire-values.js';

const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key', 'cookie'];

/** Options every HTTP adapter takes. */
export interface HttpAdapterOptions {
  /** The API's base URL; see each adapter for what it appends. */
  baseUrl: string;
  /** Sent as the provider's auth header; leave it out for servers without auth (a local Ollama). */
  apiKey?: string | undefined;
  /** The provider's name in AI configs and records; defaults to the protocol's vendor. */
  provider?: string;
  /**
   * How to reach the provider: the global `fetch` by default. On Node, `@switchboard/llm/node`'s
   * `createNodeUpstream().fetch` is faster (the gateway uses it).
   */
  fetch?: UpstreamFetch;
  /** Measures latency and time to first token, and reads HTTP-date Retry-After values. */
  clock?: Clock;
  /** Headers added to every request (organization, project, beta flags…). */
  headers?: Record<string, string>;
}

/** What distinguishes one protocol from another. */
export interface WireSpec {
  protocol: WireProtocol;
  provider: string;
  url: string;
  options: HttpAdapterOptions;
  /** The credentials' headers (lowercase names): callers' credentials are never sent instead. */
  authHeaders: Record<string, string>;
  /** The protocol's other headers (its version): a caller may override them. */
  protocolHeaders?: Record<string, string>;
  toBody(request: ChatRequest, stream: boolean): Record<string, unknown>;
  fromResponse(provider: string, body: unknown, request?: ChatRequest): ChatResult;
  decoder(model: string, raw?: unknown[]): StreamDecoder;
}

/** Builds a {@link WireAdapter} for one protocol. */
export function createWireAdapter(spec: WireSpec): WireAdapter {
  const { provider, url } = spec;
  const clock = spec.options.clock ?? systemClock;
  const fetchImpl: UpstreamFetch = spec.options.fetch ?? ((url, init) => globalThis.fetch(url, init));

  const headersFor = (extra: Record<string, string> | undefined): Record<string, string> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const source of [spec.protocolHeaders, spec.options.headers, extra]) {
      for (const [name, value] of Object.entries(source ?? {})) headers[name.toLowerCase()] = value;
    }
    // A forwarded request never carries the caller's credentials upstream: only the adapter's own.
    for (const name of CREDENTIAL_HEADERS) delete headers[name];
    return { ...headers, ...spec.authHeaders };
  };

  const post = async (
    body: string | Uint8Array,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ) => {
    try {
      return await fetchImpl(url, { method: 'POST', headers, body, ...(signal && { signal }) });
    } catch (error) {
      throw classifyFailure(error, signal, provider);
    }
  };

  const readText = async (response: UpstreamResponse, signal: AbortSignal | undefined) => {
    try {
      return await response.text();
    } catch (error) {
      throw classifyFailure(error, signal, provider);
    }
  };

  const refuse = async (response: UpstreamResponse, signal: AbortSignal | undefined): Promise<never> => {
    const body = await readText(response, signal);
    throw providerErrorFromResponse({
      provider,
      status: response.status,
      headers: response.headers,
      body,
      now: clock.now(),
    });
  };

  return {
    provider,
    protocol: spec.protocol,

    async chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResult> {
      const body = JSON.stringify(spec.toBody(request, false));
      const response = await post(body, headersFor(options.headers), options.signal);
      if (!response.ok) return refuse(response, options.signal);
      const text = await readText(response, options.signal);
      return spec.fromResponse(provider, parseProviderJson(provider, text), request);
    },

    async stream(request: ChatRequest, options: CallOptions = {}): Promise<ChatStream> {
      const startedAt = clock.now();
      const body = JSON.stringify(spec.toBody(request, true));
      const headers = { ...headersFor(options.headers), accept: 'text/event-stream' };
      const response = await post(body, headers, options.signal);
      if (!response.ok) return refuse(response, options.signal);
      if (response.body === null) throw malformed(provider, 'a stream without a body');
      const raw: unknown[] = [];
      const decoder = spec.decoder(request.model, raw);
      const events = readSseEvents(response.body);
      async function* chunks(): AsyncGenerator<ChatChunk> {
        try {
          // Read on after the last event so the connection is released cleanly, not cancelled.
          for await (const event of events) yield* decoder.decode(event);
        } catch (error) {
          throw classifyFailure(error, options.signal, provider);
        }
        if (!decoder.ended) {
          throw new ProviderError(`${provider}: the stream ended before its last event`, {
            kind: GenerationErrorKind.Connection,
            type: 'stream_cut',
            provider,
          });
        }
      }
      return new ChatStream(chunks(), { clock, startedAt, tools: request.tools, raw });
    },

    async send(body: WireBody, options: SendOptions = {}): Promise<ForwardedResponse> {
      const startedAt = clock.now();
      const parsed = typeof body === 'object' && !(body instanceof Uint8Array) ? body : parseBody(body);
      const stream = options.stream ?? parsed?.stream === true;
      const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      const response = await post(payload, headersFor(options.headers), options.signal);
      if (!response.ok) {
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await response.arrayBuffer());
        } catch (error) {
          throw classifyFailure(error, options.signal, provider);
        }
        const error = providerErrorFromResponse({
          provider,
          status: response.status,
          headers: response.headers,
          body: new TextDecoder().decode(bytes),
          now: clock.now(),
        });
        return { ok: false, status: response.status, headers: response.headers, body: bytes, error };
      }
      const model = stringField(parsed, 'model') ?? '';
      return forwardResponse({
        provider,
        clock,
        startedAt,
        response,
        signal: options.signal,
        stream,
        peek: options.peek ?? true,
        decoder: spec.decoder(model),
        parse: (json) => spec.fromResponse(provider, json),
      });
    },
  };
}

function parseBody(body: string | Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
