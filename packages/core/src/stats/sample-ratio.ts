import { chiSquareUpperTail } from './distributions.js';

/**
 * The p-value below which the split is called broken. Deliberately strict (GrowthBook and Statsig
 * use it too): the check runs on every look at every experiment, and a false alarm stops a rollout.
 */
export const DEFAULT_SRM_THRESHOLD = 0.001;

/** Options of {@link sampleRatioMismatch}. */
export interface SampleRatioOptions {
  /** p-value threshold in (0, 1); default {@link DEFAULT_SRM_THRESHOLD}. */
  threshold?: number;
}

/** The result of a sample-ratio-mismatch check. Every figure is finite or null: safe as JSON. */
export interface SampleRatioMismatch {
  /** Pearson's statistic Σ (observed − expected)² / expected; null when the input is invalid. */
  readonly chiSquare: number | null;
  /** Arms with a positive weight, minus one. */
  readonly degreesOfFreedom: number;
  /** P(χ² ≥ chiSquare); 1 when there is nothing to test; null when the input is invalid. */
  readonly pValue: number | null;
  /** The threshold actually used. */
  readonly threshold: number;
  /** `pValue < threshold`: units did not land in the arms in the configured proportions. */
  readonly mismatch: boolean;
  /**
   * Why the check could not run: `invalid-input` (lengths differ, a count or weight is negative or
   * not finite), or null.
   */
  readonly problem: 'invalid-input' | null;
}

const isCount = (value: number): boolean => Number.isFinite(value) && value >= 0;

/**
 * Pearson's chi-square goodness-of-fit test of the units observed per arm against the configured split.
 * A mismatch (SRM) means assignment or logging is broken: the arms are no longer comparable, whatever
 * the metrics say.
 *
 * As in GrowthBook's `check_srm`: weights need not sum to 1 (they are normalised over the arms that
 * have a positive weight); arms with weight 0 are left out of the statistic and of the degrees of
 * freedom; with no units at all, or fewer than two weighted arms, there is nothing to test and the
 * p-value is 1. The chi-square approximation is rough while an expected count is below 5. Never throws.
 *
 * @example
 * sampleRatioMismatch([1000, 1200], [0.5, 0.5]);
 * // { chiSquare: 18.18, degreesOfFreedom: 1, pValue: 0.0000201, mismatch: true, ... }
 */
export function sampleRatioMismatch(
  observed: readonly number[],
  expectedWeights: readonly number[],
  options?: SampleRatioOptions,
): SampleRatioMismatch {
  const requested = options?.threshold;
  const threshold =
    typeof requested === 'number' && requested > 0 && requested < 1 ? requested : DEFAULT_SRM_THRESHOLD;
  const valid =
    observed.length === expectedWeights.length && observed.every(isCount) && expectedWeights.every(isCount);
  if (!valid) {
    return {
      chiSquare: null,
      degreesOfFreedom: 0,
      pValue: null,
      threshold,
      mismatch: false,
      problem: 'invalid-input',
    };
  }
  let totalUnits = 0;
  let totalWeight = 0;
  let weightedArms = 0;
  observed.forEach((units, arm) => {
    const weight = expectedWeights[arm] ?? 0;
    if (weight <= 0) return;
    totalUnits += units;
    totalWeight += weight;
    weightedArms += 1;
  });
  const degreesOfFreedom = Math.max(0, weightedArms - 1);
  if (totalUnits === 0 || weightedArms < 2) {
    return { chiSquare: 0, degreesOfFreedom, pValue: 1, threshold, mismatch: false, problem: null };
  }
  let chiSquare = 0;
  observed.forEach((units, arm) => {
    const weight = expectedWeights[arm] ?? 0;
    if (weight <= 0) return;
    const expected = (weight / totalWeight) * totalUnits;
    chiSquare += ((units - expected) * (units - expected)) / expected;
  });
  if (!Number.isFinite(chiSquare)) {
    return {
      chiSquare: null,
      degreesOfFreedom,
      pValue: null,
      threshold,
      mismatch: false,
      problem: 'invalid-input',
    };
  }
  const pValue = chiSquareUpperTail(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, pValue, threshold, mismatch: pValue < threshold, problem: null };
}
