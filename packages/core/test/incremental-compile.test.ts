import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSnapshot, evaluate, type Segment, type Snapshot, type SnapshotFlag } from '../src/index.js';

const KEYS = ['a', 'b', 'c', 'd'];

function flag(key: string, overrides: Partial<SnapshotFlag> = {}): SnapshotFlag {
  return {
    key,
    kind: 'string',
    salt: `salt-${key}-0123456`,
    variants: [
      { key: 'on', value: `${key}-on` },
      { key: 'off', value: `${key}-off` },
    ],
    enabled: true,
    offVariant: 'off',
    targets: [],
    rules: [],
    prerequisites: [],
    fallthrough: { variant: 'on' },
    version: 1,
    ...overrides,
  };
}

const flagArb = (key: string): fc.Arbitrary<SnapshotFlag> =>
  fc
    .record({
      enabled: fc.boolean(),
      prerequisites: fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        fc.array(
          fc.record({ flag: fc.constantFrom(...KEYS, 'missing'), variant: fc.constantFrom('on', 'off') }),
          {
            maxLength: 2,
          },
        ),
      ),
      rules: fc.array(
        fc.record({
          id: fc.constantFrom('r1', 'r2'),
          clauses: fc.array(
            fc.oneof(
              fc.record({
                attribute: fc.constant('tier'),
                op: fc.constant('in' as const),
                values: fc.constant(['pro']),
              }),
              fc.record({
                attribute: fc.constant('targetingKey'),
                op: fc.constant('inSegment' as const),
                values: fc.constant(['beta']),
              }),
            ),
            { maxLength: 2 },
          ),
          serve: fc.oneof(
            fc.constant({ variant: 'off' }),
            fc.constant({
              split: [
                { variant: 'on', weight: 30_000 },
                { variant: 'off', weight: 70_000 },
              ],
            }),
          ),
        }),
        { maxLength: 2 },
      ),
      version: fc.integer({ min: 1, max: 9 }),
      // A flag's salt never changes through the API; a stream could still bring one that did.
      salt: fc.constantFrom(`salt-${key}-0123456`, `salt-${key}-7654321`),
    })
    .map((parts) => flag(key, parts as unknown as Partial<SnapshotFlag>));

const segments: Segment[] = [{ key: 'beta', included: ['user-1'], excluded: [], clauses: [], version: 1 }];

const CONTEXTS = [
  {},
  { targetingKey: 'user-1' },
  { targetingKey: 'user-2', tier: 'pro' },
  { targetingKey: 'user-3', tier: 'free' },
];

/** Evaluates every flag (and an unknown one) for every context. */
function results(compiled: ReturnType<typeof compileSnapshot>) {
  return [...KEYS, 'missing'].flatMap((key) =>
    CONTEXTS.map((context) => evaluate(compiled, key, context, 'default')),
  );
}

describe('compiling with the previous compiled snapshot', () => {
  it('gives what a full compile gives, whatever changed', () => {
    const snapshotArb = fc
      .subarray(KEYS, { minLength: 1 })
      .chain((keys) => fc.tuple(...keys.map((k) => flagArb(k))))
      .map((flags): Snapshot => ({ flags, segments }));
    fc.assert(
      fc.property(
        snapshotArb,
        fc.constantFrom(...KEYS),
        fc.constantFrom('replace', 'replace-in-place', 'add-or-replace', 'remove', 'toggle', 'swap', 'same'),
        fc.integer({ min: 0, max: 1_000 }),
        (before, key, change, seed) => {
          const previous = compileSnapshot(before);
          let flags = before.flags;
          if (change === 'remove') flags = flags.filter((f) => f.key !== key);
          else if (change === 'toggle')
            flags = flags.map((f) =>
              f.key === key ? { ...f, enabled: !f.enabled, version: f.version + 1 } : f,
            );
          else if (change === 'swap') flags = [...flags].reverse();
          else if (change === 'replace-in-place') {
            const replacement = fc.sample(flagArb(key), { numRuns: 1, seed })[0] as SnapshotFlag;
            flags = flags.map((f) => (f.key === key ? replacement : f));
          } else if (change !== 'same') {
            const replacement = fc.sample(flagArb(key), { numRuns: 1, seed })[0] as SnapshotFlag;
            flags = [...flags.filter((f) => f.key !== key), replacement];
          }
          const after: Snapshot = { ...before, flags };
          expect(results(compileSnapshot(after, { previous }))).toEqual(results(compileSnapshot(after)));
          expect(compileSnapshot(after, { previous }).flagKeys()).toEqual(compileSnapshot(after).flagKeys());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes over the flags that did not change and compiles the one that did', () => {
    const before: Snapshot = { flags: [flag('a'), flag('b')], segments };
    const previous = compileSnapshot(before);
    const after: Snapshot = {
      ...before,
      flags: [before.flags[0] as SnapshotFlag, flag('b', { enabled: false })],
    };
    const next = compileSnapshot(after, { previous });
    expect(next.flags.get('a')).toBe(previous.flags.get('a'));
    expect(next.flags.get('b')).not.toBe(previous.flags.get('b'));
    expect(evaluate(next, 'b', {}, 'x').reason).toBe('DISABLED');
    // Its salt did not change, so its hashing state is taken over; a new salt gets its own.
    expect(next.flags.get('b')?.bucketer).toBe(previous.flags.get('b')?.bucketer);
    const resalted = compileSnapshot(
      { ...before, flags: [before.flags[0] as SnapshotFlag, flag('b', { salt: 'another-salt' })] },
      { previous },
    );
    expect(resalted.flags.get('b')?.bucketer.salt).toBe('another-salt');
  });

  it('compiles in full when a changed flag is in the prerequisite graph or the segments changed', () => {
    const before: Snapshot = {
      flags: [flag('a'), flag('b', { prerequisites: [{ flag: 'a', variant: 'on' }] })],
      segments,
    };
    const previous = compileSnapshot(before);
    const disabledA = { ...before, flags: [flag('a', { enabled: false }), before.flags[1] as SnapshotFlag] };
    const next = compileSnapshot(disabledA, { previous });
    expect(next.flags.get('b')).not.toBe(previous.flags.get('b'));
    expect(evaluate(next, 'b', {}, 'x').reason).toBe('PREREQUISITE_FAILED');

    const newSegments = compileSnapshot({ ...before, segments: [...segments] }, { previous });
    expect(newSegments.flags.get('a')).not.toBe(previous.flags.get('a'));
  });

  it('never takes over from a broken previous snapshot or one with duplicate keys', () => {
    const duplicated = compileSnapshot({ flags: [flag('a'), flag('a')], segments });
    const fixed: Snapshot = { flags: [flag('a')], segments };
    expect(evaluate(compileSnapshot(fixed, { previous: duplicated }), 'a', {}, 'x').value).toBe('a-on');
    const broken = compileSnapshot({ flags: 'nope' } as unknown as Snapshot);
    expect(evaluate(compileSnapshot(fixed, { previous: broken }), 'a', {}, 'x').value).toBe('a-on');
  });
});
