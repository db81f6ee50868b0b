/** USD per million tokens, input and output. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * Standard prices (no batch discount, no prompt caching, prompts up to 200K tokens) as listed on the
 * providers' public pricing pages, openai.com/api/pricing and docs.anthropic.com/en/docs/about-claude/pricing,
 * on 2025-10-20. Providers change them: the server's settings override any entry
 * (`PUT /api/v1/settings/prices/{provider}/{model}`), and an ai-config variant's own `pricing` wins
 * for its own model.
 */
export const BUILT_IN_PRICES: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>> = {
  openai: {
    'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
    'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
    'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
    'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
    o3: { inputPerMillion: 2, outputPerMillion: 8 },
    'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
    'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
    'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
  },
  anthropic: {
    'claude-opus-4': { inputPerMillion: 15, outputPerMillion: 75 },
    'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15 },
    'claude-3-5-haiku': { inputPerMillion: 0.8, outputPerMillion: 4 },
    'claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5 },
    'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
  },
};

/** A dated snapshot suffix (`-2024-08-06`, `-20250514`) or `-latest`, which name the same model's prices. */
const SNAPSHOT_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

/**
 * The names under which a served model may be priced, most specific first: as given, then without a
 * dated snapshot suffix (`gpt-4o-2024-08-06` → `gpt-4o`, `claude-sonnet-4-20250514` → `claude-sonnet-4`).
 * No prefix matching: `gpt-4o-mini` is never priced as `gpt-4o`.
 */
export function priceNames(model: string): string[] {
  const base = model.replace(SNAPSHOT_SUFFIX, '');
  return base === model ? [model] : [model, base];
}

/** Providers are matched without regard to case (`OpenAI` is `openai`). */
export function normalizeProvider(provider: string): string {
  return provider.toLowerCase();
}

/** The cost in USD of a generation's tokens; a missing count is taken as 0, both missing leave it unknown. */
export function costOf(
  price: ModelPrice,
  inputTokens: number | undefined,
  outputTokens: number | undefined,
): number | undefined {
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  return ((inputTokens ?? 0) * price.inputPerMillion + (outputTokens ?? 0) * price.outputPerMillion) / 1e6;
}
