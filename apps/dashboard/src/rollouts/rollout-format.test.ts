import { DEFAULT_PROMOTION_POLICY } from '@switchboard/core/stats';
import { describe, expect, it } from 'vitest';
import {
  formatMinDuration,
  formatShare,
  formatTimeProgress,
  formatUnitProgress,
  guardrailRows,
} from './rollout-format.js';
import type { ArmFigures } from './rollout-types.js';

const HOUR_MS = 3_600_000;

const arm = (variant: string, overrides: Partial<ArmFigures>): ArmFigures => ({
  variant,
  units: 200,
  exposures: 200,
  requests: 1000,
  errorRate: 0.01,
  fallbackRate: 0.002,
  latencyP95Ms: 1200,
  costPerRequestUsd: 0.002,
  quality: { n: 50, mean: 0.8 },
  ...overrides,
});

describe('progress in words', () => {
  it('writes time run against the minimum duration', () => {
    expect(formatTimeProgress({ elapsedMs: 2 * HOUR_MS + 5 * 60_000, minDurationMs: 48 * HOUR_MS })).toBe(
      '2 h 5 min of 2 d',
    );
    expect(formatTimeProgress({ elapsedMs: 400, minDurationMs: 12 * HOUR_MS })).toBe('0 s of 12 h');
    expect(formatTimeProgress({ elapsedMs: 90_000, minDurationMs: 0 })).toBe('1 min 30 s (no minimum)');
  });

  it('writes units against the minimum sample, or that nothing was measured yet', () => {
    expect(formatUnitProgress({ units: 40, minUnits: 100 })).toBe('40 of 100 units per arm');
    expect(formatUnitProgress({ units: 1500, minUnits: 1000 })).toBe('1,500 of 1,000 units per arm');
    expect(formatUnitProgress({ units: null, minUnits: 100 })).toBe('not measured yet (needs 100 per arm)');
  });

  it('rounds shares to whole percentages and names a stage without a minimum duration', () => {
    expect(formatShare(0.426)).toBe('43%');
    expect(formatShare(null)).toBe('—');
    expect(formatMinDuration(0)).toBe('none');
    expect(formatMinDuration(24 * HOUR_MS)).toBe('1 d');
  });
});

describe('guardrailRows', () => {
  it("states each guardrail's limit under the default policy, without figures before a measurement", () => {
    const rows = guardrailRows(DEFAULT_PROMOTION_POLICY, undefined);
    expect(rows.map((r) => [r.check, r.limit])).toEqual([
      ['quality', 'may drop at most 0.020'],
      ['error-rate', 'may rise at most +0.5 pp'],
      ['p95-latency', 'at most +500 ms over the control'],
      ['cost', 'no limit set'],
      ['fallback-rate', "at most 5% of the candidate's requests"],
    ]);
    expect(rows.every((r) => r.control === '—' && r.candidate === '—')).toBe(true);
  });

  it("writes each arm's figures in their units, and both cost limits when set", () => {
    const policy = { ...DEFAULT_PROMOTION_POLICY, maxCostPerRequestUsd: 0.01, maxCostIncreaseRatio: 0.2 };
    const rows = guardrailRows(policy, {
      control: arm('control', {}),
      candidate: arm('candidate', {
        errorRate: 0.025,
        fallbackRate: 0.06,
        latencyP95Ms: 3197.8,
        costPerRequestUsd: 0.0019467,
      }),
    });
    const byCheck = Object.fromEntries(rows.map((r) => [r.check, r]));
    expect(byCheck.quality).toMatchObject({ control: '0.800', candidate: '0.800' });
    expect(byCheck['error-rate']).toMatchObject({ control: '1%', candidate: '2.5%' });
    expect(byCheck['p95-latency']).toMatchObject({ control: '1,200 ms', candidate: '3,198 ms' });
    expect(byCheck['fallback-rate']).toMatchObject({ control: '0.2%', candidate: '6%' });
    expect(byCheck.cost).toMatchObject({
      limit: 'at most $0.01 a request, at most +20% over the control',
      candidate: '$0.00195',
    });
  });

  it('shows no fallback figure for a decision recorded before arms carried one', () => {
    const { fallbackRate: _dropped, ...older } = arm('control', {});
    const rows = guardrailRows(DEFAULT_PROMOTION_POLICY, { control: older, candidate: older });
    expect(rows.find((r) => r.check === 'fallback-rate')).toMatchObject({ control: '—', candidate: '—' });
  });
});
