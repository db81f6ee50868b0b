import { describe, expect, it } from 'vitest';
import { sampleRatioMismatch } from './sample-ratio.js';

describe('sampleRatioMismatch', () => {
  it("reproduces gbstats' check_srm([1000, 1200], [0.5, 0.5])", () => {
    // packages/stats/tests/test_gbstats.py, test_srm: 0.000020079 at 9 decimals.
    const result = sampleRatioMismatch([1000, 1200], [0.5, 0.5]);
    expect(result.pValue).toBeCloseTo(0.000020079, 9);
    expect(result.chiSquare).toBeCloseTo(200 / 11, 12);
    expect(result.degreesOfFreedom).toBe(1);
    expect(result.mismatch).toBe(true);
    expect(result.problem).toBeNull();
  });

  it('leaves arms with weight 0 out, as gbstats does (test_utils.py)', () => {
    expect(sampleRatioMismatch([1000, 1200, 900], [0.5, 0.5, 0])).toEqual(
      sampleRatioMismatch([1000, 1200], [0.5, 0.5]),
    );
  });

  it("reproduces Pearson's test on Mendel's dihybrid cross (315, 108, 101, 32 against 9:3:3:1)", () => {
    // The textbook goodness-of-fit example: chi-square 0.470 on 3 degrees of freedom, p = 0.925.
    const result = sampleRatioMismatch([315, 108, 101, 32], [9, 3, 3, 1]);
    expect(result.chiSquare).toBeCloseTo(0.47, 3);
    expect(result.degreesOfFreedom).toBe(3);
    expect(result.pValue).toBeCloseTo(0.9254, 4);
    expect(result.mismatch).toBe(false);
  });

  it('normalises weights given in any unit, such as split weights out of 100000', () => {
    const result = sampleRatioMismatch([5020, 94980], [5000, 95000]);
    expect(result).toEqual(sampleRatioMismatch([5020, 94980], [0.05, 0.95]));
    expect(result.mismatch).toBe(false);
  });

  it('applies the threshold', () => {
    // p ≈ 0.0047: a mismatch at 0.01, not at the default 0.001.
    const observed = [1000, 1130];
    expect(sampleRatioMismatch(observed, [1, 1]).mismatch).toBe(false);
    expect(sampleRatioMismatch(observed, [1, 1], { threshold: 0.01 }).mismatch).toBe(true);
    expect(sampleRatioMismatch(observed, [1, 1], { threshold: 7 }).threshold).toBe(0.001);
  });

  it('has nothing to test without units or with fewer than two weighted arms', () => {
    expect(sampleRatioMismatch([0, 0], [0.5, 0.5])).toMatchObject({
      pValue: 1,
      mismatch: false,
      problem: null,
    });
    expect(sampleRatioMismatch([1000, 900, 800], [1, 0, 0])).toMatchObject({
      pValue: 1,
      degreesOfFreedom: 0,
      mismatch: false,
    });
  });

  it.each([
    ['lengths differ', [10, 10], [1]],
    ['a negative count', [10, -1], [1, 1]],
    ['a NaN count', [10, Number.NaN], [1, 1]],
    ['an infinite weight', [10, 10], [1, Number.POSITIVE_INFINITY]],
  ])('reports invalid input when %s, without throwing', (_, observed, weights) => {
    const result = sampleRatioMismatch(observed, weights);
    expect(result).toMatchObject({
      chiSquare: null,
      pValue: null,
      mismatch: false,
      problem: 'invalid-input',
    });
  });
});
