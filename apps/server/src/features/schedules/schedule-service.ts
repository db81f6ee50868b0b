import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { BUCKET_SCALE, type Serve } from '@switchboard/core';
import type { Executor } from '../../db/store-helpers.js';
import {
  DomainError,
  NotFoundError,
  StateConflictError,
  ValidationError,
  VersionConflictError,
} from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import type { EnvironmentPatch, FlagService } from '../flags/flag-service.js';
import type { VersionedConfig } from '../flags/flag-store.js';
import type { ProjectService } from '../projects/project-service.js';
import { IntervalWorker, type WorkerLog } from '../webhooks/interval-worker.js';
import type { WebhookEventInput } from '../webhooks/webhook-events.js';
import type { ScheduleCreate, ScheduleView } from './schedule-schemas.js';
import type { ScheduleRecord, ScheduleStatus, ScheduleStore } from './schedule-store.js';

/** Changes one worker run claims at a time. */
const SCHEDULE_BATCH = 20;
/**
 * A change claimed this long ago and still running was left by a worker that died: another takes it
 * over (and first looks in the audit log whether it was applied after all).
 */
const STALE_CLAIM_MS = 5 * 60_000;
/** How far ahead a change may be scheduled. */
const MAX_HORIZON_MS = 5 * 365 * 86_400_000;
/** Attempts against concurrent edits of the flag at the time a change applies. */
const APPLY_ATTEMPTS = 3;

/** Where failed scheduled changes are announced: the webhooks. */
export interface ScheduleNotifier {
  notify(event: WebhookEventInput): Promise<unknown>;
}

export interface ScheduleServiceDeps {
  projects: ProjectService;
  flags: FlagService;
  notifier: ScheduleNotifier;
  log: WorkerLog;
}

/** The audit log's actor for a scheduled change: who scheduled it, through which schedule. */
export function scheduleActor(schedule: Pick<ScheduleRecord, 'id' | 'createdBy'>): Actor {
  return `${schedule.createdBy} via schedule:${schedule.id}`;
}

/**
 * Scheduled changes: turn a flag on or off, or give it a new fallthrough (a split), in one environment
 * at a set time. A worker applies each one once it is due, through the FlagService, so the change is
 * versioned, validated and audited like any other, as `<who scheduled it> via schedule:<id>`.
 *
 * Versions: a change applies to the configuration as it is when it runs, whatever was edited since it
 * was scheduled (`createdVersion` records the version it was scheduled against). It sets one field,
 * `enabled` or `fallthrough`, and keeps every other edit; a change with nothing left to do (the flag
 * is already on) is applied without a write. One the flag no longer accepts (archived, or a variant of
 * the split removed) fails, says why, and is announced to webhooks (`schedule.failed`).
 *
 * Exactly once: claiming a due change is one conditional update that one replica wins; a worker that
 * dies while applying leaves a claim that goes stale, and the next one checks the audit log for the
 * change before applying it.
 */
