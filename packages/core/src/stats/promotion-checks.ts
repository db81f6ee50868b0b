import type { Effect } from './comparison.js';
import { compareMeans } from './mean-comparison.js';
import type { PromotionPolicy } from './promotion-policy.js';
import {
  CheckStatus,
  type PromotionCheck,
  PromotionCheckName,
  type PromotionInput,
  type PromotionShortfall,
} from './promotion-verdict.js';
import { compareProportions, type ProportionSummary } from './proportion-comparison.js';

/**
 * A check's outcome and what it waits for.
 * @internal
 */
export interface CheckResult {
  check: PromotionCheck;
  missing: PromotionShortfall[];
}

interface Context {
  readonly policy: PromotionPolicy;
  readonly input: PromotionInput;
  /** Both arms reached `minUnitsPerArm` units. */
  readonly enoughUnits: boolean;
}

const ARMS = ['control', 'candidate'] as const;

const finite = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const count = (value: unknown): number => {
  const n = finite(value);
  return n !== null && n > 0 ? n : 0;
};

function format(value: number | null): string {
  if (value === null) return 'unknown';
  return Number(value.toPrecision(4)).toString();
}
function percent(value: number | null): string {
  return value === null ? 'unknown' : `${Number((value * 100).toPrecision(3))}%`;
}

function result(
  name: PromotionCheckName,
  status: CheckStatus,
  detail: string,
  figures: Record<string, unknown>,
  missing: PromotionShortfall[] = [],
  blocksPromotion = status !== CheckStatus.Pass,
): CheckResult {
  const clean: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(figures)) clean[key] = finite(value);
  return { check: { name, status, blocksPromotion, detail, figures: clean }, missing };
}

function shortfall(
  check: PromotionCheckName,
  what: PromotionShortfall['what'],
  arm: PromotionShortfall['arm'] = null,
  have: number | null = null,
  need: number | null = null,
): PromotionShortfall {
  return { check, arm, what, have, need };
}

/** Arms whose count is below the policy's minimum, as shortfalls. */
function shortOf(
  check: PromotionCheckName,
  what: 'units' | 'requests' | 'feedback',
  counts: { control: number; candidate: number },
  need: number,
): PromotionShortfall[] {
  return ARMS.filter((arm) => counts[arm] < need).map((arm) =>
    shortfall(check, what, arm, counts[arm], need),
  );
}

function sampleSizeCheck({ policy, input }: Context): CheckResult {
  const units = { control: count(input.control.units), candidate: count(input.candidate.units) };
  const need = policy.minUnitsPerArm;
  const missing = shortOf(PromotionCheckName.SampleSize, 'units', units, need);
  const figures = { controlUnits: units.control, candidateUnits: units.candidate, minUnitsPerArm: need };
  const detail = `units per arm: control ${units.control}, candidate ${units.candidate}; need ${need} each`;
  return result(
    PromotionCheckName.SampleSize,
    missing.length === 0 ? CheckStatus.Pass : CheckStatus.Insufficient,
    detail,
    figures,
    missing,
  );
}

function durationCheck({ policy, input }: Context): CheckResult {
  const elapsedMs = count(input.elapsedMs);
  const need = policy.minDurationMs;
  const figures = { elapsedMs, minDurationMs: need };
  const detail = `ran ${format(elapsedMs)} ms of the ${format(need)} ms required`;
  if (elapsedMs >= need) return result(PromotionCheckName.Duration, CheckStatus.Pass, detail, figures);
  return result(PromotionCheckName.Duration, CheckStatus.Insufficient, detail, figures, [
    shortfall(PromotionCheckName.Duration, 'duration-ms', null, elapsedMs, need),
  ]);
}

