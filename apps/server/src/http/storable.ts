import { z } from 'zod';

/** How deep a JSON document from a client (a variant value) may nest; deeper ones cannot be stored or served. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON value (a scalar is 0, `[]` is 1); iterative, so that no depth can overflow the stack. */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object') continue;
    max = Math.max(max, depth + 1);
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * Free text the stores keep as is (names, descriptions). No NUL character: PostgreSQL text cannot hold
 * one and SQLite cuts the value there. No unpaired surrogate: it is not Unicode, and would be stored
 * as U+FFFD.
 */
export function storableText(limits: { min?: number; max: number }) {
  return z
    .string()
    .min(limits.min ?? 0)
    .max(limits.max)
    .refine(
      (value) => !value.includes('\u0000') && !/\p{Cs}/u.test(value),
      'must not contain NUL characters or unpaired surrogates',
    );
}

/**
 * Any JSON value nested at most {@link MAX_JSON_DEPTH} levels: the stores, the audit log and the
 * responses serialise it recursively, and a deep enough document overflows the stack.
 */
export function storableJson() {
  return z.unknown().refine((value) => jsonDepth(value) <= MAX_JSON_DEPTH, {
    message: `must not nest deeper than ${MAX_JSON_DEPTH} levels`,
  });
}
