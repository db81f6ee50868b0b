import { compileSnapshot, evaluate, MAX_MATCH_INPUT_LENGTH, type Snapshot } from '@switchboard/core';
import { loadCaseFiles } from '@switchboard/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsafePatternProblem } from './pattern-safety.js';

const EVIL = [
  '(a+)+$',
  '(a|aa)+$',
  '\\d*\\d*\\d*$',
  '(.*a){12}',
  '^(\\w+\\s?)*$',
  'a*a*$',
  '.*a.*b',
  '(\\w+)*@',
];

const ORDINARY = [
  '^[a-z]+@acme\\.com$',
  '@example\\.com$',
  'prise',
  '^ENTERPRISE$',
  '^beta-',
  '^user-\\d+$',
  '@(gmail|yahoo)\\.com$',
  '^[^@]+@[^@]+$',
  '^v\\d+\\.\\d+\\.\\d+$',
  'foo.*bar',
  '.*foo',
  '\\.(png|jpg)$',
  '[a-z]+\\d+',
];

/** Every `matches` pattern written in the shared case files, in flags and segments alike. */
function caseFilePatterns(): string[] {
  const patterns = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const child of node) visit(child);
    else if (node !== null && typeof node === 'object') {
      const clause = node as { op?: unknown; values?: unknown };
      if (clause.op === 'matches' && Array.isArray(clause.values)) {
        for (const v of clause.values) if (typeof v === 'string') patterns.add(v);
      }
      for (const child of Object.values(node)) visit(child);
    }
  };
  for (const file of loadCaseFiles()) visit(file.snapshot);
  return [...patterns];
}

function snapshotMatching(pattern: string): Snapshot {
  return {
    flags: [
      {
        key: 'f',
        kind: 'boolean',
        variants: [
          { key: 'on', value: true },
          { key: 'off', value: false },
        ],
        salt: 's',
        enabled: true,
        offVariant: 'off',
        targets: [],
        rules: [
          {
            id: 'r',
            clauses: [{ attribute: 'text', op: 'matches', values: [pattern] }],
            serve: { variant: 'on' },
          },
        ],
        fallthrough: { variant: 'off' },
        prerequisites: [],
        version: 1,
      },
    ],
    segments: [],
  } as unknown as Snapshot;
}

/** Repetitions of text made of the pattern's own characters, cut to the longest compared input, then a character that breaks the match. */
function adversarialInput(pattern: string): fc.Arbitrary<string> {
  const alphabet = [...new Set([...pattern.replace(/\\./g, ''), 'a', '1', ' ', '@', '.', '-', '_'])];
  return fc
    .tuple(
      fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 8 }),
      fc.constantFrom('!', '\u0000', 'Z', '\n', ''),
    )
    .map(([unit, tail]) => {
      const body = unit.join('').repeat(Math.ceil(MAX_MATCH_INPUT_LENGTH / unit.length));
      return body.slice(0, MAX_MATCH_INPUT_LENGTH - tail.length) + tail;
    });
}

// A generous bound: a linear or search-quadratic run over 4,096 characters takes well under 50 ms even
// on a loaded machine, while a pattern refused here (cubic and worse) takes seconds to ages.
const EVALUATION_BOUND_MS = 1_000;

describe('unsafePatternProblem', () => {
  it.each(EVIL)('refuses %s and says why', (pattern) => {
    const problem = unsafePatternProblem(pattern);
    expect(problem).toBeDefined();
    expect(problem).toMatch(/backtrack|repeated group|quantifier|alternation|ReDoS/);
  });

  it('refuses a polynomial pattern that core alone accepts, naming the parts that overlap', () => {
    const problem = unsafePatternProblem('\\d*\\d*\\d*$');
    expect(problem).toMatch(/ReDoS/);
    expect(problem).toMatch(/`\\d` at \d+ and `\\d` at \d+ can match the same text/);
  });

  it.each(ORDINARY)('accepts %s', (pattern) => {
    expect(unsafePatternProblem(pattern)).toBeUndefined();
  });

  it('keeps core’s bound: syntax, length and backreferences are refused first', () => {
    expect(unsafePatternProblem('(')).toMatch(/^invalid/);
    expect(unsafePatternProblem('a'.repeat(513))).toMatch(/longer than 512/);
    expect(unsafePatternProblem('(a)\\1')).toMatch(/backreferences/);
  });

  it('accepts some of the case files’ patterns and refuses the evil ones among them', () => {
    const patterns = caseFilePatterns();
    expect(patterns).toEqual(expect.arrayContaining(['(a+)+$', '^[a-z]+@acme\\.com$']));
    expect(patterns.filter((p) => unsafePatternProblem(p) === undefined).length).toBeGreaterThan(5);
    expect(unsafePatternProblem('(a+)+$')).toBeDefined();
  });

  it(`evaluates every accepted pattern of the case files against ${MAX_MATCH_INPUT_LENGTH}-character adversarial inputs within a bound`, () => {
    const accepted = [...caseFilePatterns(), ...ORDINARY].filter(
      (p) => unsafePatternProblem(p) === undefined,
    );
    for (const pattern of accepted) {
      const compiled = compileSnapshot(snapshotMatching(pattern));
      fc.assert(
        fc.property(adversarialInput(pattern), (text) => {
          expect(text.length).toBe(MAX_MATCH_INPUT_LENGTH);
          const started = performance.now();
          const result = evaluate(compiled, 'f', { targetingKey: 'u', text }, false);
          const elapsed = performance.now() - started;
          expect(typeof result.value).toBe('boolean');
          expect(elapsed, `${pattern} on ${JSON.stringify(text.slice(0, 40))}…`).toBeLessThan(
            EVALUATION_BOUND_MS,
          );
        }),
        { numRuns: 15 },
      );
    }
  });
});
