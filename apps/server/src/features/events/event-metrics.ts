/**
 * The metrics events are rolled up into, per flag × variant × UTC hour. Every rollup row holds a count,
 * a sum and a sum of squares of its values; counting metrics add the value 1 per occurrence (so a
 * rate is one metric's count over another's). Latencies also keep a quantile sketch.
 */
export const Metric = {
  /** Exposure events. */
  Exposures: 'exposures',
  /** Units seen for the first time under this flag and variant (from exposures, else generations or feedback). */
  Units: 'units',
  /** Generations served to users (shadow ones are under {@link SHADOW_PREFIX}). */
  Generations: 'generations',
  /** Generations that failed; each also counts under `errors.<kind>`. */
  Errors: 'errors',
  /** Generations answered by a fallback model instead of the variant's own. */
  Fallbacks: 'fallbacks',
  /** Generation latency in milliseconds (sketched). */
  LatencyMs: 'latency_ms',
  /** Time to first token in milliseconds (sketched). */
  TtftMs: 'ttft_ms',
  InputTokens: 'input_tokens',
  OutputTokens: 'output_tokens',
  /** Cost in USD of the generations whose cost is known (given, or computed from tokens and prices). */
  CostUsd: 'cost_usd',
  /** Generations whose cost is unknown (no tokens, or a model without a price): never counted as 0. */
  CostUnknown: 'cost_unknown',
  /** Feedback from people: thumbs up 1, down 0, or the score in [0, 1]. */
  FeedbackScore: 'feedback.score',
  /** Feedback from an automated judge (`source: 'judge'`), kept apart from people's. */
  JudgeScore: 'feedback.judge_score',
  /**
   * Only under {@link SHADOW_PREFIX}, on the shadow variant: per judged pair (a shadow judgement with
   * `servedScore`), the served answer's score minus the shadow's.
   */
  JudgePairedDifference: 'feedback.judge_paired_difference',
} as const;
export type Metric = (typeof Metric)[keyof typeof Metric];

/**
 * Shadow generations, and judgements of them, are measured under these names (`shadow.generations`,
 * `shadow.feedback.judge_score`...), never as served requests.
 */
export const SHADOW_PREFIX = 'shadow.';

/** The metrics whose rollups keep a quantile sketch. */
export const SKETCHED_METRICS: ReadonlySet<string> = new Set([
  Metric.LatencyMs,
  Metric.TtftMs,
  `${SHADOW_PREFIX}${Metric.LatencyMs}`,
  `${SHADOW_PREFIX}${Metric.TtftMs}`,
]);

/** The rollup metric of one generation error kind: `errors.rate_limit`... */
export function errorMetric(kind: string): string {
  return `${Metric.Errors}.${kind}`;
}

/** The rollup metric of a custom metric event: `metric:<name>`. */
export function customMetric(name: string): string {
  return `metric:${name}`;
}
