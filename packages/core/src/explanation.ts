import type { Operator } from './model.js';
import type { EvaluationResult, Reason } from './reasons.js';

/** Which step of evaluation decided the result (DESIGN.md §3's order). */
export type DecidedBy =
  | 'context'
  | 'snapshot'
  | 'flag-not-found'
  | 'type-mismatch'
  | 'malformed-flag'
  | 'disabled'
  | 'prerequisite'
  | 'target'
  | 'rule'
  | 'fallthrough';

/** How one clause of a tried rule came out. */
export interface ClauseExplanation {
  index: number;
  attribute: string;
  op: Operator;
  negate: boolean;
  /** The context's value of the attribute (the unit id for `inSegment`). */
  actual: unknown;
  /** Whether the comparison held, failed, or could not be made (which never matches, negated or not). */
  comparison: 'holds' | 'fails' | 'not-made';
  matched: boolean;
}

/** A rule that was tried, and its clauses up to the first that did not match. */
export interface RuleExplanation {
  ruleId: string;
  matched: boolean;
  clauses: ClauseExplanation[];
}

/** A prerequisite that was checked. */
export interface PrerequisiteExplanation {
  flag: string;
  requiredVariant: string;
  servedVariant: string | undefined;
  reason: Reason | undefined;
  met: boolean;
}

/** What {@link explain} collects while evaluating. */
export interface Trace {
  decidedBy: DecidedBy;
  prerequisites: PrerequisiteExplanation[];
  rules: RuleExplanation[];
  /** The unit id used by a target or a split. */
  unitId?: string;
  /** The bucket in [0, 100000) when a split decided. */
  bucket?: number;
  bucketBy?: string;
}

/** The result of an evaluation and how it was reached. */
export interface Explanation extends Trace {
  result: EvaluationResult<unknown>;
}
