import {
  alwaysValidPValue,
  confidenceSequenceHalfWidth,
  DEFAULT_SEQUENTIAL_TUNING_PARAMETER,
  type SequentialInput,
} from './confidence-sequence.js';
import { studentTCriticalValue, studentTTwoSidedPValue } from './distributions.js';

/** The default significance level: 95% intervals. */
export const DEFAULT_ALPHA = 0.05;

/** Options shared by {@link compareMeans} and {@link compareProportions}. */
export interface ComparisonOptions {
  /**
   * Significance level in (0, 1): intervals cover with probability 1 − alpha. Default
   * {@link DEFAULT_ALPHA}; anything outside (0, 1) or not a number falls back to the default.
   */
  alpha?: number;
  /**
   * N* of the always-valid intervals: the total sample size (both arms) where they are narrowest.
   * Default {@link DEFAULT_SEQUENTIAL_TUNING_PARAMETER}; a value that is not a positive number falls
   * back to the default.
   */
  sequentialTuningParameter?: number;
}

/** Why some of a {@link Comparison}'s figures are missing or degenerate. */
export const ComparisonProblem = {
  /**
   * An input is not a finite number, is negative, is inconsistent (successes above n, a sum of
   * squares below sum² / n) or overflows the arithmetic: no effect is reported.
   */
  InvalidInput: 'invalid-input',
  /** An arm has fewer than 2 observations: its variance is unknown, so no effect is reported. */
  TooFewObservations: 'too-few-observations',
  /**
   * Neither arm varies (every observation in an arm is the same value). The difference is then
   * reported as exact: standard error 0, interval [d, d], p-value 1 when d = 0 and 0 otherwise, and no
   * degrees of freedom. For rates this is the Wald interval's blind spot: 0 errors in 200 requests is
   * read as an error rate of exactly 0.
   */
  NoVariance: 'no-variance',
  /** The control's mean is 0: the relative lift is undefined and reported as null. */
  ZeroBaseline: 'zero-baseline',
} as const;
/** One of {@link ComparisonProblem}'s values. */
export type ComparisonProblem = (typeof ComparisonProblem)[keyof typeof ComparisonProblem];

/** One arm as the test sees it. */
export interface ArmStatistics {
  /** Observations (units, requests, feedback events... whatever was summed). */
  readonly n: number;
  /** Null when n = 0 or the input is invalid. */
  readonly mean: number | null;
  /** Sample variance (n − 1 denominator) for means, p(1 − p) for rates; null when unknown. */
  readonly variance: number | null;
}

/** An estimated difference between treatment and control, with its uncertainty. */
export interface Effect {
  /** Treatment minus control (absolute), or that over |control mean| (relative). */
  readonly estimate: number;
  readonly standardError: number;
  /** Two-sided (1 − alpha) interval, [lower, upper]. */
  readonly ci: readonly [number, number];
  /** Two-sided p-value of "no difference". */
  readonly pValue: number;
}

/** The always-valid (sequential) version of a comparison's effects. */
export interface SequentialEffects {
  /** The N* the intervals were tuned for. */
  readonly tuningParameter: number;
  /** Same estimate and standard error as the fixed-horizon effect; wider interval; always-valid p-value. */
  readonly absolute: Effect | null;
  readonly relative: Effect | null;
}

/**
 * The comparison of a treatment arm with a control arm. Every figure is a finite number or null:
 * the result is safe to serialise as JSON.
 */
export interface Comparison {
  readonly control: ArmStatistics;
  readonly treatment: ArmStatistics;
  /** The significance level actually used. */
  readonly alpha: number;
  /** Welch–Satterthwaite degrees of freedom; null when there is no test (see `problems`). */
  readonly degreesOfFreedom: number | null;
  /**
   * Fixed-horizon Welch t-test of the difference of means. Valid for one look at a sample size fixed
   * in advance; null when an arm has fewer than 2 observations or the input is invalid.
   */
  readonly absolute: Effect | null;
  /**
   * The relative lift (treatment − control) / |control|, with the delta-method standard error
   * √( var_t / (n_t · m_c²) + var_c · m_t² / (n_c · m_c⁴) ) and the same degrees of freedom (as
   * gbstats does). Null when `absolute` is null or the control mean is 0.
   */
  readonly relative: Effect | null;
  /** Always-valid intervals, for results that are looked at while the data comes in. */
  readonly sequential: SequentialEffects;
  /** Empty when every figure is reported and non-degenerate. */
  readonly problems: readonly ComparisonProblem[];
}

interface ResolvedOptions {
  readonly alpha: number;
  readonly tuningParameter: number;
}

function resolveOptions(options: ComparisonOptions | undefined): ResolvedOptions {
  const alpha = options?.alpha;
  const tuning = options?.sequentialTuningParameter;
  return {
    alpha: typeof alpha === 'number' && alpha > 0 && alpha < 1 ? alpha : DEFAULT_ALPHA,
    tuningParameter:
      typeof tuning === 'number' && Number.isFinite(tuning) && tuning > 0
        ? tuning
        : DEFAULT_SEQUENTIAL_TUNING_PARAMETER,
  };
}

