import type { AiPricing, SimulatedModelProfile } from '@switchboard/llm';

/** The provider name of the demo's AI configs: the simulated adapter, which needs no network. */
export const DEMO_PROVIDER = 'simulated';

/** A simulated model of the demo: how it behaves, and what it costs. */
export interface DemoModel {
  profile: SimulatedModelProfile;
  pricing: AiPricing;
}

/**
 * The two models the demo compares. The control is a large model; the candidate is about ten times
 * cheaper per request (sixteen per token), nearly twice as fast (p50 about 1.6 s against 3.2 s, p95
 * about 4 s against 7.5 s), fails a little more often (3% of calls against 2%, most then answered by
 * the fallback), and is slightly worse (its quality 0.02 lower on average): the trade a model swap is
 * about. Prices are those of OpenAI's `gpt-4o` and `gpt-4o-mini`, whose names the simulated models
 * borrow.
 */
export const DEMO_MODELS: Readonly<Record<string, DemoModel>> = {
  'gpt-4o': {
    profile: {
      ttftMs: { median: 450, p95: 1_400 },
      tokensPerSecond: 60,
      outputTokens: { median: 160, p95: 420 },
      errorRate: 0.02,
      errorKinds: { rate_limit: 5, server: 3, timeout: 2 },
      quality: { mean: 0.84, sd: 0.12 },
    },
    pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
  },
  'gpt-4o-mini': {
    profile: {
      ttftMs: { median: 250, p95: 700 },
      tokensPerSecond: 120,
      outputTokens: { median: 150, p95: 400 },
      errorRate: 0.03,
      errorKinds: { rate_limit: 5, server: 3, timeout: 2 },
      quality: { mean: 0.82, sd: 0.13 },
    },
    pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  },
};

/**
 * The Retry-After of a simulated rate limit. Short: with the router holding back the model that said
 * it, a long one would turn one rate limit into many fallbacks at the demo's request rates.
 */
export const DEMO_RETRY_AFTER_MS = 250;

/** The cost in USD of a simulated generation, when its model is one of the demo's. */
export function demoCostUsd(model: string, inputTokens: number, outputTokens: number): number | undefined {
  const pricing = Object.hasOwn(DEMO_MODELS, model) ? DEMO_MODELS[model]?.pricing : undefined;
  if (pricing === undefined) return undefined;
  return (inputTokens * pricing.inputPerMillion + outputTokens * pricing.outputPerMillion) / 1e6;
}
