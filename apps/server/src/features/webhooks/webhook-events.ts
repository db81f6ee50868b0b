/** Every event a webhook can receive. */
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

/**
 * What a webhook subscribes to: an event type, every event of a family (`flag.*`, `rollout.*`,
 * `alert.*`, `schedule.*`), or everything (`*`). Test events reach a webhook whatever it subscribes to.
 */
export const WEBHOOK_EVENT_FILTERS = [
  '*',
  'flag.*',
  'rollout.*',
  'alert.*',
  'schedule.*',
  ...WEBHOOK_EVENT_TYPES.filter((type) => type !== 'webhook.test'),
] as const;
export type WebhookEventFilter = (typeof WEBHOOK_EVENT_FILTERS)[number];

/** The rollout decisions the rollout scheduler reports (see the rollouts slice's `Notifier`). */
export type RolloutEventType = Extract<WebhookEventType, `rollout.${string}`>;

/** An event as a source reports it: a rollout decision, an alert, a flag change. */
export interface WebhookEventInput {
  type: WebhookEventType;
  /** The project's key. */
  project: string;
  environment: string | null;
  flag: string | null;
  at: Date | string;
  /** The event's figures: stage and percentage, verdict, reason, before and after... */
  data?: Record<string, unknown>;
  /** Who caused it, when someone did (a key, `system`, `schedule:...`). */
  actor?: string | null;
  /** Unique per event; events repeated under the same id reach each webhook once. Random when absent. */
  id?: string;
}

/** An event as delivered: the JSON body of a `json` webhook. */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  at: string;
  project: string;
  environment: string | null;
  flag: string | null;
  actor: string | null;
  data: Record<string, unknown>;
}

/** Whether a webhook with these filters (and optional flag and environment) takes this event. */
export function webhookWants(
  webhook: { events: readonly string[]; flag: string | null; environment: string | null },
  event: Pick<WebhookEvent, 'type' | 'flag' | 'environment'>,
): boolean {
  if (event.type === 'webhook.test') return true;
  if (webhook.flag !== null && event.flag !== webhook.flag) return false;
  // Events of a whole flag (its definition) concern every environment.
  if (webhook.environment !== null && event.environment !== null && event.environment !== webhook.environment)
    return false;
  const family = `${event.type.slice(0, event.type.indexOf('.'))}.*`;
  return webhook.events.some((filter) => filter === '*' || filter === family || filter === event.type);
}
