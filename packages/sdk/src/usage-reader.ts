import { fromAnthropicUsage, fromOpenAiUsage } from '@switchboard/llm';

/** Where token counts are written as they are found (a tracked call). */
export interface TokenCounts {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

/** What a streamed chunk or part told about the answer. */
export const ChunkKind = {
  /** It carries output (text, a tool call's piece, reasoning): the first one is the first token. */
  Output: 1,
  /** Framing: a start, metadata, usage, an end. */
  Framing: 0,
  /** An error inside the stream (the AI SDK's `error` part): its `error` is the failure. */
  Error: 2,
} as const;
/** One of {@link ChunkKind}'s values. */
export type ChunkKind = (typeof ChunkKind)[keyof typeof ChunkKind];

/**
 * Reads the token counts of a complete answer into `into`: OpenAI chat completions
 * (`usage.prompt_tokens`/`completion_tokens`), Anthropic messages and OpenAI responses
 * (`usage.input_tokens`/`output_tokens`, cache reads and writes counted as input), the AI SDK's
 * `generateText` result (`totalUsage`, else `usage`, `inputTokens`/`outputTokens`), its provider-level
 * results (`usage.inputTokens.total`), and packages/llm's `ChatResult`. Leaves `into` as it was when
 * the shape is unknown.
 */
export function readUsage(result: unknown, into: TokenCounts): void {
  if (typeof result !== 'object' || result === null) return;
  const r = result as { usage?: unknown; totalUsage?: unknown };
  // The AI SDK's totalUsage sums every step of a multi-step call; usage is the last step's only.
  readUsageObject(isObject(r.totalUsage) ? r.totalUsage : r.usage, into);
}

/**
 * Reads one streamed chunk: its token counts into `into`, and whether it carries output. Knows OpenAI
 * chat completion chunks (usage in the last one with `stream_options.include_usage`), Anthropic
 * message stream events (`message_start` and `message_delta` usage), OpenAI responses events, the AI
 * SDK's `fullStream` parts (`finish` with `totalUsage`) and provider stream parts (`finish` with
 * `usage`), and packages/llm's `ChatChunk`s. Anything else (text, bytes, unknown objects) is output.
 */
export function readChunk(chunk: unknown, into: TokenCounts): ChunkKind {
  if (typeof chunk !== 'object' || chunk === null) return ChunkKind.Output;
  const c = chunk as Record<string, unknown>;
  const type = c.type;
  if (typeof type === 'string') return readTypedChunk(type, c, into);
  const choices = c.choices;
  if (Array.isArray(choices)) {
    if (isObject(c.usage)) readUsageObject(c.usage, into);
    const delta = (choices[0] as { delta?: Record<string, unknown> } | undefined)?.delta;
    if (delta === undefined || delta === null) return ChunkKind.Framing;
    return nonEmpty(delta.content) || nonEmpty(delta.refusal) || Array.isArray(delta.tool_calls)
      ? ChunkKind.Output
      : ChunkKind.Framing;
  }
  return ChunkKind.Output;
}

function readTypedChunk(type: string, c: Record<string, unknown>, into: TokenCounts): ChunkKind {
  switch (type) {
    // The AI SDK's parts (fullStream and provider level) and packages/llm's chunks.
    case 'text-delta':
    case 'reasoning-delta':
    case 'tool-input-start':
    case 'tool-input-delta':
    case 'tool-call':
    case 'text':
    case 'reasoning':
    case 'file':
      return ChunkKind.Output;
    case 'finish':
      readUsageObject(isObject(c.totalUsage) ? c.totalUsage : c.usage, into);
      return ChunkKind.Framing;
    case 'finish-step':
      // Only until the final `finish` brings the total.
      readUsageObject(c.usage, into);
      return ChunkKind.Framing;
    case 'error':
      return ChunkKind.Error;
    // Anthropic's message stream.
    case 'content_block_delta':
      return ChunkKind.Output;
    case 'message_start':
      readUsageObject((c.message as { usage?: unknown } | undefined)?.usage, into);
      return ChunkKind.Framing;
    case 'message_delta':
      readAnthropicDelta(c.usage, into);
      return ChunkKind.Framing;
    // OpenAI's responses stream.
    case 'response.completed':
      readUsageObject((c.response as { usage?: unknown } | undefined)?.usage, into);
      return ChunkKind.Framing;
    default:
      return type.startsWith('response.') && type.endsWith('.delta') ? ChunkKind.Output : ChunkKind.Framing;
  }
}

function readUsageObject(usage: unknown, into: TokenCounts): void {
  if (!isObject(usage)) return;
  const u = usage as Record<string, unknown>;
  if (u.prompt_tokens !== undefined) {
    const found = fromOpenAiUsage(u);
    if (found !== undefined) set(into, found.inputTokens, found.outputTokens);
    return;
  }
  if (u.input_tokens !== undefined) {
    const found = fromAnthropicUsage(u);
    if (found !== undefined) set(into, found.inputTokens, found.outputTokens);
    return;
  }
  // The AI SDK: numbers in its results, `{ total }` at the provider level (LanguageModelV3Usage).
  set(into, tokenCount(u.inputTokens), tokenCount(u.outputTokens));
}

/** `message_delta` carries the output so far, and (newer API versions) the input counts again. */
function readAnthropicDelta(usage: unknown, into: TokenCounts): void {
  if (!isObject(usage)) return;
  const u = usage as Record<string, unknown>;
  if (typeof u.input_tokens === 'number') {
    readUsageObject(u, into);
    return;
  }
  set(into, undefined, tokenCount(u.output_tokens));
}

function tokenCount(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (isObject(value)) return tokenCount((value as { total?: unknown }).total);
  return undefined;
}

function set(into: TokenCounts, input: number | undefined, output: number | undefined): void {
  if (input !== undefined) into.inputTokens = input;
  if (output !== undefined) into.outputTokens = output;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}
