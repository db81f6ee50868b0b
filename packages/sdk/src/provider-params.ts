import {
  type ChatMessage,
  type ChatParams,
  type ChatTool,
  toAnthropicMessagesBody,
  toOpenAiChatBody,
} from '@switchboard/llm';

/** The part of a resolved AI configuration the adapters read. */
export interface AiConfigRequest {
  provider?: string;
  model: string;
  messages: readonly ChatMessage[];
  params: ChatParams;
  tools: readonly ChatTool[];
}

/** A message of `openai.chat.completions.create`, as the adapter writes it. */
export type OpenAiChatMessage =
  | { role: 'system'; content: string }
  | { role: 'developer'; content: string }
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
    }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A function tool of `openai.chat.completions.create`. */
export interface OpenAiChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** Arguments for `openai.chat.completions.create` (non-streaming; the official client's type accepts it). */
export interface OpenAiChatParams {
  model: string;
  messages: OpenAiChatMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  user?: string;
  tools?: OpenAiChatTool[];
}

/** {@link OpenAiChatParams} for a stream, asking for its token counts in the last chunk. */
export type OpenAiChatStreamParams = OpenAiChatParams & {
  stream: true;
  stream_options: { include_usage: boolean };
};

/** Options of {@link toOpenAiChatParams}. */
export interface OpenAiChatParamsOptions {
  /**
   * Where `maxTokens` goes: `max_completion_tokens` (OpenAI's current field, required by its reasoning
   * models) is the default for the `openai` provider, `max_tokens` (what vLLM, Ollama and most
   * compatible servers read) for the others.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** How `developer` messages are sent: as `developer` (default) or `system` (older servers). */
  developerRole?: 'developer' | 'system';
  /** The end user, for the provider's abuse monitoring. */
  user?: string;
}

/**
 * Arguments for the official `openai` client's `chat.completions.create` from a resolved AI
 * configuration: model, messages, temperature, top_p, max tokens, stop, penalties, seed, and the
 * `enabled` and `observe` tools as function tools (a call of an `observe` tool is only to be logged).
 * With `stream: true`, the stream also asks for its usage (`stream_options.include_usage`), so a
 * tracked stream has its token counts. Uses packages/llm's mapping, as the gateway does.
 *
 * @example
 * const completion = await config.tracker.track((signal) => openai.chat.completions.create(toOpenAiChatParams(config), { signal }));
 * const stream = await config.tracker.track((signal) => openai.chat.completions.create(toOpenAiChatParams(config, { stream: true }), { signal }));
 */
export function toOpenAiChatParams(
  config: AiConfigRequest,
  options: OpenAiChatParamsOptions & { stream: true },
): OpenAiChatStreamParams;
export function toOpenAiChatParams(
  config: AiConfigRequest,
  options?: OpenAiChatParamsOptions & { stream?: false },
): OpenAiChatParams;
export function toOpenAiChatParams(
  config: AiConfigRequest,
  options: OpenAiChatParamsOptions & { stream?: boolean } = {},
): OpenAiChatParams | OpenAiChatStreamParams {
  return toOpenAiChatBody(
    {
      model: config.model,
      messages: [...config.messages],
      params: config.params,
      tools: [...config.tools],
      ...(options.user !== undefined && { user: options.user }),
    },
    {
      stream: options.stream === true,
      maxTokensField:
        options.maxTokensField ?? (config.provider === 'openai' ? 'max_completion_tokens' : 'max_tokens'),
      ...(options.developerRole !== undefined && { developerRole: options.developerRole }),
    },
  ) as unknown as OpenAiChatParams;
}

/** A content block of `anthropic.messages.create`, as the adapter writes it. */
export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

/** A message of `anthropic.messages.create`: only user and assistant turns (the system prompt is apart). */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicContentBlock[];
}

/** A tool of `anthropic.messages.create`. */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}

/** Arguments for `anthropic.messages.create` (non-streaming; the official client's type accepts it). */
export interface AnthropicMessageParams {
  model: string;
  max_tokens: number;
  system?: string;
  messages: AnthropicMessage[];
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  metadata?: { user_id: string };
  tools?: AnthropicTool[];
}

/** Options of {@link toAnthropicMessageParams}. */
export interface AnthropicMessageParamsOptions {
  /** `max_tokens` when the configuration sets no `maxTokens` (Anthropic requires one); 4096 unless given. */
  defaultMaxTokens?: number;
  /** The end user (`metadata.user_id`). */
  user?: string;
}

/**
 * Arguments for the official `@anthropic-ai/sdk` client's `messages.create` (and `messages.stream`)
 * from a resolved AI configuration: system and developer messages joined into the top-level `system`,
 * `max_tokens` always set, temperature, top_p, stop sequences, and the `enabled` and `observe` tools.
 * Anthropic has no presence or frequency penalty and no seed: those are not sent. Uses packages/llm's
 * mapping, as the gateway does.
 *
 * @example
 * const message = await config.tracker.track((signal) => anthropic.messages.create(toAnthropicMessageParams(config), { signal }));
 */
export function toAnthropicMessageParams(
  config: AiConfigRequest,
  options: AnthropicMessageParamsOptions & { stream: true },
): AnthropicMessageParams & { stream: true };
export function toAnthropicMessageParams(
  config: AiConfigRequest,
  options?: AnthropicMessageParamsOptions & { stream?: false },
): AnthropicMessageParams;
export function toAnthropicMessageParams(
  config: AiConfigRequest,
  options: AnthropicMessageParamsOptions & { stream?: boolean } = {},
): AnthropicMessageParams {
  return toAnthropicMessagesBody(
    {
      model: config.model,
      messages: [...config.messages],
      params: config.params,
      tools: [...config.tools],
      ...(options.user !== undefined && { user: options.user }),
    },
    {
      stream: options.stream === true,
      ...(options.defaultMaxTokens !== undefined && { defaultMaxTokens: options.defaultMaxTokens }),
    },
  ) as unknown as AnthropicMessageParams;
}
