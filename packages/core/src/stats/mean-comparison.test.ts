import { describe, expect, it } from 'vitest';
import type { Comparison } from './comparison.js';
import { compareMeans, type MomentSummary } from './mean-comparison.js';

// GrowthBook gbstats, packages/stats/tests/frequentist/test_tests.py (TestTwoSidedTTest): means 0.41 and
// 0.7, standard deviations 3.9 and 6.2. Expected values are printed there to 5 decimals.
const A: MomentSummary = { n: 3407, sum: 1396.87, sumSquares: 52377.9767 };
const B: MomentSummary = { n: 3461, sum: 2422.7, sumSquares: 134698.29 };
// The same sums over 3000 control units: TestSequentialTTest and the one-sided tests.
const A3000: MomentSummary = { n: 3000, sum: 1396.87, sumSquares: 52377.9767 };

/** Every number reachable in a comparison, to check that none is NaN or infinite. */
function numbersOf(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(numbersOf);
}
function expectJsonSafe(comparison: Comparison): void {
  for (const n of numbersOf(comparison)) expect(Number.isFinite(n)).toBe(true);
  expect(JSON.parse(JSON.stringify(comparison))).toEqual(comparison);
}

describe('compareMeans against gbstats', () => {
  it('reproduces the relative lift of TwoSidedTTest', () => {
    const { relative } = compareMeans(A, B);
    expect(relative?.estimate).toBeCloseTo(0.70732, 5);
    expect(relative?.standardError).toBeCloseTo(0.37879, 5);
    expect(relative?.pValue).toBeCloseTo(0.06191, 5);
    expect(relative?.ci[0]).toBeCloseTo(-0.03526, 5);
    expect(relative?.ci[1]).toBeCloseTo(1.44989, 5);
  });

  it('reproduces the absolute difference of TwoSidedTTest', () => {
    const result = compareMeans(A, B);
    expect(result.absolute?.estimate).toBeCloseTo(0.29, 10);
    expect(result.absolute?.standardError).toBeCloseTo(0.12478, 5);
    expect(result.absolute?.pValue).toBeCloseTo(0.02016, 5);
    expect(result.absolute?.ci[0]).toBeCloseTo(0.04538, 5);
    expect(result.absolute?.ci[1]).toBeCloseTo(0.53462, 5);
    expect(result.control.mean).toBeCloseTo(0.41, 12);
    expect(result.control.variance).toBeCloseTo(3.9 ** 2, 9);
    expect(result.treatment.variance).toBeCloseTo(6.2 ** 2, 9);
    expect(result.problems).toEqual([]);
  });

  it('reproduces the estimates and standard errors printed in full by the one-sided tests', () => {
    const result = compareMeans(A3000, B);
    expect(result.absolute?.estimate).toBeCloseTo(0.23437666666666668, 12);
    expect(result.absolute?.standardError).toBeCloseTo(0.12983081254184736, 12);
    expect(result.relative?.estimate).toBeCloseTo(0.5033610858562358, 12);
    expect(result.relative?.standardError).toBeCloseTo(0.3334122146400735, 12);
  });

  it('reproduces SequentialTwoSidedTTest with a tuning parameter of 1000', () => {
    const { sequential } = compareMeans(A3000, B, { sequentialTuningParameter: 1000 });
    expect(sequential.tuningParameter).toBe(1000);
    expect(sequential.relative?.estimate).toBeCloseTo(0.50336, 5);
    expect(sequential.relative?.standardError).toBeCloseTo(0.33341, 5);
    expect(sequential.relative?.ci[0]).toBeCloseTo(-0.55844, 5);
    expect(sequential.relative?.ci[1]).toBeCloseTo(1.56516, 5);
    expect(sequential.relative?.pValue).toBe(1);
  });

  it('widens the sequential interval most when N* is far below the sample size (gbstats tuning test)', () => {
    const width = (tuning: number) => {
      const ci = compareMeans(A3000, B, { sequentialTuningParameter: tuning }).sequential.relative?.ci;
      return ci === undefined ? Number.NaN : ci[1] - ci[0];
    };
    expect(width(10)).toBeGreaterThan(width(10_000));
    expect(width(10_000)).toBeGreaterThan(width(6461));
  });

  it('is always wider sequentially than at a fixed horizon, around the same estimate', () => {
    const result = compareMeans(A, B);
    for (const kind of ['absolute', 'relative'] as const) {
      const fixed = result[kind];
      const always = result.sequential[kind];
      expect(always?.estimate).toBe(fixed?.estimate);
      expect(always?.standardError).toBe(fixed?.standardError);
      expect(always?.ci[0]).toBeLessThan(fixed?.ci[0] ?? Number.NaN);
      expect(always?.ci[1]).toBeGreaterThan(fixed?.ci[1] ?? Number.NaN);
      expect(always?.pValue).toBeGreaterThan(fixed?.pValue ?? Number.NaN);
    }
  });

  it('uses the requested alpha', () => {
    const wide = compareMeans(A, B, { alpha: 0.01 }).absolute?.ci;
    const narrow = compareMeans(A, B).absolute?.ci;
    expect(compareMeans(A, B, { alpha: 0.01 }).alpha).toBe(0.01);
    expect(wide?.[0]).toBeLessThan(narrow?.[0] ?? Number.NaN);
    // The 99% interval of a p = 0.02016 difference contains 0; the 95% one does not.
    expect(wide?.[0]).toBeLessThan(0);
  });
});

