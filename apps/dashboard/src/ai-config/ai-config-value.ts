import type { MessageRole, ToolMode } from './ai-config-rules.js';

/**
 * An AI config as the server stores it (packages/llm's `AiConfig`, declared here because the
 * dashboard talks HTTP only; ai-config-draft.test.ts checks the two stay the same type).
 */
export interface AiConfigValue {
  provider: string;
  model: string;
  messages: { role: MessageRole; content: string }[];
  params: {
    temperature?: number;
    topP?: number;
    maxTokens?: number;
    contextWindow?: number;
    stop?: string[];
    presencePenalty?: number;
    frequencyPenalty?: number;
    seed?: number;
  };
  tools: { name: string; mode: ToolMode; description?: string; parameters?: Record<string, unknown> }[];
  fallbacks: { provider: string; model: string }[];
  pricing?: { inputPerMillion: number; outputPerMillion: number };
}
