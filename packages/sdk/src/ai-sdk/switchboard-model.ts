import type { ProviderModel } from '@switchboard/llm';
import type { LanguageModelCallOptions, LanguageModelV3 } from './ai-sdk-types.js';
import {
  type FlagCallOptions,
  firstModel,
  type ModelForLink,
  prepareCall,
  startShadow,
  streamCollector,
  trackGenerate,
  trackStream,
} from './flag-call.js';

/** Options of {@link switchboardModel}. */
export interface SwitchboardModelOptions extends FlagCallOptions {
  /**
   * The AI SDK model for a configuration's provider and model, or undefined when you have none for it
   * (then the next link of its fallback chain is tried).
   *
   * @example
   * models: (provider, modelId) => provider === 'openai' ? openai(modelId) : provider === 'anthropic' ? anthropic(modelId) : undefined
   */
  models: (provider: string, modelId: string) => LanguageModelV3 | undefined;
}

/** Thrown (by the call) when no link of the configuration's chain has a model. */
export class NoModelForConfigError extends Error {
  override name = 'NoModelForConfigError';

  constructor(
    readonly flag: string,
    readonly chain: readonly ProviderModel[],
  ) {
    super(
      `no model for the configuration of ${flag}: ${chain.map((l) => `${l.provider}/${l.model}`).join(', ') || 'none'}`,
    );
  }
}

/**
 * An AI SDK (v6) model whose provider and model come from the flag: each call resolves the flag's AI
 * configuration for the current context, takes the model `models` gives for its provider and model
 * (or for the first fallback it knows), applies its settings and system prompt as
 * {@link switchboardMiddleware} does, and tracks the call. Calls in the flag's shadow sample also run
 * the shadow variant's model in the background (see `FlagCallOptions.shadow`). The generation records the model that
 * served, and `fallbackUsed` when it was not the configuration's own.
 *
 * @example
 * const model = switchboardModel({
 *   client, flag: 'support-bot', context: () => requestContext.getStore(),
 *   models: (provider, id) => ({ openai, anthropic })[provider]?.(id),
 * });
 * const result = streamText({ model, prompt: question });
 */
export function switchboardModel(options: SwitchboardModelOptions): LanguageModelV3 {
  const modelFor: ModelForLink = (link) => options.models(link.provider, link.model);
  const choose = (call: LanguageModelCallOptions) => {
    const prepared = prepareCall(options, call);
    const chosen = firstModel(prepared.config.chain, modelFor);
    if (chosen === undefined) throw new NoModelForConfigError(prepared.config.flag, prepared.config.chain);
    return { prepared, ...chosen };
  };
  return {
    specificationVersion: 'v3',
    provider: 'switchboard',
    modelId: options.flag,
    // Which URLs a model fetches itself is only known once it is chosen: the AI SDK downloads them all.
    supportedUrls: {},
    async doGenerate(call) {
      const { prepared, model, served } = choose(call);
      const { config, params } = prepared;
      const result = await trackGenerate(config, params, () => model.doGenerate(params), { served });
      startShadow(options, prepared, 'generate', modelFor, result);
      return result;
    },
    async doStream(call) {
      const { prepared, model, served } = choose(call);
      const { config, params } = prepared;
      if (config.shadow === null || options.shadow === false) {
        return trackStream(config, params, () => model.doStream(params), { served });
      }
      const collector = streamCollector();
      const result = await trackStream(config, params, () => model.doStream(params), { served }, collector);
      startShadow(options, prepared, 'stream', modelFor, collector.served);
      return result;
    },
  };
}
