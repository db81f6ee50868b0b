import { randomBytes, randomUUID } from 'node:crypto';
import type { Change } from '../../change-bus.js';
import { NotFoundError, ValidationError, VersionConflictError } from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import type { AuditEntry } from '../audit/audit-store.js';
import type { ProjectService } from '../projects/project-service.js';
import type { Project } from '../projects/project-store.js';
import type { Notifier } from '../rollouts/notifier.js';
import { IntervalWorker, type WorkerLog } from './interval-worker.js';
import { type WebhookEvent, type WebhookEventInput, webhookWants } from './webhook-events.js';
import { type WebhookFormat, webhookBody } from './webhook-payloads.js';
import { isRetryable, retryDelayMs, WEBHOOK_MAX_ATTEMPTS } from './webhook-retry-policy.js';
import type { DeliveryView, WebhookListItem, WebhookView } from './webhook-schemas.js';
import { SecretUnavailableError, type WebhookSecretBox } from './webhook-secret-box.js';
import { type SendResult, sendDelivery } from './webhook-sender.js';
import { signatureHeader } from './webhook-signature.js';
import type {
  AttemptRecord,
  DeliveryRecord,
  DeliveryStatus,
  WebhookRecord,
  WebhookStore,
} from './webhook-store.js';

/** Deliveries one worker run claims at a time. */
const DELIVERY_BATCH = 20;
/** A claimed delivery another worker may take over after this (the first one died mid-attempt). */
const DELIVERY_CLAIM_MS = 60_000;
/** Finished deliveries are kept this long in the delivery log. */
const DELIVERY_RETENTION_MS = 30 * 86_400_000;
/** How often finished deliveries past the retention are purged. */
const PURGE_INTERVAL_MS = 3_600_000;
/**
 * How far back a flag change looks in the audit log for entries not yet sent (changes to the same
 * flag committed close together). Older entries were handled when they happened.
 */
const CAPTURE_WINDOW_MS = 10 * 60_000;
const CAPTURE_ENTRIES = 20;
/** Before and after of a flag larger than this are left out of its event (a flag can target 10,000s of units). */
const MAX_DIFF_CHARS = 64 * 1024;
const USER_AGENT = 'Switchboard-Webhooks/0.1';

export interface WebhookInput {
  name: string;
  url: string;
  events: string[];
  flag?: string | null | undefined;
  environment?: string | null | undefined;
  format: WebhookFormat;
  enabled: boolean;
}

export type WebhookPatch = Partial<WebhookInput>;

/** How the service reaches receivers and reports trouble. */
export interface WebhookServiceOptions {
  secrets: WebhookSecretBox;
  log: WorkerLog & { warn(details: object, message: string): void };
  /** How long a receiver has to answer. */
  timeoutMs?: number;
  /** Told of each attempt's outcome, for the operator's metrics (MUST NOT throw). */
  onAttempt?: (outcome: 'succeeded' | 'retrying' | 'failed') => void;
}

/**
 * Webhooks (DESIGN.md §6, §7): per-project receivers of flag changes, rollout decisions, alerts and
 * failed scheduled changes, each delivery signed (`Switchboard-Signature`, see webhook-signature.ts),
 * queued in the store so that it survives restarts, retried with exponential backoff, and logged.
 *
 * Flag changes are read from the audit log when the change bus reports one (the entry holds the flag
 * before and after, and commits with the change); every replica hearing of a change may queue it, and
 * the queue keeps one delivery per webhook and event. Delivery is at least once: a receiver should
 * ignore a `Switchboard-Delivery` id it has already processed.
 */
