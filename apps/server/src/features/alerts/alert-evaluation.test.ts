import { describe, expect, it } from 'vitest';
import type { VariantResult } from '../experiments/experiment-results.js';
import { readAlert, stepAlert } from './alert-evaluation.js';

function variant(name: string, requests: number, errorRate: number | null): VariantResult {
  return {
    variant: name,
    requests,
    errorRate,
    fallbackRate: 0,
    latencyMs: { p50: 100, p95: 200, p99: 300, mean: 120 },
    cost: { totalUsd: 1, perRequestUsd: 0.01, perDayUsd: 24, unknownRequests: 0 },
  } as VariantResult;
}

const rule = { metric: 'error_rate' as const, threshold: 0.1, minSample: 50, variant: null };
const NOW = new Date('2026-06-01T12:00:00.000Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

describe('reading an alert rule', () => {
  it('counts only variants with the minimum sample', () => {
    expect(readAlert(rule, [variant('candidate', 49, 1), variant('control', 500, 0.01)])).toEqual({
      breaches: [],
      worst: { variant: 'control', value: 0.01, sample: 500 },
    });
  });

  it('reports every variant over the threshold, worst first', () => {
    const reading = readAlert(rule, [
      variant('a', 100, 0.2),
      variant('b', 100, 0.5),
      variant('c', 100, 0.05),
    ]);
    expect(reading.breaches.map((b) => b.variant)).toEqual(['b', 'a']);
    expect(reading.worst).toEqual({ variant: 'b', value: 0.5, sample: 100 });
  });

  it('watches only the named variant when the rule names one', () => {
    const variants = [variant('candidate', 100, 0.5), variant('control', 100, 0.01)];
    expect(readAlert({ ...rule, variant: 'control' }, variants).breaches).toEqual([]);
    expect(readAlert({ ...rule, variant: 'candidate' }, variants).breaches).toHaveLength(1);
  });

  it('reads each metric', () => {
    const v = [variant('a', 100, 0)];
    expect(readAlert({ ...rule, metric: 'latency_p95_ms', threshold: 150 }, v).worst?.value).toBe(200);
    expect(readAlert({ ...rule, metric: 'cost_per_day_usd', threshold: 10 }, v).worst?.value).toBe(24);
    expect(readAlert({ ...rule, metric: 'fallback_rate', threshold: 0.5 }, v).breaches).toEqual([]);
  });
});

describe('stepping an alert rule', () => {
  it('fires at once without forMinutes, and resolves when back within the threshold', () => {
    const fired = stepAlert({ state: 'inactive', stateSince: null }, 0, true, NOW);
    expect(fired).toEqual({ state: 'firing', stateSince: NOW.toISOString(), transition: 'fired' });
    expect(stepAlert(fired, 0, true, later(5)).transition).toBeUndefined();
    expect(stepAlert(fired, 0, false, later(5))).toEqual({
      state: 'inactive',
      stateSince: later(5).toISOString(),
      transition: 'resolved',
    });
  });

  it('is pending until the threshold has been broken for forMinutes', () => {
    const pending = stepAlert({ state: 'inactive', stateSince: null }, 5, true, NOW);
    expect(pending).toEqual({ state: 'pending', stateSince: NOW.toISOString(), transition: undefined });
    expect(stepAlert(pending, 5, true, later(4))).toEqual(pending);
    expect(stepAlert(pending, 5, true, later(5)).transition).toBe('fired');
    expect(stepAlert(pending, 5, false, later(3))).toEqual({
      state: 'inactive',
      stateSince: later(3).toISOString(),
      transition: undefined,
    });
  });
});
