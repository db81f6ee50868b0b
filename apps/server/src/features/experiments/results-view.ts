/**
 * What the results endpoints answer, as types only (no server code): the dashboard imports them by
 * `import type`, so the page and the API cannot drift apart.
 */
import type {
  Comparison,
  PairedDifference,
  PromotionPolicy,
  PromotionVerdict,
  SampleRatioMismatch,
} from '@switchboard/core/stats';

/** Quantiles of a sketched metric, in ms; null when nothing was measured. */
export interface Quantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
}

/** One variant's figures over the window read (intent-to-treat: by assigned variant). */
export interface VariantResult {
  variant: string;
  control: boolean;
  /** Distinct units seen under the variant. */
  units: number;
  exposures: number;
  /** Served generations (shadow ones are under `shadow`). */
  requests: number;
  /** Share of all served requests that this variant's requests are. */
  requestShare: number | null;
  errors: number;
  errorRate: number | null;
  /** Errors by kind (`rate_limit`, `timeout`…). */
  errorsByKind: Record<string, number>;
  fallbacks: number;
  /** Share of requests answered by a fallback model: contamination of the assigned variant. */
  fallbackRate: number | null;
  /** Mean feedback score from people (thumbs up 1, down 0, scores in [0, 1]) and how many. */
  quality: { n: number; mean: number | null };
  /** The same from automated judges, kept apart. */
  judgeQuality: { n: number; mean: number | null };
  latencyMs: Quantiles;
  ttftMs: Quantiles;
  tokens: { input: number; output: number };
  cost: {
    totalUsd: number;
    /** Mean over the requests whose cost is known. */
    perRequestUsd: number | null;
    /** Total over the days the window covers. */
    perDayUsd: number | null;
    /** Requests whose cost could not be known (no tokens or no price); never counted as 0. */
    unknownRequests: number;
  };
  /** The variant's shadow calls: run beside other variants' served ones, measured, never shown. */
  shadow: {
    requests: number;
    errors: number;
    latencyMs: Quantiles;
    costUsd: number;
    /** Mean judge score of its shadow answers. */
    judgeQuality: { n: number; mean: number | null };
    /**
     * Per request judged in pairs (the served answer and this variant's shadow answer, by the same
     * judge): the mean of servedScore − shadowScore, with its paired t-test. Negative: the shadow
     * scored better than what was served.
     */
    pairedJudgeDifference: PairedDifference;
  };
  /** Custom metrics attributed to the variant (`track(name, value, { flag })`): count and mean. */
  metrics: Record<string, { count: number; mean: number | null }>;
}

/** A non-control variant against the control. */
export interface VariantComparison {
  variant: string;
  control: string;
  quality: Comparison;
  errorRate: Comparison;
  fallbackRate: Comparison;
  latencyMs: Comparison;
  costPerRequestUsd: Comparison;
  metrics: Record<string, Comparison>;
  verdict: PromotionVerdict;
}

/** What `GET /api/v1/flags/{key}/results` answers. */
export interface ExperimentResults {
  flag: string;
  environment: string;
  control: string;
  from: string | null;
  to: string | null;
  variants: VariantResult[];
  /** Share of served requests that non-control variants answered, and their distinct units. */
  adoption: { requestShare: number | null; units: number };
  /** Exposures per variant against the configured split; null when the environment serves no split. */
  sampleRatio: (SampleRatioMismatch & { expected: Record<string, number> }) | null;
  comparisons: VariantComparison[];
  policy: PromotionPolicy;
}

/** One hour of a flag's time series. */
export interface SeriesPoint {
  hour: string;
  variants: Record<string, SeriesFigures>;
}

/** What a chart needs of one variant in one hour. */
export interface SeriesFigures {
  units: number;
  exposures: number;
  requests: number;
  errorRate: number | null;
  fallbackRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  costUsd: number;
  costPerRequestUsd: number | null;
  quality: number | null;
}