function sampleRatioCheck({ policy, input }: Context): CheckResult {
  const name = PromotionCheckName.SampleRatio;
  const srm = input.sampleRatio;
  const pValue = finite(srm?.pValue);
  const figures = {
    chiSquare: srm?.chiSquare,
    degreesOfFreedom: srm?.degreesOfFreedom,
    pValue,
    srmThreshold: policy.srmThreshold,
  };
  if (pValue === null) {
    return result(name, CheckStatus.Insufficient, 'the sample-ratio check was not computed', figures, [
      shortfall(name, 'figure'),
    ]);
  }
  if (pValue < policy.srmThreshold) {
    const detail =
      `sample-ratio mismatch (p = ${format(pValue)} < ${policy.srmThreshold}): units did not land in the ` +
      'arms as the split says, so assignment or logging is broken and no comparison can be trusted';
    return result(name, CheckStatus.Fail, detail, figures);
  }
  return result(name, CheckStatus.Pass, `units match the split (p = ${format(pValue)})`, figures);
}

/** The interval the policy judges with: always-valid when `sequential`, fixed-horizon otherwise. */
function judgedEffect(
  policy: PromotionPolicy,
  fixed: Effect | null,
  sequential: Effect | null,
): Effect | null {
  return policy.sequential ? sequential : fixed;
}

function interval(effect: Effect): string {
  return `[${format(effect.ci[0])}, ${format(effect.ci[1])}]`;
}

function qualityCheck(context: Context): CheckResult {
  const { policy, input } = context;
  const name = PromotionCheckName.Quality;
  const feedback = { control: count(input.control.quality.n), candidate: count(input.candidate.quality.n) };
  const comparison = compareMeans(input.control.quality, input.candidate.quality, {
    alpha: policy.alpha,
    sequentialTuningParameter: policy.sequentialTuningParameter,
  });
  const effect = judgedEffect(policy, comparison.absolute, comparison.sequential.absolute);
  const margin = -policy.qualityDelta;
  const figures = {
    controlFeedback: feedback.control,
    candidateFeedback: feedback.candidate,
    controlMean: comparison.control.mean,
    candidateMean: comparison.treatment.mean,
    difference: effect?.estimate,
    ciLower: effect?.ci[0],
    ciUpper: effect?.ci[1],
    qualityDelta: policy.qualityDelta,
  };
  // Exactly zero: an unusable count is not "no feedback" and must not let the check step aside.
  if (input.control.quality.n === 0 && input.candidate.quality.n === 0 && !policy.requireQualityFeedback) {
    const detail = 'no quality feedback in either arm: quality is not judged and does not block promotion';
    return result(name, CheckStatus.Insufficient, detail, figures, [], false);
  }
  const short = shortOf(name, 'feedback', feedback, policy.minUnitsPerArm);
  if (short.length > 0 || !context.enoughUnits) {
    const detail = `feedback per arm: control ${feedback.control}, candidate ${feedback.candidate}; judged from ${policy.minUnitsPerArm} per arm, once both arms have the minimum units`;
    return result(name, CheckStatus.Insufficient, detail, figures, short);
  }
  if (effect === null) {
    const detail = `quality cannot be compared (${comparison.problems.join(', ')})`;
    return result(name, CheckStatus.Insufficient, detail, figures, [shortfall(name, 'figure')]);
  }
  const measured = `quality difference ${format(effect.estimate)}, interval ${interval(effect)}, allowed drop ${policy.qualityDelta}`;
  if (effect.ci[1] < margin) {
    return result(
      name,
      CheckStatus.Fail,
      `${measured}: the candidate is worse beyond the allowed drop`,
      figures,
    );
  }
  if (effect.ci[0] >= margin) {
    return result(name, CheckStatus.Pass, `${measured}: non-inferior`, figures);
  }
  return result(name, CheckStatus.Insufficient, `${measured}: inconclusive`, figures, [
    shortfall(name, 'evidence'),
  ]);
}

