import { parseDate } from './dates.js';
import { type Clause, type JsonValue, Operator } from './model.js';
import { MAX_MATCH_INPUT_LENGTH, patternProblem } from './safe-pattern.js';
import { compareSemver, parseSemver, type SemVer } from './semver.js';

/** Outcome of comparing an attribute with a clause's values, before `negate`. */
export const Comparison = { Holds: 1, Fails: 0, NotMade: -1 } as const;
/** One of {@link Comparison}'s values. */
export type Comparison = (typeof Comparison)[keyof typeof Comparison];

const OPERATORS = new Set<string>(Object.values(Operator));

/** Above this many values, `in` looks values up in a Set rather than scanning them. */
const SET_LOOKUP_THRESHOLD = 8;

type Scalar = string | number | boolean;

/**
 * A segment as clauses see it once compiled. Membership needs the unit id, which is why the segment
 * is resolved by the evaluator, not here.
 */
export interface SegmentRef {
  readonly key: string;
  readonly included: ReadonlySet<string>;
  readonly excluded: ReadonlySet<string>;
  readonly clauses: readonly CompiledClause[];
}

/**
 * A clause with its values parsed once for its operator: regexes compiled, dates and versions parsed,
 * values of the wrong type dropped. Every instance has the same fields so the evaluator's call sites
 * stay monomorphic.
 */
export class CompiledClause {
  readonly attribute: string;
  readonly op: Operator;
  readonly negate: boolean;
  readonly scalars: readonly Scalar[] = [];
  readonly scalarSet: ReadonlySet<Scalar> | undefined = undefined;
  readonly strings: readonly string[] = [];
  readonly numbers: readonly number[] = [];
  readonly regexes: readonly RegExp[] = [];
  readonly versions: readonly SemVer[] = [];
  readonly segmentKeys: readonly string[] = [];
  /** Filled in once every segment is compiled; unknown, malformed and cyclic segments are left out. */
  segments: readonly SegmentRef[] = [];

  constructor(readonly source: Clause) {
    this.attribute = source.attribute ?? '';
    this.op = source.op;
    this.negate = source.negate === true;
    const values = source.values;
    switch (source.op) {
      case Operator.In:
      case Operator.Equals: {
        const scalars = values.filter(isScalar);
        this.scalars = scalars;
        if (scalars.length > SET_LOOKUP_THRESHOLD) this.scalarSet = new Set(scalars);
        break;
      }
      case Operator.Contains:
      case Operator.StartsWith:
      case Operator.EndsWith:
        this.strings = values.filter((v): v is string => typeof v === 'string');
        break;
      case Operator.Matches:
        this.regexes = values
          .filter((v): v is string => typeof v === 'string' && patternProblem(v) === undefined)
          .map((v) => new RegExp(v));
        break;
      case Operator.Lt:
      case Operator.Lte:
      case Operator.Gt:
      case Operator.Gte:
        this.numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
        break;
      case Operator.Before:
      case Operator.After:
        this.numbers = values.map(parseDate).filter((v): v is number => v !== undefined);
        break;
      case Operator.SemverEq:
      case Operator.SemverLt:
      case Operator.SemverGt:
        this.versions = values
          .map((v) => (typeof v === 'string' ? parseSemver(v) : undefined))
          .filter((v): v is SemVer => v !== undefined);
        break;
      case Operator.InSegment:
        this.segmentKeys = values.filter((v): v is string => typeof v === 'string');
        break;
      case Operator.Exists:
        break;
    }
  }

  /** Compares one attribute value (already known to be present) with this clause's values. */
  compare(value: unknown): Comparison {
    if (Array.isArray(value)) {
      let outcome: Comparison = Comparison.NotMade;
      for (const element of value) {
        const c = this.compareScalar(element);
        if (c === Comparison.Holds) return c;
        if (c === Comparison.Fails) outcome = c;
      }
      return outcome;
    }
    return this.compareScalar(value);
  }

