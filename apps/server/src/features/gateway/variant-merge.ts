import type { ChatInput, ChatRequest, RenderedAiConfig } from '@switchboard/llm';
import type { Precedence } from './gateway-call.js';
import type { AnthropicMessagesBody, OpenAiChatBody } from './gateway-schemas.js';

/** What the assigned variant brings to a request: its rendered config and the tools it turns off. */
export interface VariantInput {
  rendered: RenderedAiConfig;
  /** Tools in `off` mode: removed from the request's tools. */
  offTools: ReadonlySet<string>;
}

/** How an OpenAI-protocol upstream wants a few fields. */
export interface OpenAiWireOptions {
  developerRole: 'developer' | 'system';
  /** Where the variant's `maxTokens` goes when the request sets neither field. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

/**
 * The request body for an OpenAI-protocol upstream: the request as sent, with the link's model, the
 * variant's messages first, and its params (over the request's unless the precedence is `request`).
 * A stream asks for usage; `withheldUsage` says the client did not, so its usage chunk is not relayed.
 */
export function openAiBodyFor(
  body: OpenAiChatBody,
  variant: VariantInput,
  model: string,
  precedence: Precedence,
  wire: OpenAiWireOptions,
): { body: Record<string, unknown>; withheldUsage: boolean } {
  const out: Record<string, unknown> = { ...body, model };
  const prefix = variant.rendered.messages.map((m) => ({
    role: m.role === 'developer' ? wire.developerRole : m.role,
    content: m.content,
  }));
  if (prefix.length > 0) out.messages = [...prefix, ...body.messages];
  const params = variant.rendered.params;
  const set = (field: string, value: unknown) => {
    if (value === undefined) return;
    if (precedence === 'request' && out[field] !== undefined && out[field] !== null) return;
    out[field] = value;
  };
  set('temperature', params.temperature);
  set('top_p', params.topP);
  if (params.maxTokens !== undefined) {
    const sent = (['max_tokens', 'max_completion_tokens'] as const).filter((f) => isSet(body[f]));
    if (sent.length === 0) out[wire.maxTokensField] = params.maxTokens;
    else if (precedence === 'variant') for (const field of sent) out[field] = params.maxTokens;
  }
  set('stop', params.stop);
  set('presence_penalty', params.presencePenalty);
  set('frequency_penalty', params.frequencyPenalty);
  set('seed', params.seed);
  if (body.tools !== undefined && variant.offTools.size > 0) {
    const tools = body.tools.filter((t) => !variant.offTools.has(t.function?.name ?? ''));
    applyTools(out, tools, (choice) => nameOf(choice, 'function'));
  }
  let withheldUsage = false;
  if (body.stream === true && body.stream_options?.include_usage !== true) {
    // Without it a stream carries no token counts; the client did not ask, so its chunk is withheld.
    out.stream_options = { ...body.stream_options, include_usage: true };
    withheldUsage = true;
  }
  return { body: out, withheldUsage };
}

/**
 * The request body for an Anthropic-protocol upstream: the request as sent, with the link's model, the
 * variant's system and developer messages before the request's `system`, its user and assistant turns
 * before the request's messages, and its params (over the request's unless the precedence is `request`).
 */
export function anthropicBodyFor(
  body: AnthropicMessagesBody,
  variant: VariantInput,
  model: string,
  precedence: Precedence,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, model };
  const messages = variant.rendered.messages;
  const system = messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => m.content)
    .join('\n\n');
  if (system !== '') {
    out.system =
      body.system === undefined || body.system === ''
        ? system
        : typeof body.system === 'string'
          ? `${system}\n\n${body.system}`
          : [{ type: 'text', text: system }, ...body.system];
  }
  const turns = messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({ role: m.role, content: m.content }));
  if (turns.length > 0) out.messages = [...turns, ...body.messages];
  const params = variant.rendered.params;
  const set = (field: string, value: unknown) => {
    if (value === undefined) return;
    // max_tokens is required, so the request always has one: precedence `request` keeps it.
    if (precedence === 'request' && out[field] !== undefined && out[field] !== null) return;
    out[field] = value;
  };
  set('max_tokens', params.maxTokens);
  set('temperature', params.temperature);
  set('top_p', params.topP);
  set('stop_sequences', params.stop);
  if (body.tools !== undefined && variant.offTools.size > 0) {
    const tools = body.tools.filter((t) => !variant.offTools.has(t.name));
    applyTools(out, tools, (choice) => (choice as { name?: unknown } | undefined)?.name);
  }
  return out;
}

/**
 * The neutral request for an upstream of the other protocol, merged by the same rules: the variant's
 * messages first, its params over the request's (or under them), its `off` tools removed.
 */
export function mergeNeutral(request: ChatRequest, variant: VariantInput, precedence: Precedence): ChatInput {
  const { rendered, offTools } = variant;
  const params =
    precedence === 'variant'
      ? { ...request.params, ...rendered.params }
      : { ...rendered.params, ...request.params };
  const tools = request.tools?.filter((t) => !offTools.has(t.name));
  return {
    messages: [...rendered.messages, ...request.messages],
    ...(Object.keys(params).length > 0 && { params }),
    ...(tools !== undefined && tools.length > 0 && { tools }),
    ...(request.user !== undefined && { user: request.user }),
  };
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Sets the remaining tools; a tool choice naming a removed tool, or any choice when none remain, goes too. */
function applyTools(
  out: Record<string, unknown>,
  tools: readonly { [key: string]: unknown }[],
  chosenName: (choice: unknown) => unknown,
): void {
  if (tools.length === 0) {
    delete out.tools;
    delete out.tool_choice;
    delete out.parallel_tool_calls;
    return;
  }
  out.tools = tools;
  const name = chosenName(out.tool_choice);
  if (typeof name === 'string' && !tools.some((t) => toolName(t) === name)) delete out.tool_choice;
}

function toolName(tool: { [key: string]: unknown }): unknown {
  return (tool.function as { name?: unknown } | undefined)?.name ?? tool.name;
}

function nameOf(choice: unknown, key: string): unknown {
  return ((choice as Record<string, unknown> | undefined)?.[key] as { name?: unknown } | undefined)?.name;
}
