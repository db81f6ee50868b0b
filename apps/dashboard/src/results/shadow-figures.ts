import type { ExperimentResults, VariantResult } from '../api/api-types.js';

/** The variants that ran in shadow in the window (or were judged in pairs against what was served). */
export function shadowedVariants(results: ExperimentResults): VariantResult[] {
  return results.variants.filter((v) => v.shadow.requests > 0 || v.shadow.pairedJudgeDifference.n > 0);
}

/** Failed shadow calls over all shadow calls; null without any. */
export function shadowErrorRate(v: VariantResult): number | null {
  return v.shadow.requests > 0 ? v.shadow.errors / v.shadow.requests : null;
}

/** Mean cost of a shadow call (total over every shadow call); null without any. */
export function shadowCostPerCall(v: VariantResult): number | null {
  return v.shadow.requests > 0 ? v.shadow.costUsd / v.shadow.requests : null;
}

/** The paired judge difference the way comparisons read: candidate (the shadow) minus control (served). */
export interface PairedJudgeEffect {
  /** Pairs judged. */
  n: number;
  /** Mean of shadowScore − servedScore; null without pairs. */
  mean: number | null;
  /** Its interval and p-value; null below 2 pairs. */
  effect: { estimate: number; ci: [number, number]; pValue: number } | null;
}

/**
 * The API's paired difference is servedScore − shadowScore; flipped here, so that positive means the
 * shadow (the candidate) was judged better, as in every other comparison of the results.
 */
export function candidateMinusServed(v: VariantResult): PairedJudgeEffect {
  const { n, mean, effect } = v.shadow.pairedJudgeDifference;
  // `0 - x`, not `-x`: a difference of 0 stays 0, never −0.
  return {
    n,
    mean: mean === null ? null : 0 - mean,
    effect:
      effect === null
        ? null
        : { estimate: 0 - effect.estimate, ci: [0 - effect.ci[1], 0 - effect.ci[0]], pValue: effect.pValue },
  };
}
