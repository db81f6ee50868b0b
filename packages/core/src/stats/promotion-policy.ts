import { DEFAULT_ALPHA } from './comparison.js';
import { DEFAULT_SEQUENTIAL_TUNING_PARAMETER } from './confidence-sequence.js';
import { DEFAULT_SRM_THRESHOLD } from './sample-ratio.js';

/** No rollout decides anything on fewer units per arm than this (DESIGN.md §5). */
export const MIN_UNITS_PER_ARM_FLOOR = 100;

/**
 * When a rollout's candidate may move on (DESIGN.md §5): one declarative object per rollout, read by
 * {@link decidePromotion}. Differences are always candidate minus control.
 */
export interface PromotionPolicy {
  /**
   * Units each arm needs before anything is decided, in either direction; also the observations each
   * arm needs in a metric (feedback events, requests) before that metric is judged. Never below
   * {@link MIN_UNITS_PER_ARM_FLOOR}: smaller values are raised to it. Default 100.
   */
  minUnitsPerArm: number;
  /** Time the comparison must have run, in ms. Default 0: the rollout's stages set their own durations. */
  minDurationMs: number;
  /**
   * How much the mean quality score (feedback thumbs as 0/1, or scores in [0, 1]) may drop, in absolute
   * score: promotion needs the interval of (candidate − control) to lie at or above −qualityDelta.
   * Default 0.02.
   */
  qualityDelta: number;
  /**
   * When false (the default), a rollout with no quality feedback at all in either arm is not judged on
   * quality: the check is reported as `insufficient` but does not block promotion. Once any feedback is
   * recorded, or when this is true, quality must be shown non-inferior like every other check.
   */
  requireQualityFeedback: boolean;
  /** How much the candidate's p95 latency may exceed the control's, in ms. Default 500. */
  maxP95LatencyIncreaseMs: number;
  /** Budget for the candidate's mean cost per request, in USD; undefined (the default) = no budget. */
  maxCostPerRequestUsd?: number | undefined;
  /**
   * How much the candidate's mean cost per request may exceed the control's, as a ratio (0.2 = +20%);
   * undefined (the default) = no limit.
   */
  maxCostIncreaseRatio?: number | undefined;
  /**
   * How much the error rate (failed requests / requests) may go up, as an absolute rate difference
   * (0.01 = one percentage point). Promotion needs the interval of (candidate − control) to lie at or
   * below it, and a rollback needs it to lie entirely above it. Default 0.005 (half a percentage
   * point): "error rate not up" as a non-inferiority margin. With 0 the candidate would have to be shown
   * *better* than the control, which for equal nonzero rates never happens; see {@link decidePromotion}.
   */
  maxErrorRateIncrease: number;
  /** Highest share of the candidate's requests a fallback model may answer, in [0, 1]. Default 0.05. */
  maxFallbackRate: number;
  /** p-value below which the split is called broken (sample-ratio mismatch). Default 0.001. */
  srmThreshold: number;
  /** Significance level of every interval: 1 − alpha coverage. Default 0.05. */
  alpha: number;
  /**
   * Judge with always-valid intervals (default true). Rollouts look at their results continuously;
   * fixed-horizon intervals looked at that way are wrong far more often than alpha.
   */
  sequential: boolean;
  /** N* of the always-valid intervals, the total units where they are tightest. Default 5000. */
  sequentialTuningParameter: number;
}

/** The defaults of every {@link PromotionPolicy} field. Frozen. */
export const DEFAULT_PROMOTION_POLICY: Readonly<PromotionPolicy> = Object.freeze({
  minUnitsPerArm: MIN_UNITS_PER_ARM_FLOOR,
  minDurationMs: 0,
  qualityDelta: 0.02,
  requireQualityFeedback: false,
  maxP95LatencyIncreaseMs: 500,
  maxCostPerRequestUsd: undefined,
  maxCostIncreaseRatio: undefined,
  maxErrorRateIncrease: 0.005,
  maxFallbackRate: 0.05,
  srmThreshold: DEFAULT_SRM_THRESHOLD,
  alpha: DEFAULT_ALPHA,
  sequential: true,
  sequentialTuningParameter: DEFAULT_SEQUENTIAL_TUNING_PARAMETER,
});

const finiteAtLeast = (value: unknown, min: number): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= min;
const openUnit = (value: unknown): value is number => typeof value === 'number' && value > 0 && value < 1;

/**
 * A complete policy from partial settings: each field that is missing or unusable (not a number, out of
 * range) takes its default, and `minUnitsPerArm` is raised to {@link MIN_UNITS_PER_ARM_FLOOR}. An
 * unusable cost limit counts as no limit, so the server must validate policies before storing them.
 * Never throws.
 *
 * @example
 * resolvePromotionPolicy({ qualityDelta: 0.05, minUnitsPerArm: 20 });
 * // { ...DEFAULT_PROMOTION_POLICY, qualityDelta: 0.05, minUnitsPerArm: 100 }
 */
export function resolvePromotionPolicy(settings?: Partial<PromotionPolicy>): PromotionPolicy {
  const d = DEFAULT_PROMOTION_POLICY;
  const s = settings ?? {};
  return {
    minUnitsPerArm: finiteAtLeast(s.minUnitsPerArm, 0)
      ? Math.max(MIN_UNITS_PER_ARM_FLOOR, Math.ceil(s.minUnitsPerArm))
      : d.minUnitsPerArm,
    minDurationMs: finiteAtLeast(s.minDurationMs, 0) ? s.minDurationMs : d.minDurationMs,
    qualityDelta: finiteAtLeast(s.qualityDelta, 0) ? s.qualityDelta : d.qualityDelta,
    requireQualityFeedback:
      typeof s.requireQualityFeedback === 'boolean' ? s.requireQualityFeedback : d.requireQualityFeedback,
    maxP95LatencyIncreaseMs: finiteAtLeast(s.maxP95LatencyIncreaseMs, -Infinity)
      ? s.maxP95LatencyIncreaseMs
      : d.maxP95LatencyIncreaseMs,
    maxCostPerRequestUsd: finiteAtLeast(s.maxCostPerRequestUsd, 0) ? s.maxCostPerRequestUsd : undefined,
    maxCostIncreaseRatio: finiteAtLeast(s.maxCostIncreaseRatio, -1) ? s.maxCostIncreaseRatio : undefined,
    maxErrorRateIncrease: finiteAtLeast(s.maxErrorRateIncrease, -1)
      ? s.maxErrorRateIncrease
      : d.maxErrorRateIncrease,
    maxFallbackRate:
      finiteAtLeast(s.maxFallbackRate, 0) && s.maxFallbackRate <= 1 ? s.maxFallbackRate : d.maxFallbackRate,
    srmThreshold: openUnit(s.srmThreshold) ? s.srmThreshold : d.srmThreshold,
    alpha: openUnit(s.alpha) ? s.alpha : d.alpha,
    sequential: typeof s.sequential === 'boolean' ? s.sequential : d.sequential,
    sequentialTuningParameter:
      finiteAtLeast(s.sequentialTuningParameter, 0) && s.sequentialTuningParameter > 0
        ? s.sequentialTuningParameter
        : d.sequentialTuningParameter,
  };
}
