import { describe, expect, it } from 'vitest';
import { compileSnapshot, evaluate, inShadowSample, type SnapshotFlag, shadowOf } from '../src/index.js';

const CANDIDATE = { provider: 'anthropic', model: 'claude-sonnet' };

function flag(overrides: Partial<SnapshotFlag> = {}): SnapshotFlag {
  return {
    key: 'support-bot',
    kind: 'ai-config',
    salt: 'q7hx2m9kd1c4v8p',
    variants: [
      { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
      { key: 'candidate', value: CANDIDATE },
    ],
    enabled: true,
    offVariant: 'control',
    targets: [],
    rules: [],
    fallthrough: { variant: 'control' },
    prerequisites: [],
    version: 1,
    shadow: { variant: 'candidate', sampleRate: 0.5 },
    ...overrides,
  };
}

const shadowIn = (f: SnapshotFlag) => shadowOf(compileSnapshot({ flags: [f], segments: [] }), f.key);

describe('shadowOf', () => {
  it("gives the shadow variant's value and rate", () => {
    expect(shadowIn(flag())).toEqual({ variant: 'candidate', value: CANDIDATE, sampleRate: 0.5 });
  });

  it.each([
    ['no shadow', flag({ shadow: null })],
    ['an absent shadow', flag({ shadow: undefined })],
    ['a zero rate', flag({ shadow: { variant: 'candidate', sampleRate: 0 } })],
    ['a rate above 1', flag({ shadow: { variant: 'candidate', sampleRate: 1.5 } })],
    ['an unknown variant', flag({ shadow: { variant: 'ghost', sampleRate: 1 } })],
    ['a disabled flag', flag({ enabled: false })],
    [
      'a string flag',
      flag({
        kind: 'string',
        variants: [
          { key: 'control', value: 'a' },
          { key: 'candidate', value: 'b' },
        ],
      }),
    ],
    ['a malformed flag', flag({ fallthrough: { variant: 'ghost' } })],
  ])('is undefined for %s', (_, f) => {
    expect(shadowIn(f)).toBeUndefined();
  });

  it('is undefined for an unknown flag', () => {
    expect(shadowOf(compileSnapshot({ flags: [flag()], segments: [] }), 'other')).toBeUndefined();
  });

  it('never changes what a flag serves, however its shadow is written', () => {
    const contexts = [{ targetingKey: 'u1' }, { targetingKey: 'u2', plan: 'pro' }, {}];
    const without = compileSnapshot({ flags: [flag({ shadow: null })], segments: [] });
    for (const shadow of [
      { variant: 'candidate', sampleRate: 1 },
      { variant: 'ghost', sampleRate: 7 },
      'nonsense' as unknown as SnapshotFlag['shadow'],
    ]) {
      const withShadow = compileSnapshot({ flags: [flag({ shadow })], segments: [] });
      for (const context of contexts) {
        expect(evaluate(withShadow, 'support-bot', context)).toEqual(
          evaluate(without, 'support-bot', context),
        );
      }
    }
  });
});

describe('inShadowSample', () => {
  it('takes every request at rate 1 and none at rate 0', () => {
    for (let i = 0; i < 100; i++) {
      expect(inShadowSample(1, `g-${i}`)).toBe(true);
      expect(inShadowSample(0, `g-${i}`)).toBe(false);
    }
  });

  it('decides the same way for the same id, and samples ids at the rate', () => {
    let taken = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const id = `generation-${i}`;
      const sampled = inShadowSample(0.3, id);
      expect(inShadowSample(0.3, id)).toBe(sampled);
      if (sampled) taken++;
    }
    // Binomial(20000, 0.3): sd ≈ 65, so ±400 is over 6 sd.
    expect(Math.abs(taken - 0.3 * n)).toBeLessThan(400);
  });

  it('samples monotonically: a request in the sample at one rate is in it at any higher rate', () => {
    for (let i = 0; i < 1_000; i++) {
      const id = `g-${i}`;
      if (inShadowSample(0.1, id)) expect(inShadowSample(0.5, id)).toBe(true);
    }
  });
});
