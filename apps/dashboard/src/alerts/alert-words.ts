import type { AlertMetric, AlertView } from './alert-types.js';

/** Each metric in words, with the unit of its threshold. */
export const METRIC_WORDS: Record<AlertMetric, { label: string; unit: string }> = {
  error_rate: { label: 'Error rate', unit: 'a rate from 0 to 1 (0.05 is 5%)' },
  latency_p95_ms: { label: 'p95 latency', unit: 'milliseconds' },
  cost_per_day_usd: { label: 'Cost per day', unit: 'USD per day' },
  fallback_rate: { label: 'Fallback rate', unit: 'a rate from 0 to 1 (0.05 is 5%)' },
};

/** A metric's figure as its unit writes it: `5%`, `1200 ms`, `$40.00`. */
export function metricValueText(metric: AlertMetric, value: number): string {
  switch (metric) {
    case 'error_rate':
    case 'fallback_rate':
      return `${Number((value * 100).toPrecision(4))}%`;
    case 'latency_p95_ms':
      return `${Number(value.toPrecision(6))} ms`;
    case 'cost_per_day_usd':
      return `$${value.toFixed(2)}`;
  }
}

/** A rule's condition in words: `Error rate > 5% over 60 min`, with its wait and sample when set. */
export function conditionText(
  rule: Pick<AlertView, 'metric' | 'threshold' | 'windowMinutes' | 'forMinutes' | 'minSample' | 'variant'>,
): string {
  const parts = [
    `${METRIC_WORDS[rule.metric].label} > ${metricValueText(rule.metric, rule.threshold)} over ${rule.windowMinutes} min`,
  ];
  if (rule.forMinutes > 0) parts.push(`for ${rule.forMinutes} min`);
  parts.push(`≥ ${rule.minSample} requests`);
  if (rule.variant !== null) parts.push(`variant ${rule.variant}`);
  return parts.join(', ');
}