export class WebhookService {
  private readonly unsubscribe: () => void;
  /** Queueing under way in the background (flag changes heard, rollout notifications), in order. */
  private background: Promise<void> = Promise.resolve();
  private readonly worker: IntervalWorker;
  /** Projects by id (they are never renamed or deleted). */
  private readonly projectsById = new Map<string, Project>();
  private lastPurgeMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: WebhookStore,
    private readonly projects: ProjectService,
    private readonly options: WebhookServiceOptions,
  ) {
    this.worker = new IntervalWorker('webhook deliveries', () => this.deliverDue(), options.log);
    this.unsubscribe = ctx.bus.subscribe((change) => {
      if (change.resource === 'flag') this.inBackground(() => this.captureFlagChanges(change), change.key);
    });
  }

  /**
   * The rollouts' `Notifier`: queues each decision for the webhooks in the background, never throwing
   * and never blocking the scheduler (a failure to queue is logged).
   */
  readonly rolloutNotifier: Notifier = {
    notify: (event) => this.inBackground(() => this.notify(event), event.flag),
  };

  async create(
    projectKey: string,
    input: WebhookInput,
    actor: Actor,
  ): Promise<{ webhook: WebhookView; secret: string }> {
    const project = await this.projects.getProject(projectKey);
    await this.checkEnvironment(project, input.environment ?? null);
    const at = this.ctx.clock().toISOString();
    const id = randomUUID();
    const secret = newSecret();
    const webhook = await this.ctx.database.db.transaction().execute(async (tx) => {
      const record: WebhookRecord = {
        id,
        projectId: project.id,
        name: input.name,
        url: input.url,
        secret: this.options.secrets.seal(secret, id),
        events: dedupe(input.events),
        flag: input.flag ?? null,
        environment: input.environment ?? null,
        format: input.format,
        enabled: input.enabled,
        sinceAuditId: await this.store.lastAuditId(tx),
        version: 1,
        createdAt: at,
        createdBy: actor,
        updatedAt: at,
      };
      await this.store.insert(tx, record);
      await this.audit(tx, actor, 'webhook.create', project, record, null, this.view(project, record), at);
      return record;
    });
    return { webhook: this.view(project, webhook), secret };
  }

  /** The project's webhooks, each with its newest delivery. */
  async list(projectKey: string): Promise<WebhookListItem[]> {
    const project = await this.projects.getProject(projectKey);
    const webhooks = await this.store.list(project.id);
    const last = new Map(
      (await this.store.lastDeliveries(webhooks.map((w) => w.id))).map((d) => [d.webhookId, d]),
    );
    return webhooks.map((w) => {
      const d = last.get(w.id);
      return {
        ...this.view(project, w),
        lastDelivery:
          d === undefined
            ? null
            : {
                id: d.id,
                eventType: d.eventType,
                status: d.status,
                lastStatusCode: d.lastStatusCode,
                createdAt: d.createdAt,
              },
      };
    });
  }

  async get(id: string): Promise<WebhookView> {
    const { project, webhook } = await this.find(id);
    return this.view(project, webhook);
  }

  /** Edits a webhook, refused unless `expected` is its current version. Audited. */
  async update(id: string, patch: WebhookPatch, expected: number, actor: Actor): Promise<WebhookView> {
    const { project, webhook } = await this.find(id);
    if (patch.environment !== undefined) await this.checkEnvironment(project, patch.environment);
    const at = this.ctx.clock().toISOString();
    const changes = {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.url === undefined ? {} : { url: patch.url }),
      ...(patch.events === undefined ? {} : { events: dedupe(patch.events) }),
      ...(patch.flag === undefined ? {} : { flag: patch.flag }),
      ...(patch.environment === undefined ? {} : { environment: patch.environment }),
      ...(patch.format === undefined ? {} : { format: patch.format }),
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
    };
    const after: WebhookRecord = { ...webhook, ...changes, version: expected + 1, updatedAt: at };
    await this.ctx.database.db.transaction().execute(async (tx) => {
      if (!(await this.store.update(tx, id, expected, changes, at))) {
        const current = (await this.store.find(id, tx))?.version ?? webhook.version;
        throw new VersionConflictError('webhook', id, expected, current);
      }
      await this.audit(
        tx,
        actor,
        'webhook.update',
        project,
        webhook,
        this.view(project, webhook),
        this.view(project, after),
        at,
      );
    });
    return this.view(project, after);
  }

  /** Deletes a webhook with its delivery log; deliveries not yet made are dropped. Audited. */
  async delete(id: string, actor: Actor): Promise<WebhookView> {
    const { project, webhook } = await this.find(id);
    const at = this.ctx.clock().toISOString();
    const view = this.view(project, webhook);
    await this.ctx.database.db.transaction().execute(async (tx) => {
      if (!(await this.store.delete(tx, id))) throw new NotFoundError('webhook', id);
      await this.audit(tx, actor, 'webhook.delete', project, webhook, view, null, at);
    });
    return view;
  }

  /** Replaces the secret; the new one is returned this once. Audited (without either secret). */
  async rotateSecret(id: string, actor: Actor): Promise<{ webhook: WebhookView; secret: string }> {
    const { project, webhook } = await this.find(id);
    const at = this.ctx.clock().toISOString();
    const secret = newSecret();
    const sealed = this.options.secrets.seal(secret, id);
    const after: WebhookRecord = { ...webhook, secret: sealed, version: webhook.version + 1, updatedAt: at };
    await this.ctx.database.db.transaction().execute(async (tx) => {
      if (!(await this.store.update(tx, id, webhook.version, { secret: sealed }, at))) {
        const current = (await this.store.find(id, tx))?.version ?? webhook.version;
        throw new VersionConflictError('webhook', id, webhook.version, current);
      }
      await this.audit(
        tx,
        actor,
        'webhook.rotate-secret',
        project,
        webhook,
        this.view(project, webhook),
        this.view(project, after),
        at,
      );
    });
    return { webhook: this.view(project, after), secret };
  }

  /** Sends a `webhook.test` event now, once (no retries), and reports the attempt. */
  async sendTest(id: string, actor: Actor): Promise<DeliveryView> {
    const { project, webhook } = await this.find(id);
    const now = this.ctx.clock();
    const event: WebhookEvent = {
      id: `test-${randomUUID()}`,
      type: 'webhook.test',
      at: now.toISOString(),
      project: project.key,
      environment: null,
      flag: null,
      actor,
      data: { webhook: webhook.id, name: webhook.name },
    };
    const [queued] = await this.store.enqueue([this.delivery(webhook, event, now, 1)]);
    if (queued === undefined) throw new Error('the test delivery was not queued');
    const claimed = await this.store.claimOne(queued.id, now.toISOString(), this.claimEnd(now));
    if (claimed !== undefined) await this.attempt(claimed);
    const attempts = await this.store.attemptsOf([queued.id]);
    return this.deliveryView((await this.store.findDelivery(queued.id)) ?? queued, attempts);
  }

  /** A webhook's deliveries, newest first, each with its attempts. */
  async deliveries(
    id: string,
    query: { limit: number; cursor?: number | undefined; status?: DeliveryStatus | undefined },
  ): Promise<{ items: DeliveryView[]; nextCursor: number | undefined }> {
    await this.find(id);
    const rows = await this.store.listDeliveries(id, {
      limit: query.limit + 1,
      before: query.cursor,
      status: query.status,
    });
    const page = rows.slice(0, query.limit);
    const attempts = await this.store.attemptsOf(page.map((d) => d.id));
    const last = page[page.length - 1];
    return {
      items: page.map((d) =>
        this.deliveryView(
          d,
          attempts.filter((a) => a.deliveryId === d.id),
        ),
      ),
      nextCursor: rows.length > query.limit && last !== undefined ? last.seq : undefined,
    };
  }

  /**
   * Queues an event for every enabled webhook of its project that takes it, and wakes the worker.
   * The rollout scheduler's notifier and the alerts call this. Returns how many deliveries it queued.
   */
  async notify(input: WebhookEventInput): Promise<number> {
    const project = await this.projects.getProject(input.project);
    const event: WebhookEvent = {
      id: input.id ?? randomUUID(),
      type: input.type,
      at: typeof input.at === 'string' ? input.at : input.at.toISOString(),
      project: project.key,
      environment: input.environment,
      flag: input.flag,
      actor: input.actor ?? null,
      data: input.data ?? {},
    };
    const webhooks = (await this.store.listEnabled(project.id)).filter((w) => webhookWants(w, event));
    const queued = await this.enqueue(webhooks, event);
    if (queued > 0) this.worker.kick();
    return queued;
  }

  /**
   * Attempts every delivery that is due (first attempts and retries whose wait is over), claiming each
   * so that no other worker or replica sends it at the same time. Returns how many were attempted.
   * The worker calls it on an interval; tests call it with the clock where they want it.
   */
  async deliverDue(): Promise<number> {
    // Events heard before this call are queued before it looks for due deliveries.
    await this.background;
    let attempted = 0;
    for (;;) {
      const now = this.ctx.clock();
      const claimed = await this.store.claimDue(now.toISOString(), this.claimEnd(now), DELIVERY_BATCH);
      await Promise.all(claimed.map((d) => this.attempt(d)));
      attempted += claimed.length;
      if (claimed.length < DELIVERY_BATCH) break;
    }
    await this.purgeOccasionally();
    return attempted;
  }

  /** Starts delivering on an interval (0: never; deliveries then wait for {@link deliverDue}). */
  start(intervalMs: number): void {
    this.worker.start(intervalMs);
  }

  /** Stops the worker and the capture of flag changes, waiting for what is under way. */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.worker.stop();
    await this.background;
  }

  private inBackground(task: () => Promise<unknown>, flag: string): void {
    this.background = this.background.then(task).then(
      () => undefined,
      (error: unknown) => this.options.log.error({ err: error, flag }, 'queueing webhook deliveries failed'),
    );
  }

  private async captureFlagChanges(change: Change): Promise<void> {
    const project = await this.projectById(change.projectId);
    if (project === undefined) return;
    const webhooks = await this.store.listEnabled(project.id);
    // The common case: no webhook, nothing more to read.
    if (webhooks.length === 0) return;
    const now = this.ctx.clock();
    const entries = await this.ctx.audit.list({
      project: project.key,
      flag: change.key,
      from: new Date(now.getTime() - CAPTURE_WINDOW_MS).toISOString(),
      limit: CAPTURE_ENTRIES,
    });
    let queued = 0;
    for (const entry of entries.reverse()) {
      const event = flagEvent(entry, project.key);
      if (event === undefined) continue;
      const targets = webhooks.filter((w) => entry.id > w.sinceAuditId && webhookWants(w, event));
      queued += await this.enqueue(targets, event);
    }
    if (queued > 0) this.worker.kick();
  }

  private async enqueue(webhooks: readonly WebhookRecord[], event: WebhookEvent): Promise<number> {
    if (webhooks.length === 0) return 0;
    const now = this.ctx.clock();
    const inserted = await this.store.enqueue(
      webhooks.map((w) => this.delivery(w, event, now, WEBHOOK_MAX_ATTEMPTS)),
    );
    return inserted.length;
  }

  private delivery(
    webhook: WebhookRecord,
    event: WebhookEvent,
    now: Date,
    maxAttempts: number,
  ): DeliveryRecord {
    return {
      seq: 0,
      id: randomUUID(),
      webhookId: webhook.id,
      eventId: event.id,
      eventType: event.type,
      body: webhookBody(event, webhook.format),
      status: 'pending',
      attempts: 0,
      maxAttempts,
      nextAttemptAt: now.toISOString(),
      claimedUntil: null,
      lastStatusCode: null,
      lastError: null,
      lastDurationMs: null,
      createdAt: now.toISOString(),
      finishedAt: null,
    };
  }

  /** One attempt of a claimed delivery, and what it leaves: done, failed, or due again later. */
  private async attempt(delivery: DeliveryRecord): Promise<void> {
    const webhook = await this.store.find(delivery.webhookId);
    const started = this.ctx.clock();
    // A disabled webhook sends nothing more, except the test events asked for by hand.
    const gone = webhook === undefined || (!webhook.enabled && delivery.eventType !== 'webhook.test');
    let result: SendResult;
    if (gone) {
      result = {
        statusCode: null,
        durationMs: 0,
        error: webhook === undefined ? 'the webhook was deleted' : 'the webhook is disabled',
        response: null,
      };
    } else {
      result = await this.send(webhook, delivery, started);
    }
    const finished = this.ctx.clock();
    const ok = result.error === null;
    const retry = !ok && !gone && isRetryable(result.statusCode) && delivery.attempts < delivery.maxAttempts;
    const attempt: AttemptRecord = {
      deliveryId: delivery.id,
      attempt: delivery.attempts,
      at: started.toISOString(),
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      error: result.error,
      response: result.response,
    };
    const applied = await this.store.finishAttempt(delivery, {
      status: ok ? 'succeeded' : retry ? 'pending' : 'failed',
      nextAttemptAt: retry
        ? new Date(finished.getTime() + retryDelayMs(delivery.attempts, result.retryAfterMs)).toISOString()
        : null,
      attempt,
    });
    if (applied) this.options.onAttempt?.(ok ? 'succeeded' : retry ? 'retrying' : 'failed');
    if (!applied) {
      this.options.log.warn(
        { delivery: delivery.id },
        'a webhook delivery outlived its claim; another worker took it over',
      );
    }
  }

  private async send(webhook: WebhookRecord, delivery: DeliveryRecord, now: Date): Promise<SendResult> {
    let secret: string;
    try {
      secret = this.options.secrets.open(webhook.secret, webhook.id);
    } catch (error) {
      if (!(error instanceof SecretUnavailableError)) throw error;
      return { statusCode: null, durationMs: 0, error: error.message, response: null };
    }
    return sendDelivery(
      webhook.url,
      delivery.body,
      {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'switchboard-signature': signatureHeader(delivery.body, secret, now),
        'switchboard-event': delivery.eventType,
        'switchboard-delivery': delivery.id,
        'switchboard-attempt': String(delivery.attempts),
      },
      this.options.timeoutMs,
    );
  }

  private async purgeOccasionally(): Promise<void> {
    const now = this.ctx.clock().getTime();
    if (now - this.lastPurgeMs < PURGE_INTERVAL_MS) return;
    this.lastPurgeMs = now;
    await this.store.purgeFinished(new Date(now - DELIVERY_RETENTION_MS).toISOString());
  }

  private claimEnd(now: Date): string {
    return new Date(now.getTime() + DELIVERY_CLAIM_MS).toISOString();
  }

  private async find(id: string): Promise<{ project: Project; webhook: WebhookRecord }> {
    const webhook = await this.store.find(id);
    const project = webhook === undefined ? undefined : await this.projectById(webhook.projectId);
    if (webhook === undefined || project === undefined) throw new NotFoundError('webhook', id);
    return { project, webhook };
  }

  private async projectById(id: string): Promise<Project | undefined> {
    if (!this.projectsById.has(id)) {
      for (const p of await this.projects.listProjects()) this.projectsById.set(p.id, p);
    }
    return this.projectsById.get(id);
  }

  private async checkEnvironment(project: Project, environment: string | null): Promise<void> {
    if (environment === null) return;
    const environments = await this.projects.listEnvironments(project.key);
    if (!environments.some((e) => e.key === environment))
      throw new ValidationError('body.environment', `unknown environment ${JSON.stringify(environment)}`);
  }

  private view(project: Project, w: WebhookRecord): WebhookView {
    return {
      id: w.id,
      project: project.key,
      name: w.name,
      url: w.url,
      events: w.events,
      flag: w.flag,
      environment: w.environment,
      format: w.format,
      enabled: w.enabled,
      secretStorage: w.secret.startsWith('plain:') ? 'plain' : 'encrypted',
      version: w.version,
      createdAt: w.createdAt,
      createdBy: w.createdBy,
      updatedAt: w.updatedAt,
    };
  }

  private deliveryView(d: DeliveryRecord, attempts: AttemptRecord[] = []): DeliveryView {
    return {
      id: d.id,
      webhookId: d.webhookId,
      eventId: d.eventId,
      eventType: d.eventType as DeliveryView['eventType'],
      status: d.status,
      attempts: d.attempts,
      maxAttempts: d.maxAttempts,
      nextAttemptAt: d.nextAttemptAt,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      lastDurationMs: d.lastDurationMs,
      createdAt: d.createdAt,
      finishedAt: d.finishedAt,
      attemptLog: attempts.map(({ deliveryId: _deliveryId, ...a }) => a),
    };
  }

  private async audit(
    tx: Parameters<ServiceContext['audit']['append']>[0],
    actor: Actor,
    action: string,
    project: Project,
    webhook: WebhookRecord,
    before: WebhookView | null,
    after: WebhookView | null,
    at: string,
  ): Promise<void> {
    await this.ctx.audit.append(tx, {
      at,
      actor,
      action,
      resourceType: 'webhook',
      resourceKey: webhook.id,
      project: project.key,
      environment: webhook.environment,
      flag: webhook.flag,
      before,
      after,
    });
  }
}

