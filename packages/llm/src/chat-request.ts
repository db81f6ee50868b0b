import type { AiParams } from './ai-config.js';

/** A tool call the model made; `arguments` is the JSON text the model wrote. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
  /** Set when the tool is offered in `observe` mode: log the call, do not run it. */
  observeOnly?: boolean;
}

/** One message of a conversation, in no provider's format. */
export type ChatMessage =
  | { role: 'system' | 'developer' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool offered to the model. */
export interface ChatTool {
  name: string;
  description?: string | undefined;
  /** JSON Schema of the arguments; an empty object schema when missing. */
  parameters?: Record<string, unknown> | undefined;
  /** `observe` mode: the model may call it, the call is only logged. Sent to the model all the same. */
  observeOnly?: boolean;
}

/** The parameters sent with a request (an AI config's params without `contextWindow`). */
export type ChatParams = Omit<AiParams, 'contextWindow'>;

/** One chat request, in no provider's format. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  params?: ChatParams;
  tools?: ChatTool[];
  /** The end user, for the provider's abuse monitoring (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
}

/** Why the model stopped. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'other';

/** Tokens counted by the provider. */
export interface Usage {
  /** Every input token, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** The part of `inputTokens` read from the provider's prompt cache, when it says. */
  cachedInputTokens?: number;
}

/** A complete answer. */
export interface ChatResult {
  /** The model that answered, as the provider names it. */
  model: string;
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** Undefined when the provider did not count (a stream without usage). */
  usage: Usage | undefined;
  /** The provider's response body (for a stream, every event's data in order). */
  raw: unknown;
}

/** One piece of a streamed answer. A stream that completes ends with exactly one `finish` chunk. */
export type ChatChunk =
  | { type: 'text'; text: string }
  | {
      type: 'tool-call';
      /** Which call of this answer the piece belongs to (0, 1…). */
      index: number;
      /** Given on a call's first piece. */
      id?: string;
      name?: string;
      /** More of the arguments' JSON text. */
      argumentsDelta: string;
    }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage | undefined; model: string };

/** A request without its model: what a fallback router sends to each `{ provider, model }` it tries. */
export type ChatInput = Omit<ChatRequest, 'model'>;
