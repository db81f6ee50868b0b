import {
  ErrorCode,
  type FlagValue,
  type FlagValueType,
  type JsonValue,
  StandardResolutionReasons,
} from '@openfeature/core';
import { EvaluationDetails } from '@switchboard/sdk';
import { describe, expect, it } from 'vitest';
import { toSwitchboardContext } from '../src/evaluation-context.js';
import { ERROR_CODES, REASONS, toResolutionDetails } from '../src/resolution-details.js';

describe('the mapping to OpenFeature', () => {
  it('keeps every reason and error code name, with PREREQUISITE_FAILED as a custom reason', () => {
    for (const [ours, theirs] of Object.entries(REASONS)) expect(theirs).toBe(ours);
    for (const [ours, theirs] of Object.entries(ERROR_CODES)) expect(theirs).toBe(ours);
    expect(Object.values(StandardResolutionReasons)).not.toContain(REASONS.PREREQUISITE_FAILED);
    expect(Object.values(ErrorCode)).toEqual(expect.arrayContaining(Object.values(ERROR_CODES)));
  });

  it('serves the default with the error code on an error, and the rule as flag metadata on a match', () => {
    const error = new EvaluationDetails('f', {
      value: 'd',
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
      errorMessage: 'no unit',
    });
    expect(toResolutionDetails(error, 'string', 'd')).toEqual({
      value: 'd',
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
      errorMessage: 'no unit',
    });
    const match = new EvaluationDetails('f', {
      value: 'v',
      variant: 'a',
      reason: 'TARGETING_MATCH',
      ruleId: 'r1',
    });
    expect(toResolutionDetails(match, 'string', 'd')).toEqual({
      value: 'v',
      variant: 'a',
      reason: 'TARGETING_MATCH',
      flagMetadata: { ruleId: 'r1' },
    });
  });

  it.each([
    ['boolean', 'yes', false],
    ['string', 1, 'd'],
    ['number', '1', 0],
    ['object', 'text', {}],
    ['object', 3, []],
  ] as [FlagValueType, JsonValue, FlagValue][])(
    'a %s getter given a served %o is a TYPE_MISMATCH',
    (type, served, fallback) => {
      const details = new EvaluationDetails('f', { value: served, variant: 'v', reason: 'DEFAULT' });
      expect(toResolutionDetails(details, type, fallback)).toMatchObject({
        value: fallback,
        reason: 'ERROR',
        errorCode: 'TYPE_MISMATCH',
      });
    },
  );

  it('accepts objects, arrays and null for the object getter, and the default when nothing was served', () => {
    for (const served of [{ a: 1 }, [1], null]) {
      const details = new EvaluationDetails('f', { value: served, variant: 'v', reason: 'SPLIT' });
      expect(toResolutionDetails(details, 'object', {})).toMatchObject({ value: served, reason: 'SPLIT' });
    }
    const disabled = new EvaluationDetails('f', { value: 'd', reason: 'DISABLED' });
    expect(toResolutionDetails(disabled, 'string', 'd')).toEqual({ value: 'd', reason: 'DISABLED' });
  });
});

describe('toSwitchboardContext', () => {
  it('turns top-level dates into RFC 3339 strings and leaves everything else as it is', () => {
    const plain = { targetingKey: 'u1', tier: 'pro', nested: { at: 1 } };
    expect(toSwitchboardContext(plain)).toBe(plain);
    const at = new Date('2026-01-31T12:00:00Z');
    expect(toSwitchboardContext({ targetingKey: 'u1', signedUpAt: at, bad: new Date(Number.NaN) })).toEqual({
      targetingKey: 'u1',
      signedUpAt: '2026-01-31T12:00:00.000Z',
      bad: null,
    });
    expect(toSwitchboardContext('user-1' as never)).toBe('user-1');
  });
});
