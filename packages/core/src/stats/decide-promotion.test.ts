import { describe, expect, it } from 'vitest';
import { decidePromotion } from './decide-promotion.js';
import type { MomentSummary } from './mean-comparison.js';
import {
  DEFAULT_PROMOTION_POLICY,
  type PromotionPolicy,
  resolvePromotionPolicy,
} from './promotion-policy.js';
import type { PromotionArm, PromotionInput, PromotionVerdict } from './promotion-verdict.js';
import { sampleRatioMismatch } from './sample-ratio.js';

const HOUR_MS = 3_600_000;

/** Moments of `n` judge scores with the given mean and sample standard deviation. */
function scores(n: number, mean: number, sd: number): MomentSummary {
  return { n, sum: n * mean, sumSquares: (n - 1) * sd * sd + n * mean * mean };
}

function arm(overrides: Partial<PromotionArm> = {}): PromotionArm {
  return {
    units: 1000,
    requests: 2000,
    quality: scores(1000, 0.8, 0.1),
    latencyP95Ms: 1200,
    costPerRequestUsd: 0.002,
    errors: { n: 2000, successes: 20 },
    fallbacks: { n: 2000, successes: 10 },
    ...overrides,
  };
}

function input(candidate: Partial<PromotionArm> = {}, rest: Partial<PromotionInput> = {}): PromotionInput {
  return {
    control: arm(),
    candidate: arm({ errors: { n: 2000, successes: 16 }, ...candidate }),
    sampleRatio: sampleRatioMismatch([1000, 1000], [1, 1]),
    elapsedMs: 48 * HOUR_MS,
    ...rest,
  };
}

// The defaults, except an error rate allowed to rise by one percentage point (see the error-rate tests).
const POLICY: PromotionPolicy = resolvePromotionPolicy({ maxErrorRateIncrease: 0.01 });

