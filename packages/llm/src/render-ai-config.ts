import type { AiConfigInput, AiPricing, ProviderModel } from './ai-config.js';
import type { ChatMessage, ChatParams, ChatTool } from './chat-request.js';

/** A placeholder that could not be filled. */
export interface RenderError {
  /** The variable's name as written between the braces (trimmed). */
  variable: string;
  /** Index of the message in the config's `messages`. */
  messageIndex: number;
  message: string;
}

/** An AI config with its variables filled: what to send, and where to send it. */
export interface RenderedAiConfig {
  provider: string;
  model: string;
  messages: ChatMessage[];
  params: ChatParams;
  /** Tools in `enabled` and `observe` mode (the latter marked `observeOnly`); `off` ones are left out. */
  tools: ChatTool[];
  /** The primary `{ provider, model }` followed by the fallbacks, in order. */
  chain: ProviderModel[];
  contextWindow: number | undefined;
  pricing: AiPricing | undefined;
  /** Placeholders left as written because their variable was missing; empty when all were filled. */
  errors: RenderError[];
}

// `{{name}}` or `{{ name }}`; a name may be a dotted path into nested objects (`{{user.plan}}`).
const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*)\s*\}\}/g;

/**
 * Fills an AI config's `{{variables}}` and resolves what to send: messages, params, the tools the model
 * may see and the fallback chain. Never throws: a missing variable leaves its placeholder as written and
 * is listed in `errors`.
 *
 * Values are stringified: strings as they are, numbers, booleans and bigints with `String`, dates as
 * ISO 8601, anything else (objects, arrays, null) as JSON.
 *
 * @example
 * ```ts
 * const rendered = renderAiConfig(variant.value, { product: 'Acme', question });
 * if (rendered.errors.length > 0) logger.warn('unfilled placeholders', rendered.errors);
 * const { value, record } = await router.chat(rendered.chain, rendered);
 * ```
 */
export function renderAiConfig(
  config: AiConfigInput,
  variables: Record<string, unknown> = {},
): RenderedAiConfig {
  const errors: RenderError[] = [];
  const messages: ChatMessage[] = (config.messages ?? []).map((message, messageIndex) => ({
    role: message.role,
    content: message.content.replace(PLACEHOLDER, (placeholder, name: string) => {
      const value = lookup(variables, name);
      if (value === undefined) {
        errors.push({ variable: name, messageIndex, message: `variable "${name}" is missing` });
        return placeholder;
      }
      return stringify(value);
    }),
  }));
  const { contextWindow, ...params } = config.params ?? {};
  const tools: ChatTool[] = [];
  for (const tool of config.tools ?? []) {
    if (tool.mode === 'off') continue;
    tools.push({
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      ...(tool.parameters !== undefined && { parameters: tool.parameters }),
      ...(tool.mode === 'observe' && { observeOnly: true }),
    });
  }
  return {
    provider: config.provider,
    model: config.model,
    messages,
    params: withoutUndefined(params),
    tools,
    chain: [
      { provider: config.provider, model: config.model },
      ...(config.fallbacks ?? []).map(({ provider, model }) => ({ provider, model })),
    ],
    contextWindow,
    pricing: config.pricing,
    errors,
  };
}

function lookup(variables: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(variables, name)) return variables[name];
  let value: unknown = variables;
  for (const key of name.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // A cyclic object: still never throw.
    return String(value);
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
