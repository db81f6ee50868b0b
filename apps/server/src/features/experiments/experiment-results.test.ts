import { DDSketch } from '@datadog/sketches-js';
import { compareMeans, compareProportions, resolvePromotionPolicy } from '@switchboard/core/stats';
import { describe, expect, it } from 'vitest';
import { Metric, SHADOW_PREFIX } from '../events/event-metrics.js';
import type { FlagRollups, RollupAggregate, VariantRollups } from '../events/event-service.js';
import { computeResults, type ResultsInput } from './experiment-results.js';
import { controlOf, splitOf } from './experiment-service.js';

/** A rollup of these values (count, sum, sum of squares, and a sketch when asked). */
function of(values: number[], sketched = false): RollupAggregate {
  const aggregate: RollupAggregate = {
    count: values.length,
    sum: values.reduce((s, v) => s + v, 0),
    sumSquares: values.reduce((s, v) => s + v * v, 0),
  };
  if (sketched) {
    const sketch = new DDSketch({ relativeAccuracy: 0.01 });
    for (const v of values) sketch.accept(v);
    aggregate.sketch = sketch;
  }
  return aggregate;
}

const ones = (n: number) => new Array<number>(n).fill(1);

/** A variant with `units` units, `requests` generations of which `errors` failed, and latencies around `latency`. */
function arm(options: {
  units: number;
  requests: number;
  errors: number;
  latency: number;
  cost: number;
  thumbsUp: number;
  thumbsDown: number;
}): VariantRollups {
  const latencies = Array.from({ length: options.requests }, (_, i) => options.latency + (i % 50));
  return {
    units: options.units,
    metrics: {
      [Metric.Exposures]: of(ones(options.units)),
      [Metric.Generations]: of(ones(options.requests)),
      [Metric.Errors]: of(ones(options.errors)),
      [`${Metric.Errors}.rate_limit`]: of(ones(options.errors)),
      [Metric.LatencyMs]: of(latencies, true),
      [Metric.CostUsd]: of(new Array<number>(options.requests).fill(options.cost)),
      [Metric.FeedbackScore]: of([
        ...ones(options.thumbsUp),
        ...new Array<number>(options.thumbsDown).fill(0),
      ]),
      'metric:resolved': of(ones(10)),
    },
  };
}

function input(rollups: FlagRollups, overrides: Partial<ResultsInput> = {}): ResultsInput {
  return {
    flag: 'llm-model',
    environment: 'production',
    variants: ['candidate', 'control'],
    control: 'control',
    rollups,
    split: { candidate: 50_000, control: 50_000 },
    policy: resolvePromotionPolicy(),
    from: null,
    to: null,
    firstHour: new Date('2026-11-01T00:00:00Z'),
    lastHour: new Date('2026-11-02T23:00:00Z'),
    now: new Date('2026-11-03T00:00:00Z'),
    ...overrides,
  };
}

const healthy = {
  units: 2_000,
  requests: 4_000,
  errors: 40,
  latency: 800,
  cost: 0.002,
  thumbsUp: 900,
  thumbsDown: 100,
};

