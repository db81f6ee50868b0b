import type { EventSourceMessage } from 'eventsource-parser';
import type {
  ChatChunk,
  ChatMessage,
  ChatRequest,
  ChatResult,
  FinishReason,
  ToolCall,
  Usage,
} from './chat-request.js';
import { providerErrorFromEvent } from './provider-error.js';
import type { StreamDecoder } from './sse-events.js';
import {
  arrayField,
  defined,
  EMPTY_OBJECT_SCHEMA,
  field,
  malformed,
  markObserved,
  numberField,
  parseProviderJson,
  stringField,
} from './wire-values.js';

/** Anthropic requires `max_tokens`; this is sent when the request does not set `maxTokens`. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

const FINISH_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
};

/**
 * The request body of `POST /v1/messages` for a neutral request. System and developer messages go to the
 * top-level `system` field (joined by blank lines); tool results become `tool_result` blocks of a user
 * turn. Anthropic has no presence or frequency penalty and no seed: those are not sent.
 */
export function toAnthropicMessagesBody(
  request: ChatRequest,
  options: { stream: boolean; defaultMaxTokens?: number },
): Record<string, unknown> {
  const params = request.params ?? {};
  const system = request.messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => m.content)
    .join('\n\n');
  return defined({
    model: request.model,
    max_tokens: params.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    system: system === '' ? undefined : system,
    messages: toAnthropicMessages(request.messages),
    temperature: params.temperature,
    top_p: params.topP,
    stop_sequences: params.stop !== undefined && params.stop.length > 0 ? params.stop : undefined,
    metadata: request.user === undefined ? undefined : { user_id: request.user },
    tools:
      request.tools !== undefined && request.tools.length > 0
        ? request.tools.map((tool) =>
            defined({
              name: tool.name,
              description: tool.description,
              input_schema: tool.parameters ?? EMPTY_OBJECT_SCHEMA,
            }),
          )
        : undefined,
    stream: options.stream ? true : undefined,
  });
}

function toAnthropicMessages(messages: ChatMessage[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  // The results of parallel calls must all be in the one user turn that follows them.
  let toolResults: unknown[] | undefined;
  for (const message of messages) {
    if (message.role === 'system' || message.role === 'developer') continue;
    if (message.role === 'tool') {
      const block = { type: 'tool_result', tool_use_id: message.toolCallId, content: message.content };
      if (toolResults !== undefined) toolResults.push(block);
      else {
        toolResults = [block];
        out.push({ role: 'user', content: toolResults });
      }
      continue;
    }
    toolResults = undefined;
    if (message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0) {
      out.push({
        role: 'assistant',
        content: [
          ...(message.content === '' ? [] : [{ type: 'text', text: message.content }]),
          ...message.toolCalls.map((call) => ({
            type: 'tool_use',
            id: call.id,
            name: call.name,
            input: parseArguments(call.arguments),
          })),
        ],
      });
    } else {
      out.push({ role: message.role, content: message.content });
    }
  }
  return out;
}

function parseArguments(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof value === 'object' && value !== null ? value : { value };
  } catch {
    return {};
  }
}

/** Neutral usage from Anthropic's `usage` object (cache reads and writes count as input). */
export function fromAnthropicUsage(usage: unknown): Usage | undefined {
  const input = numberField(usage, 'input_tokens');
  const outputTokens = numberField(usage, 'output_tokens');
  if (input === undefined || outputTokens === undefined) return undefined;
  const created = numberField(usage, 'cache_creation_input_tokens') ?? 0;
  const read = numberField(usage, 'cache_read_input_tokens');
  return {
    inputTokens: input + created + (read ?? 0),
    outputTokens,
    ...(read !== undefined && { cachedInputTokens: read }),
  };
}

function finishReasonOf(value: unknown): FinishReason {
  return (typeof value === 'string' && FINISH_REASONS[value]) || 'other';
}