export class ScheduleService {
  private readonly worker: IntervalWorker;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: ScheduleStore,
    private readonly deps: ScheduleServiceDeps,
  ) {
    this.worker = new IntervalWorker('scheduled changes', () => this.runDue(), deps.log);
  }

  async create(
    projectKey: string,
    flagKey: string,
    environmentKey: string,
    input: ScheduleCreate,
    actor: Actor,
  ): Promise<ScheduleView> {
    const { project, environment } = await this.deps.projects.resolve(projectKey, environmentKey);
    const flag = await this.deps.flags.get(projectKey, flagKey);
    if (flag.archived)
      throw new StateConflictError(`flag ${JSON.stringify(flagKey)} is archived: restore it first`);
    const now = this.ctx.clock();
    const runAt = new Date(input.at);
    if (runAt.getTime() < now.getTime())
      throw new ValidationError('body.at', `must not be in the past (it is ${now.toISOString()})`);
    if (runAt.getTime() > now.getTime() + MAX_HORIZON_MS)
      throw new ValidationError('body.at', 'must be within 5 years');
    const fallthrough = input.action === 'fallthrough' ? (input.fallthrough as Serve) : null;
    if (fallthrough !== null) checkServe(fallthrough, flag.variants, 'body.fallthrough');
    const schedule: ScheduleRecord = {
      id: randomUUID(),
      projectId: project.id,
      project: project.key,
      environmentId: environment.id,
      environment: environment.key,
      flag: flag.key,
      action: input.action,
      fallthrough,
      runAt: runAt.toISOString(),
      status: 'pending',
      createdVersion: flag.environments[environment.key]?.version ?? 0,
      appliedVersion: null,
      result: null,
      claims: 0,
      claimedAt: null,
      finishedAt: null,
      createdAt: now.toISOString(),
      createdBy: actor,
    };
    await this.ctx.database.db.transaction().execute(async (tx) => {
      await this.store.insert(tx, schedule);
      await this.audit(tx, actor, 'flag.schedule.create', schedule, null, view(schedule), schedule.createdAt);
    });
    return view(schedule);
  }

  async list(
    projectKey: string,
    filter: {
      flag?: string | undefined;
      environment?: string | undefined;
      status?: ScheduleStatus | undefined;
    },
  ): Promise<ScheduleView[]> {
    const project = await this.deps.projects.getProject(projectKey);
    const environment =
      filter.environment === undefined
        ? undefined
        : (await this.deps.projects.resolve(projectKey, filter.environment)).environment;
    if (filter.flag !== undefined) await this.deps.flags.get(projectKey, filter.flag);
    const schedules = await this.store.list({
      projectId: project.id,
      environmentId: environment?.id,
      flag: filter.flag,
      status: filter.status,
    });
    return schedules.map(view);
  }

  /** Cancels a pending change (409 once it has run or is running). Audited. */
  async cancel(
    projectKey: string,
    flagKey: string,
    environmentKey: string,
    id: string,
    actor: Actor,
  ): Promise<ScheduleView> {
    const { project, environment } = await this.deps.projects.resolve(projectKey, environmentKey);
    const schedule = await this.store.find(id);
    if (
      schedule === undefined ||
      schedule.projectId !== project.id ||
      schedule.environmentId !== environment.id ||
      schedule.flag !== flagKey
    )
      throw new NotFoundError('scheduled change', id);
    const at = this.ctx.clock().toISOString();
    const after: ScheduleRecord = {
      ...schedule,
      status: 'cancelled',
      finishedAt: at,
      result: `cancelled by ${actor}`,
    };
    const cancelled = await this.ctx.database.db.transaction().execute(async (tx) => {
      if (!(await this.store.cancel(tx, id, at, after.result ?? ''))) return false;
      await this.audit(tx, actor, 'flag.schedule.cancel', schedule, view(schedule), view(after), at);
      return true;
    });
    if (!cancelled) {
      const current = (await this.store.find(id)) ?? schedule;
      throw new StateConflictError(
        `scheduled change ${JSON.stringify(id)} is ${current.status}: only a pending one can be cancelled`,
        {
          status: current.status,
        },
      );
    }
    return view(after);
  }

  /**
   * Applies every change that is due by the injected clock, each claimed so that it runs once however
   * many replicas call this, and the changes of one flag in their order (due time, then creation). Returns how many it took. The worker calls it on an
   * interval; tests call it with the clock where they want it.
   */
  async runDue(): Promise<number> {
    let taken = 0;
    for (;;) {
      const now = this.ctx.clock();
      const claimed = await this.store.claimDue(
        now.toISOString(),
        new Date(now.getTime() - STALE_CLAIM_MS).toISOString(),
        SCHEDULE_BATCH,
      );
      // A claim holds at most one change per flag: the next ones of a flag come in the next round.
      for (const schedule of claimed) await this.apply(schedule);
      taken += claimed.length;
      if (claimed.length === 0) return taken;
    }
  }

  /** Starts applying due changes on an interval (0: never; they then wait for {@link runDue}). */
  start(intervalMs: number): void {
    this.worker.start(intervalMs);
  }

  async close(): Promise<void> {
    await this.worker.stop();
  }

  private async apply(schedule: ScheduleRecord): Promise<void> {
    const actor = scheduleActor(schedule);
    const finish = (status: 'applied' | 'failed', appliedVersion: number | null, result: string | null) =>
      this.store.finish(schedule, { status, appliedVersion, result, at: this.ctx.clock().toISOString() });
    if (schedule.claims > 1) {
      // A worker died while applying this: its change may have committed (with its audit entry).
      const [entry] = await this.ctx.audit.list({ actor, limit: 1 });
      if (entry !== undefined) {
        const version = (entry.after as { version?: unknown } | null)?.version;
        await finish('applied', typeof version === 'number' ? version : null, null);
        return;
      }
    }
    try {
      const written = await this.write(schedule, actor);
      await finish(
        'applied',
        written.config.version,
        written.changed ? null : 'nothing to change: it already was so',
      );
    } catch (error) {
      // Errors of the store itself (a lost connection) leave the claim to go stale and be retried.
      if (!(error instanceof DomainError)) throw error;
      await finish('failed', null, error.message);
      try {
        await this.deps.notifier.notify({
          id: `schedule-${schedule.id}`,
          type: 'schedule.failed',
          project: schedule.project,
          environment: schedule.environment,
          flag: schedule.flag,
          at: this.ctx.clock(),
          actor,
          data: {
            scheduleId: schedule.id,
            action: schedule.action,
            scheduledAt: schedule.runAt,
            reason: error.message,
          },
        });
      } catch (notifyError) {
        this.deps.log.error(
          { err: notifyError, schedule: schedule.id },
          'announcing a failed scheduled change failed',
        );
      }
    }
  }

  /** Writes the change on the current version, again if an edit slips in between the read and the write. */
  private async write(
    schedule: ScheduleRecord,
    actor: Actor,
  ): Promise<{ config: VersionedConfig; changed: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.flags.getEnvironment(
        schedule.project,
        schedule.flag,
        schedule.environment,
      );
      const { patch, action } = changeOf(schedule);
      const unchanged =
        patch.enabled !== undefined
          ? current.enabled === patch.enabled
          : isDeepStrictEqual(current.fallthrough, patch.fallthrough);
      if (unchanged) return { config: current, changed: false };
      try {
        const config = await this.deps.flags.updateEnvironment(
          schedule.project,
          schedule.flag,
          schedule.environment,
          patch,
          current.version,
          actor,
          action,
        );
        return { config, changed: true };
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= APPLY_ATTEMPTS) throw error;
      }
    }
  }

  private async audit(
    tx: Executor,
    actor: Actor,
    action: string,
    schedule: ScheduleRecord,
    before: ScheduleView | null,
    after: ScheduleView | null,
    at: string,
  ): Promise<void> {
    await this.ctx.audit.append(tx, {
      at,
      actor,
      action,
      resourceType: 'schedule',
      resourceKey: schedule.id,
      project: schedule.project,
      environment: schedule.environment,
      flag: schedule.flag,
      before,
      after,
    });
  }
}

