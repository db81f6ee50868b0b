import { decidePromotion } from '../stats/decide-promotion.js';
import { type PromotionPolicy, resolvePromotionPolicy } from '../stats/promotion-policy.js';
import {
  CheckStatus,
  type PromotionArm,
  type PromotionCheck,
  PromotionCheckName,
  PromotionDecision,
  type PromotionShortfall,
  type PromotionVerdict,
} from '../stats/promotion-verdict.js';
import { sampleRatioMismatch } from '../stats/sample-ratio.js';
import { candidateWeight, describeStage, type RolloutStage, StageKind } from './rollout-stage.js';

/** What the scheduler does with a stage after looking at it. */
export const StageAction = {
  /** Every check passed (and the cost cap holds): move to the next stage. */
  Advance: 'advance',
  /** Stay: data is short, an interval is inconclusive, the split looks broken, or the cap would break. */
  Hold: 'hold',
  /** A guardrail broke: serve the control to everyone. */
  RollBack: 'roll-back',
} as const;
/** One of {@link StageAction}'s values. */
export type StageAction = (typeof StageAction)[keyof typeof StageAction];

/** What was measured in the stage so far, per arm, grouped by assigned variant. */
export interface StageEvidence {
  control: PromotionArm;
  /** In a shadow stage: the shadow calls of the candidate (requests stand for units). */
  candidate: PromotionArm;
  /** Exposures per arm in the stage, for the sample-ratio check of a percentage stage. */
  exposures: { control: number; candidate: number };
  /** Requests served per day over the stage, both arms together; null when unknown. */
  requestsPerDay: number | null;
}

/** Everything {@link decideStage} judges. */
export interface StageInput {
  stage: RolloutStage;
  /** The stage that advancing would enter (its share prices the cost projection). */
  next: RolloutStage | undefined;
  /** The plan's promotion policy; the stage's duration and sample raise its minimums. */
  policy: PromotionPolicy;
  evidence: StageEvidence;
  /** Time since the stage started, in ms. */
  elapsedMs: number;
  /** The candidate's budget per day in USD; null or undefined for none. */
  costCapPerDayUsd?: number | null | undefined;
}

/** The cost cap against the candidate's projected spend. */
export interface CostProjection {
  capPerDayUsd: number;
  /** The candidate's spend per day at `atPercent`: its cost per request × requests per day × share. */
  projectedPerDayUsd: number | null;
  /** The share the projection is for: the next stage's percentage. */
  atPercent: number;
  exceeds: boolean;
}

/** The decision on one stage, with everything it was decided on. */
export interface StageDecision {
  action: StageAction;
  /** The promotion verdict under the stage's policy; the sample ratio only counts in percentage stages. */
  verdict: PromotionVerdict;
  /** One sentence for people, timelines and notifications. */
  reason: string;
  /** What a hold waits for (empty otherwise). */
  missing: readonly PromotionShortfall[];
  /** The cost cap's check, when the plan has a cap and the verdict was promote. */
  cost: CostProjection | null;
  /** The policy the stage was judged by. */
  policy: PromotionPolicy;
}

