/**
 * The events an SDK sends to `POST /api/v1/events` (DESIGN.md §5), as plain JSON.
 *
 * Every event names the flag and the variant it was *assigned* (intent-to-treat: results group by
 * assignment, never by what was finally served). `ts` is an RFC 3339 time; the server fills it with
 * the time of receipt when it is missing.
 */

/** The kinds of event. */
export const EventKind = {
  Exposure: 'exposure',
  Generation: 'generation',
  Feedback: 'feedback',
  Metric: 'metric',
} as const;
/** One of {@link EventKind}'s values. */
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Why a generation failed, as far as the caller can tell. */
export const GenerationErrorKind = {
  RateLimit: 'rate_limit',
  Timeout: 'timeout',
  Server: 'server',
  InvalidRequest: 'invalid_request',
  Connection: 'connection',
  Other: 'other',
} as const;
/** One of {@link GenerationErrorKind}'s values. */
export type GenerationErrorKind = (typeof GenerationErrorKind)[keyof typeof GenerationErrorKind];

interface EventBase {
  /** RFC 3339; the time of receipt when missing. */
  ts?: string;
}

/** A unit was served a variant of a flag by a split (the SDK sends one per unit, flag, variant and flag version). */
export interface ExposureEvent extends EventBase {
  kind: 'exposure';
  flag: string;
  variant: string;
  unit: string;
  ruleId?: string;
}

/** One model call made under a flag's variant. */
export interface GenerationEvent extends EventBase {
  kind: 'generation';
  flag: string;
  /** The variant the unit was assigned. */
  variant: string;
  unit?: string;
  /** The caller's id for this generation, which feedback may name later. */
  generationId?: string;
  /** The provider and model that actually answered (after any fallback). */
  provider: string;
  model: string;
  /** True when the answer came from a fallback rather than the variant's own model. */
  fallbackUsed?: boolean;
  /** True for a shadow call: measured, never shown to the user; kept apart from served requests. */
  shadow?: boolean;
  latencyMs: number;
  /** Time to first token of a streamed answer. */
  ttftMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** When missing, the server computes it from the tokens and its price table. */
  costUsd?: number;
  /** Present when the call failed. */
  error?: GenerationErrorKind;
}

/** A judgement of a unit's experience or of one generation: thumbs, or a score in [0, 1]. */
export interface FeedbackEvent extends EventBase {
  kind: 'feedback';
  flag: string;
  variant: string;
  /** At least one of `unit` and `generationId`. */
  unit?: string;
  generationId?: string;
  /** Exactly one of `thumbs` and `score`; thumbs count as 1 (up) and 0 (down). */
  thumbs?: 'up' | 'down';
  score?: number;
  /** Set when the score comes from an automated judge rather than a person. */
  source?: 'user' | 'judge';
  /**
   * True for a judgement of a shadow generation: kept apart from judgements of served ones, as shadow
   * generations are.
   */
  shadow?: boolean;
  /**
   * Shared by the judgements of the served and the shadow answer of one request, so that the two
   * can be paired (the generation ids name each answer).
   */
  pairId?: string;
  /**
   * On a shadow judgement: the score the same judge gave the served answer of the same request. The
   * server rolls `servedScore − score` up as the paired quality difference of the shadow variant.
   */
  servedScore?: number;
}

/** A custom measurement, attributed to a flag's variant when `flag` and `variant` are given. */
export interface MetricEvent extends EventBase {
  kind: 'metric';
  name: string;
  value: number;
  flag?: string;
  variant?: string;
  unit?: string;
}

/** Any event the server accepts. */
export type SwitchboardEvent = ExposureEvent | GenerationEvent | FeedbackEvent | MetricEvent;
