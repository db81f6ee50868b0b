import type { RolloutStage } from '@switchboard/core/rollout';
import type { Executor } from '../../db/store-helpers.js';
import { VersionConflictError } from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import type { EnvironmentPatch, FlagService } from '../flags/flag-service.js';
import type { VersionedConfig } from '../flags/flag-store.js';
import type { Environment, Project } from '../projects/project-store.js';
import type { PlanChanges, PlanRecord, RolloutStore, TimelineAction } from './rollout-store.js';

/** A plan with the project and environment it lives in. */
export interface PlanTarget {
  plan: PlanRecord;
  project: Project;
  environment: Environment;
}

/** One transition of a plan, with the flag change it implies and what it records. */
export interface PlanWrite {
  /** The flag change, from the configuration as it is; null leaves the flag as it is. */
  patch: ((config: VersionedConfig) => EnvironmentPatch) | null;
  /** The flag change's audit action. */
  flagAction?: string;
  changes: PlanChanges;
  timeline: {
    action: TimelineAction;
    stageIndex: number;
    stage: RolloutStage;
    verdict?: string | null;
    reason: string;
    figures?: Record<string, unknown> | null;
  };
  /** The plan transition's audit action (`rollout.pause`...). */
  auditAction: string;
  actor: Actor;
}

/** Tries of a flag write that loses to a concurrent edit of the flag before giving up. */
const WRITE_ATTEMPTS = 5;

/** The plan moved on (another replica, a person) between our read and our write. */
class PlanMovedError extends Error {}

/** What the audit log keeps of a plan. */
export function planSummary(plan: PlanRecord): Record<string, unknown> {
  return {
    id: plan.id,
    status: plan.status,
    stageIndex: plan.stageIndex,
    stage: plan.stages[plan.stageIndex] ?? null,
    stageStartedAt: plan.stageStartedAt,
    reason: plan.reason,
    version: plan.version,
  };
}

/**
 * Writes a plan's transitions. The plan row, its timeline entry, its audit entry and the flag change
 * (through FlagService: versioned, validated, audited, published to SDKs) commit in one transaction,
 * so a crash leaves the flag and the plan agreeing. A transition carries the plan version it read: if
 * the plan moved meanwhile, nothing is written and `write` answers undefined. A flag edited between
 * our read and our write is read again and the write retried.
 */
export class PlanWriter {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: RolloutStore,
    private readonly flags: FlagService,
  ) {}

  async write(target: PlanTarget, write: PlanWrite): Promise<PlanRecord | undefined> {
    const { plan, project, environment } = target;
    const at = this.ctx.clock().toISOString();
    const within = async (tx: Executor) => {
      if (!(await this.store.transition(tx, plan.id, plan.version, write.changes, at)))
        throw new PlanMovedError();
      await this.store.record(tx, {
        planId: plan.id,
        at,
        action: write.timeline.action,
        actor: write.actor,
        stageIndex: write.timeline.stageIndex,
        stage: write.timeline.stage,
        verdict: write.timeline.verdict ?? null,
        cause: null,
        reason: write.timeline.reason,
        figures: write.timeline.figures ?? null,
      });
      const after = { ...plan, ...write.changes, version: plan.version + 1 };
      await this.ctx.audit.append(tx, {
        at,
        actor: write.actor,
        action: write.auditAction,
        resourceType: 'rollout',
        resourceKey: plan.id,
        project: project.key,
        environment: environment.key,
        flag: plan.flagKey,
        before: planSummary(plan),
        after: { ...planSummary(after), why: write.timeline.reason },
      });
    };
    try {
      if (write.patch === null) {
        await this.ctx.database.db.transaction().execute(within);
      } else {
        await this.writeFlag(target, write.patch, write.actor, write.flagAction, within);
      }
    } catch (error) {
      if (error instanceof PlanMovedError) return undefined;
      throw error;
    }
    return this.store.get(plan.id);
  }

  /** A flag change through FlagService, with `within` in its transaction; retried on a concurrent edit. */
  async writeFlag(
    target: Omit<PlanTarget, 'plan'> & { plan: Pick<PlanRecord, 'flagKey'> },
    patch: (config: VersionedConfig) => EnvironmentPatch,
    actor: Actor,
    action: string | undefined,
    within: (tx: Executor) => Promise<void>,
  ): Promise<VersionedConfig> {
    const { project, environment, plan } = target;
    for (let attempt = 1; ; attempt++) {
      const config = await this.flags.getEnvironment(project.key, plan.flagKey, environment.key);
      try {
        return await this.flags.updateEnvironment(
          project.key,
          plan.flagKey,
          environment.key,
          patch(config),
          config.version,
          actor,
          action,
          { within },
        );
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }
}
