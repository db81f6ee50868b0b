import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Clause, compileSnapshot, evaluate, type Snapshot, type SnapshotFlag } from '../src/index.js';

function flagWith(rules: { clauses: Clause[] }[]): SnapshotFlag {
  return {
    key: 'f',
    kind: 'string',
    salt: 'q7hx2m9kd1c4v8p',
    variants: [
      { key: 'a', value: 'a' },
      { key: 'b', value: 'b' },
    ],
    enabled: true,
    targets: [],
    prerequisites: [],
    rules: rules.map((r, i) => ({
      id: `r${i}`,
      clauses: r.clauses,
      serve: { variant: i % 2 === 0 ? 'a' : 'b' },
    })),
    fallthrough: {
      split: [
        { variant: 'a', weight: 50_000 },
        { variant: 'b', weight: 50_000 },
      ],
    },
    version: 1,
  };
}

const ATTRIBUTES = ['tier', 'region', 'plan', 'groups', 'n'];
const scalar = fc.oneof(
  fc.constantFrom('eu', 'us', 'pro', 'enterprise', '', '"', '\\'),
  fc.integer({ min: -2, max: 2 }),
  fc.boolean(),
);
const clause: fc.Arbitrary<Clause> = fc.record(
  {
    attribute: fc.constantFrom(...ATTRIBUTES),
    op: fc.constantFrom('in', 'equals', 'contains', 'lt', 'exists', 'startsWith'),
    values: fc.array(scalar, { maxLength: 12 }),
    negate: fc.boolean(),
  },
  { requiredKeys: ['attribute', 'op', 'values'] },
);
const context = fc.record(
  {
    targetingKey: fc.constantFrom('u1', 'u2', 'u3'),
    tier: fc.oneof(scalar, fc.constant(null), fc.array(scalar, { maxLength: 3 })),
    region: fc.oneof(scalar, fc.constant(null)),
    plan: scalar,
    groups: fc.array(scalar, { maxLength: 3 }),
    n: fc.oneof(fc.integer(), fc.constant('7')),
  },
  { requiredKeys: ['targetingKey'] },
);

describe('generated rule matchers', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('give exactly what the interpreter gives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ clauses: fc.array(clause, { maxLength: 4 }) }), { maxLength: 5 }),
        fc.array(context, { minLength: 1, maxLength: 10 }),
        (rules, contexts) => {
          const snapshot: Snapshot = { flags: [flagWith(rules)], segments: [] };
          const generated = compileSnapshot(snapshot, { generateAfter: 0 });
          const interpreted = compileSnapshot(snapshot, { generateCode: false });
          for (const ctx of contexts) {
            expect(evaluate(generated, 'f', ctx)).toEqual(evaluate(interpreted, 'f', ctx));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('embed hostile names and values as data, never as code', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal "${x}" is one of the hostile inputs.
    const hostile = ['"]; globalThis.pwned = 1; //', '\\', '\u2028', '${x}', '`', "'", '\n}'];
    const rules = hostile.map((text) => ({
      clauses: [{ attribute: text, op: 'in' as const, values: [text, `${text}!`] }],
    }));
    const compiled = compileSnapshot({ flags: [flagWith(rules)], segments: [] }, { generateAfter: 0 });
    for (const [i, text] of hostile.entries()) {
      expect(evaluate(compiled, 'f', { targetingKey: 'u', [text]: text })).toMatchObject({ ruleId: `r${i}` });
    }
    expect(evaluate(compiled, 'f', { targetingKey: 'u' }).reason).toBe('SPLIT');
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it('fall back to the interpreter where generated code is forbidden (a strict Content-Security-Policy)', () => {
    const refuse = vi.fn(() => {
      throw new EvalError('Refused to evaluate a string as JavaScript');
    });
    vi.stubGlobal('Function', refuse);
    const compiled = compileSnapshot(
      { flags: [flagWith([{ clauses: [{ attribute: 'tier', op: 'in', values: ['pro'] }] }])], segments: [] },
      { generateAfter: 0 },
    );
    vi.unstubAllGlobals();
    expect(refuse).toHaveBeenCalled();
    expect(evaluate(compiled, 'f', { targetingKey: 'u', tier: 'pro' })).toMatchObject({
      variant: 'a',
      ruleId: 'r0',
    });
    expect(evaluate(compiled, 'f', { targetingKey: 'u', tier: 'free' }).reason).toBe('SPLIT');
  });

  it('interprets a flag until it has been evaluated generateAfter times, then generates its matcher', () => {
    const compiled = compileSnapshot(
      { flags: [flagWith([{ clauses: [{ attribute: 'tier', op: 'in', values: ['pro'] }] }])], segments: [] },
      { generateAfter: 3 },
    );
    const flag = compiled.flags.get('f');
    const warming = flag?.matchRules;
    const results = Array.from(
      { length: 5 },
      (_, i) => evaluate(compiled, 'f', { targetingKey: `u${i}`, tier: 'pro' }).ruleId,
    );
    expect(results).toEqual(['r0', 'r0', 'r0', 'r0', 'r0']);
    expect(flag?.matchRules).not.toBe(warming);
    expect(flag?.matchRules.toString()).toContain('"pro"');
  });
});
