import { GenerationErrorKind } from '@switchboard/core';
import { createParser } from 'eventsource-parser';
import type { ForwardedResponse, WireMetrics } from './chat-adapter.js';
import type { ChatResult } from './chat-request.js';
import type { Clock } from './clock.js';
import { classifyFailure, ProviderError } from './provider-error.js';
import type { StreamDecoder } from './sse-events.js';
import type { UpstreamResponse } from './upstream-fetch.js';
import { parseProviderJson } from './wire-values.js';

// Hop-by-hop headers, and those that no longer describe the body once `fetch` has decoded it.
const UNFORWARDABLE = [
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-encoding',
  'content-length',
  'upgrade',
];

/**
 * The headers of an upstream response that may be sent on to a client: without hop-by-hop headers and
 * without `content-encoding`/`content-length`, which `fetch` invalidated by decoding the body.
 */
export function forwardableHeaders(headers: Headers): Headers {
  const copy = new Headers(headers);
  for (const name of UNFORWARDABLE) copy.delete(name);
  return copy;
}

/** What reading one accepted response needs. */
export interface ForwardInput {
  provider: string;
  clock: Clock;
  startedAt: number;
  response: UpstreamResponse;
  signal: AbortSignal | undefined;
  stream: boolean;
  peek: boolean;
  /** For a stream: the protocol's decoder. */
  decoder: StreamDecoder;
  /** For a whole answer: the protocol's body reader (throws a ProviderError when malformed). */
  parse(body: unknown): ChatResult;
}

/** Turns a 2xx upstream response into a {@link ForwardedResponse}, metering it as its bytes go by. */
export async function forwardResponse(input: ForwardInput): Promise<ForwardedResponse> {
  return input.stream ? forwardStream(input) : forwardWhole(input);
}

async function forwardWhole(input: ForwardInput): Promise<ForwardedResponse> {
  const { response, provider, clock } = input;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw classifyFailure(error, input.signal, provider);
  }
  const latencyMs = clock.now() - input.startedAt;
  let result: ChatResult;
  try {
    result = input.parse(parseProviderJson(provider, new TextDecoder().decode(bytes)));
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return { ok: false, status: response.status, headers: response.headers, body: bytes, error };
  }
  const metrics: WireMetrics = {
    ttftMs: latencyMs,
    latencyMs,
    usage: result.usage,
    finishReason: result.finishReason,
    model: result.model,
    completed: true,
    error: undefined,
    cancelled: false,
  };
  let body: ReadableStream<Uint8Array> | undefined;
  return {
    ok: true,
    status: response.status,
    headers: response.headers,
    bytes,
    // Made when read: a consumer of `bytes` never pays for a web stream.
    get body() {
      body ??= new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
      return body;
    },
    metrics: Promise.resolve(metrics),
  };
}

async function forwardStream(input: ForwardInput): Promise<ForwardedResponse> {
  const { response, provider, clock, decoder, startedAt } = input;
  const state: Omit<WireMetrics, 'latencyMs' | 'completed' | 'cancelled'> = {
    ttftMs: undefined,
    usage: undefined,
    finishReason: undefined,
    model: undefined,
    error: undefined,
  };
  const parser = createParser({
    onEvent(event) {
      if (state.error !== undefined) return;
      try {
        for (const chunk of decoder.decode(event)) {
          if (
            state.ttftMs === undefined &&
            (chunk.type === 'tool-call' || (chunk.type === 'text' && chunk.text !== ''))
          ) {
            state.ttftMs = clock.now() - startedAt;
          }
          if (chunk.type === 'finish') {
            state.usage = chunk.usage;
            state.finishReason = chunk.finishReason;
            state.model = chunk.model;
          }
        }
      } catch (error) {
        state.error =
          error instanceof ProviderError
            ? error
            : new ProviderError(String(error), { kind: GenerationErrorKind.Other, provider });
      }
    },
  });
  const text = new TextDecoder();
  const observe = (bytes: Uint8Array) => parser.feed(text.decode(bytes, { stream: true }));
  const cut = () =>
    new ProviderError(`${provider}: the stream ended before its last event`, {
      kind: GenerationErrorKind.Connection,
      type: 'stream_cut',
      provider,
    });
  const asProviderError = (error: unknown): ProviderError => {
    const classified = classifyFailure(error, input.signal, provider);
    return classified instanceof ProviderError
      ? classified
      : new ProviderError(`${provider}: aborted`, {
          kind: GenerationErrorKind.Other,
          retryable: false,
          provider,
          cause: error,
        });
  };
  if (response.body === null) {
    return {
      ok: false,
      status: response.status,
      headers: response.headers,
      body: new Uint8Array(),
      error: cut(),
    };
  }
  const reader = response.body.getReader();
  const buffered: Uint8Array[] = [];
  const refuse = (error: ProviderError): ForwardedResponse => {
    reader.cancel().catch(() => {});
    return { ok: false, status: response.status, headers: response.headers, body: concat(buffered), error };
  };
  // Hold the answer until its first token: until then a failure can still go to a fallback.
  while (input.peek && state.ttftMs === undefined && state.error === undefined && !decoder.ended) {
    let read: Awaited<ReturnType<typeof reader.read>>;
    try {
      read = await reader.read();
    } catch (error) {
      const classified = classifyFailure(error, input.signal, provider);
      // The caller's own abort is not a provider failure: it is rethrown.
      if (!(classified instanceof ProviderError)) throw classified;
      return refuse(classified);
    }
    if (read.done) return refuse(cut());
    buffered.push(read.value);
    observe(read.value);
  }
  // An error that came after the first token (in the same read) is the caller's: the bytes go on.
  if (state.error !== undefined && state.ttftMs === undefined) return refuse(state.error);

  let settle: (metrics: WireMetrics) => void = () => {};
  const metrics = new Promise<WireMetrics>((resolve) => {
    settle = resolve;
  });
  let settled = false;
  const finish = (outcome: { completed: boolean; error?: ProviderError; cancelled?: boolean }) => {
    if (settled) return;
    settled = true;
    settle({
      ...state,
      latencyMs: clock.now() - startedAt,
      completed: outcome.completed,
      error: state.error ?? outcome.error,
      cancelled: outcome.cancelled ?? false,
    });
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = buffered.shift();
      if (next !== undefined) {
        controller.enqueue(next);
        return;
      }
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (error) {
        const failure = asProviderError(error);
        finish({ completed: false, error: failure });
        controller.error(failure);
        return;
      }
      if (read.done) {
        const completed = decoder.ended && state.error === undefined;
        finish(completed ? { completed } : { completed, error: cut() });
        controller.close();
        return;
      }
      observe(read.value);
      controller.enqueue(read.value);
    },
    async cancel(reason) {
      finish({ completed: false, cancelled: true });
      await reader.cancel(reason).catch(() => {});
    },
  });
  return { ok: true, status: response.status, headers: response.headers, body, metrics };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
