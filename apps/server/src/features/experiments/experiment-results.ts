import {
  type Comparison,
  compareMeans,
  compareProportions,
  decidePromotion,
  type MomentSummary,
  type PromotionArm,
  type PromotionPolicy,
  pairedDifference,
  sampleRatioMismatch,
} from '@switchboard/core/stats';
import { customMetric, Metric, SHADOW_PREFIX } from '../events/event-metrics.js';
import type { FlagRollups, RollupAggregate, VariantRollups } from '../events/event-service.js';
import type { ExperimentResults, Quantiles, VariantComparison, VariantResult } from './results-view.js';

export type { ExperimentResults, Quantiles, VariantComparison, VariantResult } from './results-view.js';

const DAY_MS = 86_400_000;
const EMPTY: RollupAggregate = { count: 0, sum: 0, sumSquares: 0 };

/** What the results are computed from (read by the service; pure from here on). */
export interface ResultsInput {
  flag: string;
  environment: string;
  /** Every variant of the flag, in its order. */
  variants: readonly string[];
  control: string;
  rollups: FlagRollups;
  /** The split the environment serves as variant → weight, or null. */
  split: Readonly<Record<string, number>> | null;
  policy: PromotionPolicy;
  from: Date | null;
  to: Date | null;
  /** The first and last hour with data, for cost per day and the stage's elapsed time. */
  firstHour: Date | null;
  lastHour: Date | null;
  now: Date;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

function metric(rollups: VariantRollups | undefined, name: string): RollupAggregate {
  return rollups?.metrics[name] ?? EMPTY;
}

function quantiles(aggregate: RollupAggregate): Quantiles {
  const sketch = aggregate.sketch;
  const at = (q: number) =>
    sketch === undefined || sketch.count === 0 ? null : sketch.getValueAtQuantile(q);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: ratio(aggregate.sum, aggregate.count) };
}

function moments(aggregate: RollupAggregate): MomentSummary {
  return { n: aggregate.count, sum: aggregate.sum, sumSquares: aggregate.sumSquares };
}

/** Days the data covers: from the window's start (or first hour) to its end (or the last hour's end). */
function daysCovered(input: ResultsInput): number | null {
  const start = input.from ?? input.firstHour;
  const end = input.to ?? (input.lastHour === null ? null : new Date(input.lastHour.getTime() + 3_600_000));
  if (start === null || end === null) return null;
  return Math.max(end.getTime() - start.getTime(), 3_600_000) / DAY_MS;
}

function variantResult(input: ResultsInput, variant: string, totalRequests: number): VariantResult {
  const shadowJudge = metric(input.rollups[variant], `${SHADOW_PREFIX}${Metric.JudgeScore}`);
  const rollups = input.rollups[variant];
  const get = (name: string) => metric(rollups, name);
  const requests = get(Metric.Generations).count;
  const errors = get(Metric.Errors).count;
  const fallbacks = get(Metric.Fallbacks).count;
  const cost = get(Metric.CostUsd);
  const days = daysCovered(input);
  const errorsByKind: Record<string, number> = {};
  const metrics: VariantResult['metrics'] = {};
  for (const [name, aggregate] of Object.entries(rollups?.metrics ?? {})) {
    if (name.startsWith(`${Metric.Errors}.`))
      errorsByKind[name.slice(Metric.Errors.length + 1)] = aggregate.count;
    if (name.startsWith(customMetric('')))
      metrics[name.slice(customMetric('').length)] = {
        count: aggregate.count,
        mean: ratio(aggregate.sum, aggregate.count),
      };
  }
  const feedback = get(Metric.FeedbackScore);
  const judge = get(Metric.JudgeScore);
  return {
    variant,
    control: variant === input.control,
    units: rollups?.units ?? 0,
    exposures: get(Metric.Exposures).count,
    requests,
    requestShare: ratio(requests, totalRequests),
    errors,
    errorRate: ratio(errors, requests),
    errorsByKind,
    fallbacks,
    fallbackRate: ratio(fallbacks, requests),
    quality: { n: feedback.count, mean: ratio(feedback.sum, feedback.count) },
    judgeQuality: { n: judge.count, mean: ratio(judge.sum, judge.count) },
    latencyMs: quantiles(get(Metric.LatencyMs)),
    ttftMs: quantiles(get(Metric.TtftMs)),
    tokens: { input: get(Metric.InputTokens).sum, output: get(Metric.OutputTokens).sum },
    cost: {
      totalUsd: cost.sum,
      perRequestUsd: ratio(cost.sum, cost.count),
      perDayUsd: days === null ? null : cost.sum / days,
      unknownRequests: get(Metric.CostUnknown).count,
    },
    shadow: {
      requests: get(`${SHADOW_PREFIX}${Metric.Generations}`).count,
      errors: get(`${SHADOW_PREFIX}${Metric.Errors}`).count,
      latencyMs: quantiles(get(`${SHADOW_PREFIX}${Metric.LatencyMs}`)),
      costUsd: get(`${SHADOW_PREFIX}${Metric.CostUsd}`).sum,
      judgeQuality: { n: shadowJudge.count, mean: ratio(shadowJudge.sum, shadowJudge.count) },
      pairedJudgeDifference: pairedDifference(
        moments(get(`${SHADOW_PREFIX}${Metric.JudgePairedDifference}`)),
        input.policy.alpha,
      ),
    },
    metrics,
  };
}

