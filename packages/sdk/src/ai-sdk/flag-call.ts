import type { EvaluationContext } from '@switchboard/core';
import type { AiConfigInput, ChatMessage, ProviderModel } from '@switchboard/llm';
import type { SwitchboardClient } from '../client.js';
import type { TrackOptions } from '../generation-call.js';
import type { ResolvedAiConfig } from '../resolved-ai-config.js';
import type {
  LanguageModelCallOptions,
  LanguageModelGenerateResult,
  LanguageModelStreamPart,
  LanguageModelStreamResult,
  LanguageModelV3,
} from './ai-sdk-types.js';

/** Something read per call: a value, or a function of the call's options. */
export type PerCall<T> = T | ((call: LanguageModelCallOptions) => T | undefined);

/** What the configuration's system messages do to the call's own. */
export type SystemMode = 'replace' | 'prepend' | 'off';

/** Which flag configures the calls, and for whom. */
export interface FlagCallOptions {
  client: SwitchboardClient;
  /** An `ai-config` flag. */
  flag: string;
  /**
   * The unit's evaluation context: a value, or a function of the call's options (read your request's
   * AsyncLocalStorage there). Without it, each call's `providerOptions.switchboard.context`.
   */
  context?: PerCall<EvaluationContext>;
  /** Values for the `{{variables}}` of the configuration's system messages; or `providerOptions.switchboard.variables`. */
  variables?: PerCall<Record<string, unknown>>;
  /** Used when the flag serves no AI configuration. */
  defaultConfig?: AiConfigInput;
  /**
   * What the configuration's system (and developer) messages do to the call's system messages:
   * `replace` them (default; the flag owns the system prompt), `prepend` to them, or `off` (not used).
   * The configuration's other messages are never added: the call's prompt is the conversation.
   */
  system?: SystemMode;
  /**
   * Whether calls in the flag's shadow sample also run the shadow variant (default true): after the
   * served call (generate) or once its stream started, on a later turn, with the shadow variant's
   * settings on the same prompt, through the model chosen for its chain; streamed when the served call
   * streamed. Its result never reaches you; it is recorded as a shadow generation, and the client's
   * judge (`createClient({ shadow: { judge } })`) scores it against the served answer.
   */
  shadow?: boolean;
}

/** The metadata added to every result (`providerMetadata.switchboard`), for feedback to name the generation. */
export interface SwitchboardMetadata {
  [key: string]: string | null;
  flag: string;
  variant: string | null;
  unit: string | null;
  generationId: string;
}

interface SwitchboardProviderOptions {
  context?: EvaluationContext;
  variables?: Record<string, unknown>;
}

/** A call resolved: the flag's configuration, the call's options with its settings, and the call as made. */
export interface PreparedCall {
  config: ResolvedAiConfig;
  params: LanguageModelCallOptions;
  /** The call's own options, before the configuration's settings (the shadow variant's apply to these). */
  original: LanguageModelCallOptions;
}

/** Resolves the flag's configuration for a call, and the call's options with its settings applied. */
export function prepareCall(options: FlagCallOptions, call: LanguageModelCallOptions): PreparedCall {
  const own = call.providerOptions?.switchboard as SwitchboardProviderOptions | undefined;
  const context = perCall(options.context, call) ?? own?.context ?? {};
  const variables = perCall(options.variables, call) ?? own?.variables;
  const config = options.client.aiConfig(options.flag, context, {
    ...(variables !== undefined && { variables }),
    ...(options.defaultConfig !== undefined && { defaultConfig: options.defaultConfig }),
  });
  return { config, params: withSettings(call, config, options.system ?? 'replace'), original: call };
}

/** A model for one link of a configuration's chain, or undefined when there is none. */
export type ModelForLink = (link: ProviderModel) => LanguageModelV3 | undefined;

/** The first link of a chain that has a model, with that model. */
export function firstModel(
  chain: readonly ProviderModel[],
  modelFor: ModelForLink,
): { model: LanguageModelV3; served: ProviderModel } | undefined {
  for (const link of chain) {
    const model = modelFor(link);
    if (model !== undefined) return { model, served: link };
  }
  return undefined;
}

/**
 * Starts the shadow call of a prepared call when it is in the flag's shadow sample (and shadows are
 * on): the shadow variant's settings on the call's own prompt, through the first model `modelFor` has
 * for the shadow's chain (none: nothing runs), answered as the served call was (`doGenerate`, or
 * `doStream` read to its end). `served` is the served answer for the judge: the generate result, or a
 * promise of the stream's parts.
 */
export function startShadow(
  options: FlagCallOptions,
  prepared: PreparedCall,
  how: 'generate' | 'stream',
  modelFor: ModelForLink,
  served: unknown,
): void {
  const shadow = prepared.config.shadow;
  if (shadow === null || options.shadow === false) return;
  const chosen = firstModel(shadow.chain, modelFor);
  if (chosen === undefined) return;
  void prepared.config.tracker.shadow(
    async (config, signal): Promise<unknown> => {
      const params = { ...withSettings(prepared.original, config, options.system ?? 'replace') };
      params.abortSignal = signal;
      if (how === 'generate') return chosen.model.doGenerate(params);
      // The parts as an async iterable: the shadow runner reads it to its end, measuring it.
      const { stream } = await chosen.model.doStream(params);
      return stream as AsyncIterable<LanguageModelStreamPart>;
    },
    { served, track: { served: chosen.served } },
  );
}

