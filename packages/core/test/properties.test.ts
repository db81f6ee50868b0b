import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_SCALE,
  Bucketer,
  bucketOf,
  compileSnapshot,
  evaluate,
  explain,
  type Snapshot,
  type SnapshotFlag,
  type WeightedVariant,
} from '../src/index.js';

const VARIANTS = ['control', 'candidate', 'other', 'fourth'];

function splitFlag(key: string, salt: string, split: WeightedVariant[]): SnapshotFlag {
  return {
    key,
    kind: 'string',
    salt,
    variants: VARIANTS.map((v) => ({ key: v, value: v })),
    enabled: true,
    targets: [],
    rules: [],
    prerequisites: [],
    fallthrough: { split },
    version: 1,
  };
}

/** Splits 100000 into `n` non-negative integer weights. */
const weightsArb = (n: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: BUCKET_SCALE - 1 }), { minLength: n - 1, maxLength: n - 1 })
    .map((cuts) => {
      const sorted = [0, ...cuts.sort((a, b) => a - b), BUCKET_SCALE];
      return sorted.slice(1).map((c, i) => c - (sorted[i] as number));
    });

/** Upper critical value of chi-square with `df` degrees of freedom (Wilson–Hilferty), for a tail of ~1e-6. */
function chiSquareCritical(df: number): number {
  const z = 4.753;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((sum, o, i) => {
    const e = expected[i] as number;
    return sum + (o - e) ** 2 / e;
  }, 0);
}

