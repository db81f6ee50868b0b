import { z } from 'zod';
import { slug, version } from '../../http/schemas.js';
import { storableText } from '../../http/storable.js';
import { WEBHOOK_EVENT_FILTERS, WEBHOOK_EVENT_TYPES } from './webhook-events.js';
import { WEBHOOK_FORMATS } from './webhook-payloads.js';
import { DELIVERY_STATUSES } from './webhook-store.js';

const url = z
  .string()
  .max(2_000)
  .regex(
    /^https?:\/\/[\x21-\x7e]+$/,
    'must be an http:// or https:// URL (printable ASCII: percent-encode the rest)',
  )
  .refine((value) => URL.canParse(value), 'must be a URL')
  .describe('Where deliveries are POSTed: http or https');
const events = z
  .array(z.enum(WEBHOOK_EVENT_FILTERS))
  .min(1)
  .max(WEBHOOK_EVENT_FILTERS.length)
  .describe('Event types, families (flag.*, rollout.*, alert.*, schedule.*) or * for everything');

export const webhookCreateSchema = z
  .object({
    name: storableText({ min: 1, max: 200 }),
    url,
    events,
    flag: slug.nullable().optional().describe('Only events of this flag'),
    environment: slug.nullable().optional().describe('Only events of this environment (and of whole flags)'),
    format: z.enum(WEBHOOK_FORMATS).default('json').describe('json: the event; slack: { text, blocks }'),
    enabled: z.boolean().default(true),
  })
  .strict();

export const webhookPatchSchema = z
  .object({
    name: storableText({ min: 1, max: 200 }).optional(),
    url: url.optional(),
    events: events.optional(),
    flag: slug.nullable().optional(),
    environment: slug.nullable().optional(),
    format: z.enum(WEBHOOK_FORMATS).optional(),
    enabled: z.boolean().optional(),
    version: version.optional().describe('The version read; or send If-Match'),
  })
  .strict();

export const webhookViewSchema = z.object({
  id: z.string(),
  project: z.string(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  flag: z.string().nullable(),
  environment: z.string().nullable(),
  format: z.enum(WEBHOOK_FORMATS),
  enabled: z.boolean(),
  secretStorage: z
    .enum(['encrypted', 'plain'])
    .describe('encrypted with SWITCHBOARD_ENCRYPTION_KEY, or plain text in the store'),
  version: z.number(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type WebhookView = z.infer<typeof webhookViewSchema>;

/** A webhook in the list: with its newest delivery, so a list of webhooks shows how each is doing. */
export const webhookListItemSchema = webhookViewSchema.extend({
  lastDelivery: z
    .object({
      id: z.string(),
      eventType: z.string(),
      status: z.enum(['pending', 'delivering', 'succeeded', 'failed']),
      lastStatusCode: z.number().nullable(),
      createdAt: z.string(),
    })
    .nullable()
    .describe('Its newest delivery, or null when it has had none'),
});
export type WebhookListItem = z.infer<typeof webhookListItemSchema>;

export const webhookWithSecretSchema = webhookViewSchema.extend({
  secret: z.string().describe('Shown this once: verify deliveries with it (Switchboard-Signature)'),
});

export const attemptViewSchema = z.object({
  attempt: z.number(),
  at: z.string(),
  statusCode: z.number().nullable(),
  durationMs: z.number(),
  error: z.string().nullable(),
  response: z.string().nullable(),
});

export const deliveryViewSchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  eventType: z.enum(WEBHOOK_EVENT_TYPES),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  maxAttempts: z.number(),
  nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  lastDurationMs: z.number().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  attemptLog: z.array(attemptViewSchema),
});
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export const deliveryListQuerySchema = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.coerce.number().int().min(1).optional().describe('nextCursor of the previous page'),
  })
  .strict();
