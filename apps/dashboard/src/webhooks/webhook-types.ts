/** The webhooks API's shapes (apps/server's webhook-schemas.ts), by hand: the dashboard talks HTTP only. */

/** Every event a webhook can receive (the server's `WEBHOOK_EVENT_TYPES`). */
export const WEBHOOK_EVENT_TYPES = [
  'flag.created',
  'flag.updated',
  'flag.enabled',
  'flag.disabled',
  'flag.archived',
  'flag.restored',
  'rollout.advanced',
  'rollout.held',
  'rollout.rolled_back',
  'rollout.completed',
  'rollout.paused',
  'rollout.resumed',
  'alert.fired',
  'alert.resolved',
  'schedule.failed',
  'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The families a webhook can subscribe to whole (`flag.*`...), besides everything (`*`). */
export const WEBHOOK_EVENT_FAMILIES = ['flag', 'rollout', 'alert', 'schedule'] as const;
export type WebhookEventFamily = (typeof WEBHOOK_EVENT_FAMILIES)[number];

/** What a webhook may subscribe to (the server's `WEBHOOK_EVENT_FILTERS`): test events come anyway. */
export const WEBHOOK_EVENT_FILTERS: readonly string[] = [
  '*',
  ...WEBHOOK_EVENT_FAMILIES.map((family) => `${family}.*`),
  ...WEBHOOK_EVENT_TYPES.filter((type) => type !== 'webhook.test'),
];

/** How deliveries are written: the event as JSON, or a Slack message (`{ text, blocks }`). */
export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** Where a delivery stands (the server's `DELIVERY_STATUSES`). */
export const DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A webhook, never with its secret (`webhookViewSchema`). */
export interface WebhookView {
  id: string;
  project: string;
  name: string;
  url: string;
  events: string[];
  flag: string | null;
  environment: string | null;
  format: WebhookFormat;
  enabled: boolean;
  secretStorage: 'encrypted' | 'plain';
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** A webhook in the list (`webhookListItemSchema`): with its newest delivery. */
export interface WebhookListItem extends WebhookView {
  lastDelivery: {
    id: string;
    eventType: string;
    status: DeliveryStatus;
    lastStatusCode: number | null;
    createdAt: string;
  } | null;
}

/** A webhook as created or after a rotation: the one answer that carries its secret. */
export interface WebhookWithSecret extends WebhookView {
  secret: string;
}

/** One attempt of a delivery (`attemptViewSchema`). */
export interface AttemptView {
  attempt: number;
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  response: string | null;
}

/** One event sent (or to send) to one webhook, with its attempts (`deliveryViewSchema`). */
export interface DeliveryView {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  createdAt: string;
  finishedAt: string | null;
  attemptLog: AttemptView[];
}