function errorRateCheck(context: Context): CheckResult {
  const { policy, input } = context;
  const name = PromotionCheckName.ErrorRate;
  const requests = { control: count(input.control.errors.n), candidate: count(input.candidate.errors.n) };
  const comparison = compareProportions(input.control.errors, input.candidate.errors, {
    alpha: policy.alpha,
    sequentialTuningParameter: policy.sequentialTuningParameter,
  });
  const effect = judgedEffect(policy, comparison.absolute, comparison.sequential.absolute);
  const limit = policy.maxErrorRateIncrease;
  const figures = {
    controlRequests: requests.control,
    candidateRequests: requests.candidate,
    controlRate: comparison.control.mean,
    candidateRate: comparison.treatment.mean,
    difference: effect?.estimate,
    ciLower: effect?.ci[0],
    ciUpper: effect?.ci[1],
    maxErrorRateIncrease: limit,
  };
  const short = shortOf(name, 'requests', requests, policy.minUnitsPerArm);
  if (short.length > 0 || !context.enoughUnits) {
    const detail = `error rate so far: control ${percent(comparison.control.mean)}, candidate ${percent(comparison.treatment.mean)}; waiting for the minimum units and requests`;
    return result(name, CheckStatus.Insufficient, detail, figures, short);
  }
  if (effect === null) {
    const detail = `error rates cannot be compared (${comparison.problems.join(', ')})`;
    return result(name, CheckStatus.Insufficient, detail, figures, [shortfall(name, 'figure')]);
  }
  const measured = `error rate control ${percent(comparison.control.mean)}, candidate ${percent(comparison.treatment.mean)}; difference interval ${interval(effect)}, allowed increase ${limit}`;
  if (effect.ci[0] > limit) {
    return result(name, CheckStatus.Fail, `${measured}: the error rate went up`, figures);
  }
  if (effect.ci[1] <= limit) {
    return result(name, CheckStatus.Pass, `${measured}: not up beyond the allowed increase`, figures);
  }
  return result(name, CheckStatus.Insufficient, `${measured}: inconclusive`, figures, [
    shortfall(name, 'evidence'),
  ]);
}

/** Shortfalls before a per-request figure (latency, cost) may be judged: units, then requests per arm. */
function requestShortfalls(context: Context, name: PromotionCheckName): PromotionShortfall[] | null {
  const { input, policy } = context;
  const requests = { control: count(input.control.requests), candidate: count(input.candidate.requests) };
  const short = shortOf(name, 'requests', requests, policy.minUnitsPerArm);
  return short.length > 0 || !context.enoughUnits ? short : null;
}

function latencyCheck(context: Context): CheckResult {
  const { policy, input } = context;
  const name = PromotionCheckName.P95Latency;
  const control = finite(input.control.latencyP95Ms);
  const candidate = finite(input.candidate.latencyP95Ms);
  const increase = control !== null && candidate !== null ? candidate - control : null;
  const limit = policy.maxP95LatencyIncreaseMs;
  const figures = {
    controlP95Ms: control,
    candidateP95Ms: candidate,
    increaseMs: increase,
    maxIncreaseMs: limit,
  };
  const measured = `p95 latency control ${format(control)} ms, candidate ${format(candidate)} ms; allowed increase ${limit} ms`;
  const short = requestShortfalls(context, name);
  if (short !== null) {
    return result(
      name,
      CheckStatus.Insufficient,
      `${measured}; waiting for the minimum units and requests`,
      figures,
      short,
    );
  }
  if (increase === null) {
    const missing = ARMS.filter((arm) => finite(input[arm].latencyP95Ms) === null).map((arm) =>
      shortfall(name, 'figure', arm),
    );
    return result(name, CheckStatus.Insufficient, `${measured}: a p95 is missing`, figures, missing);
  }
  if (increase > limit) {
    return result(name, CheckStatus.Fail, `${measured}: up ${format(increase)} ms, over the limit`, figures);
  }
  return result(name, CheckStatus.Pass, `${measured}: within the limit`, figures);
}

