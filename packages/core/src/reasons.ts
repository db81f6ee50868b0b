import type { JsonValue } from './model.js';

/** Why a value was served; OpenFeature's names, plus `PREREQUISITE_FAILED`. */
export const Reason = {
  /** No rule matched; the fallthrough served a fixed variant. */
  Default: 'DEFAULT',
  /** An individual target or a rule served a fixed variant. */
  TargetingMatch: 'TARGETING_MATCH',
  /** A weighted split (in a rule or the fallthrough) chose the variant by bucket. */
  Split: 'SPLIT',
  /** The flag is disabled in this environment: the off variant (or the caller's default) was served. */
  Disabled: 'DISABLED',
  /** A prerequisite flag did not serve its required variant: the off variant (or default) was served. */
  PrerequisiteFailed: 'PREREQUISITE_FAILED',
  /** The caller's default was served because evaluation could not proceed; see the error code. */
  Error: 'ERROR',
} as const;
/** One of {@link Reason}'s values. */
export type Reason = (typeof Reason)[keyof typeof Reason];

/** What went wrong when the reason is `ERROR`; OpenFeature's names. */
export const ErrorCode = {
  /** No flag with this key in the snapshot. */
  FlagNotFound: 'FLAG_NOT_FOUND',
  /** The flag's configuration is malformed (unknown variant, bad weights, prerequisite cycle...). */
  ParseError: 'PARSE_ERROR',
  /** The caller's default is not of the flag's kind. */
  TypeMismatch: 'TYPE_MISMATCH',
  /** A split was reached but the context has no usable value for its bucketing attribute. */
  TargetingKeyMissing: 'TARGETING_KEY_MISSING',
  /** The context is not an object. */
  InvalidContext: 'INVALID_CONTEXT',
  /** The snapshot itself is unusable. */
  General: 'GENERAL',
} as const;
/** One of {@link ErrorCode}'s values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The outcome of one evaluation. It is frozen and may be shared between evaluations: never mutate it. */
export interface EvaluationResult<T = JsonValue | undefined> {
  readonly value: T;
  /** The served variant's key; absent when the caller's default was served. */
  readonly variant?: string;
  readonly reason: Reason;
  /** The rule that decided, when a rule decided. */
  readonly ruleId?: string;
  readonly errorCode?: ErrorCode;
  readonly errorMessage?: string;
}
