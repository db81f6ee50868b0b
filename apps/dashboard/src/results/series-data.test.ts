import { describe, expect, it } from 'vitest';
import type { SeriesFigures, SeriesPoint } from '../api/api-types.js';
import { CHART_METRICS, chartData, hasValues, seriesVariants } from './series-data.js';

const figures = (requests: number, errorRate: number | null): SeriesFigures => ({
  units: requests,
  exposures: requests,
  requests,
  errorRate,
  fallbackRate: null,
  latencyP50Ms: null,
  latencyP95Ms: null,
  costUsd: 0,
  costPerRequestUsd: null,
  quality: null,
});

const ITEMS: SeriesPoint[] = [
  { hour: '2026-06-01T10:00:00.000Z', variants: { control: figures(10, 0.1), candidate: figures(8, 0) } },
  // 11:00 has no data at all.
  { hour: '2026-06-01T12:00:00.000Z', variants: { control: figures(4, 0.25), shadowed: figures(1, 0) } },
];

describe('chart data', () => {
  it('keeps the known variants first, then those only the series has', () => {
    expect(seriesVariants(ITEMS, ['candidate', 'control'])).toEqual(['candidate', 'control', 'shadowed']);
  });

  it('fills every hour: counts are 0 where nothing happened, rates are gaps', () => {
    const variants = ['control', 'candidate'];
    const requests = chartData(ITEMS, variants, { key: 'requests', empty: 0 });
    const hour = Date.parse('2026-06-01T10:00:00.000Z') / 1000;
    expect(requests.x).toEqual([hour, hour + 3600, hour + 7200]);
    expect(requests.lines).toEqual([
      [10, 0, 4],
      [8, 0, 0],
    ]);
    const errors = chartData(ITEMS, variants, { key: 'errorRate', empty: null });
    expect(errors.lines).toEqual([
      [0.1, null, 0.25],
      [0, null, null],
    ]);
    expect(hasValues(errors)).toBe(true);
    expect(hasValues(chartData(ITEMS, variants, { key: 'quality', empty: null }))).toBe(false);
    expect(chartData([], variants, { key: 'requests', empty: 0 })).toEqual({ x: [], lines: [[], []] });
  });

  it('charts requests, error rate, p95 latency, cost, quality and fallbacks', () => {
    expect(CHART_METRICS.map((m) => m.key)).toEqual([
      'requests',
      'errorRate',
      'latencyP95Ms',
      'costPerRequestUsd',
      'quality',
      'fallbackRate',
    ]);
  });
});
