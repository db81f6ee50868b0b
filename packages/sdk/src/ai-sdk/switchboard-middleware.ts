import type { LanguageModelMiddleware } from 'ai';
import type { ResolvedAiConfig } from '../resolved-ai-config.js';
import type { LanguageModelCallOptions } from './ai-sdk-types.js';
import { type FlagCallOptions, prepareCall, servedBy, trackGenerate, trackStream } from './flag-call.js';

/** Options of {@link switchboardMiddleware}. */
export type SwitchboardMiddlewareOptions = FlagCallOptions;

/**
 * An AI SDK (v6) middleware for `wrapLanguageModel`: for each call it resolves the flag's AI
 * configuration for the current context, applies its settings (temperature, topP, maxOutputTokens,
 * stopSequences, penalties, seed, and its system prompt), and tracks every `doGenerate` and `doStream`
 * call as a generation of the assigned variant (time to first token at the first output part, tokens
 * from the usage). The wrapped model stays the one you chose: to pick the model from the flag too, use
 * {@link switchboardModel}. Each result's `providerMetadata.switchboard` names the generation for feedback.
 *
 * @example
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o'),
 *   middleware: switchboardMiddleware({ client, flag: 'support-bot', context: () => requestContext.getStore() }),
 * });
 * const { text, providerMetadata } = await generateText({ model, prompt: question });
 */
export function switchboardMiddleware(options: SwitchboardMiddlewareOptions): LanguageModelMiddleware {
  // transformParams and wrapGenerate/wrapStream see the same params object: it carries the config across.
  const configs = new WeakMap<LanguageModelCallOptions, ResolvedAiConfig>();
  return {
    specificationVersion: 'v3',
    async transformParams({ params }) {
      const prepared = prepareCall(options, params);
      configs.set(prepared.params, prepared.config);
      return prepared.params;
    },
    wrapGenerate({ doGenerate, params, model }) {
      const config = configs.get(params);
      if (config === undefined) return doGenerate();
      // The wrapped model answers, whatever the configuration names: it is no fallback.
      return trackGenerate(config, params, doGenerate, { served: servedBy(model), fallbackUsed: false });
    },
    wrapStream({ doStream, params, model }) {
      const config = configs.get(params);
      if (config === undefined) return doStream();
      return trackStream(config, params, doStream, { served: servedBy(model), fallbackUsed: false });
    },
  };
}
