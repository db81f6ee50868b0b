import {
  type ArmStatistics,
  type Comparison,
  type ComparisonOptions,
  ComparisonProblem,
  compareArms,
  emptyComparison,
} from './comparison.js';

/**
 * The sufficient statistics of one arm's metric, as the rollups store them (DESIGN.md §5): the count
 * of observations, their sum and the sum of their squares.
 */
export interface MomentSummary {
  n: number;
  sum: number;
  sumSquares: number;
}

// Below this share of the sum of squares, a negative or positive variance numerator is rounding error.
const RELATIVE_ROUNDING = 1e-12;

/**
 * An arm's mean and sample variance from its moments, or null when the moments cannot come from any
 * data (not finite, negative n or sum of squares, a sum of squares below sum² / n).
 * @internal
 */
export function armStatisticsOfMoments(summary: MomentSummary): ArmStatistics | null {
  const { n, sum, sumSquares } = summary;
  if (!Number.isFinite(n) || !Number.isFinite(sum) || !Number.isFinite(sumSquares)) return null;
  if (n < 0 || sumSquares < 0) return null;
  if (n === 0) return sum === 0 && sumSquares === 0 ? { n: 0, mean: null, variance: null } : null;
  const mean = sum / n;
  if (n < 2) return { n, mean, variance: null };
  const numerator = sumSquares - sum * mean;
  const rounding = RELATIVE_ROUNDING * sumSquares;
  if (numerator < -rounding) return null;
  // Identical observations leave a numerator of rounding noise; it must read as no variance at all.
  const variance = numerator <= rounding ? 0 : numerator / (n - 1);
  return Number.isFinite(variance) ? { n, mean, variance } : null;
}

/**
 * Compares a metric's mean between two arms: Welch's t-test for the difference, the delta method for
 * the relative lift, and always-valid intervals for both. Never throws; degenerate inputs are named in
 * `problems` (see {@link ComparisonProblem}) and their figures are null, never NaN.
 *
 * Matches GrowthBook's gbstats (`TwoSidedTTest`, `SequentialTwoSidedTTest`) on its published test
 * vectors. One deliberate difference: gbstats reports nothing when either arm has zero variance; this
 * reports the test whenever at least one arm varies, and an exact difference when neither does.
 *
 * @example
 * const result = compareMeans(
 *   { n: 3407, sum: 1396.87, sumSquares: 52377.9767 },
 *   { n: 3461, sum: 2422.7, sumSquares: 134698.29 },
 * );
 * result.absolute; // { estimate: 0.29, standardError: 0.12478, ci: [0.04538, 0.53462], pValue: 0.02016 }
 * result.relative?.estimate; // 0.70732 (+70.7%)
 * result.sequential.absolute?.ci; // wider: safe to look at every day
 */
export function compareMeans(
  control: MomentSummary,
  treatment: MomentSummary,
  options?: ComparisonOptions,
): Comparison {
  const controlArm = armStatisticsOfMoments(control);
  const treatmentArm = armStatisticsOfMoments(treatment);
  if (controlArm === null || treatmentArm === null) {
    return emptyComparison(controlArm, treatmentArm, ComparisonProblem.InvalidInput, options);
  }
  return compareArms(controlArm, treatmentArm, options);
}