function perCall<T>(value: PerCall<T> | undefined, call: LanguageModelCallOptions): T | undefined {
  return typeof value === 'function'
    ? (value as (call: LanguageModelCallOptions) => T | undefined)(call)
    : value;
}

/**
 * The call's options with the configuration's settings: those the configuration sets win over the
 * call's (the flag is what rolls them out), the others are left as the call has them.
 */
export function withSettings(
  call: LanguageModelCallOptions,
  config: ResolvedAiConfig,
  system: SystemMode,
): LanguageModelCallOptions {
  const params = { ...call, prompt: withSystem(call.prompt, config.messages, system) };
  const p = config.params;
  if (p.temperature !== undefined) params.temperature = p.temperature;
  if (p.topP !== undefined) params.topP = p.topP;
  if (p.maxTokens !== undefined) params.maxOutputTokens = p.maxTokens;
  if (p.stop !== undefined && p.stop.length > 0) params.stopSequences = p.stop;
  if (p.presencePenalty !== undefined) params.presencePenalty = p.presencePenalty;
  if (p.frequencyPenalty !== undefined) params.frequencyPenalty = p.frequencyPenalty;
  if (p.seed !== undefined) params.seed = p.seed;
  return params;
}

function withSystem(
  prompt: LanguageModelCallOptions['prompt'],
  messages: readonly ChatMessage[],
  mode: SystemMode,
): LanguageModelCallOptions['prompt'] {
  if (mode === 'off') return prompt;
  const system: LanguageModelCallOptions['prompt'] = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') system.push({ role: 'system', content: m.content });
  }
  if (system.length === 0) return prompt;
  return mode === 'replace'
    ? [...system, ...prompt.filter((m) => m.role !== 'system')]
    : [...system, ...prompt];
}

/** Runs `doGenerate` as a tracked call; the result gains `providerMetadata.switchboard`. */
export async function trackGenerate(
  config: ResolvedAiConfig,
  params: LanguageModelCallOptions,
  run: () => PromiseLike<LanguageModelGenerateResult>,
  track: TrackOptions,
): Promise<LanguageModelGenerateResult> {
  const call = config.tracker.begin(withSignal(track, params.abortSignal));
  // `params` is the object prepareCall made: the model reads the signal from it when `run` calls it.
  params.abortSignal = call.signal;
  let result: LanguageModelGenerateResult;
  try {
    result = await run();
  } catch (error) {
    call.fail(error);
    throw error;
  }
  call.end(result);
  return { ...result, providerMetadata: withMetadata(result.providerMetadata, config, call.id) };
}

/**
 * Runs `doStream` as a tracked call: the stream handed on reports each part (time to first token at the
 * first output part, token counts from the `finish` part), its end, error or cancellation; its `finish`
 * part gains `providerMetadata.switchboard`.
 */
export async function trackStream(
  config: ResolvedAiConfig,
  params: LanguageModelCallOptions,
  run: () => PromiseLike<LanguageModelStreamResult>,
  track: TrackOptions,
  collect?: { parts: LanguageModelStreamPart[]; ended: () => void },
): Promise<LanguageModelStreamResult> {
  const call = config.tracker.begin(withSignal(track, params.abortSignal));
  params.abortSignal = call.signal;
  let result: LanguageModelStreamResult;
  try {
    result = await run();
  } catch (error) {
    call.fail(error);
    throw error;
  }
  const reader = result.stream.getReader();
  const stream = new ReadableStream<LanguageModelStreamPart>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          call.end();
          collect?.ended();
          controller.close();
          return;
        }
        call.chunk(value);
        collect?.parts.push(value);
        controller.enqueue(
          value.type === 'finish'
            ? { ...value, providerMetadata: withMetadata(value.providerMetadata, config, call.id) }
            : value,
        );
      } catch (error) {
        call.fail(error);
        collect?.ended();
        controller.error(error);
      }
    },
    cancel(reason) {
      call.end();
      collect?.ended();
      return reader.cancel(reason);
    },
  });
  return { ...result, stream };
}

function withSignal(track: TrackOptions, signal: AbortSignal | undefined): TrackOptions {
  return signal === undefined ? track : { ...track, signal };
}

function withMetadata<M extends Record<string, unknown> | undefined>(
  metadata: M,
  config: ResolvedAiConfig,
  generationId: string,
): NonNullable<M> & { switchboard: SwitchboardMetadata } {
  const switchboard: SwitchboardMetadata = {
    flag: config.flag,
    variant: config.variant ?? null,
    unit: config.tracker.unit ?? null,
    generationId,
  };
  return { ...(metadata ?? {}), switchboard } as NonNullable<M> & { switchboard: SwitchboardMetadata };
}

/** An AI SDK model's provider and model as Switchboard names them: `openai.chat` is `openai`. */
export function servedBy(model: { provider: string; modelId: string }): ProviderModel {
  const dot = model.provider.indexOf('.');
  return { provider: dot > 0 ? model.provider.slice(0, dot) : model.provider, model: model.modelId };
}

/**
 * The served stream's parts, gathered for the judge while the caller reads them (only for a call in
 * the shadow sample): `served` resolves with them once the stream ends, fails or is cancelled.
 */
export function streamCollector(): {
  parts: LanguageModelStreamPart[];
  ended: () => void;
  served: Promise<LanguageModelStreamPart[]>;
} {
  const parts: LanguageModelStreamPart[] = [];
  let ended: () => void = () => {};
  const served = new Promise<LanguageModelStreamPart[]>((resolve) => {
    ended = () => resolve(parts);
  });
  return { parts, ended: () => ended(), served };
}