function exactEffect(estimate: number): Effect {
  return { estimate, standardError: 0, ci: [estimate, estimate], pValue: estimate === 0 ? 1 : 0 };
}

function fixedEffect(estimate: number, standardError: number, dof: number, alpha: number): Effect {
  if (standardError === 0) return exactEffect(estimate);
  const halfWidth = studentTCriticalValue(alpha, dof) * standardError;
  return {
    estimate,
    standardError,
    ci: [estimate - halfWidth, estimate + halfWidth],
    pValue: studentTTwoSidedPValue(estimate / standardError, dof),
  };
}

function sequentialEffect(estimate: number, sequential: SequentialInput): Effect {
  if (sequential.standardError === 0) return exactEffect(estimate);
  const halfWidth = confidenceSequenceHalfWidth(sequential);
  return {
    estimate,
    standardError: sequential.standardError,
    ci: [estimate - halfWidth, estimate + halfWidth],
    pValue: alwaysValidPValue(estimate, sequential),
  };
}

function isFiniteEffect(effect: Effect | null): boolean {
  return (
    effect === null ||
    (Number.isFinite(effect.estimate) &&
      Number.isFinite(effect.standardError) &&
      Number.isFinite(effect.ci[0]) &&
      Number.isFinite(effect.ci[1]) &&
      Number.isFinite(effect.pValue))
  );
}

const UNKNOWN_ARM: ArmStatistics = { n: 0, mean: null, variance: null };

/**
 * A comparison with no effects, for inputs the test cannot use.
 * @internal
 */
export function emptyComparison(
  control: ArmStatistics | null,
  treatment: ArmStatistics | null,
  problem: ComparisonProblem,
  options: ComparisonOptions | undefined,
): Comparison {
  const { alpha, tuningParameter } = resolveOptions(options);
  return {
    control: control ?? UNKNOWN_ARM,
    treatment: treatment ?? UNKNOWN_ARM,
    alpha,
    degreesOfFreedom: null,
    absolute: null,
    relative: null,
    sequential: { tuningParameter, absolute: null, relative: null },
    problems: [problem],
  };
}

/**
 * Welch's test of two arms given their means and variances, the engine of {@link compareMeans} and
 * {@link compareProportions}. Arms must be valid (finite, n ≥ 0, variance ≥ 0 when known).
 * @internal
 */
export function compareArms(
  control: ArmStatistics,
  treatment: ArmStatistics,
  options: ComparisonOptions | undefined,
): Comparison {
  const { alpha, tuningParameter } = resolveOptions(options);
  const { n: nC, mean: mC, variance: vC } = control;
  const { n: nT, mean: mT, variance: vT } = treatment;
  if (nC < 2 || nT < 2 || mC === null || mT === null || vC === null || vT === null) {
    return emptyComparison(control, treatment, ComparisonProblem.TooFewObservations, options);
  }
  const problems: ComparisonProblem[] = [];
  const squaredSeC = vC / nC;
  const squaredSeT = vT / nT;
  const squaredSe = squaredSeC + squaredSeT;
  let dof: number | null = null;
  if (squaredSe === 0) {
    problems.push(ComparisonProblem.NoVariance);
  } else {
    // Welch–Satterthwaite; an arm without variance contributes nothing to either sum.
    dof =
      (squaredSe * squaredSe) / ((squaredSeT * squaredSeT) / (nT - 1) + (squaredSeC * squaredSeC) / (nC - 1));
  }
  const sequentialBase = { totalN: nC + nT, alpha, tuningParameter };

  const difference = mT - mC;
  const absoluteSe = Math.sqrt(squaredSe);
  const absolute = dof === null ? exactEffect(difference) : fixedEffect(difference, absoluteSe, dof, alpha);
  const sequentialAbsolute = sequentialEffect(difference, { ...sequentialBase, standardError: absoluteSe });

  let relative: Effect | null = null;
  let sequentialRelative: Effect | null = null;
  if (mC === 0) {
    problems.push(ComparisonProblem.ZeroBaseline);
  } else {
    const baseline = Math.abs(mC);
    const lift = difference / baseline;
    const relativeSe = Math.sqrt(vT / (nT * mC * mC) + (vC * mT * mT) / (nC * mC * mC * mC * mC));
    relative = dof === null ? exactEffect(lift) : fixedEffect(lift, relativeSe, dof, alpha);
    sequentialRelative = sequentialEffect(lift, { ...sequentialBase, standardError: relativeSe });
  }

  const effects = [absolute, relative, sequentialAbsolute, sequentialRelative];
  if (!effects.every(isFiniteEffect) || (dof !== null && !Number.isFinite(dof))) {
    return emptyComparison(control, treatment, ComparisonProblem.InvalidInput, options);
  }
  return {
    control,
    treatment,
    alpha,
    degreesOfFreedom: dof,
    absolute,
    relative,
    sequential: { tuningParameter, absolute: sequentialAbsolute, relative: sequentialRelative },
    problems,
  };
}
