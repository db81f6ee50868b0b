import { describe, expect, it } from 'vitest';
import type { ExperimentResults, VariantResult } from '../api/api-types.js';
import {
  candidateMinusServed,
  shadowCostPerCall,
  shadowErrorRate,
  shadowedVariants,
} from './shadow-figures.js';

const variant = (name: string, shadow: Partial<VariantResult['shadow']>): VariantResult =>
  ({
    variant: name,
    shadow: {
      requests: 0,
      errors: 0,
      latencyMs: { p50: null, p95: null, p99: null, mean: null },
      costUsd: 0,
      judgeQuality: { n: 0, mean: null },
      pairedJudgeDifference: { n: 0, mean: null, effect: null },
      ...shadow,
    },
  }) as VariantResult;

describe('shadow figures', () => {
  it('lists the variants that ran in shadow or were judged in pairs', () => {
    const results = {
      variants: [
        variant('control', {}),
        variant('candidate', { requests: 4, errors: 1, costUsd: 0.02 }),
        variant('judged', { pairedJudgeDifference: { n: 1, mean: 0.1, effect: null } }),
      ],
    } as ExperimentResults;
    expect(shadowedVariants(results).map((v) => v.variant)).toEqual(['candidate', 'judged']);
    const [candidate] = shadowedVariants(results);
    if (candidate === undefined) throw new Error('no candidate');
    expect(shadowErrorRate(candidate)).toBe(0.25);
    expect(shadowCostPerCall(candidate)).toBe(0.005);
    expect(shadowErrorRate(variant('none', {}))).toBeNull();
    expect(shadowCostPerCall(variant('none', {}))).toBeNull();
  });

  it('turns served − shadow into candidate − control, the interval flipped', () => {
    const v = variant('candidate', {
      pairedJudgeDifference: {
        n: 3,
        mean: -0.1,
        effect: { estimate: -0.1, standardError: 0.0577, ci: [-0.348, 0.148], pValue: 0.2 },
      },
    });
    expect(candidateMinusServed(v)).toEqual({
      n: 3,
      mean: 0.1,
      effect: { estimate: 0.1, ci: [-0.148, 0.348], pValue: 0.2 },
    });
    const zero = candidateMinusServed(
      variant('c', { pairedJudgeDifference: { n: 1, mean: 0, effect: null } }),
    );
    expect(Object.is(zero.mean, 0)).toBe(true);
    expect(zero.effect).toBeNull();
  });
});
