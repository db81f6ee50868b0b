import {
  type ArmStatistics,
  type Comparison,
  type ComparisonOptions,
  ComparisonProblem,
  compareArms,
  emptyComparison,
} from './comparison.js';

/** A rate: `successes` of `n` trials (conversions of units, errors of requests...). */
export interface ProportionSummary {
  n: number;
  successes: number;
}

/**
 * An arm's rate as a Bernoulli mean with variance p(1 − p), or null when the counts are impossible
 * (not finite, negative, more successes than trials).
 * @internal
 */
export function armStatisticsOfProportion(summary: ProportionSummary): ArmStatistics | null {
  const { n, successes } = summary;
  if (!Number.isFinite(n) || !Number.isFinite(successes)) return null;
  if (n < 0 || successes < 0 || successes > n) return null;
  if (n === 0) return { n: 0, mean: null, variance: null };
  const rate = successes / n;
  return { n, mean: rate, variance: rate * (1 - rate) };
}

/**
 * Compares a rate between two arms. Rates are treated as means of 0/1 observations with variance
 * p(1 − p), as GrowthBook's gbstats does for its `ProportionStatistic`, then tested exactly like
 * {@link compareMeans}: Welch's t-test, delta-method relative lift, always-valid intervals. Never
 * throws; see {@link ComparisonProblem} for degenerate inputs. A rate of 0 or 1 in both arms is the
 * `no-variance` case: the difference is reported as exact.
 *
 * @example
 * const errors = compareProportions({ n: 28, successes: 14 }, { n: 30, successes: 16 });
 * errors.relative; // { estimate: 0.06667, standardError: 0.2717, ci: [-0.47767, 0.61101], pValue: 0.80707 }
 */
export function compareProportions(
  control: ProportionSummary,
  treatment: ProportionSummary,
  options?: ComparisonOptions,
): Comparison {
  const controlArm = armStatisticsOfProportion(control);
  const treatmentArm = armStatisticsOfProportion(treatment);
  if (controlArm === null || treatmentArm === null) {
    return emptyComparison(controlArm, treatmentArm, ComparisonProblem.InvalidInput, options);
  }
  return compareArms(controlArm, treatmentArm, options);
}
