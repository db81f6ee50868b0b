import { describe, expect, it } from 'vitest';
import { BUILT_IN_PRICES, costOf, priceNames } from './price-table.js';

describe('the price table', () => {
  it('prices a dated snapshot of a model as the model, never a longer name as a shorter one', () => {
    expect(priceNames('gpt-4o-2024-08-06')).toEqual(['gpt-4o-2024-08-06', 'gpt-4o']);
    expect(priceNames('claude-sonnet-4-20250514')).toEqual(['claude-sonnet-4-20250514', 'claude-sonnet-4']);
    expect(priceNames('claude-3-5-haiku-latest')).toEqual(['claude-3-5-haiku-latest', 'claude-3-5-haiku']);
    expect(priceNames('gpt-4o-mini')).toEqual(['gpt-4o-mini']);
    expect(priceNames('o3')).toEqual(['o3']);
  });

  it('computes a cost from tokens, a missing count as none, both missing as unknown', () => {
    const gpt4o = BUILT_IN_PRICES.openai?.['gpt-4o'];
    expect(gpt4o).toEqual({ inputPerMillion: 2.5, outputPerMillion: 10 });
    if (gpt4o === undefined) return;
    expect(costOf(gpt4o, 1_000_000, 1_000_000)).toBe(12.5);
    expect(costOf(gpt4o, 2_000, undefined)).toBe(0.005);
    expect(costOf(gpt4o, undefined, 100)).toBe(0.001);
    expect(costOf(gpt4o, undefined, undefined)).toBeUndefined();
    expect(costOf(gpt4o, 0, 0)).toBe(0);
  });
});
