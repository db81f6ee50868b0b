/**
 * The distribution functions the statistics use, all from @stdlib (a well-kept, tested library):
 * nothing here is hand-written. Each wrapper states the tail it returns, so callers never compute
 * `1 - cdf(x)` and lose the small p-values to cancellation.
 */
import chiSquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Two-sided p-value of a t statistic with `degreesOfFreedom`: P(|T| ≥ |t|). */
export function studentTTwoSidedPValue(t: number, degreesOfFreedom: number): number {
  // The lower tail at -|t| keeps its precision where 1 - cdf(|t|) would round to 0.
  return Math.min(1, 2 * tCdf(-Math.abs(t), degreesOfFreedom));
}

/** The t quantile for the two-sided (1 − alpha) interval: Q(1 − alpha / 2). */
export function studentTCriticalValue(alpha: number, degreesOfFreedom: number): number {
  return tQuantile(1 - alpha / 2, degreesOfFreedom);
}

/** Upper tail of the chi-square distribution: P(X ≥ x). */
export function chiSquareUpperTail(x: number, degreesOfFreedom: number): number {
  return Math.max(0, 1 - chiSquareCdf(x, degreesOfFreedom));
}