const unitIds = (n: number, prefix = 'user-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('evaluation properties', () => {
  it('is deterministic: same snapshot, flag and context give the same result, compiled or not', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), weightsArb(3), (salt, unit, weights) => {
        const split = weights.map((weight, i) => ({ variant: VARIANTS[i] as string, weight }));
        const snapshot: Snapshot = { flags: [splitFlag('f', salt, split)], segments: [] };
        const a = evaluate(compileSnapshot(snapshot), 'f', { targetingKey: unit });
        const b = evaluate(compileSnapshot(snapshot), 'f', { targetingKey: unit });
        expect(b).toEqual(a);
        expect(evaluate(snapshot, 'f', { targetingKey: unit })).toEqual(a);
        expect(a.reason).toBe('SPLIT');
      }),
    );
  });

  it('always buckets into an integer in [0, 100000)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (salt, unit) => {
        const b = bucketOf(salt, unit);
        expect(Number.isInteger(b)).toBe(true);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThan(BUCKET_SCALE);
      }),
      { numRuns: 5000 },
    );
  });

  it('ramps monotonically: raising the first entry never moves a unit out of it', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.array(fc.string({ minLength: 1, maxLength: 16 }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: BUCKET_SCALE }),
        fc.integer({ min: 0, max: BUCKET_SCALE }),
        (salt, units, w1, w2) => {
          const [low, high] = w1 <= w2 ? [w1, w2] : [w2, w1];
          const flagAt = (w: number) =>
            compileSnapshot({
              flags: [
                splitFlag('ramp', salt, [
                  { variant: 'candidate', weight: w },
                  { variant: 'control', weight: BUCKET_SCALE - w },
                ]),
              ],
              segments: [],
            });
          const before = flagAt(low);
          const after = flagAt(high);
          for (const unit of units) {
            if (evaluate(before, 'ramp', { targetingKey: unit }).variant === 'candidate') {
              expect(evaluate(after, 'ramp', { targetingKey: unit }).variant).toBe('candidate');
            }
          }
        },
      ),
    );
  });

  it('splits 100,000 units in proportion to the weights (chi-square)', () => {
    const units = unitIds(100_000);
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 20 }),
        fc.integer({ min: 2, max: 4 }).chain(weightsArb),
        (salt, weights) => {
          const split = weights.map((weight, i) => ({ variant: VARIANTS[i] as string, weight }));
          const compiled = compileSnapshot({ flags: [splitFlag('p', salt, split)], segments: [] });
          const counts = new Map<string, number>(split.map((s) => [s.variant, 0]));
          for (const unit of units) {
            const v = evaluate(compiled, 'p', { targetingKey: unit }).variant as string;
            counts.set(v, (counts.get(v) ?? 0) + 1);
          }
          const used = split.filter((s) => s.weight > 0);
          const observed = used.map((s) => counts.get(s.variant) ?? 0);
          const expected = used.map((s) => (units.length * s.weight) / BUCKET_SCALE);
          // Entries with zero weight serve nobody.
          for (const s of split) if (s.weight === 0) expect(counts.get(s.variant)).toBe(0);
          if (used.length > 1)
            expect(chiSquare(observed, expected)).toBeLessThan(chiSquareCritical(used.length - 1));
        },
      ),
      { numRuns: 15 },
    );
  });

  it("buckets a unit independently in two flags (no correlation between flags' buckets)", () => {
    const units = unitIds(100_000, 'u');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 16 }),
        fc.string({ minLength: 1, maxLength: 16 }),
        (saltA, saltB) => {
          fc.pre(saltA !== saltB);
          const a = new Bucketer(saltA);
          const b = new Bucketer(saltB);
          // A 10 x 10 contingency table of deciles: independence means every cell near n / 100.
          const cells = new Array<number>(100).fill(0);
          for (const unit of units) {
            const i = Math.floor(a.bucket(unit) / 10_000) * 10 + Math.floor(b.bucket(unit) / 10_000);
            cells[i] = (cells[i] as number) + 1;
          }
          expect(chiSquare(cells, new Array<number>(100).fill(units.length / 100))).toBeLessThan(
            chiSquareCritical(81),
          );
        },
      ),
      { numRuns: 10 },
    );
  });

  it('never throws, whatever the snapshot and context hold', () => {
    const anyFlag = fc.record(
      {
        key: fc.oneof(fc.constant('f'), fc.anything()),
        kind: fc.oneof(fc.constantFrom('boolean', 'string', 'number', 'json', 'ai-config'), fc.anything()),
        salt: fc.oneof(fc.string(), fc.anything()),
        variants: fc.oneof(
          fc.array(fc.record({ key: fc.constantFrom('a', 'b'), value: fc.jsonValue() })),
          fc.anything(),
        ),
        enabled: fc.oneof(fc.boolean(), fc.anything()),
        offVariant: fc.oneof(fc.constantFrom('a', 'b', 'z'), fc.anything()),
        targets: fc.oneof(
          fc.array(fc.record({ variant: fc.constantFrom('a', 'z'), values: fc.array(fc.string()) })),
          fc.anything(),
        ),
        rules: fc.oneof(
          fc.array(
            fc.record({
              id: fc.string(),
              clauses: fc.array(
                fc.record({
                  attribute: fc.oneof(
                    fc.constantFrom('tier', 'targetingKey', '__proto__', 'constructor'),
                    fc.anything(),
                  ),
                  op: fc.oneof(
                    fc.constantFrom(
                      'in',
                      'matches',
                      'lt',
                      'before',
                      'semverLt',
                      'exists',
                      'inSegment',
                      'contains',
                    ),
                    fc.anything(),
                  ),
                  values: fc.oneof(
                    fc.array(fc.oneof(fc.jsonValue(), fc.constantFrom('(a+)+$', '(', 's1'))),
                    fc.anything(),
                  ),
                  negate: fc.oneof(fc.boolean(), fc.anything()),
                }),
              ),
              serve: fc.oneof(
                fc.record({ variant: fc.constantFrom('a', 'b') }),
                fc.record({
                  split: fc.array(fc.record({ variant: fc.constantFrom('a', 'b'), weight: fc.integer() })),
                }),
                fc.anything(),
              ),
            }),
          ),
          fc.anything(),
        ),
        fallthrough: fc.oneof(
          fc.record({ variant: fc.constantFrom('a', 'b') }),
          fc.constant({
            split: [
              { variant: 'a', weight: 50_000 },
              { variant: 'b', weight: 50_000 },
            ],
            bucketBy: 'tier',
          }),
          fc.anything(),
        ),
        prerequisites: fc.oneof(
          fc.array(fc.record({ flag: fc.constantFrom('f', 'g'), variant: fc.constantFrom('a', 'b') })),
          fc.anything(),
        ),
        version: fc.oneof(fc.nat(), fc.anything()),
      },
      { requiredKeys: [] },
    );
    const anySnapshot = fc.oneof(
      fc.record({
        flags: fc.array(
          fc.oneof(
            anyFlag,
            anyFlag.map((f) => ({ ...f, key: 'g' })),
            fc.anything(),
          ),
          { maxLength: 4 },
        ),
        segments: fc.oneof(
          fc.array(
            fc.record({
              key: fc.constantFrom('s1', 's2'),
              included: fc.oneof(fc.array(fc.string()), fc.anything()),
              excluded: fc.oneof(fc.array(fc.string()), fc.anything()),
              clauses: fc.oneof(
                fc.constant([{ attribute: 'x', op: 'inSegment', values: ['s1', 's2'] }]),
                fc.anything(),
              ),
            }),
          ),
          fc.anything(),
        ),
      }),
      fc.anything(),
    );
    const anyContext = fc.oneof(
      fc.record({ targetingKey: fc.anything(), tier: fc.anything(), userId: fc.anything() }),
      fc.dictionary(fc.string(), fc.anything()),
      fc.anything(),
    );
    fc.assert(
      fc.property(anySnapshot, anyContext, fc.anything(), (snapshot, context, defaultValue) => {
        for (const key of ['f', 'g']) {
          const r = evaluate(snapshot as Snapshot, key, context, defaultValue);
          expect(typeof r.reason).toBe('string');
          if (r.reason === 'ERROR') expect(typeof r.errorCode).toBe('string');
          expect(explain(snapshot as Snapshot, key, context, defaultValue).result).toEqual(r);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
