import type { Executor } from '../../db/store-helpers.js';
import type { WebhookFormat } from './webhook-payloads.js';

/** A webhook as stored. */
export interface WebhookRecord {
  id: string;
  projectId: string;
  name: string;
  url: string;
  /** The secret as kept by the {@link WebhookSecretBox}: sealed, or `plain:` text. */
  secret: string;
  events: string[];
  /** Only events of this flag, when set. */
  flag: string | null;
  /** Only events of this environment (and of whole flags), when set. */
  environment: string | null;
  format: WebhookFormat;
  enabled: boolean;
  /** The last audit entry before the webhook existed: earlier flag changes are never sent to it. */
  sinceAuditId: number;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export type WebhookChanges = Partial<
  Pick<WebhookRecord, 'name' | 'url' | 'events' | 'flag' | 'environment' | 'format' | 'enabled' | 'secret'>
>;

export const DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event to send to one webhook, with where its sending stands. */
export interface DeliveryRecord {
  /** The order of queueing (0 until stored): the delivery log's order. */
  seq: number;
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  /** The exact body sent on every attempt. */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  /** When the next attempt is due (pending); null once finished. */
  nextAttemptAt: string | null;
  /** While delivering: when the claim lapses and another worker may take the delivery over. */
  claimedUntil: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  createdAt: string;
  finishedAt: string | null;
}

/** One HTTP attempt of a delivery. */
export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** The start of the receiver's answer, for the log. */
  response: string | null;
}

/** What an attempt leaves: the delivery's next state and the attempt's record. */
export interface AttemptOutcome {
  status: Exclude<DeliveryStatus, 'delivering'>;
  nextAttemptAt: string | null;
  attempt: AttemptRecord;
}

/**
 * Webhooks and their delivery queue. `enqueue` MUST insert at most one delivery per webhook and event
 * id, whoever enqueues it and however often (replicas report the same change). `claimDue` MUST hand
 * each due delivery to one caller only, also across processes sharing the store, and MUST count the
 * attempt; a claim lapses at `claimedUntil` (its worker died) and the delivery is due again.
 * `finishAttempt` MUST apply only to the claim it finishes (same attempt number, still delivering).
 */
export interface WebhookStore {
  insert(tx: Executor, webhook: WebhookRecord): Promise<void>;
  find(id: string, tx?: Executor): Promise<WebhookRecord | undefined>;
  list(projectId: string): Promise<WebhookRecord[]>;
  listEnabled(projectId: string): Promise<WebhookRecord[]>;
  update(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: WebhookChanges,
    at: string,
  ): Promise<boolean>;
  delete(tx: Executor, id: string): Promise<boolean>;
  /** The id of the newest audit entry (0 when none). */
  lastAuditId(tx: Executor): Promise<number>;
  /** Inserts the deliveries not already queued; returns those inserted. */
  enqueue(deliveries: readonly DeliveryRecord[]): Promise<DeliveryRecord[]>;
  claimDue(now: string, claimedUntil: string, limit: number): Promise<DeliveryRecord[]>;
  claimOne(id: string, now: string, claimedUntil: string): Promise<DeliveryRecord | undefined>;
  finishAttempt(delivery: DeliveryRecord, outcome: AttemptOutcome): Promise<boolean>;
  findDelivery(id: string): Promise<DeliveryRecord | undefined>;
  /** Newest first; `before` is the previous page's last `seq`. */
  listDeliveries(
    webhookId: string,
    query: { limit: number; before?: number | undefined; status?: DeliveryStatus | undefined },
  ): Promise<DeliveryRecord[]>;
  attemptsOf(deliveryIds: readonly string[]): Promise<AttemptRecord[]>;
  /** The newest delivery of each of these webhooks that has one. */
  lastDeliveries(webhookIds: readonly string[]): Promise<DeliveryRecord[]>;
  /** Deletes finished deliveries (and their attempts) finished before `before`; returns how many. */
  purgeFinished(before: string): Promise<number>;
}
