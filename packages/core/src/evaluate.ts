import { Comparison, type CompiledClause, isObject, type SegmentRef } from './compiled-clause.js';
import {
  type CompiledFlag,
  type CompiledServe,
  CompiledSnapshot,
  compileSnapshot,
  defaultIsOfKind,
} from './compiled-snapshot.js';
import type { Explanation, Trace } from './explanation.js';
import { type EvaluationContext, type JsonValue, Operator, type Snapshot } from './model.js';
import { ErrorCode, type EvaluationResult, Reason } from './reasons.js';

const EMPTY_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Evaluates one flag for one context. Never throws: whatever the snapshot or context hold, the result
 * has a value (the caller's default when nothing else can be served), a reason, and an error code
 * when the reason is `ERROR`. Pass a {@link CompiledSnapshot} on hot paths; a plain snapshot is
 * compiled on every call.
 *
 * @example
 * const compiled = compileSnapshot(snapshot);
 * const { value, variant, reason } = evaluate(compiled, 'llm-model', { targetingKey: 'u1', tier: 'pro' }, 'gpt-4o');
 */
export function evaluate<T = JsonValue | undefined>(
  snapshot: Snapshot | CompiledSnapshot,
  flagKey: string,
  context?: EvaluationContext | unknown,
  defaultValue?: T,
): EvaluationResult<T> {
  return run(snapshot, flagKey, context, defaultValue, undefined) as EvaluationResult<T>;
}

/**
 * Evaluates like {@link evaluate} and says how the result was reached: the prerequisites checked,
 * each rule tried with the outcome of its clauses, and the bucket of a split. For debuggers and the
 * dashboard's preview; application code should call {@link evaluate}.
 *
 * @example
 * explain(snapshot, 'llm-model', { targetingKey: 'u1', tier: 'enterprise', region: 'eu' }).decidedBy; // 'rule'
 */
export function explain(
  snapshot: Snapshot | CompiledSnapshot,
  flagKey: string,
  context?: EvaluationContext | unknown,
  defaultValue?: unknown,
): Explanation {
  const trace: Trace = { decidedBy: 'fallthrough', prerequisites: [], rules: [] };
  const result = run(snapshot, flagKey, context, defaultValue, trace);
  return { result, ...trace };
}

function run(
  snapshot: Snapshot | CompiledSnapshot,
  flagKey: string,
  context: unknown,
  defaultValue: unknown,
  trace: Trace | undefined,
): EvaluationResult<unknown> {
  try {
    const compiled = snapshot instanceof CompiledSnapshot ? snapshot : compileSnapshot(snapshot);
    const ctx = context === undefined ? EMPTY_CONTEXT : context;
    if (!isObject(ctx)) {
      if (trace !== undefined) trace.decidedBy = 'context';
      return errorResult(defaultValue, ErrorCode.InvalidContext, 'the context is not an object');
    }
    if (compiled.problem !== undefined) {
      if (trace !== undefined) trace.decidedBy = 'snapshot';
      return errorResult(defaultValue, ErrorCode.General, compiled.problem);
    }
    const flag = compiled.flags.get(flagKey);
    if (flag === undefined) {
      if (trace !== undefined) trace.decidedBy = 'flag-not-found';
      return errorResult(defaultValue, ErrorCode.FlagNotFound, `no flag ${JSON.stringify(flagKey)}`);
    }
    if (defaultValue !== undefined && !defaultIsOfKind(defaultValue, flag.kind)) {
      if (trace !== undefined) trace.decidedBy = 'type-mismatch';
      return errorResult(defaultValue, ErrorCode.TypeMismatch, `the default is not a ${flag.kind} value`);
    }
    return evaluateFlag(flag, ctx, defaultValue, trace);
  } catch (error) {
    // Unreachable by design (compiling records problems instead of throwing); kept so evaluation can
    // never throw into application code, even through a bug.
    if (trace !== undefined) trace.decidedBy = 'snapshot';
    return errorResult(defaultValue, ErrorCode.General, `evaluation failed: ${String(error)}`);
  }
}

function evaluateFlag(
  flag: CompiledFlag,
  ctx: Readonly<Record<string, unknown>>,
  defaultValue: unknown,
  trace: Trace | undefined,
): EvaluationResult<unknown> {
  if (flag.problem !== undefined) {
    if (trace !== undefined) trace.decidedBy = 'malformed-flag';
    return errorResult(defaultValue, ErrorCode.ParseError, flag.problem);
  }
  if (!flag.enabled) {
    if (trace !== undefined) trace.decidedBy = 'disabled';
    return flag.offResult ?? Object.freeze({ value: defaultValue, reason: Reason.Disabled });
  }
  for (const p of flag.prerequisites) {
    const r = p.flag === undefined ? undefined : evaluateFlag(p.flag, ctx, undefined, undefined);
    const met =
      r !== undefined &&
      r.errorCode === undefined &&
      r.reason !== Reason.Disabled &&
      r.reason !== Reason.PrerequisiteFailed &&
      r.variant === p.variant;
    if (trace !== undefined) {
      trace.prerequisites.push({
        flag: p.flagKey,
        requiredVariant: p.variant,
        servedVariant: r?.variant,
        reason: r?.reason,
        met,
      });
    }
    if (!met) {
      if (trace !== undefined) trace.decidedBy = 'prerequisite';
      return (
        flag.prerequisiteFailedResult ??
        Object.freeze({ value: defaultValue, reason: Reason.PrerequisiteFailed })
      );
    }
  }
  const unit = unitIdOf(ctx.targetingKey) ?? unitIdOf(ctx.userId);
  if (flag.targets !== undefined && unit !== undefined) {
    const targeted = flag.targets.get(unit);
    if (targeted !== undefined) {
      if (trace !== undefined) {
        trace.decidedBy = 'target';
        trace.unitId = unit;
      }
      return targeted;
    }
  }
  for (const rule of flag.rules) {
    if (clausesMatch(rule.clauses, ctx, unit, trace, rule.id)) {
      if (trace !== undefined) trace.decidedBy = 'rule';
      return serve(flag, rule.serve, ctx, unit, defaultValue, trace);
    }
  }
  if (trace !== undefined) trace.decidedBy = 'fallthrough';
  return serve(flag, flag.fallthrough, ctx, unit, defaultValue, trace);
}

function serve(
  flag: CompiledFlag,
  s: CompiledServe,
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
  defaultValue: unknown,
  trace: Trace | undefined,
): EvaluationResult<unknown> {
  if (s.fixed !== undefined) return s.fixed;
  const id = s.bucketBy === undefined ? unit : unitIdOf(ctx[s.bucketBy]);
  if (id === undefined) {
    return errorResult(
      defaultValue,
      ErrorCode.TargetingKeyMissing,
      `the context has no ${s.bucketBy ?? 'targetingKey or userId'} to bucket by`,
    );
  }
  const bucket = flag.bucketer.bucket(id);
  const bounds = s.bounds;
  let i = 0;
  // Bounds are cumulative and the last one is BUCKET_SCALE, so the walk always ends on an entry.
  while (bucket >= (bounds[i] as number)) i++;
  if (trace !== undefined) {
    trace.unitId = id;
    trace.bucket = bucket;
    trace.bucketBy = s.bucketBy ?? 'targetingKey';
  }
  return s.results[i] as EvaluationResult;
}

function clausesMatch(
  clauses: readonly CompiledClause[],
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
  trace: Trace | undefined,
  ruleId: string | undefined,
): boolean {
  const ruleTrace =
    trace === undefined || ruleId === undefined
      ? undefined
      : { ruleId, matched: false, clauses: [] as Trace['rules'][number]['clauses'] };
  if (ruleTrace !== undefined) trace?.rules.push(ruleTrace);
  for (let i = 0; i < clauses.length; i++) {
    const clause = clauses[i] as CompiledClause;
    const comparison = compareClause(clause, ctx, unit);
    const matched = comparison !== Comparison.NotMade && (comparison === Comparison.Holds) !== clause.negate;
    if (ruleTrace !== undefined) {
      ruleTrace.clauses.push({
        index: i,
        attribute: clause.attribute,
        op: clause.op,
        negate: clause.negate,
        actual: clause.op === Operator.InSegment ? unit : ctx[clause.attribute],
        comparison:
          comparison === Comparison.Holds ? 'holds' : comparison === Comparison.Fails ? 'fails' : 'not-made',
        matched,
      });
    }
    if (!matched) return false;
  }
  if (ruleTrace !== undefined) ruleTrace.matched = true;
  return true;
}

function compareClause(
  clause: CompiledClause,
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
): Comparison {
  if (clause.op === Operator.InSegment) {
    if (clause.segments.length === 0) return Comparison.NotMade;
    for (const segment of clause.segments) if (inSegment(segment, ctx, unit)) return Comparison.Holds;
    return Comparison.Fails;
  }
  const value = attributeOf(ctx, clause.attribute);
  if (clause.op === Operator.Exists) return value === undefined ? Comparison.Fails : Comparison.Holds;
  if (value === undefined) return Comparison.NotMade;
  return clause.compare(value);
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
  return segment.clauses.length > 0 && clausesMatch(segment.clauses, ctx, unit, undefined, undefined);
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

/** A usable unit id: a non-empty string, or a finite number written as `String(n)` writes it. */
function unitIdOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function errorResult(value: unknown, errorCode: ErrorCode, errorMessage: string): EvaluationResult<unknown> {
  return Object.freeze({ value, reason: Reason.Error, errorCode, errorMessage });
}
