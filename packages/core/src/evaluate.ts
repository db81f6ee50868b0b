import { compareClause } from './clause-matching.js';
import { Comparison, type CompiledClause, IN_SEGMENT, isObject } from './compiled-clause.js';
import {
  type CompiledFlag,
  type CompiledRule,
  type CompiledServe,
  type CompiledSnapshot,
  compileSnapshot,
  defaultIsOfKind,
  isCompiledSnapshot,
} from './compiled-snapshot.js';
import type { Explanation, Trace } from './explanation.js';
import type { EvaluationContext, JsonValue, Snapshot } from './model.js';
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
  // The path an SDK takes on every call: a compiled snapshot, an object context, a known flag, a
  // default of the right type. Everything else goes through run(), which checks each case in order.
  if (
    isCompiledSnapshot(snapshot) &&
    typeof context === 'object' &&
    context !== null &&
    !Array.isArray(context) &&
    snapshot.problem === undefined
  ) {
    const flag = snapshot.flag(flagKey);
    if (
      flag !== undefined &&
      (defaultValue === undefined ||
        typeof defaultValue === flag.defaultTypeof ||
        (flag.defaultTypeof === undefined && defaultIsOfKind(defaultValue, flag.kind)))
    ) {
      try {
        return evaluateFlag(
          flag,
          context as Readonly<Record<string, unknown>>,
          defaultValue,
          undefined,
        ) as EvaluationResult<T>;
      } catch {
        // Fall through to run(), which reports the failure as a result.
      }
    }
  }
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
    const compiled = isCompiledSnapshot(snapshot) ? snapshot : compileSnapshot(snapshot);
    const ctx = context === undefined ? EMPTY_CONTEXT : context;
    if (!isObject(ctx)) {
      if (trace !== undefined) trace.decidedBy = 'context';
      return errorResult(defaultValue, ErrorCode.InvalidContext, 'the context is not an object');
    }
    if (compiled.problem !== undefined) {
      if (trace !== undefined) trace.decidedBy = 'snapshot';
      return errorResult(defaultValue, ErrorCode.General, compiled.problem);
    }
    const flag = compiled.flag(flagKey);
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

/**
 * The evaluation of one flag, steps 4 to 9 of the order. Kept small so the JIT can inline the common
 * path; the rare steps (malformed, disabled, prerequisites) and the explain mode live in functions of
 * their own.
 */
function evaluateFlag(
  flag: CompiledFlag,
  ctx: Readonly<Record<string, unknown>>,
  defaultValue: unknown,
  trace: Trace | undefined,
): EvaluationResult<unknown> {
  if (flag.gated) {
    const gated = checkGates(flag, ctx, defaultValue, trace);
    if (gated !== undefined) return gated;
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
  if (trace !== undefined) return traceRules(flag, ctx, unit, defaultValue, trace);
  const matched = flag.matchRules(ctx, unit);
  return serve(
    flag,
    matched < 0 ? flag.fallthrough : (flag.rules[matched] as CompiledRule).serve,
    ctx,
    unit,
    defaultValue,
  );
}

/** Steps 4 to 6: a malformed or disabled flag, or an unmet prerequisite, decides here. */
function checkGates(
  flag: CompiledFlag,
  ctx: Readonly<Record<string, unknown>>,
  defaultValue: unknown,
  trace: Trace | undefined,
): EvaluationResult<unknown> | undefined {
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
  return undefined;
}

/** Steps 8 and 9 in the explain mode: every rule tried is recorded, and the bucket of a split. */
function traceRules(
  flag: CompiledFlag,
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
  defaultValue: unknown,
  trace: Trace,
): EvaluationResult<unknown> {
  let s = flag.fallthrough;
  trace.decidedBy = 'fallthrough';
  for (const rule of flag.rules) {
    if (tracedClausesMatch(rule.clauses, ctx, unit, trace, rule.id)) {
      trace.decidedBy = 'rule';
      s = rule.serve;
      break;
    }
  }
  const result = serve(flag, s, ctx, unit, defaultValue);
  if (s.fixed === undefined && result.errorCode === undefined) {
    const id = (s.bucketBy === undefined ? unit : unitIdOf(ctx[s.bucketBy])) as string;
    trace.unitId = id;
    trace.bucket = flag.bucketer.bucket(id);
    trace.bucketBy = s.bucketBy ?? 'targetingKey';
  }
  return result;
}

function serve(
  flag: CompiledFlag,
  s: CompiledServe,
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
  defaultValue: unknown,
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
  return s.results[i] as EvaluationResult;
}

/** {@link clausesMatch}, recording each clause's outcome up to the first that does not match. */
function tracedClausesMatch(
  clauses: readonly CompiledClause[],
  ctx: Readonly<Record<string, unknown>>,
  unit: string | undefined,
  trace: Trace,
  ruleId: string,
): boolean {
  const ruleTrace: Trace['rules'][number] = { ruleId, matched: false, clauses: [] };
  trace.rules.push(ruleTrace);
  for (let i = 0; i < clauses.length; i++) {
    const clause = clauses[i] as CompiledClause;
    const comparison = compareClause(clause, ctx, unit);
    const matched = comparison !== Comparison.NotMade && (comparison === Comparison.Holds) !== clause.negate;
    ruleTrace.clauses.push({
      index: i,
      attribute: clause.attribute,
      op: clause.op,
      negate: clause.negate,
      actual: clause.code === IN_SEGMENT ? unit : ctx[clause.attribute],
      comparison:
        comparison === Comparison.Holds ? 'holds' : comparison === Comparison.Fails ? 'fails' : 'not-made',
      matched,
    });
    if (!matched) return false;
  }
  ruleTrace.matched = true;
  return true;
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
