import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/store-helpers.js';
import { NotFoundError, ValidationError, VersionConflictError } from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import type { ExperimentService } from '../experiments/experiment-service.js';
import type { FlagService } from '../flags/flag-service.js';
import type { ProjectService } from '../projects/project-service.js';
import { IntervalWorker, type WorkerLog } from '../webhooks/interval-worker.js';
import type { WebhookEventInput } from '../webhooks/webhook-events.js';
import { METRIC_LABELS, readAlert, stepAlert, type VariantReading } from './alert-evaluation.js';
import type { AlertListItem, AlertView } from './alert-schemas.js';
import type {
  AlertEventRecord,
  AlertMetric,
  AlertRuleDefinition,
  AlertRuleRecord,
  AlertRuleStatus,
  AlertState,
  AlertStore,
} from './alert-store.js';

const HOUR_MS = 3_600_000;
/** Attempts of the built-in rollback (disabling the flag) against concurrent edits. */
const DISABLE_ATTEMPTS = 3;

/**
 * Rolls a flag back in an environment: the rollout service provides it. Called once per firing of a
 * rule whose action is `rollback`; a failure is recorded in the rule's history.
 */
/** Rolls a flag back for a firing rule; resolves false when it had nothing to roll back (then the flag is disabled). */
export type AlertRollback = (
  flag: string,
  environment: string,
  reason: string,
  context: { project: string; ruleId: string },
) => Promise<boolean>;

/** Where alerts are announced: the webhooks. */
export interface AlertNotifier {
  notify(event: WebhookEventInput): Promise<unknown>;
}

export interface AlertServiceDeps {
  projects: ProjectService;
  flags: FlagService;
  experiments: ExperimentService;
  notifier: AlertNotifier;
  /**
   * The rollback of rules whose action is `rollback`. Without one, such a rule disables the flag in
   * its environment (the kill switch: it serves its off variant), audited as `alert:<rule id>`.
   */
  onRollback?: AlertRollback | undefined;
  log: WorkerLog & { warn(details: object, message: string): void };
}

export type AlertInput = Omit<AlertRuleDefinition, 'name'> & { name?: string | undefined };

/** What one evaluation of every rule did. */
export interface AlertSweep {
  evaluated: number;
  fired: number;
  resolved: number;
}

/**
 * Alert rules on a flag's service-level figures in one environment (DESIGN.md §6): error rate, p95
 * latency, cost per day or fallback rate above a threshold, per variant or for one variant, read from
 * the hourly rollups over the rule's window. A rule fires once the threshold has been broken for its
 * `forMinutes` by a variant with at least `minSample` requests; it resolves when no variant breaks it.
 * Firing and resolving are announced to webhooks (`alert.fired`, `alert.resolved`) and kept in the
 * rule's history; a `rollback` rule also rolls the flag back. Each transition is applied by one
 * evaluator only, however many replicas evaluate.
 */
