import {
  type FlagValue,
  type FlagValueType,
  ErrorCode as OpenFeatureErrorCode,
  type ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/core';
import type { EvaluationDetails } from '@switchboard/sdk/browser';

type SwitchboardReason = EvaluationDetails['reason'];
type SwitchboardErrorCode = NonNullable<EvaluationDetails['errorCode']>;

/** The reason of a flag whose prerequisite failed: not one of OpenFeature's names, which allow custom reasons. */
export const PREREQUISITE_FAILED_REASON = 'PREREQUISITE_FAILED';

/** Switchboard's reasons as OpenFeature reasons: the same names, one for one. */
export const REASONS: Readonly<Record<SwitchboardReason, string>> = {
  DEFAULT: StandardResolutionReasons.DEFAULT,
  TARGETING_MATCH: StandardResolutionReasons.TARGETING_MATCH,
  SPLIT: StandardResolutionReasons.SPLIT,
  DISABLED: StandardResolutionReasons.DISABLED,
  PREREQUISITE_FAILED: PREREQUISITE_FAILED_REASON,
  ERROR: StandardResolutionReasons.ERROR,
};

/** Switchboard's error codes as OpenFeature error codes: the same names, one for one. */
export const ERROR_CODES: Readonly<Record<SwitchboardErrorCode, OpenFeatureErrorCode>> = {
  FLAG_NOT_FOUND: OpenFeatureErrorCode.FLAG_NOT_FOUND,
  PARSE_ERROR: OpenFeatureErrorCode.PARSE_ERROR,
  TYPE_MISMATCH: OpenFeatureErrorCode.TYPE_MISMATCH,
  TARGETING_KEY_MISSING: OpenFeatureErrorCode.TARGETING_KEY_MISSING,
  INVALID_CONTEXT: OpenFeatureErrorCode.INVALID_CONTEXT,
  GENERAL: OpenFeatureErrorCode.GENERAL,
};

function isOfType(value: unknown, type: FlagValueType): boolean {
  // OpenFeature's object flags are structures: objects and arrays (and null, typeof 'object' too).
  return typeof value === type;
}

/**
 * Turns Switchboard's evaluation details into OpenFeature resolution details. The reason and error code
 * keep their names; the rule that decided is in `flagMetadata.ruleId`. A served value that is not of the
 * type asked for (a `json` flag read with `getStringValue`) is a `TYPE_MISMATCH`, as OpenFeature requires;
 * core already reports a default of the wrong type for the flag's kind.
 */
export function toResolutionDetails<T extends FlagValue>(
  details: EvaluationDetails<unknown>,
  type: FlagValueType,
  defaultValue: T,
): ResolutionDetails<T> {
  if (details.reason === 'ERROR' || details.errorCode !== undefined) {
    return {
      value: defaultValue,
      reason: StandardResolutionReasons.ERROR,
      errorCode: (details.errorCode && ERROR_CODES[details.errorCode]) ?? OpenFeatureErrorCode.GENERAL,
      ...(details.errorMessage === undefined ? {} : { errorMessage: details.errorMessage }),
    };
  }
  if (details.variant !== undefined && !isOfType(details.value, type)) {
    return {
      value: defaultValue,
      reason: StandardResolutionReasons.ERROR,
      errorCode: OpenFeatureErrorCode.TYPE_MISMATCH,
      errorMessage: `the flag served a value that is not of type ${type}`,
    };
  }
  return {
    value: details.value as T,
    // A newer server may name reasons this table does not know: they are passed on as they are.
    reason: REASONS[details.reason] ?? details.reason,
    ...(details.variant === undefined ? {} : { variant: details.variant }),
    ...(details.ruleId === undefined ? {} : { flagMetadata: { ruleId: details.ruleId } }),
  };
}

/** What is resolved before the provider has been initialized (OpenFeature usually answers this itself). */
export function notReadyDetails<T extends FlagValue>(defaultValue: T): ResolutionDetails<T> {
  return {
    value: defaultValue,
    reason: StandardResolutionReasons.ERROR,
    errorCode: OpenFeatureErrorCode.PROVIDER_NOT_READY,
    errorMessage: 'the provider has not been initialized',
  };
}
