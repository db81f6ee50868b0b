import { runPromotionChecks } from './promotion-checks.js';
import { type PromotionPolicy, resolvePromotionPolicy } from './promotion-policy.js';
import {
  CheckStatus,
  type PromotionCheck,
  PromotionCheckName,
  PromotionDecision,
  type PromotionInput,
  type PromotionVerdict,
} from './promotion-verdict.js';

/** The checks whose failure rolls the candidate back. */
const GUARDRAILS: ReadonlySet<PromotionCheckName> = new Set([
  PromotionCheckName.Quality,
  PromotionCheckName.ErrorRate,
  PromotionCheckName.P95Latency,
  PromotionCheckName.Cost,
  PromotionCheckName.FallbackRate,
]);

function summarize(decision: PromotionDecision, checks: readonly PromotionCheck[]): string {
  const named = (status: CheckStatus, blocking = true) =>
    checks
      .filter((c) => c.status === status && c.blocksPromotion === blocking)
      .map((c) => c.name)
      .join(', ');
  if (decision === PromotionDecision.Regress) {
    const failed = checks.filter((c) => c.status === CheckStatus.Fail && GUARDRAILS.has(c.name));
    return `regress: guardrail broken (${failed.map((c) => c.name).join(', ')})`;
  }
  if (decision === PromotionDecision.Promote) return 'promote: every check passed';
  const srm = checks.find((c) => c.name === PromotionCheckName.SampleRatio && c.status === CheckStatus.Fail);
  if (srm !== undefined)
    return 'hold: sample-ratio mismatch, results cannot be trusted until assignment is fixed';
  return `hold: waiting on ${named(CheckStatus.Insufficient)}`;
}

/**
 * Judges a rollout stage against its {@link PromotionPolicy}. Pure and total: never throws, and an
 * unusable input (NaN, negative, missing figure) makes its check `insufficient`, never a pass.
 *
 * Checks, each `pass`, `fail` or `insufficient`:
 * - `sample-size`: both arms have `minUnitsPerArm` units. Until then every guardrail is `insufficient`:
 *   nothing is decided on fewer units, in either direction (emergencies are the kill switch's job).
 * - `duration`: `elapsedMs` ≥ `minDurationMs`.
 * - `sample-ratio`: the SRM p-value is at or above `srmThreshold`. A mismatch is a `fail` that **holds**
 *   rather than regresses: as GrowthBook puts it, the results cannot be trusted, and that cuts both
 *   ways — the numbers can justify neither promoting nor blaming the candidate. It does not prevent a
 *   regress from a broken guardrail, since rolling back to the control is always safe.
 * - `quality`: non-inferiority on the interval of (candidate − control) mean score: `pass` when its
 *   lower end is ≥ −qualityDelta, `fail` when its upper end is < −qualityDelta, else `insufficient`.
 *   Judged once each arm has `minUnitsPerArm` feedback events. With no feedback at all in either arm
 *   and `requireQualityFeedback` false, it is `insufficient` without blocking promotion: many flags
 *   collect no feedback, and quality then cannot be a reason to wait forever.
 * - `error-rate`: the interval of (candidate − control) error rate: `pass` when its upper end is
 *   ≤ maxErrorRateIncrease, `fail` when its lower end is above it, else `insufficient`. The default
 *   limit, 0.005, is a non-inferiority margin: with 0, passing would need the candidate shown *better*,
 *   and equal nonzero error rates would stay inconclusive however long the stage ran. Requests within a unit are treated as
 *   independent, which makes this interval somewhat too narrow when units make many requests.
 * - `p95-latency`, `cost`, `fallback-rate`: budgets, judged on the observed figures once both arms
 *   have `minUnitsPerArm` units and requests (p95 has no interval): `fail` beyond the limit.
 *
 * Intervals are the always-valid ones when `sequential` (the default), fixed-horizon otherwise.
 *
 * Decision: `regress` when a guardrail (quality, error-rate, p95-latency, cost, fallback-rate) fails;
 * otherwise `hold` when any check blocks promotion (`missing` lists what it waits for); otherwise
 * `promote`.
 *
 * @example
 * const verdict = decidePromotion(resolvePromotionPolicy({ minDurationMs: 86_400_000 }), input);
 * verdict.decision; // 'hold'
 * verdict.missing; // [{ check: 'sample-size', arm: 'candidate', what: 'units', have: 40, need: 100 }, ...]
 */
export function decidePromotion(policy: PromotionPolicy, input: PromotionInput): PromotionVerdict {
  const results = runPromotionChecks(resolvePromotionPolicy(policy), input);
  const checks = results.map((r) => r.check);
  let decision: PromotionDecision = PromotionDecision.Promote;
  if (checks.some((c) => c.status === CheckStatus.Fail && GUARDRAILS.has(c.name))) {
    decision = PromotionDecision.Regress;
  } else if (checks.some((c) => c.blocksPromotion)) {
    decision = PromotionDecision.Hold;
  }
  const missing = results.filter((r) => r.check.blocksPromotion).flatMap((r) => r.missing);
  return { decision, checks, missing, summary: summarize(decision, checks) };
}
