import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatChunk, ChatMessage, ChatRequest, ChatResult, FinishReason, Usage } from './chat-request.js';
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

/** Choices for servers that differ in small ways from OpenAI's chat completions. */
export interface OpenAiChatWireOptions {
  /**
   * Where `maxTokens` goes: `max_tokens` (default; what vLLM, Ollama and most models read) or
   * `max_completion_tokens` (what OpenAI's reasoning models require).
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** How `developer` messages are sent: as `developer` (default, OpenAI) or `system` (older servers). */
  developerRole?: 'developer' | 'system';
}

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

/** The request body of `POST /chat/completions` for a neutral request. */
export function toOpenAiChatBody(
  request: ChatRequest,
  options: OpenAiChatWireOptions & { stream: boolean },
): Record<string, unknown> {
  const params = request.params ?? {};
  return defined({
    model: request.model,
    messages: request.messages.map((m) => toOpenAiMessage(m, options.developerRole ?? 'developer')),
    temperature: params.temperature,
    top_p: params.topP,
    [options.maxTokensField ?? 'max_tokens']: params.maxTokens,
    stop: params.stop !== undefined && params.stop.length > 0 ? params.stop : undefined,
    presence_penalty: params.presencePenalty,
    frequency_penalty: params.frequencyPenalty,
    seed: params.seed,
    user: request.user,
    tools:
      request.tools !== undefined && request.tools.length > 0
        ? request.tools.map((tool) => ({
            type: 'function',
            function: defined({
              name: tool.name,
              description: tool.description,
              parameters: tool.parameters ?? EMPTY_OBJECT_SCHEMA,
            }),
          }))
        : undefined,
    stream: options.stream ? true : undefined,
    // Without it a stream carries no token counts.
    stream_options: options.stream ? { include_usage: true } : undefined,
  });
}

function toOpenAiMessage(
  message: ChatMessage,
  developerRole: 'developer' | 'system',
): Record<string, unknown> {
  switch (message.role) {
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      if (message.toolCalls === undefined || message.toolCalls.length === 0) {
        return { role: 'assistant', content: message.content };
      }
      return {
        role: 'assistant',
        content: message.content === '' ? null : message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    case 'developer':
      return { role: developerRole, content: message.content };
    default:
      return { role: message.role, content: message.content };
  }
}

/** Neutral usage from OpenAI's `usage` object; undefined when it is missing. */
export function fromOpenAiUsage(usage: unknown): Usage | undefined {
  const inputTokens = numberField(usage, 'prompt_tokens');
  const outputTokens = numberField(usage, 'completion_tokens');
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  const cached = numberField(field(usage, 'prompt_tokens_details'), 'cached_tokens');
  return { inputTokens, outputTokens, ...(cached !== undefined && { cachedInputTokens: cached }) };
}

function finishReasonOf(value: unknown): FinishReason {
  return (typeof value === 'string' && FINISH_REASONS[value]) || 'other';
}

/** The neutral result of a `chat.completion` body. Throws a `ProviderError` when it has no choice. */
export function fromOpenAiChatResponse(provider: string, body: unknown, request?: ChatRequest): ChatResult {
  const choice = arrayField(body, 'choices')[0];
  const message = field(choice, 'message');
  if (message === undefined) throw malformed(provider, 'no choices[0].message');
  const toolCalls = arrayField(message, 'tool_calls').map((call) => ({
    id: stringField(call, 'id') ?? '',
    name: stringField(field(call, 'function'), 'name') ?? '',
    arguments: stringField(field(call, 'function'), 'arguments') ?? '{}',
  }));
  return {
    model: stringField(body, 'model') ?? request?.model ?? '',
    text: stringField(message, 'content') ?? '',
    toolCalls: markObserved(toolCalls, request?.tools),
    finishReason: finishReasonOf(field(choice, 'finish_reason')),
    usage: fromOpenAiUsage(field(body, 'usage')),
    raw: body,
  };
}

/** Decodes a chat completions stream: `data:` chunks until `data: [DONE]`. */
export class OpenAiChatStreamDecoder implements StreamDecoder {
  ended = false;
  private model: string;
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;

  constructor(
    private readonly provider: string,
    requestedModel: string,
    private readonly raw?: unknown[],
  ) {
    this.model = requestedModel;
  }

  decode(event: EventSourceMessage): ChatChunk[] {
    if (this.ended) return [];
    if (event.data.trim() === '[DONE]') {
      this.ended = true;
      return [
        { type: 'finish', finishReason: this.finishReason ?? 'other', usage: this.usage, model: this.model },
      ];
    }
    const data = parseProviderJson(this.provider, event.data);
    this.raw?.push(data);
    if (event.event === 'error' || field(data, 'error') !== undefined)
      throw providerErrorFromEvent(this.provider, data);
    this.model = stringField(data, 'model') ?? this.model;
    this.usage = fromOpenAiUsage(field(data, 'usage')) ?? this.usage;
    const chunks: ChatChunk[] = [];
    const choice = arrayField(data, 'choices')[0];
    const delta = field(choice, 'delta');
    const content = stringField(delta, 'content');
    if (content !== undefined && content !== '') chunks.push({ type: 'text', text: content });
    for (const call of arrayField(delta, 'tool_calls')) {
      const fn = field(call, 'function');
      const id = stringField(call, 'id');
      const name = stringField(fn, 'name');
      chunks.push({
        type: 'tool-call',
        index: numberField(call, 'index') ?? 0,
        ...(id !== undefined && { id }),
        ...(name !== undefined && { name }),
        argumentsDelta: stringField(fn, 'arguments') ?? '',
      });
    }
    const finish = field(choice, 'finish_reason');
    if (finish !== undefined && finish !== null) this.finishReason = finishReasonOf(finish);
    return chunks;
  }
}
