import { type RolloutStage, type StageEvidence, StageKind } from '@switchboard/core/rollout';
import type { MomentSummary, PromotionArm } from '@switchboard/core/stats';
import { Metric, SHADOW_PREFIX } from '../events/event-metrics.js';
import type { FlagRollups, RollupAggregate, VariantRollups } from '../events/event-service.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const EMPTY: RollupAggregate = { count: 0, sum: 0, sumSquares: 0 };
const NO_FEEDBACK: MomentSummary = { n: 0, sum: 0, sumSquares: 0 };

/** What the timeline keeps of an arm. */
export interface ArmFigures {
  variant: string;
  units: number;
  exposures: number;
  requests: number;
  errorRate: number | null;
  /** Requests served by a later link of the fallback chain than the variant's own model. */
  fallbackRate: number | null;
  latencyP95Ms: number | null;
  costPerRequestUsd: number | null;
  quality: { n: number; mean: number | null };
}

/** A stage's evidence for the decision, and the figures the timeline keeps. */
export interface StageMeasurement {
  evidence: StageEvidence;
  arms: { control: ArmFigures; candidate: ArmFigures };
  /** True when the candidate arm is its shadow calls. */
  shadow: boolean;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function arm(
  rollups: VariantRollups | undefined,
  prefix: '' | typeof SHADOW_PREFIX,
  judged: boolean,
): PromotionArm {
  const get = (name: string) => rollups?.metrics[prefix + name] ?? EMPTY;
  const requests = get(Metric.Generations).count;
  const exposures = rollups?.metrics[Metric.Exposures]?.count ?? 0;
  const latency = get(Metric.LatencyMs).sketch;
  const cost = get(Metric.CostUsd);
  const feedback = rollups?.metrics[Metric.FeedbackScore] ?? EMPTY;
  return {
    // Shadow calls are not served to anyone: each stands for itself. Served arms: the units their split
    // exposed in the stage (an exposure per unit and flag version, see the SDK), or those first seen.
    units: prefix === '' ? Math.max(rollups?.units ?? 0, exposures) : requests,
    requests,
    quality: judged ? { n: feedback.count, sum: feedback.sum, sumSquares: feedback.sumSquares } : NO_FEEDBACK,
    latencyP95Ms: latency === undefined || latency.count === 0 ? null : latency.getValueAtQuantile(0.95),
    costPerRequestUsd: ratio(cost.sum, cost.count),
    errors: { n: requests, successes: get(Metric.Errors).count },
    fallbacks: { n: requests, successes: get(Metric.Fallbacks).count },
  };
}

function figures(variant: string, a: PromotionArm, exposures: number): ArmFigures {
  return {
    variant,
    units: a.units,
    exposures,
    requests: a.requests,
    errorRate: ratio(a.errors.successes, a.errors.n),
    fallbackRate: ratio(a.fallbacks.successes, a.fallbacks.n),
    latencyP95Ms: a.latencyP95Ms,
    costPerRequestUsd: a.costPerRequestUsd,
    quality: { n: a.quality.n, mean: ratio(a.quality.sum, a.quality.n) },
  };
}

/**
 * The arms of a stage from the rollups of its window (by assigned variant: intent-to-treat). In a
 * shadow stage the candidate is measured by its shadow calls, and quality is not compared (people
 * never see a shadow answer, so the served arm's feedback has no counterpart). `windowMs` is how long
 * the window ran, for the requests per day behind the cost projection.
 */
export function measureStage(
  rollups: FlagRollups,
  plan: { candidate: string; control: string },
  stage: RolloutStage,
  windowMs: number,
): StageMeasurement {
  const shadow = stage.kind === StageKind.Shadow;
  const controlRollups = rollups[plan.control];
  const candidateRollups = rollups[plan.candidate];
  const control = arm(controlRollups, '', !shadow);
  const candidate = arm(candidateRollups, shadow ? SHADOW_PREFIX : '', !shadow);
  const exposures = {
    control: controlRollups?.metrics[Metric.Exposures]?.count ?? 0,
    candidate: candidateRollups?.metrics[Metric.Exposures]?.count ?? 0,
  };
  const served = control.requests + (shadow ? 0 : candidate.requests);
  const days = Math.max(windowMs, HOUR_MS) / DAY_MS;
  return {
    evidence: { control, candidate, exposures, requestsPerDay: windowMs > 0 ? served / days : null },
    arms: {
      control: figures(plan.control, control, exposures.control),
      candidate: figures(plan.candidate, candidate, exposures.candidate),
    },
    shadow,
  };
}

/** Where a stage's data starts: the first whole UTC hour after it began (rollups are hourly). */
export function stageWindowStart(stageStartedAt: string): Date {
  const ms = Date.parse(stageStartedAt);
  return new Date(Math.ceil(ms / HOUR_MS) * HOUR_MS);
}