  private compareScalar(value: unknown): Comparison {
    switch (this.op) {
      case Operator.In:
      case Operator.Equals: {
        const t = typeof value;
        if ((t !== 'string' && t !== 'number' && t !== 'boolean') || this.scalars.length === 0) {
          return Comparison.NotMade;
        }
        if (this.scalarSet !== undefined) return holds(this.scalarSet.has(value as Scalar));
        for (const s of this.scalars) if (s === value) return Comparison.Holds;
        return Comparison.Fails;
      }
      case Operator.Contains:
      case Operator.StartsWith:
      case Operator.EndsWith: {
        if (typeof value !== 'string' || this.strings.length === 0) return Comparison.NotMade;
        for (const s of this.strings) {
          if (
            this.op === Operator.Contains
              ? value.includes(s)
              : this.op === Operator.StartsWith
                ? value.startsWith(s)
                : value.endsWith(s)
          ) {
            return Comparison.Holds;
          }
        }
        return Comparison.Fails;
      }
      case Operator.Matches: {
        if (typeof value !== 'string' || value.length > MAX_MATCH_INPUT_LENGTH || this.regexes.length === 0) {
          return Comparison.NotMade;
        }
        for (const r of this.regexes) if (r.test(value)) return Comparison.Holds;
        return Comparison.Fails;
      }
      case Operator.Lt:
      case Operator.Lte:
      case Operator.Gt:
      case Operator.Gte: {
        if (typeof value !== 'number' || !Number.isFinite(value) || this.numbers.length === 0) {
          return Comparison.NotMade;
        }
        return this.compareNumber(value);
      }
      case Operator.Before:
      case Operator.After: {
        const time = parseDate(value);
        if (time === undefined || this.numbers.length === 0) return Comparison.NotMade;
        return this.compareNumber(time);
      }
      case Operator.SemverEq:
      case Operator.SemverLt:
      case Operator.SemverGt: {
        const version = typeof value === 'string' ? parseSemver(value) : undefined;
        if (version === undefined || this.versions.length === 0) return Comparison.NotMade;
        for (const v of this.versions) {
          const c = compareSemver(version, v);
          if (this.op === Operator.SemverEq ? c === 0 : this.op === Operator.SemverLt ? c < 0 : c > 0) {
            return Comparison.Holds;
          }
        }
        return Comparison.Fails;
      }
      default:
        return Comparison.NotMade;
    }
  }

  private compareNumber(x: number): Comparison {
    for (const n of this.numbers) {
      switch (this.op) {
        case Operator.Lt:
        case Operator.Before:
          if (x < n) return Comparison.Holds;
          break;
        case Operator.Lte:
          if (x <= n) return Comparison.Holds;
          break;
        case Operator.Gt:
        case Operator.After:
          if (x > n) return Comparison.Holds;
          break;
        case Operator.Gte:
          if (x >= n) return Comparison.Holds;
          break;
      }
    }
    return Comparison.Fails;
  }
}

function holds(condition: boolean): Comparison {
  return condition ? Comparison.Holds : Comparison.Fails;
}

function isScalar(v: JsonValue): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Why a clause is malformed, or undefined when it is well formed. */
export function clauseProblem(clause: unknown): string | undefined {
  if (!isObject(clause)) return 'a clause is not an object';
  if (typeof clause.op !== 'string' || !OPERATORS.has(clause.op))
    return `unknown operator ${JSON.stringify(clause.op)}`;
  if (
    typeof clause.attribute !== 'string' &&
    !(clause.op === Operator.InSegment && clause.attribute === undefined)
  ) {
    return 'a clause attribute is not a string';
  }
  if (!Array.isArray(clause.values)) return 'clause values are not an array';
  if (clause.negate !== undefined && typeof clause.negate !== 'boolean')
    return 'clause negate is not a boolean';
  return undefined;
}

/** A non-null, non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
