import type { VariantResult } from '../experiments/experiment-results.js';
import type { AlertMetric, AlertRuleDefinition, AlertRuleStatus, AlertState } from './alert-store.js';

/** One variant's figure for a rule. */
export interface VariantReading {
  variant: string;
  value: number | null;
  /** Served requests in the window. */
  sample: number;
}

/** What the figures say: the variants over the threshold (with enough data), and the worst reading. */
export interface AlertReading {
  breaches: VariantReading[];
  /** The breach with the highest figure, else the highest figure with enough data, else null. */
  worst: VariantReading | null;
}

/** How each metric reads in words, for reasons and messages. */
export const METRIC_LABELS: Record<AlertMetric, string> = {
  error_rate: 'error rate',
  latency_p95_ms: 'p95 latency (ms)',
  cost_per_day_usd: 'cost per day (USD)',
  fallback_rate: 'fallback rate',
};

function figure(metric: AlertMetric, result: VariantResult): number | null {
  switch (metric) {
    case 'error_rate':
      return result.errorRate;
    case 'fallback_rate':
      return result.fallbackRate;
    case 'latency_p95_ms':
      return result.latencyMs.p95;
    case 'cost_per_day_usd':
      return result.cost.perDayUsd;
  }
}

/**
 * Reads a rule's metric for each variant it watches. A variant counts only once it has `minSample`
 * served requests in the window, so that one failure among three requests does not fire anything.
 */
export function readAlert(
  rule: Pick<AlertRuleDefinition, 'metric' | 'threshold' | 'minSample' | 'variant'>,
  variants: readonly VariantResult[],
): AlertReading {
  const watched =
    rule.variant === null
      ? variants
      : (variants.filter((v) => v.variant === rule.variant) as readonly VariantResult[]);
  const readings = watched
    .map((v) => ({ variant: v.variant, value: figure(rule.metric, v), sample: v.requests }))
    .filter((r) => r.sample >= rule.minSample && r.value !== null);
  const byValue = (a: VariantReading, b: VariantReading) => (b.value ?? 0) - (a.value ?? 0);
  const breaches = readings.filter((r) => (r.value ?? 0) > rule.threshold).sort(byValue);
  return { breaches, worst: breaches[0] ?? [...readings].sort(byValue)[0] ?? null };
}

/** The state a rule moves to, and whether that is a firing or a resolution. */
export interface AlertStep {
  state: AlertState;
  stateSince: string | null;
  transition: 'fired' | 'resolved' | undefined;
}

/**
 * The next state: over the threshold, a rule is pending until it has been over it for `forMinutes`,
 * then firing; back within it (or without enough data), it is inactive again, resolving if it fired.
 */
export function stepAlert(
  status: Pick<AlertRuleStatus, 'state' | 'stateSince'>,
  forMinutes: number,
  breaching: boolean,
  now: Date,
): AlertStep {
  const at = now.toISOString();
  if (!breaching) {
    if (status.state === 'inactive')
      return { state: 'inactive', stateSince: status.stateSince, transition: undefined };
    return {
      state: 'inactive',
      stateSince: at,
      transition: status.state === 'firing' ? 'resolved' : undefined,
    };
  }
  if (status.state === 'firing')
    return { state: 'firing', stateSince: status.stateSince, transition: undefined };
  const since = status.state === 'pending' && status.stateSince !== null ? status.stateSince : at;
  if (now.getTime() - Date.parse(since) >= forMinutes * 60_000)
    return { state: 'firing', stateSince: at, transition: 'fired' };
  return { state: 'pending', stateSince: since, transition: undefined };
}
