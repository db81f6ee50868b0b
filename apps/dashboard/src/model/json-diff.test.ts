import { describe, expect, it } from 'vitest';
import { diffJson } from './json-diff.js';

describe('diffJson', () => {
  it('lists changed leaves by path', () => {
    expect(
      diffJson(
        { enabled: true, offVariant: null, rules: [{ serve: { variant: 'a' } }], version: 3 },
        { enabled: false, offVariant: 'off', rules: [{ serve: { variant: 'a' } }], version: 4 },
      ),
    ).toEqual([
      { path: 'enabled', kind: 'changed', before: true, after: false },
      { path: 'offVariant', kind: 'changed', before: null, after: 'off' },
      { path: 'version', kind: 'changed', before: 3, after: 4 },
    ]);
  });

  it('shows added and removed entries, and a create as all added', () => {
    expect(diffJson({ tags: ['a'] }, { tags: ['a', 'b'], name: 'x' })).toEqual([
      { path: 'tags.1', kind: 'added', after: 'b' },
      { path: 'name', kind: 'added', after: 'x' },
    ]);
    expect(diffJson({ targets: [{ v: 1 }] }, { targets: [] })).toEqual([
      { path: 'targets.0.v', kind: 'removed', before: 1 },
    ]);
    expect(diffJson(null, { key: 'k', tags: [] })).toEqual([
      { path: 'key', kind: 'added', after: 'k' },
      { path: 'tags', kind: 'added', after: [] },
    ]);
    expect(diffJson({ a: 1 }, { a: 1 })).toEqual([]);
  });

  it('compares a value that changes shape as a whole', () => {
    expect(diffJson({ serve: { variant: 'a' } }, { serve: 'x' })).toEqual([
      { path: 'serve', kind: 'changed', before: { variant: 'a' }, after: 'x' },
    ]);
  });
});
