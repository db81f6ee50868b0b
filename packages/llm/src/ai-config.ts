/** Who speaks a message of an AI config's prompt. */
export type AiMessageRole = 'system' | 'user' | 'assistant' | 'developer';

/** One message template of an AI config; `content` may hold `{{variables}}`. */
export interface AiMessage {
  role: AiMessageRole;
  content: string;
}

/** Sampling and length parameters of an AI config; every field is optional. */
export interface AiParams {
  temperature?: number | undefined;
  topP?: number | undefined;
  maxTokens?: number | undefined;
  /** The model's context window in tokens: informs the caller (history trimming), never sent. */
  contextWindow?: number | undefined;
  stop?: string[] | undefined;
  presencePenalty?: number | undefined;
  frequencyPenalty?: number | undefined;
  seed?: number | undefined;
}

/** How a tool is offered: `observe` lets the model call it but the call is only logged; `off` hides it. */
export type AiToolMode = 'enabled' | 'observe' | 'off';

/** A tool an AI config offers the model. */
export interface AiTool {
  name: string;
  mode: AiToolMode;
  description?: string | undefined;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown> | undefined;
}

/** A provider and one of its models: one link of a fallback chain. */
export interface ProviderModel {
  provider: string;
  model: string;
}

/** Per-token prices in USD that override the built-in price table. */
export interface AiPricing {
  /** USD per million input tokens. */
  inputPerMillion: number;
  /** USD per million output tokens. */
  outputPerMillion: number;
}

/**
 * The value of an `ai-config` variant (DESIGN.md §2) as the server stores and serves it, defaults
 * applied: the same shape as the server's `aiConfigSchema` output.
 */
export interface AiConfig {
  /** `openai`, `anthropic`, an OpenAI-compatible server's name, or `simulated`. */
  provider: string;
  model: string;
  messages: AiMessage[];
  params: AiParams;
  tools: AiTool[];
  /** Tried in order on rate limits and errors. */
  fallbacks: ProviderModel[];
  pricing?: AiPricing | undefined;
}

/** An {@link AiConfig} as a person may write it: the fields the server defaults may be left out. */
export type AiConfigInput = Pick<AiConfig, 'provider' | 'model' | 'pricing'> &
  Partial<Pick<AiConfig, 'messages' | 'params' | 'tools' | 'fallbacks'>>;
