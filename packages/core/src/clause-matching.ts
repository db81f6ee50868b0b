import { Comparison, type CompiledClause, EXISTS, IN_SEGMENT, type SegmentRef } from './compiled-clause.js';

/**
 * Whether one clause matches: the comparison was made and, after `negate`, holds. Both the interpreter
 * and the generated rule matchers (see rule-matcher.ts) come here for every clause they do not inline.
 */
export function clauseMatches(
  clause: CompiledClause,
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
): boolean {
  const comparison = compareClause(clause, ctx, unit);
  return comparison !== Comparison.NotMade && (comparison === Comparison.Holds) !== clause.negate;
}

/** Whether every clause matches (an empty list matches everyone). */
export function clausesMatch(
  clauses: readonly CompiledClause[],
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
): boolean {
  for (let i = 0; i < clauses.length; i++) {
    const clause = clauses[i] as CompiledClause;
    if (!clauseMatches(clause, ctx, unit)) return false;
  }
  return true;
}

/** How a clause's comparison came out, before `negate`. */
export function compareClause(
  clause: CompiledClause,
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
): Comparison {
  const code = clause.code;
  if (code === IN_SEGMENT) {
    if (clause.segments.length === 0) return Comparison.NotMade;
    for (const segment of clause.segments) if (inSegment(segment, ctx, unit)) return Comparison.Holds;
    return Comparison.Fails;
  }
  const value = ctx[clause.attribute];
  // A string is the common case and cannot be an inherited property: compare it at once.
  if (typeof value === 'string') return code === EXISTS ? Comparison.Holds : clause.compareString(value);
  const own = attributeOf(ctx, clause.attribute);
  if (code === EXISTS) return own === undefined ? Comparison.Fails : Comparison.Holds;
  if (own === undefined) return Comparison.NotMade;
  return clause.compare(own);
}

function inSegment(
  segment: SegmentRef,
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
): boolean {
  if (unit !== undefined) {
    if (segment.excluded.has(unit)) return false;
    if (segment.included.has(unit)) return true;
  }
  return segment.clauses.length > 0 && clausesMatch(segment.clauses, ctx, unit);
}

/** The context's own attribute, or undefined when it is absent or null. */
function attributeOf(ctx: Readonly<Record<string, unknown>>, attribute: string): unknown {
  const value = ctx[attribute];
  if (value === null || value === undefined) return undefined;
  // Inherited properties (`constructor`, `__proto__`...) are not attributes.
  if ((typeof value === 'function' || typeof value === 'object') && !Object.hasOwn(ctx, attribute))
    return undefined;
  return value;
}
