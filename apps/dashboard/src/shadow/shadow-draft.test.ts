import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../api/api-types.js';
import {
  percentText,
  sameShadow,
  servedVariants,
  shadowChoices,
  shadowDraftOf,
  shadowOf,
} from './shadow-draft.js';

const config = (patch: Partial<EnvironmentConfig> = {}): EnvironmentConfig => ({
  enabled: true,
  offVariant: 'control',
  targets: [{ variant: 'pinned', values: ['u1'] }],
  rules: [
    {
      id: 'r1',
      clauses: [],
      serve: {
        split: [
          { variant: 'control', weight: 100_000 },
          { variant: 'unused', weight: 0 },
        ],
      },
    },
  ],
  fallthrough: { variant: 'control' },
  prerequisites: [],
  retryAfterSeconds: null,
  shadow: null,
  version: 3,
  ...patch,
});
const VARIANTS = ['control', 'candidate', 'pinned', 'unused'];

describe('shadow mode in the environment panel', () => {
  it('offers the variants the environment does not serve', () => {
    expect([...servedVariants(config())].sort()).toEqual(['control', 'pinned']);
    expect(shadowChoices(VARIANTS, config())).toEqual(['candidate', 'unused']);
    // Disabled, the off variant is what everyone gets.
    expect(servedVariants(config({ enabled: false, offVariant: 'candidate' })).has('candidate')).toBe(true);
    // The shadow set now stays offered, even once served.
    expect(shadowChoices(VARIANTS, config({ shadow: { variant: 'pinned', sampleRate: 1 } }))).toEqual([
      'candidate',
      'pinned',
      'unused',
    ]);
  });

  it('reads and writes the sample rate as a percentage', () => {
    expect(shadowDraftOf(null)).toEqual({ variant: '', percent: '10' });
    expect(shadowDraftOf({ variant: 'candidate', sampleRate: 0.333 })).toEqual({
      variant: 'candidate',
      percent: '33.3',
    });
    expect(shadowOf({ variant: 'candidate', percent: '33.3' })).toEqual({
      shadow: { variant: 'candidate', sampleRate: 0.333 },
      problems: [],
    });
    expect(shadowOf({ variant: 'candidate', percent: ' 12.5 % ' }).shadow?.sampleRate).toBe(0.125);
    expect(shadowOf({ variant: 'candidate', percent: '0' }).shadow?.sampleRate).toBe(0);
    expect(shadowOf({ variant: 'candidate', percent: '100' }).shadow?.sampleRate).toBe(1);
    for (let p = 0; p <= 100; p += 0.1) {
      const text = percentText(Number((p / 100).toPrecision(12)));
      expect(shadowOf({ variant: 'c', percent: text }).shadow?.sampleRate).toBe(
        Number((p / 100).toPrecision(12)),
      );
    }
  });

  it('turns shadow off with no variant, and names a bad rate as the server does', () => {
    expect(shadowOf({ variant: '', percent: 'x' })).toEqual({ shadow: null, problems: [] });
    for (const percent of ['', '101', '-1', 'ten', '1e2'])
      expect(shadowOf({ variant: 'candidate', percent }).problems.map((p) => p.field)).toEqual([
        'body.shadow.sampleRate',
      ]);
    expect(sameShadow({ variant: '', percent: '5' }, { variant: '', percent: '10' })).toBe(true);
    expect(sameShadow({ variant: 'a', percent: '5' }, { variant: 'a', percent: '10' })).toBe(false);
  });
});
