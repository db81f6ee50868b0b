/**
 * `@switchboard/core/stats`: the statistics of experiments and the promotion verdict of rollouts
 * (DESIGN.md §5). Pure: no I/O, no clock, no randomness. A subpath of its own so that the SDK's browser
 * bundle, which imports `@switchboard/core`, never pulls in the distributions library.
 */
export {
  type ArmStatistics,
  type Comparison,
  type ComparisonOptions,
  ComparisonProblem,
  DEFAULT_ALPHA,
  type Effect,
  type SequentialEffects,
} from './comparison.js';
export {
  alwaysValidPValue,
  confidenceSequenceHalfWidth,
  DEFAULT_SEQUENTIAL_TUNING_PARAMETER,
  type SequentialInput,
  sequentialRho,
} from './confidence-sequence.js';
export { decidePromotion } from './decide-promotion.js';
export { compareMeans, type MomentSummary } from './mean-comparison.js';
export { type PairedDifference, pairedDifference } from './paired-difference.js';
export {
  DEFAULT_PROMOTION_POLICY,
  MIN_UNITS_PER_ARM_FLOOR,
  type PromotionPolicy,
  resolvePromotionPolicy,
} from './promotion-policy.js';
export {
  CheckStatus,
  type PromotionArm,
  type PromotionCheck,
  PromotionCheckName,
  PromotionDecision,
  type PromotionInput,
  type PromotionShortfall,
  type PromotionVerdict,
} from './promotion-verdict.js';
export { compareProportions, type ProportionSummary } from './proportion-comparison.js';
export {
  DEFAULT_SRM_THRESHOLD,
  type SampleRatioMismatch,
  type SampleRatioOptions,
  sampleRatioMismatch,
} from './sample-ratio.js';
