import type { Selectable } from 'kysely';
import type { Database } from '../../db/database.js';
import { type Executor, fromJson } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type { WebhookFormat } from './webhook-payloads.js';
import type {
  AttemptOutcome,
  AttemptRecord,
  DeliveryRecord,
  DeliveryStatus,
  WebhookChanges,
  WebhookRecord,
  WebhookStore,
} from './webhook-store.js';

function toWebhook(r: Tables['webhooks']): WebhookRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    url: r.url,
    secret: r.secret,
    events: fromJson<string[]>(r.events),
    flag: r.flag_key,
    environment: r.environment_key,
    format: r.format as WebhookFormat,
    enabled: Number(r.enabled) === 1,
    sinceAuditId: Number(r.since_audit_id),
    version: Number(r.version),
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}

function toDelivery(r: Selectable<Tables['webhook_deliveries']>): DeliveryRecord {
  return {
    seq: Number(r.seq),
    id: r.id,
    webhookId: r.webhook_id,
    eventId: r.event_id,
    eventType: r.event_type,
    body: r.body,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    nextAttemptAt: r.next_attempt_at,
    claimedUntil: r.claimed_until,
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    lastDurationMs: r.last_duration_ms === null ? null : Number(r.last_duration_ms),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

export class SqlWebhookStore implements WebhookStore {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async insert(tx: Executor, w: WebhookRecord): Promise<void> {
    await tx
      .insertInto('webhooks')
      .values({
        id: w.id,
        project_id: w.projectId,
        name: w.name,
        url: w.url,
        secret: w.secret,
        events: JSON.stringify(w.events),
        flag_key: w.flag,
        environment_key: w.environment,
        format: w.format,
        enabled: w.enabled ? 1 : 0,
        since_audit_id: w.sinceAuditId,
        version: w.version,
        created_at: w.createdAt,
        created_by: w.createdBy,
        updated_at: w.updatedAt,
      })
      .execute();
  }

  async find(id: string, tx: Executor = this.db): Promise<WebhookRecord | undefined> {
    const r = await tx.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toWebhook(r);
  }

  async list(projectId: string): Promise<WebhookRecord[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toWebhook);
  }

  async listEnabled(projectId: string): Promise<WebhookRecord[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('enabled', '=', 1)
      .execute();
    return rows.map(toWebhook);
  }

  async update(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: WebhookChanges,
    at: string,
  ): Promise<boolean> {
    const result = await tx
      .updateTable('webhooks')
      .set({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.url === undefined ? {} : { url: changes.url }),
        ...(changes.secret === undefined ? {} : { secret: changes.secret }),
        ...(changes.events === undefined ? {} : { events: JSON.stringify(changes.events) }),
        ...(changes.flag === undefined ? {} : { flag_key: changes.flag }),
        ...(changes.environment === undefined ? {} : { environment_key: changes.environment }),
        ...(changes.format === undefined ? {} : { format: changes.format }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
        version: expectedVersion + 1,
        updated_at: at,
      })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(tx: Executor, id: string): Promise<boolean> {
    const deliveries = tx.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', id);
    await tx.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute();
    await tx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
    const result = await tx.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async lastAuditId(tx: Executor): Promise<number> {
    const r = await tx
      .selectFrom('audit_log')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(r?.id ?? 0);
  }

  async enqueue(deliveries: readonly DeliveryRecord[]): Promise<DeliveryRecord[]> {
    const inserted: DeliveryRecord[] = [];
    for (const d of deliveries) {
      // ON CONFLICT: the same event reported again (by another replica, or a second look at the audit
      // log) is already queued.
      const result = await this.db
        .insertInto('webhook_deliveries')
        .values({
          id: d.id,
          webhook_id: d.webhookId,
          event_id: d.eventId,
          event_type: d.eventType,
          body: d.body,
          status: d.status,
          attempts: d.attempts,
          max_attempts: d.maxAttempts,
          next_attempt_at: d.nextAttemptAt,
          claimed_until: d.claimedUntil,
          last_status_code: null,
          last_error: null,
          last_duration_ms: null,
          created_at: d.createdAt,
          finished_at: null,
        })
        .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 1) inserted.push(d);
    }
    return inserted;
  }

  async claimDue(now: string, claimedUntil: string, limit: number): Promise<DeliveryRecord[]> {
    const due = (candidates: Executor) =>
      candidates
        .selectFrom('webhook_deliveries')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
            eb.and([eb('status', '=', 'delivering'), eb('claimed_until', '<=', now)]),
          ]),
        )
        .orderBy('next_attempt_at')
        .orderBy('seq')
        .limit(limit);
    const candidates = due(this.db);
    const rows = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ status: 'delivering', claimed_until: claimedUntil, attempts: eb('attempts', '+', 1) }))
      // PostgreSQL: replicas claiming at once skip each other's rows instead of queueing behind them;
      // the conditions are checked again on the row as it is when locked, so no row is taken twice.
      .where(
        'id',
        'in',
        this.database.dialect === 'postgres' ? candidates.forUpdate().skipLocked() : candidates,
      )
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'delivering'), eb('claimed_until', '<=', now)]),
        ]),
      )
      .returningAll()
      .execute();
    return rows.map(toDelivery);
  }

  async claimOne(id: string, now: string, claimedUntil: string): Promise<DeliveryRecord | undefined> {
    const row = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ status: 'delivering', claimed_until: claimedUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'pending'),
          eb.and([eb('status', '=', 'delivering'), eb('claimed_until', '<=', now)]),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    return row && toDelivery(row);
  }

  async finishAttempt(delivery: DeliveryRecord, outcome: AttemptOutcome): Promise<boolean> {
    const a = outcome.attempt;
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.status,
          next_attempt_at: outcome.nextAttemptAt,
          claimed_until: null,
          last_status_code: a.statusCode,
          last_error: a.error,
          last_duration_ms: a.durationMs,
          finished_at: outcome.status === 'pending' ? null : a.at,
        })
        .where('id', '=', delivery.id)
        .where('status', '=', 'delivering')
        .where('attempts', '=', delivery.attempts)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await tx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: a.deliveryId,
          attempt: a.attempt,
          at: a.at,
          status_code: a.statusCode,
          duration_ms: a.durationMs,
          error: a.error,
          response: a.response,
        })
        .execute();
      return true;
    });
  }

  async findDelivery(id: string): Promise<DeliveryRecord | undefined> {
    const r = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toDelivery(r);
  }

  async listDeliveries(
    webhookId: string,
    query: { limit: number; before?: number | undefined; status?: DeliveryStatus | undefined },
  ): Promise<DeliveryRecord[]> {
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.before !== undefined) q = q.where('seq', '<', query.before);
    const rows = await q.orderBy('seq', 'desc').limit(query.limit).execute();
    return rows.map(toDelivery);
  }

  async lastDeliveries(webhookIds: readonly string[]): Promise<DeliveryRecord[]> {
    if (webhookIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('seq', 'in', (eb) =>
        eb
          .selectFrom('webhook_deliveries')
          .select((inner) => inner.fn.max('seq').as('seq'))
          .where('webhook_id', 'in', [...webhookIds])
          .groupBy('webhook_id'),
      )
      .execute();
    return rows.map(toDelivery);
  }

  async attemptsOf(deliveryIds: readonly string[]): Promise<AttemptRecord[]> {
    if (deliveryIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', 'in', [...deliveryIds])
      .orderBy('attempt')
      .execute();
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      attempt: Number(r.attempt),
      at: r.at,
      statusCode: r.status_code === null ? null : Number(r.status_code),
      durationMs: Number(r.duration_ms),
      error: r.error,
      response: r.response,
    }));
  }

  async purgeFinished(before: string): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const old = tx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', 'in', ['succeeded', 'failed'])
        .where('finished_at', '<', before);
      await tx.deleteFrom('webhook_attempts').where('delivery_id', 'in', old).execute();
      const result = await tx
        .deleteFrom('webhook_deliveries')
        .where('status', 'in', ['succeeded', 'failed'])
        .where('finished_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}