function costCheck(context: Context): CheckResult {
  const { policy, input } = context;
  const name = PromotionCheckName.Cost;
  const budget = policy.maxCostPerRequestUsd;
  const maxRatio = policy.maxCostIncreaseRatio;
  const control = finite(input.control.costPerRequestUsd);
  const candidate = finite(input.candidate.costPerRequestUsd);
  const ratio = control !== null && candidate !== null && control > 0 ? candidate / control - 1 : null;
  const figures = {
    controlCostUsd: control,
    candidateCostUsd: candidate,
    increaseRatio: ratio,
    maxCostPerRequestUsd: budget,
    maxCostIncreaseRatio: maxRatio,
  };
  if (budget === undefined && maxRatio === undefined) {
    return result(name, CheckStatus.Pass, 'no cost limit in the policy', figures);
  }
  const measured = `cost per request control $${format(control)}, candidate $${format(candidate)}`;
  const short = requestShortfalls(context, name);
  if (short !== null) {
    return result(
      name,
      CheckStatus.Insufficient,
      `${measured}; waiting for the minimum units and requests`,
      figures,
      short,
    );
  }
  const needed: ('control' | 'candidate')[] = maxRatio === undefined ? ['candidate'] : [...ARMS];
  const absent = needed.filter((arm) => finite(input[arm].costPerRequestUsd) === null);
  if (candidate === null || absent.length > 0) {
    const missing = absent.map((arm) => shortfall(name, 'figure', arm));
    return result(name, CheckStatus.Insufficient, `${measured}: a cost is missing`, figures, missing);
  }
  if (budget !== undefined && candidate > budget) {
    return result(name, CheckStatus.Fail, `${measured}: over the budget of $${budget}`, figures);
  }
  if (maxRatio !== undefined && control !== null) {
    // A candidate that costs something where the control cost nothing is an unbounded increase.
    const over = control > 0 ? candidate / control - 1 > maxRatio : candidate > 0;
    if (over) {
      const detail = `${measured}: up ${ratio === null ? 'from zero' : percent(ratio)}, over the allowed ${percent(maxRatio)}`;
      return result(name, CheckStatus.Fail, detail, figures);
    }
  }
  return result(name, CheckStatus.Pass, `${measured}: within the limits`, figures);
}

function fallbackCheck(context: Context): CheckResult {
  const { policy, input } = context;
  const name = PromotionCheckName.FallbackRate;
  const rateOf = ({ n, successes }: ProportionSummary): number | null => {
    const valid =
      finite(n) !== null && finite(successes) !== null && n > 0 && successes >= 0 && successes <= n;
    return valid ? successes / n : null;
  };
  const candidateRate = rateOf(input.candidate.fallbacks);
  const requests = count(input.candidate.fallbacks.n);
  const figures = {
    controlRate: rateOf(input.control.fallbacks),
    candidateRate,
    candidateRequests: requests,
    maxFallbackRate: policy.maxFallbackRate,
  };
  const measured = `candidate fallback rate ${percent(candidateRate)}, limit ${percent(policy.maxFallbackRate)}`;
  if (requests < policy.minUnitsPerArm || !context.enoughUnits) {
    const missing =
      requests < policy.minUnitsPerArm
        ? [shortfall(name, 'requests', 'candidate', requests, policy.minUnitsPerArm)]
        : [];
    return result(
      name,
      CheckStatus.Insufficient,
      `${measured}; waiting for the minimum units and requests`,
      figures,
      missing,
    );
  }
  if (candidateRate === null) {
    return result(name, CheckStatus.Insufficient, `${measured}: the fallback counts are unusable`, figures, [
      shortfall(name, 'figure', 'candidate'),
    ]);
  }
  if (candidateRate > policy.maxFallbackRate) {
    return result(name, CheckStatus.Fail, `${measured}: over the limit`, figures);
  }
  return result(name, CheckStatus.Pass, `${measured}: within the limit`, figures);
}

/**
 * Runs every check of {@link decidePromotion} in {@link PromotionCheckName} order. The policy must be
 * resolved (see {@link resolvePromotionPolicy}).
 * @internal
 */
export function runPromotionChecks(policy: PromotionPolicy, input: PromotionInput): CheckResult[] {
  const context: Context = {
    policy,
    input,
    enoughUnits:
      count(input.control.units) >= policy.minUnitsPerArm &&
      count(input.candidate.units) >= policy.minUnitsPerArm,
  };
  return [
    sampleSizeCheck(context),
    durationCheck(context),
    sampleRatioCheck(context),
    qualityCheck(context),
    errorRateCheck(context),
    latencyCheck(context),
    costCheck(context),
    fallbackCheck(context),
  ];
}