function promotionArm(result: VariantResult, rollups: VariantRollups | undefined): PromotionArm {
  return {
    units: result.units,
    requests: result.requests,
    quality: moments(metric(rollups, Metric.FeedbackScore)),
    latencyP95Ms: result.latencyMs.p95,
    costPerRequestUsd: result.cost.perRequestUsd,
    errors: { n: result.requests, successes: result.errors },
    fallbacks: { n: result.requests, successes: result.fallbacks },
  };
}

/**
 * Per-variant results, each candidate against the control with intervals and p-values (fixed-horizon
 * and always-valid), the sample-ratio check, and the promotion verdict under the policy. Pure: the
 * rollups are read before.
 */
export function computeResults(input: ResultsInput): ExperimentResults {
  const known = new Set(input.variants);
  // Variants with data but no longer defined (renamed or removed) are still reported.
  const variants = [...input.variants, ...Object.keys(input.rollups).filter((v) => !known.has(v))];
  const totalRequests = variants.reduce(
    (sum, v) => sum + metric(input.rollups[v], Metric.Generations).count,
    0,
  );
  const results = variants.map((v) => variantResult(input, v, totalRequests));
  const options = {
    alpha: input.policy.alpha,
    sequentialTuningParameter: input.policy.sequentialTuningParameter,
  };

  let sampleRatio: ExperimentResults['sampleRatio'] = null;
  if (input.split !== null) {
    const splitVariants = Object.keys(input.split).filter((v) => (input.split?.[v] ?? 0) > 0);
    // Exposures, not units: only evaluations served by a split send them, so units that a rule or a
    // target serves directly (beta users on the candidate, say) do not skew the check. The SDK sends
    // one per unit, flag, variant and flag version, so they count units of the split (again after a change).
    const observed = splitVariants.map((v) => metric(input.rollups[v], Metric.Exposures).count);
    const weights = splitVariants.map((v) => input.split?.[v] ?? 0);
    sampleRatio = {
      ...sampleRatioMismatch(observed, weights, { threshold: input.policy.srmThreshold }),
      expected: Object.fromEntries(splitVariants.map((v, i) => [v, weights[i] as number])),
    };
  }

  const control = results.find((r) => r.control);
  const controlRollups = input.rollups[input.control];
  const first = input.from ?? input.firstHour;
  const elapsedMs = first === null ? 0 : Math.max(0, input.now.getTime() - first.getTime());
  const comparisons: VariantComparison[] = [];
  for (const result of results) {
    if (result.control || control === undefined) continue;
    const rollups = input.rollups[result.variant];
    const metrics: Record<string, Comparison> = {};
    for (const name of Object.keys(result.metrics)) {
      metrics[name] = compareMeans(
        moments(metric(controlRollups, customMetric(name))),
        moments(metric(rollups, customMetric(name))),
        options,
      );
    }
    comparisons.push({
      variant: result.variant,
      control: input.control,
      quality: compareMeans(
        moments(metric(controlRollups, Metric.FeedbackScore)),
        moments(metric(rollups, Metric.FeedbackScore)),
        options,
      ),
      errorRate: compareProportions(
        { n: control.requests, successes: control.errors },
        { n: result.requests, successes: result.errors },
        options,
      ),
      fallbackRate: compareProportions(
        { n: control.requests, successes: control.fallbacks },
        { n: result.requests, successes: result.fallbacks },
        options,
      ),
      latencyMs: compareMeans(
        moments(metric(controlRollups, Metric.LatencyMs)),
        moments(metric(rollups, Metric.LatencyMs)),
        options,
      ),
      costPerRequestUsd: compareMeans(
        moments(metric(controlRollups, Metric.CostUsd)),
        moments(metric(rollups, Metric.CostUsd)),
        options,
      ),
      metrics,
      verdict: decidePromotion(input.policy, {
        control: promotionArm(control, controlRollups),
        candidate: promotionArm(result, rollups),
        sampleRatio,
        elapsedMs,
      }),
    });
  }

  const treated = results.filter((r) => !r.control);
  return {
    flag: input.flag,
    environment: input.environment,
    control: input.control,
    from: input.from?.toISOString() ?? null,
    to: input.to?.toISOString() ?? null,
    variants: results,
    adoption: {
      requestShare: ratio(
        treated.reduce((sum, r) => sum + r.requests, 0),
        totalRequests,
      ),
      units: treated.reduce((sum, r) => sum + r.units, 0),
    },
    sampleRatio,
    comparisons,
    policy: input.policy,
  };
}
