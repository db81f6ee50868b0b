import type { MomentSummary } from './mean-comparison.js';
import type { ProportionSummary } from './proportion-comparison.js';
import type { SampleRatioMismatch } from './sample-ratio.js';

/** What {@link decidePromotion} tells the rollout scheduler to do. */
export const PromotionDecision = {
  /** Every check passed: advance to the next stage. */
  Promote: 'promote',
  /** Keep the current stage: data is short, an interval is still inconclusive, or the split is broken. */
  Hold: 'hold',
  /** A guardrail is broken: roll back to the control. */
  Regress: 'regress',
} as const;
/** One of {@link PromotionDecision}'s values. */
export type PromotionDecision = (typeof PromotionDecision)[keyof typeof PromotionDecision];

/** The checks of a verdict, in the order they are reported. */
export const PromotionCheckName = {
  SampleSize: 'sample-size',
  Duration: 'duration',
  SampleRatio: 'sample-ratio',
  Quality: 'quality',
  ErrorRate: 'error-rate',
  P95Latency: 'p95-latency',
  Cost: 'cost',
  FallbackRate: 'fallback-rate',
} as const;
/** One of {@link PromotionCheckName}'s values. */
export type PromotionCheckName = (typeof PromotionCheckName)[keyof typeof PromotionCheckName];

/** The outcome of one check. */
export const CheckStatus = {
  Pass: 'pass',
  /** The check is broken: on a guardrail, enough data shows it; on the sample ratio, the split is. */
  Fail: 'fail',
  /** Not enough data, a missing figure, or an interval that still straddles the limit. */
  Insufficient: 'insufficient',
} as const;
/** One of {@link CheckStatus}'s values. */
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/** One arm of a rollout as the server measured it, grouped by assigned variant (intent-to-treat). */
export interface PromotionArm {
  /** Units exposed to the arm. */
  units: number;
  /** Generations (model calls) made under the arm. */
  requests: number;
  /** Quality feedback (thumbs as 0/1, or scores in [0, 1]); `{ n: 0, sum: 0, sumSquares: 0 }` when none. */
  quality: MomentSummary;
  /** p95 of generation latency in ms; null when unknown. */
  latencyP95Ms: number | null;
  /** Mean cost per request in USD; null when unknown. */
  costPerRequestUsd: number | null;
  /** Failed requests (`successes`) of all requests (`n`). */
  errors: ProportionSummary;
  /** Requests answered by a fallback model (`successes`) of all requests (`n`). */
  fallbacks: ProportionSummary;
}

/** Everything {@link decidePromotion} judges. */
export interface PromotionInput {
  control: PromotionArm;
  candidate: PromotionArm;
  /**
   * {@link sampleRatioMismatch} of the units per arm against the stage's split; null when not computed.
   * Its p-value is compared with the policy's `srmThreshold` (its own `mismatch` flag is not used).
   */
  sampleRatio: SampleRatioMismatch | null;
  /** Time since the comparison started (the stage began), in ms. */
  elapsedMs: number;
}

/** One check of a verdict. Figures are finite numbers or null: safe as JSON. */
export interface PromotionCheck {
  readonly name: PromotionCheckName;
  readonly status: CheckStatus;
  /**
   * Whether this check keeps the candidate from being promoted: true unless it passed, except for the
   * quality check when no feedback was recorded and the policy does not require it.
   */
  readonly blocksPromotion: boolean;
  /** One sentence for people: what was measured against what. */
  readonly detail: string;
  readonly figures: Readonly<Record<string, number | null>>;
}

/** What a held rollout is waiting for. */
export interface PromotionShortfall {
  readonly check: PromotionCheckName;
  readonly arm: 'control' | 'candidate' | null;
  /**
   * `units`, `requests`, `feedback`: more observations in `arm`; `duration-ms`: more time; `figure`: an
   * input is missing or unusable; `evidence`: an interval still straddles its limit, so more data of
   * an amount that cannot be known in advance.
   */
  readonly what: 'units' | 'requests' | 'feedback' | 'duration-ms' | 'figure' | 'evidence';
  /** What there is now; null for `figure` and `evidence`. */
  readonly have: number | null;
  /** What is needed; null for `figure` and `evidence`. */
  readonly need: number | null;
}

/** The verdict on a rollout stage. */
export interface PromotionVerdict {
  readonly decision: PromotionDecision;
  /** Every check, in {@link PromotionCheckName} order. */
  readonly checks: readonly PromotionCheck[];
  /** What blocking checks are waiting for (empty on promote). */
  readonly missing: readonly PromotionShortfall[];
  /** One sentence for people and audit logs. */
  readonly summary: string;
}
