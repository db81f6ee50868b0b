import type { SeriesFigures, SeriesPoint } from '../api/api-types.js';
import { formatCount, formatMs, formatPercent, formatScore, formatUsd } from './results-format.js';

const HOUR_MS = 3_600_000;
/** Beyond this many hours, hours without data are not filled in (the chart joins the points it has). */
const MAX_FILLED_HOURS = 24 * 400;

/** A figure the charts draw, one chart each. */
export interface ChartMetric {
  key: keyof SeriesFigures;
  title: string;
  /** What the figure is, for the chart's description. */
  description: string;
  format: (value: number) => string;
  /**
   * The value of an hour in which a variant has no data: 0 for counts (nothing happened), null for
   * rates and averages (nothing to average: a gap in the line).
   */
  empty: number | null;
}

export const CHART_METRICS: readonly ChartMetric[] = [
  {
    key: 'requests',
    title: 'Requests per hour',
    description: 'Model calls made under each variant, per hour.',
    format: formatCount,
    empty: 0,
  },
  {
    key: 'errorRate',
    title: 'Error rate',
    description: 'Failed calls over calls, per hour.',
    format: (v) => formatPercent(v),
    empty: null,
  },
  {
    key: 'latencyP95Ms',
    title: 'p95 latency',
    description: '95% of the hour’s calls were faster than this.',
    format: (v) => formatMs(v),
    empty: null,
  },
  {
    key: 'costPerRequestUsd',
    title: 'Cost per request',
    description: 'Mean cost of a call whose cost is known, per hour.',
    format: (v) => formatUsd(v),
    empty: null,
  },
  {
    key: 'quality',
    title: 'Quality',
    description: 'Mean feedback score from people (thumbs up 1, down 0), per hour.',
    format: (v) => formatScore(v),
    empty: null,
  },
  {
    key: 'fallbackRate',
    title: 'Fallback rate',
    description: 'Calls answered by a fallback model over calls, per hour.',
    format: (v) => formatPercent(v),
    empty: null,
  },
];

/** The variants to draw: those known (in their order), then any other the series has. */
export function seriesVariants(items: readonly SeriesPoint[], known: readonly string[]): string[] {
  const variants = [...known];
  for (const item of items)
    for (const v of Object.keys(item.variants)) if (!variants.includes(v)) variants.push(v);
  return variants;
}

/** One chart's data: hours in epoch seconds, and a line per variant (null where there is none). */
export interface ChartData {
  x: number[];
  lines: (number | null)[][];
}

/**
 * The hours of the series, every hour from the first to the last (so that an hour without data is
 * drawn as one), with one line per variant of the metric.
 */
export function chartData(
  items: readonly SeriesPoint[],
  variants: readonly string[],
  metric: Pick<ChartMetric, 'key' | 'empty'>,
): ChartData {
  const byHour = new Map<number, SeriesPoint>();
  for (const item of items) {
    const ms = Date.parse(item.hour);
    if (!Number.isNaN(ms)) byHour.set(ms, item);
  }
  const known = [...byHour.keys()].sort((a, b) => a - b);
  const first = known[0];
  const last = known[known.length - 1];
  let hours = known;
  if (first !== undefined && last !== undefined && (last - first) / HOUR_MS <= MAX_FILLED_HOURS) {
    hours = [];
    for (let ms = first; ms <= last; ms += HOUR_MS) hours.push(ms);
  }
  const lines = variants.map((variant) =>
    hours.map((ms) => {
      const figures = byHour.get(ms)?.variants[variant];
      if (figures === undefined) return metric.empty;
      const value = figures[metric.key];
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    }),
  );
  return { x: hours.map((ms) => ms / 1000), lines };
}

/** Whether a chart has anything to draw. */
export function hasValues(data: ChartData): boolean {
  return data.lines.some((line) => line.some((v) => v !== null));
}
