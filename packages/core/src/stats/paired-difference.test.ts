import { describe, expect, it } from 'vitest';
import { pairedDifference } from './paired-difference.js';

/** The moments of a list of differences, as the rollups keep them. */
function moments(values: number[]) {
  return {
    n: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    sumSquares: values.reduce((a, b) => a + b * b, 0),
  };
}

describe('pairedDifference', () => {
  // Expected values from scipy.stats.ttest_1samp(d, 0) and its confidence_interval().
  it('matches scipy on a significant mean difference', () => {
    const { n, mean, effect } = pairedDifference(moments([0.1, 0.2, 0.3, 0.5]));
    expect(n).toBe(4);
    expect(mean).toBeCloseTo(0.275, 10);
    expect(effect?.standardError).toBeCloseTo(0.275 / 3.22047024073016, 8);
    expect(effect?.pValue).toBeCloseTo(0.048566856559801, 8);
    expect(effect?.ci[0]).toBeCloseTo(0.00324691162039853, 8);
    expect(effect?.ci[1]).toBeCloseTo(0.5467530883796015, 8);
  });

  it('matches scipy on a difference indistinguishable from 0', () => {
    const { effect } = pairedDifference(moments([0.25, -0.5, 0, 0.75, 0.1, -0.2]));
    expect(effect?.estimate).toBeCloseTo(0.0666666666666667, 10);
    expect(effect?.pValue).toBeCloseTo(0.7158914791775357, 8);
    expect(effect?.ci[0]).toBeCloseTo(-0.37815871947603796, 8);
    expect(effect?.ci[1]).toBeCloseTo(0.5114920528093713, 8);
  });

  it('reports no test below two pairs, and an exact difference when every pair differs the same', () => {
    expect(pairedDifference({ n: 0, sum: 0, sumSquares: 0 })).toEqual({ n: 0, mean: null, effect: null });
    expect(pairedDifference(moments([0.4]))).toEqual({ n: 1, mean: 0.4, effect: null });
    expect(pairedDifference(moments([0.5, 0.5, 0.5])).effect).toEqual({
      estimate: 0.5,
      standardError: 0,
      ci: [0.5, 0.5],
      pValue: 0,
    });
    expect(pairedDifference(moments([0, 0])).effect?.pValue).toBe(1);
  });

  it('never throws on moments no data could give', () => {
    expect(pairedDifference({ n: 2, sum: 1, sumSquares: 0.1 })).toEqual({ n: 2, mean: null, effect: null });
    expect(pairedDifference({ n: Number.NaN, sum: 1, sumSquares: 1 })).toEqual({
      n: 0,
      mean: null,
      effect: null,
    });
  });
});
