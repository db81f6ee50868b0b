import { describe, expect, it } from 'vitest';
import { referencedSegments, referencePath } from './segment-references.js';

const graph = (edges: Record<string, string[]>) => (key: string) => edges[key] ?? [];

describe('referencedSegments', () => {
  it('collects the string values of inSegment clauses only, in order', () => {
    expect(
      referencedSegments([
        { attribute: 'tier', op: 'in', values: ['gold'] },
        { attribute: '', op: 'inSegment', values: ['a', 1, 'b'] },
        { attribute: '', op: 'inSegment', values: ['c'], negate: true },
      ]),
    ).toEqual(['a', 'b', 'c']);
  });
});

describe('referencePath', () => {
  it('finds the shortest chain back', () => {
    const edges = graph({ b: ['x', 'c'], c: ['a'], x: ['y'], y: ['a'] });
    expect(referencePath('b', 'a', edges)).toEqual(['b', 'c', 'a']);
    expect(referencePath('a', 'a', edges)).toEqual(['a']);
  });

  it('answers undefined without a chain, even through cycles that do not reach the target', () => {
    expect(referencePath('b', 'a', graph({ b: ['c'], c: ['b', 'd'] }))).toBeUndefined();
  });

  it('follows chains far longer than the call stack allows', () => {
    const depth = 200_000;
    const edges = (key: string) => {
      const n = Number(key.slice(1));
      return n < depth ? [`s${n + 1}`] : [];
    };
    expect(referencePath('s0', `s${depth}`, edges)).toHaveLength(depth + 1);
  });
});
