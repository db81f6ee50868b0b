import { EventKind, GenerationErrorKind, parseDate } from '@switchboard/core';
import { z } from 'zod';
import { errorResponse, slug } from '../../http/schemas.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../../http/storable.js';

/** Limits of one `POST /api/v1/events`. */
export const EVENT_LIMITS = {
  eventsPerBatch: 5_000,
  /** Flag, variant, metric names, providers and models. */
  keyLength: 200,
  /** Unit ids, generation ids, rule ids. */
  idLength: 200,
  idempotencyKeyLength: 200,
  /** Sanity bounds: a day of latency, a context window's worth of tokens, a large bill for one call. */
  maxMs: 86_400_000,
  maxTokens: 100_000_000,
  maxCostUsd: 1_000_000,
} as const;

const LONE_SURROGATE_CANDIDATE = /[\uD800-\uDFFF]/;

/**
 * Whether the stores can keep the text as is, as `storableText` says (no NUL, no unpaired surrogate),
 * checked the cheap way first.
 */
function storable(value: string): boolean {
  if (value.includes('\u0000')) return false;
  return (
    !LONE_SURROGATE_CANDIDATE.test(value) || (value as unknown as { isWellFormed(): boolean }).isWellFormed()
  );
}

const key = z.string().min(1).max(EVENT_LIMITS.keyLength);
const id = z.string().min(1).max(EVENT_LIMITS.idLength);
const ms = z.number().min(0).max(EVENT_LIMITS.maxMs);
const tokens = z.number().int().min(0).max(EVENT_LIMITS.maxTokens);
const ts = z
  .string()
  .max(64)
  .refine((value) => parseDate(value) !== undefined, 'must be an RFC 3339 time, like 2026-01-31T12:00:00Z')
  .optional();

const exposure = z.object({
  kind: z.literal(EventKind.Exposure),
  ts,
  flag: key,
  variant: key,
  unit: id,
  ruleId: id.optional(),
});

const generation = z.object({
  kind: z.literal(EventKind.Generation),
  ts,
  flag: key,
  variant: key,
  unit: id.optional(),
  generationId: id.optional(),
  provider: key,
  model: key,
  fallbackUsed: z.boolean().optional(),
  shadow: z.boolean().optional(),
  latencyMs: ms,
  ttftMs: ms.optional(),
  inputTokens: tokens.optional(),
  outputTokens: tokens.optional(),
  costUsd: z.number().min(0).max(EVENT_LIMITS.maxCostUsd).optional(),
  error: z
    .enum(Object.values(GenerationErrorKind) as [GenerationErrorKind, ...GenerationErrorKind[]])
    .optional(),
});

const feedback = z
  .object({
    kind: z.literal(EventKind.Feedback),
    ts,
    flag: key,
    variant: key,
    unit: id.optional(),
    generationId: id.optional(),
    thumbs: z.enum(['up', 'down']).optional(),
    score: z.number().min(0).max(1).optional(),
    source: z.enum(['user', 'judge']).optional(),
    shadow: z.boolean().optional(),
    pairId: id.optional(),
    servedScore: z.number().min(0).max(1).optional(),
  })
  .superRefine((event, ctx) => {
    if (event.servedScore !== undefined && event.shadow !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['servedScore'],
        message: "servedScore goes with a shadow answer's judgement (shadow: true)",
      });
    }
    if ((event.thumbs === undefined) === (event.score === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [event.thumbs === undefined ? 'score' : 'thumbs'],
        message: 'give exactly one of thumbs and score',
      });
    }
    if (event.unit === undefined && event.generationId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['unit'], message: 'give a unit, a generationId, or both' });
    }
  });

const metric = z
  .object({
    kind: z.literal(EventKind.Metric),
    ts,
    name: key,
    value: z.number().min(-1e15).max(1e15),
    flag: key.optional(),
    variant: key.optional(),
    unit: id.optional(),
  })
  .superRefine((event, ctx) => {
    if ((event.flag === undefined) !== (event.variant === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [event.flag === undefined ? 'flag' : 'variant'],
        message: 'a metric names both a flag and a variant, or neither',
      });
    }
  });

