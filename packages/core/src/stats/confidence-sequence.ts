/**
 * Asymptotic confidence sequences (Waudby-Smith, Arnold, Wu, McKinney, Ramdas, "Time-uniform central
 * limit theory and asymptotic confidence sequences", arXiv 2103.06476), in the form GrowthBook's
 * gbstats uses for its `SequentialTwoSidedTTest`: an interval around the same point estimate and
 * standard error as the fixed-horizon test, only wider, that stays valid however often it is looked at.
 */

/**
 * GrowthBook's default for N*, the total sample size (both arms) at which the sequence is tightest.
 * The intervals are valid for every N*; a value near the sample size actually reached gives the
 * narrowest intervals there.
 */
export const DEFAULT_SEQUENTIAL_TUNING_PARAMETER = 5000;

/**
 * ρ, the mixing parameter of the normal-mixture boundary, chosen so that the boundary is tightest
 * at `tuningParameter` (N*) observations: ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*.
 */
export function sequentialRho(alpha: number, tuningParameter: number): number {
  const logAlpha = Math.log(alpha);
  return Math.sqrt((-2 * logAlpha + Math.log(1 - 2 * logAlpha)) / tuningParameter);
}

/** What a confidence sequence needs about one estimate. */
export interface SequentialInput {
  /** The same standard error as the fixed-horizon test (absolute or delta-method relative). */
  standardError: number;
  /** Observations in both arms together: n = n_control + n_treatment. */
  totalN: number;
  /** 1 − alpha is the probability that the sequence covers the true value at every look at once. */
  alpha: number;
  /** N*, see {@link DEFAULT_SEQUENTIAL_TUNING_PARAMETER}. */
  tuningParameter: number;
}

/**
 * Half-width of the two-sided always-valid interval:
 * σ̂ · √( 2(nρ² + 1) / (n²ρ²) · ln( √(nρ² + 1) / α ) ), with σ̂² = n · SE² the variance of one
 * observation of the pooled estimator. Zero when the standard error is zero. Callers pass n ≥ 4
 * (two observations per arm at least); the formula has no meaning at n = 0.
 */
export function confidenceSequenceHalfWidth(input: SequentialInput): number {
  const { standardError, totalN: n, alpha } = input;
  if (standardError === 0) return 0;
  const rho = sequentialRho(alpha, input.tuningParameter);
  const nRho2 = n * rho * rho;
  const unitVariance = standardError * standardError * n;
  return Math.sqrt(unitVariance * ((2 * (nRho2 + 1)) / (nRho2 * n)) * Math.log(Math.sqrt(nRho2 + 1) / alpha));
}

/**
 * The always-valid p-value of the hypothesis "the true value is 0" (eq. 155 of the paper, as gbstats
 * writes it): the reciprocal of the mixture e-value, capped at 1. Rejecting when it is below alpha is
 * the same as the always-valid interval excluding 0.
 */
export function alwaysValidPValue(estimate: number, input: SequentialInput): number {
  const { standardError, totalN: n } = input;
  if (standardError === 0) return estimate === 0 ? 1 : 0;
  const rho = sequentialRho(input.alpha, input.tuningParameter);
  const nRho2PlusOne = n * rho * rho + 1;
  const squaredZ = (estimate * estimate) / (standardError * standardError);
  // In logs, so that a huge e-value gives a p-value of 0 rather than 1 / Infinity's neighbour NaN.
  const logEValue = (rho * rho * squaredZ * n) / (2 * nRho2PlusOne) - 0.5 * Math.log(nRho2PlusOne);
  return Math.min(1, Math.exp(-logEValue));
}
