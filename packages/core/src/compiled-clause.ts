import { parseDate } from './dates.js';
import { type Clause, type JsonValue, Operator } from './model.js';
import { MAX_MATCH_INPUT_LENGTH, patternProblem } from './safe-pattern.js';
import { compareSemver, parseSemver, type SemVer } from './semver.js';

/** Outcome of comparing an attribute with a clause's values, before `negate`. */
export const Comparison = { Holds: 1, Fails: 0, NotMade: -1 } as const;
/** One of {@link Comparison}'s values. */
export type Comparison = (typeof Comparison)[keyof typeof Comparison];
// Plain constants for the hot path: the JIT folds them without a property load.
const HOLDS = 1;
const FAILS = 0;
const NOT_MADE = -1;

const OPERATORS = new Set<string>(Object.values(Operator));

// Numeric op codes: the evaluator switches on these rather than comparing operator strings.
const IN = 0;
const CONTAINS = 1;
const STARTS_WITH = 2;
const ENDS_WITH = 3;
const MATCHES = 4;
const LT = 5;
const LTE = 6;
const GT = 7;
const GTE = 8;
const BEFORE = 9;
const AFTER = 10;
const SEMVER_EQ = 11;
const SEMVER_LT = 12;
const SEMVER_GT = 13;
/** Op code of `exists`, which the evaluator answers before comparing. */
export const EXISTS = 14;
/** Op code of `inSegment`, which the evaluator answers from segments. */
export const IN_SEGMENT = 15;

const OP_CODES: Record<Operator, number> = {
  in: IN,
  equals: IN,
  contains: CONTAINS,
  startsWith: STARTS_WITH,
  endsWith: ENDS_WITH,
  matches: MATCHES,
  lt: LT,
  lte: LTE,
  gt: GT,
  gte: GTE,
  before: BEFORE,
  after: AFTER,
  semverEq: SEMVER_EQ,
  semverLt: SEMVER_LT,
  semverGt: SEMVER_GT,
  exists: EXISTS,
  inSegment: IN_SEGMENT,
};

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
  readonly code: number;
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
    this.code = OP_CODES[source.op];
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
    if (typeof value === 'string') return this.compareString(value);
    if (Array.isArray(value)) {
      let outcome: Comparison = NOT_MADE;
      for (let i = 0; i < value.length; i++) {
        const element: unknown = value[i];
        const c = typeof element === 'string' ? this.compareString(element) : this.compareOther(element);
        if (c === HOLDS) return c;
        if (c === FAILS) outcome = c;
      }
      return outcome;
    }
    return this.compareOther(value);
  }

  /** Compares a string attribute: strings are most attributes, so they get a path of their own. */
  compareString(value: string): Comparison {
    switch (this.code) {
      case IN: {
        const scalars = this.scalars;
        if (scalars.length === 0) return NOT_MADE;
        if (this.scalarSet !== undefined) return this.scalarSet.has(value) ? HOLDS : FAILS;
        for (let i = 0; i < scalars.length; i++) if (scalars[i] === value) return HOLDS;
        return FAILS;
      }
      case CONTAINS:
      case STARTS_WITH:
      case ENDS_WITH: {
        const strings = this.strings;
        if (strings.length === 0) return NOT_MADE;
        for (let i = 0; i < strings.length; i++) {
          const s = strings[i] as string;
          if (
            this.code === CONTAINS
              ? value.includes(s)
              : this.code === STARTS_WITH
                ? value.startsWith(s)
                : value.endsWith(s)
          ) {
            return HOLDS;
          }
        }
        return FAILS;
      }
      case MATCHES: {
        if (value.length > MAX_MATCH_INPUT_LENGTH || this.regexes.length === 0) return NOT_MADE;
        for (const r of this.regexes) if (r.test(value)) return HOLDS;
        return FAILS;
      }
      case BEFORE:
      case AFTER:
        return this.compareDate(value);
      case SEMVER_EQ:
      case SEMVER_LT:
      case SEMVER_GT:
        return this.compareVersion(value);
      default:
        return NOT_MADE;
    }
  }

  private compareOther(value: unknown): Comparison {
    switch (this.code) {
      case IN: {
        const t = typeof value;
        if ((t !== 'number' && t !== 'boolean') || this.scalars.length === 0) return NOT_MADE;
        if (this.scalarSet !== undefined) return this.scalarSet.has(value as Scalar) ? HOLDS : FAILS;
        for (const s of this.scalars) if (s === value) return HOLDS;
        return FAILS;
      }
      case LT:
      case LTE:
      case GT:
      case GTE: {
        if (typeof value !== 'number' || !Number.isFinite(value) || this.numbers.length === 0)
          return NOT_MADE;
        return this.compareNumber(value);
      }
      case BEFORE:
      case AFTER:
        return this.compareDate(value);
      default:
        return NOT_MADE;
    }
  }

  private compareDate(value: unknown): Comparison {
    const time = parseDate(value);
    if (time === undefined || this.numbers.length === 0) return NOT_MADE;
    return this.compareNumber(time);
  }

  private compareVersion(value: string): Comparison {
    const version = parseSemver(value);
    if (version === undefined || this.versions.length === 0) return NOT_MADE;
    for (const v of this.versions) {
      const c = compareSemver(version, v);
      if (this.code === SEMVER_EQ ? c === 0 : this.code === SEMVER_LT ? c < 0 : c > 0) return HOLDS;
    }
    return FAILS;
  }

  private compareNumber(x: number): Comparison {
    for (const n of this.numbers) {
      switch (this.code) {
        case LT:
        case BEFORE:
          if (x < n) return HOLDS;
          break;
        case LTE:
          if (x <= n) return HOLDS;
          break;
        case GT:
        case AFTER:
          if (x > n) return HOLDS;
          break;
        case GTE:
          if (x >= n) return HOLDS;
          break;
      }
    }
    return FAILS;
  }
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
