import type { Clause } from '@switchboard/core';

/** The segment keys a list of clauses names through `inSegment`, in order. */
export function referencedSegments(clauses: readonly Clause[]): string[] {
  const keys: string[] = [];
  for (const clause of clauses) {
    if (clause.op !== 'inSegment') continue;
    for (const value of clause.values) if (typeof value === 'string') keys.push(value);
  }
  return keys;
}

/**
 * The shortest chain of references leading from segment `from` to segment `to` (`[from, ..., to]`),
 * or undefined when `to` cannot be reached. `references` gives a segment's direct references.
 * Breadth-first and iterative, so long chains cannot overflow the stack.
 *
 * @example
 * referencePath('b', 'a', (k) => ({ b: ['c'], c: ['a'] })[k] ?? []); // ['b', 'c', 'a']
 */
export function referencePath(
  from: string,
  to: string,
  references: (key: string) => readonly string[],
): string[] | undefined {
  const cameFrom = new Map<string, string | undefined>([[from, undefined]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i] as string;
    if (key === to) {
      const path: string[] = [];
      for (let at: string | undefined = key; at !== undefined; at = cameFrom.get(at)) path.push(at);
      return path.reverse();
    }
    for (const next of references(key)) {
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, key);
      queue.push(next);
    }
  }
  return undefined;
}