/** The neutral result of a `message` body. Throws a `ProviderError` when it has no content list. */
export function fromAnthropicMessagesResponse(
  provider: string,
  body: unknown,
  request?: ChatRequest,
): ChatResult {
  if (!Array.isArray(field(body, 'content'))) throw malformed(provider, 'no content');
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of arrayField(body, 'content')) {
    const type = stringField(block, 'type');
    if (type === 'text') text += stringField(block, 'text') ?? '';
    else if (type === 'tool_use') {
      toolCalls.push({
        id: stringField(block, 'id') ?? '',
        name: stringField(block, 'name') ?? '',
        arguments: JSON.stringify(field(block, 'input') ?? {}),
      });
    }
  }
  return {
    model: stringField(body, 'model') ?? request?.model ?? '',
    text,
    toolCalls: markObserved(toolCalls, request?.tools),
    finishReason: finishReasonOf(field(body, 'stop_reason')),
    usage: fromAnthropicUsage(field(body, 'usage')),
    raw: body,
  };
}

/**
 * Decodes a messages stream: message_start, content_block_start/delta/stop, message_delta (stop reason,
 * output tokens), message_stop; ping ignored; an `error` event throws.
 */
export class AnthropicMessagesStreamDecoder implements StreamDecoder {
  ended = false;
  private model: string;
  private finishReason: FinishReason | undefined;
  private usage: unknown = {};
  /** Content block index → tool call index (text blocks take block indexes too). */
  private readonly toolIndex = new Map<number, number>();

  constructor(
    private readonly provider: string,
    requestedModel: string,
    private readonly raw?: unknown[],
  ) {
    this.model = requestedModel;
  }

  decode(event: EventSourceMessage): ChatChunk[] {
    if (this.ended) return [];
    const data = parseProviderJson(this.provider, event.data);
    this.raw?.push(data);
    const type = stringField(data, 'type') ?? event.event;
    switch (type) {
      case 'error':
        throw providerErrorFromEvent(this.provider, data);
      case 'message_start': {
        const message = field(data, 'message');
        this.model = stringField(message, 'model') ?? this.model;
        this.mergeUsage(field(message, 'usage'));
        return [];
      }
      case 'content_block_start': {
        const block = field(data, 'content_block');
        const blockType = stringField(block, 'type');
        if (blockType === 'text') {
          const text = stringField(block, 'text') ?? '';
          return text === '' ? [] : [{ type: 'text', text }];
        }
        if (blockType === 'tool_use') {
          const index = this.toolIndex.size;
          this.toolIndex.set(numberField(data, 'index') ?? index, index);
          return [
            {
              type: 'tool-call',
              index,
              id: stringField(block, 'id') ?? '',
              name: stringField(block, 'name') ?? '',
              argumentsDelta: '',
            },
          ];
        }
        return [];
      }
      case 'content_block_delta': {
        const delta = field(data, 'delta');
        const deltaType = stringField(delta, 'type');
        if (deltaType === 'text_delta') {
          const text = stringField(delta, 'text') ?? '';
          return text === '' ? [] : [{ type: 'text', text }];
        }
        if (deltaType === 'input_json_delta') {
          const index = this.toolIndex.get(numberField(data, 'index') ?? -1);
          if (index === undefined) return [];
          return [{ type: 'tool-call', index, argumentsDelta: stringField(delta, 'partial_json') ?? '' }];
        }
        return [];
      }
      case 'message_delta': {
        const stop = field(field(data, 'delta'), 'stop_reason');
        if (stop !== undefined && stop !== null) this.finishReason = finishReasonOf(stop);
        this.mergeUsage(field(data, 'usage'));
        return [];
      }
      case 'message_stop':
        this.ended = true;
        return [
          {
            type: 'finish',
            finishReason: this.finishReason ?? 'other',
            usage: fromAnthropicUsage(this.usage),
            model: this.model,
          },
        ];
      default:
        return [];
    }
  }

  // message_delta's usage holds cumulative counts: later values replace earlier ones field by field.
  private mergeUsage(usage: unknown): void {
    if (typeof usage !== 'object' || usage === null) return;
    const merged = { ...(this.usage as Record<string, unknown>) };
    for (const [key, value] of Object.entries(usage))
      if (value !== null && value !== undefined) merged[key] = value;
    this.usage = merged;
  }
}
