import type { GenerationErrorKind } from '@switchboard/core';
import {
  type ChatChunk,
  type ChatResult,
  type ChatStream,
  type ForwardedSuccess,
  OpenAiChatChunkEncoder,
  ProviderError,
  type ProviderModel,
  type Routed,
  toOpenAiChatCompletion,
  type Usage,
} from '@switchboard/llm';
import { AnthropicChunkEncoder, toAnthropicMessage } from './anthropic-translation.js';
import { errorEvent, type GatewayDialect } from './gateway-errors.js';
import { relaySse } from './sse-relay.js';

/** What a link of the chain answered. */
export type Attempt =
  /** Its own protocol: the upstream response, relayed as it is. */
  | { kind: 'forwarded'; forwarded: ForwardedSuccess; withheldUsage: boolean; attemptStartedAt: number }
  /** The other protocol (or simulated), answered whole: translated back. */
  | { kind: 'whole'; result: ChatResult; attemptStartedAt: number }
  /** The other protocol (or simulated), streamed, its first chunk already read: translated back. */
  | {
      kind: 'chunks';
      stream: ChatStream;
      iterator: AsyncIterator<ChatChunk>;
      first: IteratorResult<ChatChunk>;
      attemptStartedAt: number;
    };

/** The response to send. */
export interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | ReadableStream<Uint8Array>;
  /** Called once the response has been sent (or the client left): work that must not delay it. */
  afterSent?: () => void;
}

/** How the answer went, known once its body has been consumed. */
export interface AnswerOutcome {
  /** From the serving attempt's start; streams only. */
  ttftMs: number | undefined;
  usage: Usage | undefined;
  error: GenerationErrorKind | undefined;
}

/** What {@link writeAnswer} needs. */
export interface AnswerInput {
  dialect: GatewayDialect;
  routed: Routed<Attempt>;
  served: ProviderModel;
  /** Response headers saying what served the request. */
  meta: Record<string, string>;
  generationId: string;
  /** The request asked for a stream. */
  stream: boolean;
  /** The OpenAI client asked for the usage chunk of a stream. */
  includeUsage: boolean;
  /** Aborted when the client went away: what follows is not the provider's failure. */
  clientGone: AbortSignal;
  /** Called once, when the body has been consumed (or abandoned). */
  done(outcome: AnswerOutcome): void;
}

const JSON_TYPE = 'application/json';
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
/** Upstream response headers a client may see: the body's type, and the provider's request id. */
const PASSED_HEADERS = ['content-type', 'x-request-id', 'request-id'];
const textEncoder = new TextEncoder();

/** Builds the response for a served request, and reports its outcome once its body has gone out. */
export async function writeAnswer(input: AnswerInput): Promise<GatewayAnswer> {
  const attempt = input.routed.value;
  switch (attempt.kind) {
    case 'forwarded':
      return forwardedAnswer(input, attempt);
    case 'whole': {
      const { dialect, served, generationId } = input;
      const body =
        dialect === 'openai'
          ? toOpenAiChatCompletion(attempt.result, {
              id: `chatcmpl-${generationId}`,
              created: Math.floor(Date.now() / 1000),
              model: served.model,
            })
          : toAnthropicMessage(attempt.result, { id: `msg_${generationId}`, model: served.model });
      input.done({ ttftMs: undefined, usage: attempt.result.usage, error: undefined });
      return {
        status: 200,
        headers: { 'content-type': JSON_TYPE, ...input.meta },
        body: Buffer.from(JSON.stringify(body)),
      };
    }
    case 'chunks':
      return {
        status: 200,
        headers: { ...SSE_HEADERS, ...input.meta },
        body: translatedStream(input, attempt),
      };
  }
}

async function forwardedAnswer(
  input: AnswerInput,
  attempt: Extract<Attempt, { kind: 'forwarded' }>,
): Promise<GatewayAnswer> {
  const { forwarded } = attempt;
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = forwarded.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  // The upstream's own type goes on (its charset, say) only when it says what the answer is: an event
  // stream for a stream, JSON for a whole answer; otherwise the gateway's type stands.
  const expectedType = input.stream ? 'text/event-stream' : JSON_TYPE;
  if (!headers['content-type']?.toLowerCase().startsWith(expectedType)) delete headers['content-type'];
  void forwarded.metrics.then((metrics) => {
    const gone = input.clientGone.aborted || metrics.cancelled;
    // A failure after the first token is the provider's: its breaker hears of it.
    if (metrics.error !== undefined && !gone) input.routed.reportFailure(metrics.error);
    input.done({
      // A whole answer's "first token" is the whole answer: not a time to first token.
      ttftMs: input.stream ? metrics.ttftMs : undefined,
      usage: metrics.usage,
      error: gone ? undefined : metrics.error?.kind,
    });
  });
  if (!input.stream) {
    return {
      status: forwarded.status,
      headers: { 'content-type': JSON_TYPE, ...headers, ...input.meta },
      body: forwarded.bytes !== undefined ? asBuffer(forwarded.bytes) : await readAll(forwarded.body),
    };
  }
  const body = relaySse(forwarded.body, {
    withholdUsage: attempt.withheldUsage,
    closing: async () => {
      const metrics = await forwarded.metrics;
      if (metrics.error === undefined || input.clientGone.aborted) return undefined;
      return errorEvent(
        input.dialect,
        502,
        `the provider's stream failed: ${metrics.error.message}`,
        'upstream_error',
      );
    },
  });
  return { status: forwarded.status, headers: { ...SSE_HEADERS, ...headers, ...input.meta }, body };
}

function translatedStream(
  input: AnswerInput,
  attempt: Extract<Attempt, { kind: 'chunks' }>,
): ReadableStream<Uint8Array> {
  const { dialect, served, generationId } = input;
  const encoder =
    dialect === 'openai'
      ? new OpenAiChatChunkEncoder({
          id: `chatcmpl-${generationId}`,
          created: Math.floor(Date.now() / 1000),
          model: served.model,
          includeUsage: input.includeUsage,
        })
      : new AnthropicChunkEncoder({ id: `msg_${generationId}`, model: served.model });
  const { iterator, stream } = attempt;
  let first: IteratorResult<ChatChunk> | undefined = attempt.first;
  let usage: Usage | undefined;
  let finished = false;
  const finish = (error: GenerationErrorKind | undefined) => {
    if (finished) return;
    finished = true;
    input.done({ ttftMs: stream.ttftMs, usage, error });
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = first ?? (await iterator.next());
        first = undefined;
        if (next.done) {
          finish(undefined);
          controller.close();
          return;
        }
        if (next.value.type === 'finish') usage = next.value.usage;
        controller.enqueue(textEncoder.encode(encoder.encode(next.value).join('')));
      } catch (error) {
        if (input.clientGone.aborted) {
          finish(undefined);
          controller.close();
          return;
        }
        input.routed.reportFailure(error);
        const kind = error instanceof ProviderError ? error.kind : 'other';
        finish(kind);
        const message = error instanceof Error ? error.message : String(error);
        controller.enqueue(
          textEncoder.encode(
            errorEvent(dialect, 502, `the provider's stream failed: ${message}`, 'upstream_error'),
          ),
        );
        controller.close();
      }
    },
    async cancel() {
      finish(undefined);
      await iterator.return?.();
    },
  });
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const reader = body.getReader();
  for (;;) {
    const read = await reader.read();
    if (read.done) break;
    parts.push(read.value);
  }
  const only = parts.length === 1 ? parts[0] : undefined;
  return only === undefined ? Buffer.concat(parts) : asBuffer(only);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