function format(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

function describeShortfall(s: PromotionShortfall): string {
  const arm = s.arm === null ? '' : `${s.arm} `;
  if (s.what === 'duration-ms' && s.have !== null && s.need !== null)
    return `duration ${format(s.have / 3_600_000)} h of ${format(s.need / 3_600_000)} h`;
  if (s.what === 'evidence') return `${s.check}: interval still inconclusive`;
  if (s.what === 'figure') return `${s.check}: ${arm}figure missing`;
  return `${arm}${s.what} ${s.have ?? '?'} of ${s.need ?? '?'}`;
}

/**
 * A verdict for a stage that does not randomize (a segment, shadow calls): the sample-ratio check
 * cannot apply, so it is reported as not checked and blocks nothing; the rest stands.
 */
function withoutSampleRatio(verdict: PromotionVerdict, stage: RolloutStage): PromotionVerdict {
  const checks: PromotionCheck[] = verdict.checks.map((c) =>
    c.name === PromotionCheckName.SampleRatio
      ? {
          ...c,
          status: CheckStatus.Insufficient,
          blocksPromotion: false,
          detail: `not checked: a ${stage.kind} stage does not randomize units`,
        }
      : c,
  );
  const missing = verdict.missing.filter((m) => m.check !== PromotionCheckName.SampleRatio);
  if (verdict.decision === PromotionDecision.Regress) return { ...verdict, checks, missing };
  const blocking = checks.filter((c) => c.blocksPromotion).map((c) => c.name);
  if (blocking.length > 0) {
    return {
      decision: PromotionDecision.Hold,
      checks,
      missing,
      summary: `hold: waiting on ${blocking.join(', ')}`,
    };
  }
  return { decision: PromotionDecision.Promote, checks, missing, summary: 'promote: every check passed' };
}

function projectCost(input: StageInput): CostProjection | null {
  const cap = input.costCapPerDayUsd;
  if (cap === null || cap === undefined || input.next?.kind !== StageKind.Percentage) return null;
  const perRequest = input.evidence.candidate.costPerRequestUsd;
  const perDay = input.evidence.requestsPerDay;
  const projected =
    perRequest === null || perDay === null || !Number.isFinite(perRequest) || !Number.isFinite(perDay)
      ? null
      : perRequest * perDay * (input.next.percent / 100);
  return {
    capPerDayUsd: cap,
    projectedPerDayUsd: projected,
    atPercent: input.next.percent,
    exceeds: projected === null || projected > cap,
  };
}

/**
 * Judges one stage of a rollout: the promotion verdict under the plan's policy, with the stage's
 * minimum duration and sample raising the policy's; then the cost cap. Pure and total (never throws).
 *
 * - `roll-back` when a guardrail breaks (quality, error rate, p95 latency, cost per request, fallback
 *   rate), whatever else holds: the reason names the broken checks with their figures.
 * - `hold` while any check blocks promotion (the reason lists what is missing: units per arm, hours,
 *   an inconclusive interval); in a percentage stage this includes a sample-ratio mismatch (exposures
 *   against the stage's split), which cannot apply to a shadow or targeting stage and is left out there.
 * - `hold` too when the plan has a daily cost cap and the candidate's projected spend at the next
 *   stage's percentage (its cost per request × today's requests per day × that share) exceeds the cap,
 *   or cannot be computed yet.
 * - `advance` otherwise.
 *
 * @example
 * const decision = decideStage({ stage, next, policy, evidence, elapsedMs: 30 * 3_600_000, costCapPerDayUsd: 50 });
 * decision.action; // 'hold'
 * decision.reason; // 'hold: waiting on sample-size, duration (candidate units 40 of 100; duration 30 h of 48 h)'
 */
export function decideStage(input: StageInput): StageDecision {
  const { stage, evidence } = input;
  const base = resolvePromotionPolicy(input.policy);
  const policy = resolvePromotionPolicy({
    ...base,
    minUnitsPerArm: Math.max(base.minUnitsPerArm, stage.minUnitsPerArm),
    minDurationMs: Math.max(base.minDurationMs, stage.minDurationMs),
  });
  const randomized = stage.kind === StageKind.Percentage;
  const weight = randomized ? candidateWeight(stage.percent) : 0;
  const sampleRatio = randomized
    ? sampleRatioMismatch(
        [evidence.exposures.control, evidence.exposures.candidate],
        [100_000 - weight, weight],
        { threshold: policy.srmThreshold },
      )
    : null;
  const raw = decidePromotion(policy, {
    control: evidence.control,
    candidate: evidence.candidate,
    sampleRatio,
    elapsedMs: input.elapsedMs,
  });
  const verdict = randomized ? raw : withoutSampleRatio(raw, stage);
  const at = describeStage(stage);

  if (verdict.decision === PromotionDecision.Regress) {
    const broken = verdict.checks.filter(
      (c) => c.status === CheckStatus.Fail && c.name !== PromotionCheckName.SampleRatio,
    );
    const reason = `${verdict.summary} at ${at}: ${broken.map((c) => c.detail).join('; ')}`;
    return { action: StageAction.RollBack, verdict, reason, missing: [], cost: null, policy };
  }
  if (verdict.decision === PromotionDecision.Hold) {
    const details = [...new Set(verdict.missing.map(describeShortfall))];
    const reason = `${verdict.summary} at ${at}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
    return { action: StageAction.Hold, verdict, reason, missing: verdict.missing, cost: null, policy };
  }
  const cost = projectCost(input);
  if (cost?.exceeds === true) {
    const reason =
      cost.projectedPerDayUsd === null
        ? `hold: cost cap of $${format(cost.capPerDayUsd)}/day cannot be checked at ${at}: the candidate's cost per request or the traffic is not known yet`
        : `hold: the candidate's projected spend at ${cost.atPercent}% is $${format(cost.projectedPerDayUsd)}/day, over the cap of $${format(cost.capPerDayUsd)}/day`;
    return { action: StageAction.Hold, verdict, reason, missing: [], cost, policy };
  }
  const next = input.next === undefined ? '' : ` → ${describeStage(input.next)}`;
  return {
    action: StageAction.Advance,
    verdict,
    reason: `promote: every check passed at ${at}${next}`,
    missing: [],
    cost,
    policy,
  };
}
