import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EnvironmentView } from './api-types.js';
import { CliError } from './exit-codes.js';
import { defaultControl, describeServe, formatWeight, parsePercent, rolloutServe } from './rollout-split.js';

const config = (offVariant: string | null): EnvironmentView => ({
  enabled: false,
  offVariant,
  targets: [],
  rules: [],
  fallthrough: { variant: 'a' },
  prerequisites: [],
  retryAfterSeconds: null,
  shadow: null,
  version: 0,
});

describe('parsePercent', () => {
  it.each([
    ['0', 0],
    ['5', 5000],
    ['12.5', 12500],
    ['0.001', 1],
    ['33.333', 33333],
    ['99.999', 99999],
    ['100', 100000],
  ])('%s%% is a weight of %i', (text, weight) => {
    expect(parsePercent(text)).toBe(weight);
  });

  it.each(['-1', '100.001', '101', '1.2345', 'abc', '', '1e2', '.5', '5%'])('refuses %j', (text) => {
    expect(() => parsePercent(text)).toThrow(CliError);
    expect(() => parsePercent(text)).toThrow(/--percent/);
  });

  it('is exact for every percentage with 3 decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), (weight) => {
        const text = (weight / 1000).toFixed(3);
        expect(parsePercent(text)).toBe(weight);
        expect(formatWeight(weight)).toBe(`${Number(text)}%`);
      }),
    );
  });
});

describe('rolloutServe', () => {
  it('puts the candidate first and gives the control the rest', () => {
    expect(rolloutServe('candidate', 'control', 5000, { variant: 'control' })).toEqual({
      split: [
        { variant: 'candidate', weight: 5000 },
        { variant: 'control', weight: 95000 },
      ],
    });
  });

  it('keeps the bucketBy of the current split', () => {
    const current = { split: [{ variant: 'a', weight: 100000 }], bucketBy: 'orgId' };
    expect(rolloutServe('b', 'a', 1, current)).toMatchObject({ bucketBy: 'orgId' });
  });

  it('refuses a control equal to the candidate', () => {
    expect(() => rolloutServe('a', 'a', 1, { variant: 'a' })).toThrow(/--control/);
  });

  it('describes the split it makes', () => {
    expect(describeServe(rolloutServe('c', 'g', 12500, { variant: 'g' }))).toBe('split c 12.5% / g 87.5%');
  });
});

describe('defaultControl', () => {
  it('is the off variant unless that is the candidate, then the first other variant', () => {
    expect(defaultControl(['a', 'b', 'c'], config('b'), 'c')).toBe('b');
    expect(defaultControl(['a', 'b', 'c'], config('c'), 'c')).toBe('a');
    expect(defaultControl(['c', 'b'], config(null), 'c')).toBe('b');
  });

  it('fails when the candidate is the only variant', () => {
    expect(() => defaultControl(['a'], config('a'), 'a')).toThrow(/no variant besides/);
  });
});
