import { describe, expect, it } from 'vitest';
import { compareProportions, type ProportionSummary } from './proportion-comparison.js';

describe('compareProportions against gbstats', () => {
  it('reproduces TwoSidedTTest on ProportionStatistic(14, 28) vs (16, 30)', () => {
    // packages/stats/tests/frequentist/test_tests.py, test_two_sided_ttest_binom.
    const result = compareProportions({ n: 28, successes: 14 }, { n: 30, successes: 16 });
    expect(result.relative?.estimate).toBeCloseTo(0.06667, 5);
    expect(result.relative?.standardError).toBeCloseTo(0.2717, 5);
    expect(result.relative?.pValue).toBeCloseTo(0.80707, 5);
    expect(result.relative?.ci[0]).toBeCloseTo(-0.47767, 5);
    expect(result.relative?.ci[1]).toBeCloseTo(0.61101, 5);
    expect(result.control).toEqual({ n: 28, mean: 0.5, variance: 0.25 });
  });

  it('reproduces SequentialTwoSidedTTest on ProportionStatistic(1396, 3000) vs (2422, 3461)', () => {
    // test_sequential_test_runs_prop, default tuning parameter 5000.
    const { sequential } = compareProportions({ n: 3000, successes: 1396 }, { n: 3461, successes: 2422 });
    expect(sequential.tuningParameter).toBe(5000);
    expect(sequential.relative?.estimate).toBeCloseTo(0.50386, 5);
    expect(sequential.relative?.standardError).toBeCloseTo(0.03386, 5);
    expect(sequential.relative?.ci[0]).toBeCloseTo(0.40098, 5);
    expect(sequential.relative?.ci[1]).toBeCloseTo(0.60675, 5);
    expect(sequential.relative?.pValue).toBeCloseTo(0, 5);
    expect(sequential.relative?.pValue).toBeGreaterThan(0);
  });
});

describe('compareProportions on degenerate input', () => {
  it('reads no errors in either arm as an exact zero difference', () => {
    const result = compareProportions({ n: 200, successes: 0 }, { n: 300, successes: 0 });
    expect(result.problems).toEqual(['no-variance', 'zero-baseline']);
    expect(result.absolute).toEqual({ estimate: 0, standardError: 0, ci: [0, 0], pValue: 1 });
    expect(result.sequential.absolute).toEqual({ estimate: 0, standardError: 0, ci: [0, 0], pValue: 1 });
    expect(result.relative).toBeNull();
  });

  it('tests against the control alone when the treatment never fails', () => {
    const result = compareProportions({ n: 100, successes: 5 }, { n: 100, successes: 0 });
    expect(result.problems).toEqual([]);
    expect(result.degreesOfFreedom).toBeCloseTo(99, 9);
    expect(result.absolute?.standardError).toBeCloseTo(Math.sqrt((0.05 * 0.95) / 100), 12);
    // Relative lift is exactly -100% when the treatment rate is exactly 0 with no variance.
    expect(result.relative).toEqual({ estimate: -1, standardError: 0, ci: [-1, -1], pValue: 0 });
  });

  it.each<[string, ProportionSummary]>([
    ['n = 0', { n: 0, successes: 0 }],
    ['n = 1', { n: 1, successes: 1 }],
  ])('reports no effect with %s', (_, arm) => {
    const result = compareProportions(arm, { n: 50, successes: 5 });
    expect(result.problems).toEqual(['too-few-observations']);
    expect(result.absolute).toBeNull();
    expect(result.sequential.absolute).toBeNull();
  });

  it.each<[string, ProportionSummary]>([
    ['more successes than trials', { n: 10, successes: 11 }],
    ['negative successes', { n: 10, successes: -1 }],
    ['NaN n', { n: Number.NaN, successes: 1 }],
    ['infinite successes', { n: 10, successes: Number.POSITIVE_INFINITY }],
  ])('reports invalid input for %s, without throwing', (_, bad) => {
    const result = compareProportions({ n: 50, successes: 5 }, bad);
    expect(result.problems).toEqual(['invalid-input']);
    expect(result.treatment).toEqual({ n: 0, mean: null, variance: null });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
