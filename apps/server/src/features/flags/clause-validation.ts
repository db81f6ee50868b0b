import { type Clause, parseDate, parseSemver } from '@switchboard/core';
import { unsafePatternProblem } from './pattern-safety.js';

/**
 * The first problem of a list of clauses, with the field it is in, or undefined. The evaluator treats
 * unusable values as absent (a clause never throws); at write time they are refused instead, so what
 * a rule says is what it does.
 */
export function clauseProblems(
  clauses: readonly Clause[],
  field: string,
): { field: string; problem: string } | undefined {
  for (const [i, clause] of clauses.entries()) {
    const at = `${field}.${i}`;
    if (clause.op !== 'inSegment' && (clause.attribute === undefined || clause.attribute === '')) {
      return { field: `${at}.attribute`, problem: `is required for ${clause.op}` };
    }
    if (clause.op !== 'exists' && clause.values.length === 0) {
      return { field: `${at}.values`, problem: `${clause.op} needs at least one value` };
    }
    for (const [j, value] of clause.values.entries()) {
      const problem = valueProblem(clause.op, value);
      if (problem !== undefined) return { field: `${at}.values.${j}`, problem };
    }
  }
  return undefined;
}

function valueProblem(op: Clause['op'], value: unknown): string | undefined {
  switch (op) {
    case 'contains':
    case 'startsWith':
    case 'endsWith':
    case 'inSegment':
      return typeof value === 'string' ? undefined : `${op} compares strings`;
    case 'matches': {
      if (typeof value !== 'string') return 'matches takes regular expressions as strings';
      const problem = unsafePatternProblem(value);
      return problem === undefined ? undefined : `unusable regular expression: ${problem}`;
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${op} compares numbers`;
    case 'before':
    case 'after':
      return parseDate(value) === undefined
        ? 'must be an RFC 3339 date (2026-01-31T12:00:00Z) or epoch milliseconds'
        : undefined;
    case 'semverEq':
    case 'semverLt':
    case 'semverGt':
      return typeof value === 'string' && parseSemver(value) !== undefined
        ? undefined
        : 'must be a semantic version (1.2.3)';
    default:
      return undefined;
  }
}
