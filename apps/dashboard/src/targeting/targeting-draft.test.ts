import type { Rule } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../api/api-types.js';
import { type ClauseDraft, draftOf, newRule, patchOf, sameDraft } from './targeting-draft.js';

const stored: EnvironmentConfig = {
  enabled: true,
  offVariant: 'control',
  targets: [{ variant: 'treatment', values: ['vip-1', 'vip-2'] }],
  rules: [
    {
      id: 'rule-plan',
      clauses: [
        { attribute: 'plan', op: 'in', values: ['enterprise', 'team'] },
        { attribute: 'seats', op: 'gte', values: [10] },
        { attribute: 'beta', op: 'equals', values: [true], negate: true },
        { attribute: '', op: 'inSegment', values: ['beta-users'] } as never,
      ],
      serve: {
        split: [
          { variant: 'treatment', weight: 10_000 },
          { variant: 'control', weight: 90_000 },
        ],
        bucketBy: 'orgId',
      },
    },
  ],
  fallthrough: { variant: 'control' },
  prerequisites: [{ flag: 'new-checkout', variant: 'on' }],
  retryAfterSeconds: null,
  version: 4,
};
const variants = ['control', 'treatment'];

describe('the targeting draft', () => {
  it('edits a stored configuration and writes it back unchanged', () => {
    const { patch, problems } = patchOf(draftOf(stored, variants));
    expect(problems).toEqual([]);
    const { enabled: _e, retryAfterSeconds: _r, version: _v, ...expected } = stored;
    const rule = expected.rules[0] as Rule;
    expect(patch).toEqual({
      ...expected,
      rules: [
        {
          ...rule,
          clauses: rule.clauses.map((c) => (c.op === 'inSegment' ? { op: c.op, values: c.values } : c)),
        },
      ],
    });
  });

  it('knows an untouched draft from an edited one', () => {
    const a = draftOf(stored, variants);
    expect(sameDraft(a, draftOf(stored, variants))).toBe(true);
    expect(sameDraft(a, { ...a, offVariant: null })).toBe(false);
  });

  it('names the fields at fault, as the server does', () => {
    const draft = draftOf(stored, variants);
    const rule = newRule(variants);
    rule.clauses[0] = {
      ...(rule.clauses[0] as ClauseDraft),
      attribute: 'seats',
      op: 'gt',
      valuesText: 'ten',
    };
    draft.rules.push(rule);
    draft.targets.push({ uid: 'x', variant: 'control', valuesText: '  \n' });
    const { patch, problems } = patchOf(draft);
    expect(problems).toEqual([
      { field: 'body.targets.1.values', message: 'list at least one unit id' },
      { field: 'body.rules.1.clauses.0.values.0', message: '"ten" is not a number' },
    ]);
    expect(patch.rules[1]).not.toHaveProperty('id');
    expect(patchOf(draft, { preview: true }).patch.rules[1]?.id).toMatch(/^draft-/);
  });
});