function changeOf(schedule: ScheduleRecord): { patch: EnvironmentPatch; action: string } {
  switch (schedule.action) {
    case 'enable':
      return { patch: { enabled: true }, action: 'flag.environment.enable' };
    case 'disable':
      return { patch: { enabled: false }, action: 'flag.environment.disable' };
    case 'fallthrough':
      return {
        patch: { fallthrough: schedule.fallthrough as EnvironmentPatch['fallthrough'] },
        action: 'flag.environment.update',
      };
  }
}

/** The serve names the flag's variants and a split totals 100%, as the flag would require at once. */
function checkServe(serve: Serve, variants: readonly { key: string }[], field: string): void {
  const known = (variant: string, at: string) => {
    if (!variants.some((v) => v.key === variant))
      throw new ValidationError(
        at,
        `unknown variant ${JSON.stringify(variant)}; the flag has ${variants.map((v) => v.key).join(', ')}`,
      );
  };
  if (!('split' in serve)) {
    known(serve.variant, `${field}.variant`);
    return;
  }
  let total = 0;
  serve.split.forEach((entry, i) => {
    known(entry.variant, `${field}.split.${i}.variant`);
    total += entry.weight;
  });
  if (total !== BUCKET_SCALE)
    throw new ValidationError(`${field}.split`, `weights total ${total}, not ${BUCKET_SCALE} (100%)`);
}

function view(s: ScheduleRecord): ScheduleView {
  return {
    id: s.id,
    project: s.project,
    flag: s.flag,
    environment: s.environment,
    action: s.action,
    fallthrough: s.fallthrough,
    at: s.runAt,
    status: s.status,
    createdVersion: s.createdVersion,
    appliedVersion: s.appliedVersion,
    result: s.result,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
    finishedAt: s.finishedAt,
  };
}