/**
 * One event as `POST /api/v1/events` takes it (packages/core events.ts), by kind. Unknown fields are
 * dropped. JSON has no NaN or Infinity, so every number here is finite. Text is checked to be
 * storable by {@link validateEvent}, after: as a refinement of every string it cost more than the
 * rest of the validation.
 */
export const eventSchema = z.discriminatedUnion('kind', [exposure, generation, feedback, metric]);
export type ValidEvent = z.infer<typeof eventSchema>;

/** Why an event is refused: the field at fault within it (`event` for the event as a whole), and why. */
export interface EventProblem {
  field: string;
  message: string;
}

/** Validates one event of a batch: its kind's schema, then that its text can be stored as is. */
export function validateEvent(raw: unknown): { event: ValidEvent } | { problem: EventProblem } {
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? 'event' : issue.path.join('.');
    return { problem: { field, message: issue?.message ?? 'invalid event' } };
  }
  const event = parsed.data as Record<string, unknown>;
  for (const field in event) {
    const value = event[field];
    if (typeof value === 'string' && !storable(value)) {
      return { problem: { field, message: 'must not contain NUL characters or unpaired surrogates' } };
    }
  }
  return { event: parsed.data };
}

/**
 * The body: the batch as a whole. Each event is checked on its own afterwards (a bad one is rejected
 * alone, the rest kept), so here an event is anything not nested too deep to be an event at all.
 */
export const eventBatchSchema = z
  .object({
    events: z
      .array(z.unknown())
      .min(1)
      .max(EVENT_LIMITS.eventsPerBatch)
      .refine((events) => !nestsDeeperThan(events, MAX_JSON_DEPTH), {
        message: `must not nest deeper than ${MAX_JSON_DEPTH} levels`,
      })
      .describe(
        'Exposure, generation, feedback and metric events (see the SDK); each is validated on its own',
      ),
  })
  .strict();

/**
 * Whether the events nest deeper than `limit` (the array is level 1). Events are flat objects, so each
 * is looked at once; only a value that is itself an object or array is measured with `jsonDepth`.
 */
function nestsDeeperThan(events: readonly unknown[], limit: number): boolean {
  for (const event of events) {
    if (event === null || typeof event !== 'object') continue;
    const fields = event as Record<string, unknown>;
    for (const key in fields) {
      const value = fields[key];
      if (value !== null && typeof value === 'object' && 2 + jsonDepth(value) > limit) return true;
    }
  }
  return false;
}

export const eventHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(EVENT_LIMITS.idempotencyKeyLength)
    .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII')
    .describe('Unique per batch; a replay of a key gets the first answer again and changes nothing'),
});

/** Admin keys name the environment; server keys are bound to theirs (naming another is refused). */
export const eventScopeQuery = z.object({
  project: slug.optional(),
  environment: slug.optional(),
});

export const rejectedEventSchema = z.object({
  index: z.number().describe('Position of the event in the batch'),
  field: z.string().describe('The field at fault, within the event ("event" for the event as a whole)'),
  message: z.string(),
});

export const ingestResponseSchema = z.object({
  accepted: z.number(),
  rejected: z.array(rejectedEventSchema),
  duplicate: z.boolean().describe('This key was seen before: this is the first answer, and nothing changed'),
});

const rfc3339 = z
  .string()
  .max(64)
  .refine((value) => parseDate(value) !== undefined, 'must be an RFC 3339 time, like 2026-01-31T12:00:00Z');

export const exportQuery = z.object({
  project: slug.default('default'),
  environment: slug,
  from: rfc3339.optional().describe("Inclusive, on the events' ts"),
  to: rfc3339.optional().describe("Exclusive, on the events' ts"),
  kind: z.enum(Object.values(EventKind) as [EventKind, ...EventKind[]]).optional(),
  flag: z.string().min(1).max(EVENT_LIMITS.keyLength).optional(),
});

export const eventErrors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
};