const check = (verdict: PromotionVerdict, name: string) => {
  const found = verdict.checks.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no ${name} check`);
  return found;
};

function expectJsonSafe(verdict: PromotionVerdict): void {
  for (const c of verdict.checks) {
    for (const value of Object.values(c.figures)) {
      if (value !== null) expect(Number.isFinite(value)).toBe(true);
    }
  }
  expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
}

describe('decidePromotion', () => {
  it('promotes when every check passes', () => {
    const verdict = decidePromotion(POLICY, input());
    expect(verdict.checks.map((c) => [c.name, c.status])).toEqual([
      ['sample-size', 'pass'],
      ['duration', 'pass'],
      ['sample-ratio', 'pass'],
      ['quality', 'pass'],
      ['error-rate', 'pass'],
      ['p95-latency', 'pass'],
      ['cost', 'pass'],
      ['fallback-rate', 'pass'],
    ]);
    expect(verdict.decision).toBe('promote');
    expect(verdict.missing).toEqual([]);
    expect(verdict.summary).toBe('promote: every check passed');
    expect(check(verdict, 'cost').detail).toBe('no cost limit in the policy');
    expectJsonSafe(verdict);
  });

  it('holds while data is short and says what is missing, even with a bad-looking candidate', () => {
    const verdict = decidePromotion(
      resolvePromotionPolicy({ ...POLICY, minDurationMs: 24 * HOUR_MS }),
      input(
        {
          units: 40,
          requests: 80,
          errors: { n: 80, successes: 40 },
          fallbacks: { n: 80, successes: 0 },
          quality: scores(30, 0.5, 0.1),
        },
        { elapsedMs: HOUR_MS, sampleRatio: sampleRatioMismatch([1000, 40], [95, 5]) },
      ),
    );
    expect(verdict.decision).toBe('hold');
    expect(verdict.missing).toEqual([
      { check: 'sample-size', arm: 'candidate', what: 'units', have: 40, need: 100 },
      { check: 'duration', arm: null, what: 'duration-ms', have: HOUR_MS, need: 24 * HOUR_MS },
      { check: 'quality', arm: 'candidate', what: 'feedback', have: 30, need: 100 },
      { check: 'error-rate', arm: 'candidate', what: 'requests', have: 80, need: 100 },
      { check: 'p95-latency', arm: 'candidate', what: 'requests', have: 80, need: 100 },
      { check: 'fallback-rate', arm: 'candidate', what: 'requests', have: 80, need: 100 },
    ]);
    // Nothing is decided on fewer units than the minimum, in either direction.
    expect(check(verdict, 'error-rate').status).toBe('insufficient');
    expect(check(verdict, 'quality').status).toBe('insufficient');
    expect(verdict.summary).toBe(
      'hold: waiting on sample-size, duration, quality, error-rate, p95-latency, fallback-rate',
    );
    expectJsonSafe(verdict);
  });

  it('never asks for fewer than 100 units per arm', () => {
    const verdict = decidePromotion({ ...POLICY, minUnitsPerArm: 10 }, input({ units: 50 }));
    expect(verdict.decision).toBe('hold');
    expect(check(verdict, 'sample-size').figures.minUnitsPerArm).toBe(100);
    expect(verdict.missing[0]).toEqual({
      check: 'sample-size',
      arm: 'candidate',
      what: 'units',
      have: 50,
      need: 100,
    });
  });

  describe('sample ratio', () => {
    it('holds on a mismatch, with a failed check: the results cannot be trusted either way', () => {
      const verdict = decidePromotion(
        POLICY,
        input({}, { sampleRatio: sampleRatioMismatch([1000, 1200], [1, 1]) }),
      );
      expect(verdict.decision).toBe('hold');
      expect(check(verdict, 'sample-ratio').status).toBe('fail');
      expect(check(verdict, 'sample-ratio').figures.pValue).toBeCloseTo(0.000020079, 9);
      expect(verdict.missing).toEqual([]);
      expect(verdict.summary).toBe(
        'hold: sample-ratio mismatch, results cannot be trusted until assignment is fixed',
      );
    });

    it('uses the policy threshold, not the one the check was computed with', () => {
      const srm = sampleRatioMismatch([1000, 1130], [1, 1], { threshold: 0.01 });
      expect(srm.mismatch).toBe(true);
      expect(decidePromotion(POLICY, input({}, { sampleRatio: srm })).decision).toBe('promote');
      expect(
        decidePromotion({ ...POLICY, srmThreshold: 0.01 }, input({}, { sampleRatio: srm })).decision,
      ).toBe('hold');
    });

    it('still regresses on a broken guardrail: rolling back is always safe', () => {
      const verdict = decidePromotion(
        POLICY,
        input(
          { errors: { n: 2000, successes: 300 } },
          { sampleRatio: sampleRatioMismatch([1000, 1200], [1, 1]) },
        ),
      );
      expect(verdict.decision).toBe('regress');
    });

    it('holds when the check was not computed', () => {
      const verdict = decidePromotion(POLICY, input({}, { sampleRatio: null }));
      expect(verdict.decision).toBe('hold');
      expect(verdict.missing).toEqual([
        { check: 'sample-ratio', arm: null, what: 'figure', have: null, need: null },
      ]);
    });
  });

  describe('quality', () => {
    it('regresses when the whole interval lies below −qualityDelta', () => {
      const verdict = decidePromotion(POLICY, input({ quality: scores(1000, 0.7, 0.1) }));
      expect(check(verdict, 'quality').status).toBe('fail');
      expect(check(verdict, 'quality').figures.ciUpper).toBeLessThan(-0.02);
      expect(verdict.decision).toBe('regress');
      expect(verdict.summary).toBe('regress: guardrail broken (quality)');
    });

    it('holds while the interval straddles −qualityDelta', () => {
      const verdict = decidePromotion(POLICY, input({ quality: scores(1000, 0.78, 0.1) }));
      expect(check(verdict, 'quality').status).toBe('insufficient');
      expect(verdict.decision).toBe('hold');
      expect(verdict.missing).toEqual([
        { check: 'quality', arm: null, what: 'evidence', have: null, need: null },
      ]);
    });

    it('judges with the always-valid interval unless sequential is off', () => {
      // A drop of 0.01: the fixed-horizon interval shows non-inferiority, the always-valid one not yet.
      const slightlyWorse = input({ quality: scores(1000, 0.79, 0.1) });
      expect(check(decidePromotion(POLICY, slightlyWorse), 'quality').status).toBe('insufficient');
      expect(check(decidePromotion({ ...POLICY, sequential: false }, slightlyWorse), 'quality').status).toBe(
        'pass',
      );
    });

    it('does not block promotion when no feedback was recorded at all', () => {
      const none: MomentSummary = { n: 0, sum: 0, sumSquares: 0 };
      const verdict = decidePromotion(POLICY, {
        ...input({ quality: none }),
        control: arm({ quality: none }),
      });
      expect(check(verdict, 'quality')).toMatchObject({ status: 'insufficient', blocksPromotion: false });
      expect(verdict.decision).toBe('promote');
      expect(verdict.missing).toEqual([]);
    });

    it('holds without feedback when the policy requires it', () => {
      const none: MomentSummary = { n: 0, sum: 0, sumSquares: 0 };
      const verdict = decidePromotion(
        { ...POLICY, requireQualityFeedback: true },
        { ...input({ quality: none }), control: arm({ quality: none }) },
      );
      expect(verdict.decision).toBe('hold');
      expect(verdict.missing).toEqual([
        { check: 'quality', arm: 'control', what: 'feedback', have: 0, need: 100 },
        { check: 'quality', arm: 'candidate', what: 'feedback', have: 0, need: 100 },
      ]);
    });

    it('waits for enough feedback in each arm once any is recorded', () => {
      const verdict = decidePromotion(POLICY, input({ quality: scores(3, 0.2, 0) }));
      expect(check(verdict, 'quality')).toMatchObject({ status: 'insufficient', blocksPromotion: true });
      expect(verdict.decision).toBe('hold');
    });
  });

  describe('error rate', () => {
    it('regresses when the whole interval lies above the allowed increase', () => {
      const verdict = decidePromotion(POLICY, input({ errors: { n: 2000, successes: 200 } }));
      expect(check(verdict, 'error-rate').status).toBe('fail');
      expect(check(verdict, 'error-rate').figures.ciLower).toBeGreaterThan(0.01);
      expect(verdict.decision).toBe('regress');
    });

    it('with the default limit of 0, holds on equal nonzero error rates: "not up" cannot be shown', () => {
      const verdict = decidePromotion(
        DEFAULT_PROMOTION_POLICY,
        input({ errors: { n: 2000, successes: 20 } }),
      );
      expect(check(verdict, 'error-rate').status).toBe('insufficient');
      expect(verdict.decision).toBe('hold');
    });

    it('with the default limit of 0, passes when neither arm had an error', () => {
      const clean = { errors: { n: 2000, successes: 0 } };
      const verdict = decidePromotion(DEFAULT_PROMOTION_POLICY, { ...input(clean), control: arm(clean) });
      expect(check(verdict, 'error-rate').status).toBe('pass');
      expect(verdict.decision).toBe('promote');
    });
  });

  describe('budgets', () => {
    it('regresses when p95 latency rises beyond the limit, and passes within it', () => {
      expect(decidePromotion(POLICY, input({ latencyP95Ms: 1800 })).decision).toBe('regress');
      expect(
        check(decidePromotion(POLICY, input({ latencyP95Ms: 1800 })), 'p95-latency').figures.increaseMs,
      ).toBe(600);
      expect(decidePromotion(POLICY, input({ latencyP95Ms: 1700 })).decision).toBe('promote');
    });

    it('holds when a p95 is unknown', () => {
      const verdict = decidePromotion(POLICY, input({ latencyP95Ms: null }));
      expect(verdict.decision).toBe('hold');
      expect(verdict.missing).toEqual([
        { check: 'p95-latency', arm: 'candidate', what: 'figure', have: null, need: null },
      ]);
    });

    it('regresses over the cost budget', () => {
      const policy = { ...POLICY, maxCostPerRequestUsd: 0.0025 };
      expect(decidePromotion(policy, input({ costPerRequestUsd: 0.003 })).decision).toBe('regress');
      expect(decidePromotion(policy, input({ costPerRequestUsd: 0.0024 })).decision).toBe('promote');
    });

    it('regresses over the allowed cost increase, including any cost over a free control', () => {
      const policy = { ...POLICY, maxCostIncreaseRatio: 0.2 };
      const verdict = decidePromotion(policy, input({ costPerRequestUsd: 0.0025 }));
      expect(verdict.decision).toBe('regress');
      expect(check(verdict, 'cost').figures.increaseRatio).toBeCloseTo(0.25, 12);
      expect(decidePromotion(policy, input({ costPerRequestUsd: 0.0023 })).decision).toBe('promote');
      const free = { ...input({ costPerRequestUsd: 0.0001 }), control: arm({ costPerRequestUsd: 0 }) };
      expect(decidePromotion(policy, free).decision).toBe('regress');
    });

    it('holds when a cost the policy needs is unknown', () => {
      const verdict = decidePromotion(
        { ...POLICY, maxCostIncreaseRatio: 0.2 },
        {
          ...input(),
          control: arm({ costPerRequestUsd: null }),
        },
      );
      expect(verdict.decision).toBe('hold');
      expect(verdict.missing).toEqual([
        { check: 'cost', arm: 'control', what: 'figure', have: null, need: null },
      ]);
    });

    it('regresses when fallbacks answer more than the allowed share of requests', () => {
      const verdict = decidePromotion(POLICY, input({ fallbacks: { n: 2000, successes: 120 } }));
      expect(check(verdict, 'fallback-rate')).toMatchObject({
        status: 'fail',
        figures: { candidateRate: 0.06 },
      });
      expect(verdict.decision).toBe('regress');
      expect(decidePromotion(POLICY, input({ fallbacks: { n: 2000, successes: 100 } })).decision).toBe(
        'promote',
      );
    });

    it('names every broken guardrail', () => {
      const verdict = decidePromotion(
        POLICY,
        input({
          latencyP95Ms: 5000,
          errors: { n: 2000, successes: 400 },
          fallbacks: { n: 2000, successes: 400 },
        }),
      );
      expect(verdict.summary).toBe('regress: guardrail broken (error-rate, p95-latency, fallback-rate)');
    });
  });

  it('never throws on unusable numbers and never passes a check on them', () => {
    const nan = Number.NaN;
    const verdict = decidePromotion(
      { ...POLICY, alpha: nan, minUnitsPerArm: nan, qualityDelta: -1, minDurationMs: 1 },
      {
        control: arm({ units: nan, latencyP95Ms: Number.POSITIVE_INFINITY }),
        candidate: arm({
          requests: nan,
          quality: { n: nan, sum: 1, sumSquares: 1 },
          errors: { n: 10, successes: 20 },
          fallbacks: { n: nan, successes: 0 },
          costPerRequestUsd: nan,
        }),
        sampleRatio: null,
        elapsedMs: nan,
      },
    );
    expect(verdict.decision).toBe('hold');
    const passed = verdict.checks.filter((c) => c.status === 'pass').map((c) => c.name);
    expect(passed).toEqual(['cost']); // the policy sets no cost limit
    expectJsonSafe(verdict);
  });
});

describe('resolvePromotionPolicy', () => {
  it('fills in the defaults', () => {
    expect(resolvePromotionPolicy()).toEqual(DEFAULT_PROMOTION_POLICY);
    expect(DEFAULT_PROMOTION_POLICY).toMatchObject({
      minUnitsPerArm: 100,
      minDurationMs: 0,
      qualityDelta: 0.02,
      requireQualityFeedback: false,
      maxP95LatencyIncreaseMs: 500,
      maxCostPerRequestUsd: undefined,
      maxCostIncreaseRatio: undefined,
      maxErrorRateIncrease: 0.005,
      maxFallbackRate: 0.05,
      srmThreshold: 0.001,
      alpha: 0.05,
      sequential: true,
      sequentialTuningParameter: 5000,
    });
    expect(Object.isFrozen(DEFAULT_PROMOTION_POLICY)).toBe(true);
  });

  it('keeps usable settings and replaces unusable ones by their defaults', () => {
    const policy = resolvePromotionPolicy({
      minUnitsPerArm: 20.5,
      qualityDelta: 0.05,
      maxFallbackRate: 2,
      alpha: 0,
      srmThreshold: 0.01,
      maxCostPerRequestUsd: -1,
      maxCostIncreaseRatio: 0.2,
      sequentialTuningParameter: 0,
    });
    expect(policy).toMatchObject({
      minUnitsPerArm: 100,
      qualityDelta: 0.05,
      maxFallbackRate: 0.05,
      alpha: 0.05,
      srmThreshold: 0.01,
      maxCostPerRequestUsd: undefined,
      maxCostIncreaseRatio: 0.2,
      sequentialTuningParameter: 5000,
    });
    expect(resolvePromotionPolicy({ minUnitsPerArm: 250.2 }).minUnitsPerArm).toBe(251);
  });
});
