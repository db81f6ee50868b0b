import { describe, expect, it } from 'vitest';
import { compileSnapshot, evaluate, explain, type Snapshot, type SnapshotFlag } from '../src/index.js';

const llmModel: SnapshotFlag = {
  key: 'llm-model',
  kind: 'ai-config',
  salt: 'q7hx2m9kd1c4v8p',
  variants: [
    { key: 'control', value: { provider: 'openai', model: 'gpt-4o', params: { temperature: 0.2 } } },
    {
      key: 'candidate',
      value: { provider: 'anthropic', model: 'claude-sonnet', params: { temperature: 0.2 } },
    },
  ],
  enabled: true,
  offVariant: 'control',
  targets: [{ variant: 'candidate', values: ['staff-1'] }],
  rules: [
    {
      id: 'beta',
      clauses: [
        { attribute: 'beta', op: 'equals', values: [true] },
        { attribute: 'region', op: 'in', values: ['eu', 'us'] },
      ],
      serve: { variant: 'candidate' },
    },
  ],
  fallthrough: {
    split: [
      { variant: 'candidate', weight: 10_000 },
      { variant: 'control', weight: 90_000 },
    ],
  },
  prerequisites: [],
  version: 3,
};
const snapshot: Snapshot = { flags: [llmModel], segments: [] };

describe('evaluate', () => {
  it('returns frozen results that share no object with the snapshot', () => {
    const compiled = compileSnapshot(snapshot);
    const r = evaluate(compiled, 'llm-model', { targetingKey: 'staff-1' });
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.value)).toBe(true);
    expect(r.value).toEqual(llmModel.variants[1]?.value);
    expect(r.value).not.toBe(llmModel.variants[1]?.value);
    expect(Object.isFrozen(llmModel.variants[1]?.value)).toBe(false);
  });

  it('serves the same result object to every unit on the same path (no allocation per evaluation)', () => {
    const compiled = compileSnapshot(snapshot);
    const a = evaluate(compiled, 'llm-model', { targetingKey: 'a', beta: true, region: 'eu' });
    const b = evaluate(compiled, 'llm-model', { targetingKey: 'b', beta: true, region: 'us' });
    expect(a).toBe(b);
    expect(a).toMatchObject({ variant: 'candidate', reason: 'TARGETING_MATCH', ruleId: 'beta' });
  });

  it('is not affected by later changes to the snapshot it was compiled from', () => {
    const copy = structuredClone(snapshot);
    const compiled = compileSnapshot(copy);
    (copy.flags[0] as SnapshotFlag).enabled = false;
    expect(evaluate(compiled, 'llm-model', { targetingKey: 'staff-1' }).reason).toBe('TARGETING_MATCH');
  });

  it('gives the caller default with the error for an unknown flag', () => {
    expect(evaluate(snapshot, 'nope', {}, { model: 'x' })).toEqual({
      value: { model: 'x' },
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: 'no flag "nope"',
    });
  });

  it('gives GENERAL for a snapshot that is not one', () => {
    expect(evaluate(null as unknown as Snapshot, 'llm-model', {}, 1)).toMatchObject({
      value: 1,
      errorCode: 'GENERAL',
    });
    expect(evaluate({ flags: 3 } as unknown as Snapshot, 'llm-model', {})).toMatchObject({
      errorCode: 'GENERAL',
    });
  });

  it('names the problem of a malformed flag', () => {
    const broken = { ...llmModel, fallthrough: { split: [{ variant: 'control', weight: 99_999 }] } };
    expect(evaluate({ flags: [broken], segments: [] }, 'llm-model', { targetingKey: 'u' })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
      errorMessage: 'fallthrough: split weights total 99999, not 100000',
    });
  });

  it('refuses prerequisite chains deeper than 100, whatever the call stack allows', () => {
    const chain: SnapshotFlag[] = Array.from({ length: 20_000 }, (_, i) => ({
      ...llmModel,
      key: `f${i}`,
      targets: [],
      rules: [],
      fallthrough: { variant: 'control' },
      prerequisites: i + 1 < 20_000 ? [{ flag: `f${i + 1}`, variant: 'control' }] : [],
    }));
    const compiled = compileSnapshot({ flags: chain, segments: [] });
    expect(evaluate(compiled, 'f0', {}, { model: 'default' })).toMatchObject({
      value: { model: 'default' },
      errorCode: 'PARSE_ERROR',
      errorMessage: 'the prerequisite chain is deeper than 100',
    });
    // 100 prerequisites below it is the most a flag may have: f19899 has exactly that.
    expect(evaluate(compiled, 'f19899', {})).toMatchObject({ variant: 'control', reason: 'DEFAULT' });
    expect(evaluate(compiled, 'f19898', {})).toMatchObject({ errorCode: 'PARSE_ERROR' });
  });
});

describe('explain', () => {
  it('names the rule and the clause that decided', () => {
    const e = explain(snapshot, 'llm-model', { targetingKey: 'u1', beta: true, region: 'apac' });
    expect(e.decidedBy).toBe('fallthrough');
    expect(e.rules).toEqual([
      {
        ruleId: 'beta',
        matched: false,
        clauses: [
          {
            index: 0,
            attribute: 'beta',
            op: 'equals',
            negate: false,
            actual: true,
            comparison: 'holds',
            matched: true,
          },
          {
            index: 1,
            attribute: 'region',
            op: 'in',
            negate: false,
            actual: 'apac',
            comparison: 'fails',
            matched: false,
          },
        ],
      },
    ]);
    expect(e.result.reason).toBe('SPLIT');
    expect(e.unitId).toBe('u1');
    expect(e.bucket).toBeGreaterThanOrEqual(0);
    expect(e.result.variant).toBe((e.bucket as number) < 10_000 ? 'candidate' : 'control');
  });

  it('reports a target, the prerequisites checked, and a disabled flag', () => {
    expect(explain(snapshot, 'llm-model', { targetingKey: 'staff-1' })).toMatchObject({
      decidedBy: 'target',
      unitId: 'staff-1',
    });
    const gated: SnapshotFlag = {
      ...llmModel,
      key: 'gated',
      prerequisites: [{ flag: 'llm-model', variant: 'candidate' }],
    };
    const e = explain({ flags: [llmModel, gated], segments: [] }, 'gated', {
      targetingKey: 'x',
      beta: false,
    });
    expect(e.prerequisites).toHaveLength(1);
    expect(e.prerequisites[0]?.flag).toBe('llm-model');
    const off = explain({ flags: [{ ...llmModel, enabled: false }], segments: [] }, 'llm-model', {});
    expect(off).toMatchObject({ decidedBy: 'disabled', result: { variant: 'control', reason: 'DISABLED' } });
  });

  it('gives exactly what evaluate gives', () => {
    for (const ctx of [
      {},
      { targetingKey: 'staff-1' },
      { targetingKey: 'z', beta: true, region: 'eu' },
      'bad',
    ]) {
      expect(explain(snapshot, 'llm-model', ctx).result).toEqual(evaluate(snapshot, 'llm-model', ctx));
    }
  });
});
