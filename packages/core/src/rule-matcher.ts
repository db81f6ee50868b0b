import { clauseMatches, clausesMatch } from './clause-matching.js';
import type { CompiledClause } from './compiled-clause.js';
import { Operator } from './model.js';

/** Finds the first rule whose clauses all match: its index, or -1. */
export type RuleMatcher = (ctx: Readonly<Record<string, unknown>>, unit: string | undefined) => number;

/** Above this many string values, `in` is left to the clause's Set lookup rather than inlined. */
const MAX_INLINED_VALUES = 8;
/** Flags with more clauses than this are interpreted: V8 does not optimize very large functions. */
const MAX_GENERATED_CLAUSES = 512;

/**
 * Builds the function that matches a flag's rules. When the runtime allows it, the rules are turned
 * into one specialized function: attributes are read by literal names (monomorphic property loads
 * rather than lookups by a variable name) and `in`/`equals` on a string attribute becomes literal
 * string comparisons. Every other case — other operators, non-string attributes, long value lists —
 * calls {@link clauseMatches}, the same code the interpreter runs, so semantics live in one place.
 *
 * Every name and value is embedded with `JSON.stringify`, so nothing from a snapshot can become code.
 * Where `new Function` is refused (a browser page with a strict Content-Security-Policy), or when
 * `generate` is false, the interpreted matcher is returned: same results, somewhat slower.
 */
export function compileRuleMatcher(
  rules: readonly { clauses: readonly CompiledClause[] }[],
  generate: boolean,
): RuleMatcher {
  const interpreted: RuleMatcher = (ctx, unit) => {
    for (let i = 0; i < rules.length; i++) {
      if (clausesMatch((rules[i] as (typeof rules)[number]).clauses, ctx, unit)) return i;
    }
    return -1;
  };
  const clauses = rules.flatMap((r) => r.clauses);
  if (!generate || rules.length === 0 || clauses.length > MAX_GENERATED_CLAUSES) return interpreted;
  try {
    const body = generatedSource(rules);
    const factory = new Function('C', 'match', body) as (
      c: readonly CompiledClause[],
      match: typeof clauseMatches,
    ) => RuleMatcher;
    return factory(clauses, clauseMatches);
  } catch {
    return interpreted;
  }
}

/** The rules, interpreted: the same clause code, no generated function. */
export function interpretedMatcher(rules: readonly { clauses: readonly CompiledClause[] }[]): RuleMatcher {
  return (ctx, unit) => {
    for (let i = 0; i < rules.length; i++) {
      if (clausesMatch((rules[i] as (typeof rules)[number]).clauses, ctx, unit)) return i;
    }
    return -1;
  };
}

/**
 * Interprets the rules until they have been matched `after` times, then installs the generated
 * matcher through `install`. Generating code costs tens of microseconds per flag: an SDK recompiling
 * its snapshot on every change would pay it for every flag, hot or not, so only flags in use pay it.
 */
export function warmingMatcher(
  rules: readonly { clauses: readonly CompiledClause[] }[],
  after: number,
  install: (matcher: RuleMatcher) => void,
): RuleMatcher {
  const interpreted = interpretedMatcher(rules);
  let calls = 0;
  return (ctx, unit) => {
    if (++calls === after) install(compileRuleMatcher(rules, true));
    return interpreted(ctx, unit);
  };
}

function generatedSource(rules: readonly { clauses: readonly CompiledClause[] }[]): string {
  const lines = ['"use strict";', 'return function matchRules(ctx, unit) {', '  let v;'];
  let k = 0;
  rules.forEach((rule, r) => {
    lines.push(`  r${r}: {`);
    for (const clause of rule.clauses) {
      const delegate = `if (!match(C[${k}], ctx, unit)) break r${r};`;
      const strings = clause.scalars.filter((s): s is string => typeof s === 'string');
      const inlinable =
        (clause.op === Operator.In || clause.op === Operator.Equals) &&
        clause.scalars.length > 0 &&
        strings.length <= MAX_INLINED_VALUES;
      if (inlinable) {
        // A string attribute with usable values is always a comparison made: it matches when
        // (equal to a value) differs from negate.
        const holds =
          strings.length === 0 ? 'false' : strings.map((s) => `v === ${JSON.stringify(s)}`).join(' || ');
        lines.push(`    v = ctx[${JSON.stringify(clause.attribute)}];`);
        lines.push(
          `    if (typeof v === "string") { if ((${holds}) === ${clause.negate}) break r${r}; } else ${delegate}`,
        );
      } else {
        lines.push(`    ${delegate}`);
      }
      k++;
    }
    lines.push(`    return ${r};`, '  }');
  });
  lines.push('  return -1;', '};');
  return lines.join('\n');
}
