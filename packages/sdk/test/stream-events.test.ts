import { compileSnapshot, type Snapshot, type SnapshotFlag } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { applyStreamEvent } from '../src/stream-events.js';

function flag(key: string, version = 1, enabled = true): SnapshotFlag {
  return {
    key,
    kind: 'boolean',
    variants: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    salt: `salt-${key}`,
    enabled,
    offVariant: 'off',
    targets: [],
    rules: [],
    fallthrough: { variant: 'on' },
    prerequisites: [],
    version,
  };
}

const patch = (version: number, value: SnapshotFlag) => ({
  event: 'patch',
  data: JSON.stringify({ version, kind: 'flag', key: value.key, value }),
});

const keys = (snapshot: Snapshot) => snapshot.flags.map((f) => f.key);

describe('applying a flag patch', () => {
  const held: Snapshot = { version: 5, flags: [flag('a'), flag('b'), flag('c')], segments: [] };

  it('puts the patched flag in the place of the one held and leaves the others as they were', () => {
    const applied = applyStreamEvent(held, 5, patch(6, flag('b', 2, false)));
    expect(applied?.changed).toEqual(['b']);
    expect(applied?.version).toBe(6);
    const next = applied?.snapshot as Snapshot;
    expect(keys(next)).toEqual(['a', 'b', 'c']);
    expect(next.flags[0]).toBe(held.flags[0]);
    expect(next.flags[2]).toBe(held.flags[2]);
    expect(next.flags[1]?.enabled).toBe(false);
    // The held snapshot is not changed.
    expect(held.flags[1]?.enabled).toBe(true);
  });

  it('adds a new flag last, and ignores a patch no newer than the flag held', () => {
    const added = applyStreamEvent(held, 5, patch(6, flag('d')))?.snapshot as Snapshot;
    expect(keys(added)).toEqual(['a', 'b', 'c', 'd']);
    const stale = applyStreamEvent(held, 5, patch(6, flag('b', 1, false)));
    expect(stale?.changed).toEqual([]);
    expect(stale?.snapshot).toBe(held);
  });

  it('keeps one flag of a key that a corrupt snapshot held twice', () => {
    const twice: Snapshot = { version: 5, flags: [flag('a'), flag('b'), flag('a')], segments: [] };
    const next = applyStreamEvent(twice, 5, patch(6, flag('a', 2, false)))?.snapshot as Snapshot;
    expect(keys(next)).toEqual(['b', 'a']);
    expect(next.flags[1]?.enabled).toBe(false);
  });

  it('lets the compiler take over every other flag and compile only the patched one', () => {
    const previous = compileSnapshot(held);
    const next = compileSnapshot(
      applyStreamEvent(held, 5, patch(6, flag('b', 2, false)))?.snapshot as Snapshot,
      {
        previous,
      },
    );
    expect(next.flags.get('a')).toBe(previous.flags.get('a'));
    expect(next.flags.get('c')).toBe(previous.flags.get('c'));
    expect(next.flags.get('b')).not.toBe(previous.flags.get('b'));
    expect(next.flags.get('b')?.enabled).toBe(false);
    expect(next.flagKeys()).toEqual(['a', 'b', 'c']);
  });
});
