import type { LanguageModelMiddleware } from 'ai';
import type { LanguageModelCallOptions, LanguageModelV3 } from './ai-sdk-types.js';
import {
  type FlagCallOptions,
  type ModelForLink,
  type PreparedCall,
  prepareCall,
  servedBy,
  startShadow,
  streamCollector,
  trackGenerate,
  trackStream,
} from './flag-call.js';

/** Options of {@link switchboardMiddleware}. */
export interface SwitchboardMiddlewareOptions extends FlagCallOptions {
  /**
   * Models for the shadow variant's provider and model (shadow mode): without it, or when it has none,
   * a shadow runs only when its configuration names the wrapped model itself (a prompt or settings
   * change on the same model).
   */
  shadowModels?: (provider: string, modelId: string) => LanguageModelV3 | undefined;
}

/**
 * An AI SDK (v6) middleware for `wrapLanguageModel`: for each call it resolves the flag's AI
 * configuration for the current context, applies its settings (temperature, topP, maxOutputTokens,
 * stopSequences, penalties, seed, and its system prompt), and tracks every `doGenerate` and `doStream`
 * call as a generation of the assigned variant (time to first token at the first output part, tokens
 * from the usage). The wrapped model stays the one you chose: to pick the model from the flag too, use
 * {@link switchboardModel}. Each result's `providerMetadata.switchboard` names the generation for feedback.
 * Calls in the flag's shadow sample also run the shadow variant in the background (see
 * `FlagCallOptions.shadow` and `shadowModels`).
 *
 * @example
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o'),
 *   middleware: switchboardMiddleware({ client, flag: 'support-bot', context: () => requestContext.getStore() }),
 * });
 * const { text, providerMetadata } = await generateText({ model, prompt: question });
 */
export function switchboardMiddleware(options: SwitchboardMiddlewareOptions): LanguageModelMiddleware {
  // transformParams and wrapGenerate/wrapStream see the same params object: it carries the call across.
  const calls = new WeakMap<LanguageModelCallOptions, PreparedCall>();
  const modelFor =
    (wrapped: LanguageModelV3): ModelForLink =>
    (link) => {
      const own = options.shadowModels?.(link.provider, link.model);
      if (own !== undefined) return own;
      const served = servedBy(wrapped);
      return served.provider === link.provider && served.model === link.model ? wrapped : undefined;
    };
  return {
    specificationVersion: 'v3',
    async transformParams({ params }) {
      const prepared = prepareCall(options, params);
      calls.set(prepared.params, prepared);
      return prepared.params;
    },
    async wrapGenerate({ doGenerate, params, model }) {
      const prepared = calls.get(params);
      if (prepared === undefined) return doGenerate();
      // The wrapped model answers, whatever the configuration names: it is no fallback.
      const result = await trackGenerate(prepared.config, params, doGenerate, {
        served: servedBy(model),
        fallbackUsed: false,
      });
      startShadow(options, prepared, 'generate', modelFor(model), result);
      return result;
    },
    async wrapStream({ doStream, params, model }) {
      const prepared = calls.get(params);
      if (prepared === undefined) return doStream();
      const track = { served: servedBy(model), fallbackUsed: false };
      if (prepared.config.shadow === null || options.shadow === false) {
        return trackStream(prepared.config, params, doStream, track);
      }
      const collector = streamCollector();
      const result = await trackStream(prepared.config, params, doStream, track, collector);
      startShadow(options, prepared, 'stream', modelFor(model), collector.served);
      return result;
    },
  };
}