describe('computeResults', () => {
  it('reports each variant from its rollups: rates, quantiles, cost per request and per day', () => {
    const results = computeResults(
      input({
        control: arm(healthy),
        candidate: arm({ ...healthy, errors: 80, latency: 1_000, cost: 0.001 }),
      }),
    );
    const candidate = results.variants.find((v) => v.variant === 'candidate');
    expect(candidate).toMatchObject({
      control: false,
      units: 2_000,
      exposures: 2_000,
      requests: 4_000,
      requestShare: 0.5,
      errors: 80,
      errorRate: 0.02,
      errorsByKind: { rate_limit: 80 },
      quality: { n: 1_000, mean: 0.9 },
      tokens: { input: 0, output: 0 },
      metrics: { resolved: { count: 10, mean: 1 } },
    });
    // Latencies 1000..1049: p50 ≈ 1024, p95 ≈ 1047 within the sketch's 1%.
    expect(candidate?.latencyMs.p50).toBeGreaterThan(1_024 * 0.99);
    expect(candidate?.latencyMs.p50).toBeLessThan(1_025 * 1.01);
    expect(candidate?.latencyMs.p95).toBeGreaterThan(1_047 * 0.99);
    expect(candidate?.cost.perRequestUsd).toBeCloseTo(0.001, 12);
    // 4 USD over the two days the data covers.
    expect(candidate?.cost.totalUsd).toBeCloseTo(4, 9);
    expect(candidate?.cost.perDayUsd).toBeCloseTo(2, 9);
    expect(results.adoption).toEqual({ requestShare: 0.5, units: 2_000 });
  });

  it('compares each candidate with the control using core statistics, and checks the split', () => {
    const control = arm(healthy);
    const candidate = arm({ ...healthy, thumbsUp: 950, thumbsDown: 50 });
    const results = computeResults(input({ control, candidate }));
    const [comparison] = results.comparisons;
    const feedback = (v: VariantRollups) => v.metrics[Metric.FeedbackScore] as RollupAggregate;
    expect(comparison?.quality).toEqual(
      compareMeans(
        { n: 1_000, sum: feedback(control).sum, sumSquares: feedback(control).sumSquares },
        { n: 1_000, sum: feedback(candidate).sum, sumSquares: feedback(candidate).sumSquares },
      ),
    );
    expect(comparison?.errorRate).toEqual(
      compareProportions({ n: 4_000, successes: 40 }, { n: 4_000, successes: 40 }),
    );
    expect(results.sampleRatio).toMatchObject({
      mismatch: false,
      expected: { candidate: 50_000, control: 50_000 },
    });
    expect(results.sampleRatio?.pValue).toBe(1);
  });

  it('gives the verdict of the policy: hold on short data, regress on a broken guardrail, SRM holds', () => {
    const small = { ...healthy, units: 40, requests: 80, errors: 0, thumbsUp: 10, thumbsDown: 0 };
    const short = computeResults(input({ control: arm(small), candidate: arm(small) }));
    expect(short.comparisons[0]?.verdict.decision).toBe('hold');
    expect(short.comparisons[0]?.verdict.missing).toContainEqual(
      expect.objectContaining({ check: 'sample-size', what: 'units', have: 40, need: 100 }),
    );

    const broken = computeResults(
      input({ control: arm(healthy), candidate: arm({ ...healthy, errors: 800 }) }),
    );
    expect(broken.comparisons[0]?.verdict.decision).toBe('regress');
    expect(broken.comparisons[0]?.verdict.checks).toContainEqual(
      expect.objectContaining({ name: 'error-rate', status: 'fail' }),
    );

    const skewed = computeResults(
      input({ control: arm(healthy), candidate: arm({ ...healthy, units: 1_500 }) }),
    );
    expect(skewed.sampleRatio?.mismatch).toBe(true);
    expect(skewed.comparisons[0]?.verdict.decision).toBe('hold');
  });

  it('checks the split on exposures, so units a rule serves directly do not count', () => {
    const candidate = arm(healthy);
    // 500 beta users served the candidate by a rule: units and requests, but no exposures.
    candidate.units += 500;
    const results = computeResults(input({ control: arm(healthy), candidate }));
    expect(results.sampleRatio?.mismatch).toBe(false);
  });

  it('reports variants with no data as empty, and variants no longer defined that still have data', () => {
    const results = computeResults(input({ control: arm(healthy), retired: arm(healthy) }));
    expect(results.variants.map((v) => v.variant)).toEqual(['candidate', 'control', 'retired']);
    const empty = results.variants[0];
    expect(empty).toMatchObject({
      units: 0,
      requests: 0,
      errorRate: null,
      fallbackRate: null,
      quality: { n: 0, mean: null },
    });
    expect(empty?.latencyMs).toEqual({ p50: null, p95: null, p99: null, mean: null });
    expect(JSON.parse(JSON.stringify(results))).toBeTruthy();
  });

  it("reports a variant's shadow calls apart, with their judge quality and the paired judge difference", () => {
    const shadow = (name: string) => `${SHADOW_PREFIX}${name}`;
    const candidate = arm({ ...healthy, requests: 0, errors: 0, units: 0, thumbsUp: 0, thumbsDown: 0 });
    Object.assign(candidate.metrics, {
      [shadow(Metric.Generations)]: of(ones(4)),
      [shadow(Metric.Errors)]: of(ones(1)),
      [shadow(Metric.LatencyMs)]: of([900, 1_000, 1_100, 1_200], true),
      [shadow(Metric.CostUsd)]: of([0.01, 0.01, 0.01]),
      [shadow(Metric.JudgeScore)]: of([0.9, 0.8, 0.7]),
      // servedScore − shadowScore of three judged pairs.
      [shadow(Metric.JudgePairedDifference)]: of([-0.2, -0.1, 0]),
    });
    const result = computeResults(input({ control: arm(healthy), candidate })).variants.find(
      (v) => v.variant === 'candidate',
    );
    expect(result?.requests).toBe(0);
    expect(result?.shadow).toMatchObject({
      requests: 4,
      errors: 1,
      costUsd: 0.03,
      judgeQuality: { n: 3, mean: expect.closeTo(0.8, 10) },
      pairedJudgeDifference: { n: 3, mean: expect.closeTo(-0.1, 10) },
    });
    const effect = result?.shadow.pairedJudgeDifference.effect;
    // sd 0.1 over 3 pairs: standard error 0.1 / √3, t(2) quantile 4.302653.
    expect(effect?.standardError).toBeCloseTo(0.1 / Math.sqrt(3), 10);
    expect(effect?.ci[0]).toBeCloseTo(-0.1 - 4.302653 * (0.1 / Math.sqrt(3)), 5);
    expect(result?.shadow.latencyMs.p50).toBeGreaterThan(0);
  });
});

describe('control and split of a configuration', () => {
  const flag = { variants: [{ key: 'new' }, { key: 'old' }] };
  const split = {
    split: [
      { variant: 'new', weight: 10_000 },
      { variant: 'old', weight: 90_000 },
    ],
  };
  it('takes a "control" variant, else the off variant when the split serves it, else the split\'s last entry', () => {
    expect(controlOf(flag, { offVariant: 'old', fallthrough: split })).toBe('old');
    expect(
      controlOf(
        { variants: [{ key: 'control' }, ...flag.variants] },
        { offVariant: null, fallthrough: split },
      ),
    ).toBe('control');
    expect(controlOf(flag, { offVariant: null, fallthrough: split })).toBe('old');
    expect(controlOf(flag, { offVariant: null, fallthrough: { variant: 'new' } })).toBe('new');
  });
  it('reads a split as weights per variant', () => {
    expect(splitOf(split)).toEqual({ new: 10_000, old: 90_000 });
    expect(splitOf({ variant: 'new' })).toBeNull();
  });
});
