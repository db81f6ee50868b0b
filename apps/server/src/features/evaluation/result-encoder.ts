import { ErrorCode, type EvaluationResult, Reason } from '@switchboard/core';

/**
 * What a client may learn of an error. Fixed texts, never the evaluator's message: those name rule ids
 * and attributes, which would tell a browser how it is targeted.
 */
const ERROR_DETAILS: Record<ErrorCode, string> = {
  [ErrorCode.FlagNotFound]: 'no flag with this key in this environment',
  [ErrorCode.ParseError]: "the flag's configuration is malformed",
  [ErrorCode.TypeMismatch]: "the value is not of the flag's kind",
  [ErrorCode.TargetingKeyMissing]: 'the context lacks the attribute this flag assigns variants by',
  [ErrorCode.InvalidContext]: 'the context is not an object',
  [ErrorCode.General]: 'the flag could not be evaluated',
};

/** The fixed, non-revealing description of an error code. */
export function errorDetails(code: ErrorCode): string {
  return ERROR_DETAILS[code];
}

/**
 * Writes evaluation results as the JSON clients receive: values only, with no rule id, clause, unit id,
 * salt or evaluator message. Results the evaluator built in advance (every result that serves a variant)
 * are shared between evaluations, so their JSON is written once and remembered; the cache is weak, so it
 * goes with the snapshot that built them.
 */
export class ResultEncoder {
  private readonly client = new WeakMap<EvaluationResult, string>();
  private readonly ofrep = new WeakMap<EvaluationResult, string>();

  /** `{ value?, variant?, reason, errorCode? }` */
  clientJson(result: EvaluationResult): string {
    const known = this.client.get(result);
    if (known !== undefined) return known;
    const json = JSON.stringify({
      value: result.value,
      variant: result.variant,
      reason: result.reason,
      errorCode: result.errorCode,
    });
    if (result.variant !== undefined) this.client.set(result, json);
    return json;
  }

  /**
   * One OFREP bulk item: `{ key, reason, variant?, value?, metadata }`, or `{ key, errorCode, errorDetails }`.
   * A value the caller's default should stand for (a disabled flag without an off variant) is left out:
   * OFREP's codeDefaultFlag.
   */
  ofrepJson(key: string, result: EvaluationResult): string {
    const known = this.ofrep.get(result);
    if (known !== undefined) return known;
    const json = JSON.stringify(ofrepItem(key, result));
    if (result.variant !== undefined) this.ofrep.set(result, json);
    return json;
  }
}

/** An OFREP success or failure item for one result. */
export function ofrepItem(key: string, result: EvaluationResult) {
  if (result.errorCode !== undefined || result.reason === Reason.Error) {
    const errorCode = result.errorCode ?? ErrorCode.General;
    return { key, errorCode, errorDetails: errorDetails(errorCode) };
  }
  return {
    key,
    reason: result.reason,
    ...(result.variant === undefined ? {} : { variant: result.variant }),
    ...(result.value === undefined ? {} : { value: result.value }),
    metadata: {},
  };
}
