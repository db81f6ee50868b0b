import { DEFAULT_ALPHA, type Effect } from './comparison.js';
import { studentTCriticalValue, studentTTwoSidedPValue } from './distributions.js';
import { armStatisticsOfMoments, type MomentSummary } from './mean-comparison.js';

/** The mean of paired differences (one per pair), with its one-sample t-test. */
export interface PairedDifference {
  /** Pairs. */
  readonly n: number;
  /** Mean difference; null without pairs or with invalid moments. */
  readonly mean: number | null;
  /** The test of "mean difference 0" (n − 1 degrees of freedom); null below 2 pairs or on invalid input. */
  readonly effect: Effect | null;
}

/**
 * The mean of paired differences from their moments (count, sum, sum of squares), with a two-sided
 * (1 − alpha) t interval and p-value: the paired t-test, as a one-sample test of the differences.
 * When every difference is the same, the interval is that value and the p-value 1 when it is 0, else 0.
 * Never throws.
 *
 * @example
 * // 3 pairs with servedScore − shadowScore of 0.1, 0.2 and 0.3
 * pairedDifference({ n: 3, sum: 0.6, sumSquares: 0.14 }).effect?.estimate; // 0.2
 */
export function pairedDifference(summary: MomentSummary, alpha = DEFAULT_ALPHA): PairedDifference {
  const level = alpha > 0 && alpha < 1 ? alpha : DEFAULT_ALPHA;
  const arm = armStatisticsOfMoments(summary);
  if (arm === null) return { n: Number.isFinite(summary.n) ? summary.n : 0, mean: null, effect: null };
  if (arm.mean === null || arm.variance === null) return { n: arm.n, mean: arm.mean, effect: null };
  const mean = arm.mean;
  const standardError = Math.sqrt(arm.variance / arm.n);
  if (standardError === 0) {
    return {
      n: arm.n,
      mean,
      effect: { estimate: mean, standardError: 0, ci: [mean, mean], pValue: mean === 0 ? 1 : 0 },
    };
  }
  const degreesOfFreedom = arm.n - 1;
  const halfWidth = studentTCriticalValue(level, degreesOfFreedom) * standardError;
  return {
    n: arm.n,
    mean,
    effect: {
      estimate: mean,
      standardError,
      ci: [mean - halfWidth, mean + halfWidth],
      pValue: studentTTwoSidedPValue(mean / standardError, degreesOfFreedom),
    },
  };
}