export class AlertService {
  private readonly worker: IntervalWorker;
  private onRollback: AlertRollback | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: AlertStore,
    private readonly deps: AlertServiceDeps,
  ) {
    this.onRollback = deps.onRollback;
    this.worker = new IntervalWorker('alert evaluation', () => this.evaluateDue(), deps.log);
  }

  /** Sets the rollback used by `rollback` rules (the rollout service's, once it exists). */
  setRollback(rollback: AlertRollback | undefined): void {
    this.onRollback = rollback;
  }

  async create(
    projectKey: string,
    flagKey: string,
    environmentKey: string,
    input: AlertInput,
    actor: Actor,
  ): Promise<AlertView> {
    const { project, environment } = await this.deps.projects.resolve(projectKey, environmentKey);
    const flag = await this.deps.flags.get(projectKey, flagKey);
    const definition: AlertRuleDefinition = {
      ...input,
      name: input.name ?? `${METRIC_LABELS[input.metric]} above ${input.threshold}`,
    };
    checkDefinition(definition, flag.variants);
    const at = this.ctx.clock().toISOString();
    const rule: AlertRuleRecord = {
      id: randomUUID(),
      projectId: project.id,
      project: project.key,
      environmentId: environment.id,
      environment: environment.key,
      flag: flag.key,
      ...definition,
      state: 'inactive',
      stateSince: null,
      stateVersion: 0,
      lastValue: null,
      lastVariant: null,
      lastEvaluatedAt: null,
      lastError: null,
      version: 1,
      createdAt: at,
      createdBy: actor,
      updatedAt: at,
    };
    await this.ctx.database.db.transaction().execute(async (tx) => {
      await this.store.insert(tx, rule);
      await this.audit(tx, actor, 'alert.create', rule, null, view(rule), at);
    });
    return view(rule);
  }

  async list(
    projectKey: string,
    filter: { flag?: string | undefined; environment?: string | undefined; state?: AlertState | undefined },
  ): Promise<AlertListItem[]> {
    const project = await this.deps.projects.getProject(projectKey);
    const environment =
      filter.environment === undefined
        ? undefined
        : (await this.deps.projects.resolve(projectKey, filter.environment)).environment;
    const rules = await this.store.list({
      projectId: project.id,
      environmentId: environment?.id,
      flag: filter.flag,
      state: filter.state,
    });
    const fired = await this.store.lastFired(rules.map((r) => r.id));
    return rules.map((rule) => ({ ...view(rule), lastFiredAt: fired.get(rule.id) ?? null }));
  }

  async get(id: string): Promise<AlertView> {
    return view(await this.find(id));
  }

  /**
   * Edits a rule, refused unless `expected` is its version. Its state carries over, and the next
   * evaluation applies the new definition; disabling a firing rule resolves it. Audited.
   */
  async update(
    id: string,
    patch: Partial<AlertRuleDefinition>,
    expected: number,
    actor: Actor,
  ): Promise<AlertView> {
    const rule = await this.find(id);
    const flag = await this.deps.flags.get(rule.project, rule.flag);
    const changes = Object.fromEntries(
      Object.entries(patch).filter(([, value]) => value !== undefined),
    ) as Partial<AlertRuleDefinition>;
    const next: AlertRuleRecord = { ...rule, ...changes };
    checkDefinition(next, flag.variants);
    const at = this.ctx.clock().toISOString();
    const after: AlertRuleRecord = { ...next, version: expected + 1, updatedAt: at };
    await this.ctx.database.db.transaction().execute(async (tx) => {
      if (!(await this.store.update(tx, id, expected, changes, at))) {
        const current = (await this.store.find(id, tx))?.version ?? rule.version;
        throw new VersionConflictError('alert rule', id, expected, current);
      }
      await this.audit(tx, actor, 'alert.update', rule, view(rule), view(after), at);
    });
    if (!after.enabled && rule.state !== 'inactive') await this.quiet(after, 'the rule was disabled');
    return view((await this.store.find(id)) ?? after);
  }

  /** Deletes a rule and its history; a firing rule is announced as resolved. Audited. */
  async delete(id: string, actor: Actor): Promise<AlertView> {
    const rule = await this.find(id);
    const at = this.ctx.clock().toISOString();
    await this.ctx.database.db.transaction().execute(async (tx) => {
      if (!(await this.store.delete(tx, id))) throw new NotFoundError('alert rule', id);
      await this.audit(tx, actor, 'alert.delete', rule, view(rule), null, at);
    });
    if (rule.state === 'firing')
      await this.announce(rule, 'alert.resolved', { reason: 'the rule was deleted' });
    return view(rule);
  }

  /** A rule's history, newest first. */
  async history(
    id: string,
    query: { limit: number; cursor?: number | undefined },
  ): Promise<{ items: Omit<AlertEventRecord, 'ruleId'>[]; nextCursor: number | undefined }> {
    await this.find(id);
    const rows = await this.store.history(id, { limit: query.limit + 1, before: query.cursor });
    const page = rows.slice(0, query.limit).map(({ ruleId: _ruleId, ...event }) => event);
    return { items: page, nextCursor: rows.length > query.limit ? page[page.length - 1]?.id : undefined };
  }

  /**
   * Evaluates every enabled rule now (by the injected clock): reads its figures, moves its state, and
   * announces (and rolls back) what fired or resolved. The worker calls it on an interval; tests call
   * it with the clock where they want it.
   */
  async evaluateDue(): Promise<AlertSweep> {
    const sweep: AlertSweep = { evaluated: 0, fired: 0, resolved: 0 };
    for (const rule of await this.store.list({ enabled: true })) {
      const transition = await this.evaluate(rule);
      sweep.evaluated += 1;
      if (transition === 'fired') sweep.fired += 1;
      if (transition === 'resolved') sweep.resolved += 1;
    }
    return sweep;
  }

  /** Starts evaluating on an interval (0: never; evaluations then wait for {@link evaluateDue}). */
  start(intervalMs: number): void {
    this.worker.start(intervalMs);
  }

  async close(): Promise<void> {
    await this.worker.stop();
  }

  private async evaluate(rule: AlertRuleRecord): Promise<'fired' | 'resolved' | undefined> {
    const now = this.ctx.clock();
    let reading: ReturnType<typeof readAlert>;
    try {
      // Rollups are hourly: the window starts on the hour, so that its figures (cost per day above
      // all) are over the span they were summed over.
      const from = new Date(Math.floor((now.getTime() - rule.windowMinutes * 60_000) / HOUR_MS) * HOUR_MS);
      const results = await this.deps.experiments.results(rule.project, rule.flag, rule.environment, {
        from,
        to: now,
      });
      reading = readAlert(rule, results.variants);
    } catch (error) {
      // Figures that cannot be read say nothing about the service: the state stays as it is.
      await this.store.recordEvaluation(rule.id, rule.stateVersion, {
        lastValue: null,
        lastVariant: null,
        lastEvaluatedAt: now.toISOString(),
        lastError: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
    const step = stepAlert(rule, rule.forMinutes, reading.breaches.length > 0, now);
    const worst = reading.worst;
    const status: AlertRuleStatus = {
      state: step.state,
      stateSince: step.stateSince,
      lastValue: worst?.value ?? null,
      lastVariant: worst?.variant ?? null,
      lastEvaluatedAt: now.toISOString(),
      lastError: null,
    };
    if (step.state === rule.state && step.stateSince === rule.stateSince) {
      await this.store.recordEvaluation(rule.id, rule.stateVersion, status);
      return undefined;
    }
    const breach = reading.breaches[0];
    const details =
      step.transition === 'fired' && breach !== undefined
        ? { reason: reasonOf(rule, breach), sample: breach.sample, threshold: rule.threshold }
        : { threshold: rule.threshold };
    const event =
      step.transition === undefined
        ? undefined
        : {
            ruleId: rule.id,
            kind: step.transition,
            at: now.toISOString(),
            value: status.lastValue,
            variant: status.lastVariant,
            details,
          };
    // Another evaluator (a replica) moved the rule first: it announces, not this one.
    if (!(await this.store.transition(rule.id, rule.stateVersion, status, event))) return undefined;
    const moved: AlertRuleRecord = { ...rule, ...status, stateVersion: rule.stateVersion + 1 };
    if (step.transition === 'fired' && breach !== undefined) await this.fire(moved, breach);
    if (step.transition === 'resolved') await this.announce(moved, 'alert.resolved', {});
    return step.transition;
  }

  private async fire(rule: AlertRuleRecord, breach: VariantReading): Promise<void> {
    const reason = reasonOf(rule, breach);
    const now = this.ctx.clock().toISOString();
    let rollback: Record<string, unknown> = {};
    if (rule.action === 'rollback') {
      try {
        await this.rollBack(rule, reason);
        rollback = { rollback: 'done' };
        await this.store.appendEvent({
          ruleId: rule.id,
          kind: 'rolled_back',
          at: now,
          value: breach.value,
          variant: breach.variant,
          details: {
            reason,
            by: this.onRollback === undefined ? 'disabling the flag' : 'the rollout service',
          },
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        rollback = { rollback: 'failed', rollbackError: message };
        this.deps.log.error({ err: error, rule: rule.id }, 'the rollback of a firing alert failed');
        await this.store.appendEvent({
          ruleId: rule.id,
          kind: 'rollback_failed',
          at: now,
          value: breach.value,
          variant: breach.variant,
          details: { reason, error: message },
        });
      }
    }
    await this.announce(rule, 'alert.fired', {
      reason,
      value: breach.value,
      variant: breach.variant,
      sample: breach.sample,
      ...rollback,
    });
  }

  private async rollBack(rule: AlertRuleRecord, reason: string): Promise<void> {
    if (
      this.onRollback !== undefined &&
      (await this.onRollback(rule.flag, rule.environment, reason, { project: rule.project, ruleId: rule.id }))
    ) {
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const config = await this.deps.flags.getEnvironment(rule.project, rule.flag, rule.environment);
      if (!config.enabled) return;
      try {
        await this.deps.flags.updateEnvironment(
          rule.project,
          rule.flag,
          rule.environment,
          { enabled: false },
          config.version,
          `alert:${rule.id}`,
          'flag.environment.disable',
        );
        return;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= DISABLE_ATTEMPTS) throw error;
      }
    }
  }

  /** A rule that stops being evaluated while pending or firing goes back to inactive (resolved if firing). */
  private async quiet(rule: AlertRuleRecord, reason: string): Promise<void> {
    const now = this.ctx.clock().toISOString();
    const firing = rule.state === 'firing';
    const status: AlertRuleStatus = { ...rule, state: 'inactive', stateSince: now };
    const event = firing
      ? {
          ruleId: rule.id,
          kind: 'resolved' as const,
          at: now,
          value: null,
          variant: null,
          details: { reason },
        }
      : undefined;
    if (!(await this.store.transition(rule.id, rule.stateVersion, status, event))) return;
    if (firing)
      await this.announce({ ...rule, stateVersion: rule.stateVersion + 1 }, 'alert.resolved', { reason });
  }

  /** Tells the webhooks; a failure to queue is logged, never thrown into the evaluation. */
  private async announce(
    rule: AlertRuleRecord,
    type: 'alert.fired' | 'alert.resolved',
    data: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.deps.notifier.notify({
        // One event per transition, whoever reports it.
        id: `alert-${rule.id}-${rule.stateVersion}-${type}`,
        type,
        project: rule.project,
        environment: rule.environment,
        flag: rule.flag,
        at: this.ctx.clock(),
        actor: `alert:${rule.id}`,
        data: {
          ruleId: rule.id,
          name: rule.name,
          metric: rule.metric,
          threshold: rule.threshold,
          windowMinutes: rule.windowMinutes,
          action: rule.action,
          ...data,
        },
      });
    } catch (error) {
      this.deps.log.error({ err: error, rule: rule.id }, 'announcing an alert failed');
    }
  }

  private async find(id: string): Promise<AlertRuleRecord> {
    const rule = await this.store.find(id);
    if (rule === undefined) throw new NotFoundError('alert rule', id);
    return rule;
  }

  private async audit(
    tx: Executor,
    actor: Actor,
    action: string,
    rule: AlertRuleRecord,
    before: AlertView | null,
    after: AlertView | null,
    at: string,
  ): Promise<void> {
    await this.ctx.audit.append(tx, {
      at,
      actor,
      action,
      resourceType: 'alert-rule',
      resourceKey: rule.id,
      project: rule.project,
      environment: rule.environment,
      flag: rule.flag,
      before,
      after,
    });
  }
}

const RATES: ReadonlySet<AlertMetric> = new Set(['error_rate', 'fallback_rate']);

/** What the schema cannot say: rates are at most 1, and the variant watched is the flag's. */
function checkDefinition(definition: AlertRuleDefinition, variants: readonly { key: string }[]): void {
  if (RATES.has(definition.metric) && definition.threshold > 1)
    throw new ValidationError('body.threshold', `a rate is between 0 and 1; ${definition.threshold} is not`);
  if (definition.variant !== null && !variants.some((v) => v.key === definition.variant)) {
    throw new ValidationError(
      'body.variant',
      `unknown variant ${JSON.stringify(definition.variant)}; the flag has ${variants.map((v) => v.key).join(', ')}`,
    );
  }
}

function reasonOf(rule: AlertRuleDefinition, breach: VariantReading): string {
  const value = breach.value === null ? 'unknown' : String(Number(breach.value.toPrecision(4)));
  return `${METRIC_LABELS[rule.metric]} ${value} above ${rule.threshold} for variant ${breach.variant} (${breach.sample} requests in the last ${rule.windowMinutes} min)`;
}

function view(rule: AlertRuleRecord): AlertView {
  return {
    id: rule.id,
    project: rule.project,
    flag: rule.flag,
    environment: rule.environment,
    name: rule.name,
    metric: rule.metric,
    threshold: rule.threshold,
    windowMinutes: rule.windowMinutes,
    forMinutes: rule.forMinutes,
    minSample: rule.minSample,
    variant: rule.variant,
    action: rule.action,
    enabled: rule.enabled,
    state: rule.state,
    stateSince: rule.stateSince,
    lastValue: rule.lastValue,
    lastVariant: rule.lastVariant,
    lastEvaluatedAt: rule.lastEvaluatedAt,
    lastError: rule.lastError,
    version: rule.version,
    createdAt: rule.createdAt,
    createdBy: rule.createdBy,
    updatedAt: rule.updatedAt,
  };
}