describe('compareMeans on degenerate input', () => {
  const one: MomentSummary = { n: 1, sum: 3, sumSquares: 9 };
  const empty: MomentSummary = { n: 0, sum: 0, sumSquares: 0 };

  it.each([
    ['n = 0', empty],
    ['n = 1', one],
  ])('reports no effect when an arm has %s', (_, arm) => {
    for (const result of [compareMeans(arm, B), compareMeans(A, arm)]) {
      expect(result.absolute).toBeNull();
      expect(result.relative).toBeNull();
      expect(result.sequential.absolute).toBeNull();
      expect(result.sequential.relative).toBeNull();
      expect(result.degreesOfFreedom).toBeNull();
      expect(result.problems).toEqual(['too-few-observations']);
      expectJsonSafe(result);
    }
    expect(compareMeans(one, B).control).toEqual({ n: 1, mean: 3, variance: null });
    expect(compareMeans(empty, B).control).toEqual({ n: 0, mean: null, variance: null });
  });

  it('reports an exact difference when neither arm varies', () => {
    const sevens: MomentSummary = { n: 100, sum: 70, sumSquares: 49 };
    const eights: MomentSummary = { n: 50, sum: 40, sumSquares: 32 };
    const result = compareMeans(sevens, eights);
    expect(result.problems).toEqual(['no-variance']);
    expect(result.control.variance).toBe(0);
    expect(result.degreesOfFreedom).toBeNull();
    expect(result.absolute?.estimate).toBeCloseTo(0.1, 12);
    expect(result.absolute?.standardError).toBe(0);
    expect(result.absolute?.ci[0]).toBe(result.absolute?.estimate);
    expect(result.absolute?.pValue).toBe(0);
    expect(result.sequential.absolute?.ci[1]).toBe(result.absolute?.estimate);
    expect(compareMeans(sevens, sevens).absolute).toEqual({
      estimate: 0,
      standardError: 0,
      ci: [0, 0],
      pValue: 1,
    });
    expectJsonSafe(result);
  });

  it('tests against the varying arm when only one arm varies', () => {
    const constant: MomentSummary = { n: 100, sum: 41, sumSquares: 16.81 };
    const result = compareMeans(constant, B);
    expect(result.problems).toEqual([]);
    expect(result.degreesOfFreedom).toBeCloseTo(3460, 6);
    expect(result.absolute?.standardError).toBeCloseTo(6.2 / Math.sqrt(3461), 9);
    expectJsonSafe(result);
  });

  it('has no relative lift when the control mean is 0', () => {
    const zero: MomentSummary = { n: 4, sum: 0, sumSquares: 8 };
    const result = compareMeans(zero, B);
    expect(result.problems).toEqual(['zero-baseline']);
    expect(result.relative).toBeNull();
    expect(result.sequential.relative).toBeNull();
    expect(result.absolute?.estimate).toBeCloseTo(0.7, 12);
    expect(result.sequential.absolute).not.toBeNull();
    expectJsonSafe(result);
  });

  it('divides the relative lift by the magnitude of a negative control mean', () => {
    const negative: MomentSummary = { n: 3407, sum: -1396.87, sumSquares: 52377.9767 };
    const result = compareMeans(negative, { n: 3461, sum: -2422.7, sumSquares: 134698.29 });
    expect(result.relative?.estimate).toBeCloseTo(-0.70732, 5);
    expect(result.relative?.standardError).toBeCloseTo(0.37879, 5);
  });

  it.each<[string, MomentSummary]>([
    ['NaN n', { n: Number.NaN, sum: 1, sumSquares: 1 }],
    ['infinite sum', { n: 10, sum: Number.POSITIVE_INFINITY, sumSquares: 1 }],
    ['NaN sum of squares', { n: 10, sum: 1, sumSquares: Number.NaN }],
    ['negative n', { n: -3, sum: 1, sumSquares: 1 }],
    ['sum of squares below sum² / n', { n: 10, sum: 10, sumSquares: 5 }],
    ['a sum without observations', { n: 0, sum: 1, sumSquares: 1 }],
  ])('reports invalid input for %s, without throwing', (_, bad) => {
    for (const result of [compareMeans(bad, B), compareMeans(A, bad)]) {
      expect(result.problems).toEqual(['invalid-input']);
      expect(result.absolute).toBeNull();
      expect(result.relative).toBeNull();
      expectJsonSafe(result);
    }
  });

  it('reports invalid input when the arithmetic overflows', () => {
    // A control mean of 1e-200 squares to 0: the delta-method variance divides by it.
    const tiny: MomentSummary = { n: 2, sum: 2e-200, sumSquares: 0 };
    const result = compareMeans(tiny, B);
    expect(result.problems).toEqual(['invalid-input']);
    expect(result.control.mean).toBe(1e-200);
    expectJsonSafe(result);
  });

  it('falls back to the default alpha and tuning parameter for unusable options', () => {
    const result = compareMeans(A, B, { alpha: Number.NaN, sequentialTuningParameter: -5 });
    expect(result.alpha).toBe(0.05);
    expect(result.sequential.tuningParameter).toBe(5000);
    expect(compareMeans(A, B, { alpha: 1 }).alpha).toBe(0.05);
  });
});