/** `whsec_` and 32 random bytes, base64url (256 bits). */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The webhook event of a flag's audit entry, or undefined for entries that are not flag changes. */
export function flagEvent(entry: AuditEntry, project: string): WebhookEvent | undefined {
  if (entry.resourceType !== 'flag' || entry.flag === null) return undefined;
  const enabled = (value: unknown) =>
    value !== null && typeof value === 'object' && 'enabled' in value ? Boolean(value.enabled) : undefined;
  let type: WebhookEvent['type'];
  if (entry.action === 'flag.create') type = 'flag.created';
  else if (entry.action === 'flag.archive') type = 'flag.archived';
  else if (entry.action === 'flag.restore') type = 'flag.restored';
  else if (entry.environment !== null && enabled(entry.before) !== enabled(entry.after))
    type = enabled(entry.after) ? 'flag.enabled' : 'flag.disabled';
  else type = 'flag.updated';
  const diff = JSON.stringify({ before: entry.before, after: entry.after });
  const version = (entry.after as { version?: unknown } | null)?.version;
  return {
    id: `audit-${entry.id}`,
    type,
    at: entry.at,
    project,
    environment: entry.environment,
    flag: entry.flag,
    actor: entry.actor,
    data: {
      action: entry.action,
      ...(typeof version === 'number' ? { version } : {}),
      ...(diff.length <= MAX_DIFF_CHARS
        ? { before: entry.before, after: entry.after }
        : { truncated: 'the flag before and after are too large to send: read them in the audit log' }),
    },
  };
}
