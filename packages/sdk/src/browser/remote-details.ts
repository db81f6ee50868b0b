import { ErrorCode, Reason } from '@switchboard/core';
import { EvaluationDetails } from '../evaluation-details.js';
import type { ClientFlagResult } from './client-flags-request.js';

/** How a JSON value is typed for a caller's default: each primitive type, or structured (object, array, null). */
type ValueKind = 'boolean' | 'string' | 'number' | 'structured';

function kindOf(value: unknown): ValueKind {
  const type = typeof value;
  return type === 'boolean' || type === 'string' || type === 'number' ? type : 'structured';
}

/**
 * Turns a remotely evaluated result into the details the server SDK returns, with the caller's default
 * applied the way core applies it:
 * - no result for the key: `ERROR`/`FLAG_NOT_FOUND`;
 * - an error: the default, `ERROR` and the error code;
 * - no value (a disabled flag or a failed prerequisite without an off variant): the default, that reason;
 * - a value whose kind differs from the default's: the default, `ERROR`/`TYPE_MISMATCH`.
 *
 * The client endpoint does not say a flag's kind, so the type check compares the served value with the
 * default: a boolean, string or number default needs a value of that type; an object, array or null
 * default needs an object, array or null (a `json` flag serving a string to a string default passes, one
 * serving an object to a string default does not, which core would allow).
 */
export function remoteDetails<T>(
  flagKey: string,
  result: ClientFlagResult | undefined,
  defaultValue: T | undefined,
): EvaluationDetails<T> {
  const fallback = defaultValue as T;
  if (result === undefined) {
    return new EvaluationDetails<T>(flagKey, {
      value: fallback,
      reason: Reason.Error,
      errorCode: ErrorCode.FlagNotFound,
      errorMessage: `no flag ${JSON.stringify(flagKey)}`,
    });
  }
  if (result.errorCode !== undefined || result.reason === Reason.Error) {
    return new EvaluationDetails<T>(flagKey, {
      value: fallback,
      reason: Reason.Error,
      errorCode: result.errorCode ?? ErrorCode.General,
    });
  }
  if (result.value === undefined) {
    return new EvaluationDetails<T>(flagKey, { value: fallback, reason: result.reason });
  }
  if (defaultValue !== undefined && kindOf(result.value) !== kindOf(defaultValue)) {
    return new EvaluationDetails<T>(flagKey, {
      value: fallback,
      reason: Reason.Error,
      errorCode: ErrorCode.TypeMismatch,
      errorMessage: `the flag served a ${kindOf(result.value)} value, the default is a ${kindOf(defaultValue)}`,
    });
  }
  return new EvaluationDetails<T>(flagKey, {
    value: result.value as T,
    reason: result.reason,
    ...(result.variant === undefined ? {} : { variant: result.variant }),
  });
}

/** The details served while no values are held (nothing fetched yet, or the key was refused). */
export function unavailableDetails<T>(
  flagKey: string,
  defaultValue: T | undefined,
  why: string,
): EvaluationDetails<T> {
  return new EvaluationDetails<T>(flagKey, {
    value: defaultValue as T,
    reason: Reason.Error,
    errorCode: ErrorCode.General,
    errorMessage: why,
  });
}
