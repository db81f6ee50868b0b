import { ErrorCode, type JsonValue, Reason } from '@switchboard/core';
import {
  type AiConfigInput,
  type AiPricing,
  type ChatMessage,
  type ChatParams,
  type ChatTool,
  type ProviderModel,
  type RenderError,
  renderAiConfig,
} from '@switchboard/llm';
import type { EvaluationDetails } from './evaluation-details.js';
import type { GenerationTracker, TrackerBinding } from './generation-tracker.js';

/** Options of `client.aiConfig`. */
export interface AiConfigOptions {
  /** Values for the `{{variables}}` of the configuration's messages (dotted paths read nested objects). */
  variables?: Record<string, unknown>;
  /** What to use when the flag serves no AI configuration: unknown flag, no off variant, wrong kind. */
  defaultConfig?: AiConfigInput;
}

/** A tool the model is offered, with its mode: `observe` calls are only to be logged, never run. */
export interface ResolvedAiTool extends ChatTool {
  mode: 'enabled' | 'observe';
}

/** Where a resolved configuration came from. */
export type AiConfigSource = 'variant' | 'default' | 'none';

/** An AI configuration resolved for one unit: what to call, how, and a tracker to measure it. */
export interface ResolvedAiConfig {
  readonly flag: string;
  /** The assigned variant; undefined when the flag served none (then the tracker sends nothing). */
  readonly variant: string | undefined;
  readonly reason: Reason;
  readonly errorCode: ErrorCode | undefined;
  /**
   * False when the flag is disabled (killed) in this environment (the configuration is then the off
   * variant's, else your default), or when there is no configuration at all (`source: 'none'`).
   */
  readonly enabled: boolean;
  /** `variant`: the flag's; `default`: your `defaultConfig`; `none`: neither (provider and model are ''). */
  readonly source: AiConfigSource;
  readonly provider: string;
  readonly model: string;
  /** The messages with their variables filled (a missing one left as written and listed in `errors`). */
  readonly messages: ChatMessage[];
  readonly params: ChatParams;
  /** The tools offered to the model (`enabled` and `observe`); `off` tools are left out. */
  readonly tools: ResolvedAiTool[];
  /** Tried in order on rate limits and errors. */
  readonly fallbacks: ProviderModel[];
  /** The provider and model, then the fallbacks: what a `FallbackRouter` takes. */
  readonly chain: ProviderModel[];
  /** The model's context window in tokens (for trimming history); never sent. */
  readonly contextWindow: number | undefined;
  readonly pricing: AiPricing | undefined;
  /** Placeholders whose variable was missing; empty when every one was filled. */
  readonly errors: RenderError[];
  /** Measures the calls made with this configuration and records feedback, for this flag, variant and unit. */
  readonly tracker: GenerationTracker;
  /**
   * The shadow variant's configuration (same variables) when the flag has a shadow in this environment
   * and this request is in its sample; else null. Run it with `tracker.shadow(...)`; its own tracker
   * records generations with `shadow: true` under the shadow variant.
   */
  readonly shadow: ResolvedAiConfig | null;
}

const NO_CONFIG: AiConfigInput = { provider: '', model: '' };

/**
 * Builds the resolved configuration from an evaluation: the served variant's value when it is an AI
 * configuration, else the caller's default. Throws only on a malformed value (the client catches it).
 */
export function resolveAiConfig(
  details: EvaluationDetails<JsonValue | undefined>,
  options: AiConfigOptions,
  tracker: (binding: Omit<TrackerBinding, 'context' | 'unit'>) => GenerationTracker,
): ResolvedAiConfig {
  const served = isAiConfig(details.value) ? details.value : undefined;
  const mismatch = served === undefined && details.variant !== undefined;
  const fallback = isAiConfig(options?.defaultConfig) ? options.defaultConfig : undefined;
  const variables = options?.variables;
  const input = served ?? fallback ?? NO_CONFIG;
  const source: AiConfigSource =
    served !== undefined ? 'variant' : fallback !== undefined ? 'default' : 'none';
  const rendered = renderAiConfig(
    input,
    typeof variables === 'object' && variables !== null ? variables : undefined,
  );
  const enabled = source !== 'none' && details.reason !== Reason.Disabled;
  // A variant whose value is no AI configuration served nothing usable: an error, as OpenFeature reports it.
  const variant = mismatch ? undefined : details.variant;
  const bound = tracker({
    flag: details.flagKey,
    variant,
    primary: { provider: rendered.provider, model: rendered.model },
    enabled: enabled && details.reason !== Reason.Error,
  });
  return {
    flag: details.flagKey,
    variant,
    reason: mismatch ? Reason.Error : details.reason,
    errorCode: mismatch ? ErrorCode.TypeMismatch : details.errorCode,
    enabled,
    source,
    provider: rendered.provider,
    model: rendered.model,
    messages: rendered.messages,
    params: rendered.params,
    tools: rendered.tools.map((tool) => ({
      ...tool,
      mode: tool.observeOnly === true ? 'observe' : 'enabled',
    })),
    fallbacks: rendered.chain.slice(1),
    chain: rendered.chain,
    contextWindow: rendered.contextWindow,
    pricing: rendered.pricing,
    errors: rendered.errors,
    tracker: bound,
    shadow: bound.shadowConfig,
  };
}

/** Whether a flag's value has the shape of an AI configuration (the server validated it on write). */
function isAiConfig(value: unknown): value is AiConfigInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.provider === 'string' &&
    v.provider !== '' &&
    typeof v.model === 'string' &&
    v.model !== '' &&
    (v.messages === undefined ||
      (Array.isArray(v.messages) &&
        v.messages.every((m: { content?: unknown }) => typeof m?.content === 'string'))) &&
    (v.tools === undefined || Array.isArray(v.tools)) &&
    (v.fallbacks === undefined || Array.isArray(v.fallbacks)) &&
    (v.params === undefined || (typeof v.params === 'object' && v.params !== null))
  );
}
