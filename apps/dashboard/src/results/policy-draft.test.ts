import { DEFAULT_PROMOTION_POLICY } from '@switchboard/core/stats';
import { describe, expect, it } from 'vitest';
import type { PolicyView } from '../api/api-types.js';
import { POLICY_FIELDS, POLICY_FLAGS, policyBodyOf, policyDraftOf, samePolicyDraft } from './policy-draft.js';

const VIEW: PolicyView = {
  flag: 'llm-model',
  environment: 'production',
  control: 'control',
  settings: { minUnitsPerArm: 500, minDurationMs: 86_400_000, maxCostIncreaseRatio: null, sequential: false },
  policy: { ...DEFAULT_PROMOTION_POLICY, minUnitsPerArm: 500, minDurationMs: 86_400_000, sequential: false },
  version: 3,
  updatedAt: '2026-06-01T12:00:00.000Z',
};

describe('the promotion policy form', () => {
  it("shows core's defaults", () => {
    for (const field of POLICY_FIELDS) {
      expect(field.defaultValue, field.name).toBe(DEFAULT_PROMOTION_POLICY[field.name] ?? null);
    }
    for (const flag of POLICY_FLAGS)
      expect(flag.defaultValue, flag.name).toBe(DEFAULT_PROMOTION_POLICY[flag.name]);
  });

  it('edits what is stored: set fields as text (the duration in hours), the rest empty', () => {
    const draft = policyDraftOf(VIEW);
    expect(draft.control).toBe('control');
    expect(draft.numbers.minUnitsPerArm).toBe('500');
    expect(draft.numbers.minDurationMs).toBe('24');
    expect(draft.numbers.maxCostIncreaseRatio).toBe('');
    expect(draft.numbers.qualityDelta).toBe('');
    expect(draft.flags).toEqual({ sequential: 'no', requireQualityFeedback: '' });
    expect(samePolicyDraft(draft, policyDraftOf(VIEW))).toBe(true);
  });

  it('sends only what is set, and leaves ranges to the server', () => {
    const draft = policyDraftOf(VIEW);
    draft.numbers.qualityDelta = ' 0.05 ';
    draft.numbers.minUnitsPerArm = '50';
    draft.numbers.minDurationMs = '1.5';
    draft.flags.sequential = '';
    draft.control = '';
    expect(policyBodyOf(draft)).toEqual({
      body: { control: null, policy: { minUnitsPerArm: 50, minDurationMs: 5_400_000, qualityDelta: 0.05 } },
      problems: [],
    });
  });

  it('refuses text that is not a number, and a duration beyond a year, at their fields', () => {
    const draft = policyDraftOf(VIEW);
    draft.numbers.alpha = 'five percent';
    draft.numbers.minDurationMs = '9000';
    expect(policyBodyOf(draft).problems).toEqual([
      { field: 'body.policy.minDurationMs', message: 'must be from 0 to 8760 hours (365 days)' },
      { field: 'body.policy.alpha', message: 'must be a number, or empty for the default' },
    ]);
  });
});
