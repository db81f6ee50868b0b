import type { WeightedVariant } from '@switchboard/core';

/** Split weights are in units of 0.001%: this is 100% (core's BUCKET_SCALE). */
export const WEIGHT_TOTAL = 100_000;

/** `12500` → `'12.5%'`, `33333` → `'33.333%'`. */
export function percentOf(weight: number): string {
  return `${Number((weight / 1000).toFixed(3))}%`;
}

/** Equal shares of 100% for these variants, the remainder to the first ones. */
export function evenSplit(variants: readonly string[]): WeightedVariant[] {
  const share = Math.floor(WEIGHT_TOTAL / Math.max(variants.length, 1));
  let remainder = WEIGHT_TOTAL - share * variants.length;
  return variants.map((variant) => {
    const extra = remainder > 0 ? 1 : 0;
    remainder -= extra;
    return { variant, weight: share + extra };
  });
}

/** The total of a split's weights. */
export function totalOf(split: readonly WeightedVariant[]): number {
  return split.reduce((sum, entry) => sum + entry.weight, 0);
}

/**
 * Sets one entry's weight and rebalances the others so the total stays 100%: what they give up or
 * gain is shared in proportion to their weights (evenly when they are all at zero). Whole units only.
 */
export function setWeight(
  split: readonly WeightedVariant[],
  index: number,
  weight: number,
): WeightedVariant[] {
  if (split.length === 1) return [{ ...(split[0] as WeightedVariant), weight: WEIGHT_TOTAL }];
  const target = Math.round(Math.min(Math.max(weight, 0), WEIGHT_TOTAL));
  const others = split.map((entry, i) => ({ entry, i })).filter(({ i }) => i !== index);
  const remaining = WEIGHT_TOTAL - target;
  const othersTotal = others.reduce((sum, { entry }) => sum + entry.weight, 0);
  const shares = others.map(({ entry }) =>
    othersTotal === 0 ? remaining / others.length : (entry.weight * remaining) / othersTotal,
  );
  const floors = shares.map(Math.floor);
  let leftover = remaining - floors.reduce((a, b) => a + b, 0);
  // Largest fractional parts first: the rounding error lands where it distorts least.
  const order = shares.map((s, k) => ({ k, frac: s - Math.floor(s) })).sort((a, b) => b.frac - a.frac);
  for (const { k } of order) {
    if (leftover <= 0) break;
    floors[k] = (floors[k] as number) + 1;
    leftover--;
  }
  const next = split.map((entry) => ({ ...entry }));
  (next[index] as WeightedVariant).weight = target;
  others.forEach(({ i }, k) => {
    (next[i] as WeightedVariant).weight = floors[k] as number;
  });
  return next;
}
