import { z } from 'zod';
import { slug, version } from '../../http/schemas.js';
import { storableText } from '../../http/storable.js';
import { ALERT_ACTIONS, ALERT_EVENT_KINDS, ALERT_METRICS, ALERT_STATES } from './alert-store.js';

const WEEK_MINUTES = 7 * 24 * 60;

const definition = {
  name: storableText({ min: 1, max: 200 }),
  metric: z.enum(ALERT_METRICS),
  threshold: z
    .number()
    .min(0)
    .max(1_000_000_000)
    .describe('Fires above this: a rate in [0, 1], milliseconds, or USD per day'),
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(WEEK_MINUTES)
    .describe('Data read, from the start of the UTC hour this many minutes ago (rollups are hourly)'),
  forMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .describe('How long the threshold must stay broken before firing'),
  minSample: z.number().int().min(1).max(1_000_000_000).describe('Requests a variant needs before it counts'),
  variant: slug.nullable().describe('The one variant watched; null: every variant'),
  action: z.enum(ALERT_ACTIONS).describe('notify: webhooks (alert.fired); rollback: also roll the flag back'),
  enabled: z.boolean(),
};

export const alertCreateSchema = z
  .object({
    name: definition.name.optional(),
    metric: definition.metric,
    threshold: definition.threshold,
    windowMinutes: definition.windowMinutes.default(60),
    forMinutes: definition.forMinutes.default(0),
    minSample: definition.minSample.default(100),
    variant: definition.variant.default(null),
    action: definition.action.default('notify'),
    enabled: definition.enabled.default(true),
  })
  .strict();

export const alertPatchSchema = z
  .object({
    name: definition.name.optional(),
    metric: definition.metric.optional(),
    threshold: definition.threshold.optional(),
    windowMinutes: definition.windowMinutes.optional(),
    forMinutes: definition.forMinutes.optional(),
    minSample: definition.minSample.optional(),
    variant: definition.variant.optional(),
    action: definition.action.optional(),
    enabled: definition.enabled.optional(),
    version: version.optional().describe('The version read; or send If-Match'),
  })
  .strict();

export const alertViewSchema = z.object({
  id: z.string(),
  project: z.string(),
  flag: z.string(),
  environment: z.string(),
  name: z.string(),
  metric: z.enum(ALERT_METRICS),
  threshold: z.number(),
  windowMinutes: z.number(),
  forMinutes: z.number(),
  minSample: z.number(),
  variant: z.string().nullable(),
  action: z.enum(ALERT_ACTIONS),
  enabled: z.boolean(),
  state: z.enum(ALERT_STATES),
  stateSince: z.string().nullable(),
  lastValue: z.number().nullable(),
  lastVariant: z.string().nullable(),
  lastEvaluatedAt: z.string().nullable(),
  lastError: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
/** A rule in the list: with when it last fired, so a list of rules shows which ones have been noisy. */
export const alertListItemSchema = alertViewSchema.extend({
  lastFiredAt: z
    .string()
    .nullable()
    .describe('When it last fired (for a firing rule: when this firing began), or null if it never fired'),
});
export type AlertListItem = z.infer<typeof alertListItemSchema>;

export type AlertView = z.infer<typeof alertViewSchema>;

export const alertEventViewSchema = z.object({
  id: z.number(),
  kind: z.enum(ALERT_EVENT_KINDS),
  at: z.string(),
  value: z.number().nullable(),
  variant: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const alertListQuerySchema = z
  .object({
    project: slug.default('default'),
    flag: slug.optional(),
    env: slug.optional(),
    state: z.enum(ALERT_STATES).optional(),
  })
  .strict();
