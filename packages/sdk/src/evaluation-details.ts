import { type ErrorCode, type EvaluationResult, type JsonValue, Reason } from '@switchboard/core';

/** The result of `client.evaluate`: the evaluator's result, with helpers. */
export class EvaluationDetails<T = JsonValue | undefined> {
  readonly value: T;
  readonly variant: string | undefined;
  readonly reason: Reason;
  readonly ruleId: string | undefined;
  readonly errorCode: ErrorCode | undefined;
  readonly errorMessage: string | undefined;

  constructor(
    readonly flagKey: string,
    result: EvaluationResult<T>,
  ) {
    this.value = result.value;
    this.variant = result.variant;
    this.reason = result.reason;
    this.ruleId = result.ruleId;
    this.errorCode = result.errorCode;
    this.errorMessage = result.errorMessage;
  }

  /** The served value (the caller's default when nothing could be served). */
  getValue(): T {
    return this.value;
  }

  /**
   * Whether the flag is on for this context: a boolean flag's value; for other kinds, whether the flag
   * served a variant of its own (not disabled, not stopped by a prerequisite, not an error).
   */
  isOn(): boolean {
    if (typeof this.value === 'boolean') return this.value;
    return (
      this.reason !== Reason.Disabled &&
      this.reason !== Reason.PrerequisiteFailed &&
      this.reason !== Reason.Error
    );
  }
}
