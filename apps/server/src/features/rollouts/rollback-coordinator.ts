import { describeStage, StageKind } from '@switchboard/core/rollout';
import type { ServiceContext } from '../../service-context.js';
import type { FlagKill } from '../flags/flag-service.js';
import type { ProjectService } from '../projects/project-service.js';
import type { Notifier, RolloutNotificationType } from './notifier.js';
import { type PlanTarget, type PlanWriter, planSummary } from './plan-writer.js';
import { describeServe, rollbackPatch } from './rollout-serve.js';
import { isLive, type PlanRecord, PlanStatus, type RolloutStore, TimelineAction } from './rollout-store.js';

/** Why a rollback happens and on what figures. */
export interface RollbackCause {
  reason: string;
  actor: string;
  /** The verdict's decision when a verdict caused it (`regress`). */
  verdict?: string | null;
  figures?: Record<string, unknown> | null;
}

/**
 * Tells the outside world about a plan (the service and the coordinator share it): `data` holds the
 * plan, its current stage (`stage`, and `percentage` for a percentage stage), and the decision's
 * reason and figures.
 */
export function notifyPlan(
  notifier: Notifier,
  type: RolloutNotificationType,
  target: PlanTarget,
  at: string,
  data: Record<string, unknown>,
): void {
  const stage = target.plan.stages[target.plan.stageIndex];
  try {
    notifier.notify({
      type,
      project: target.project.key,
      environment: target.environment.key,
      flag: target.plan.flagKey,
      at,
      data: {
        plan: planSummary(target.plan),
        // The stage the plan is in now (for an advance, the one it entered).
        stage: stage === undefined ? null : describeStage(stage),
        percentage: stage?.kind === StageKind.Percentage ? stage.percent : null,
        ...data,
      },
    });
  } catch {
    // A notifier must not throw; if one does, the decision stands.
  }
}

/**
 * The one rollback sequence, used by the scheduler (a guardrail broke), by people (`rollback` in the
 * API and CLI), by alerts, and by the kill switch:
 *
 * 1. serve the control to everyone: the fallthrough becomes the control, the plan's targeting rule
 *    and shadow go (for the kill switch, the flag is already off and serves its off variant);
 * 2. tell the SDKs to drain the flag's in-flight generations: a `drain` event on their streams, after
 *    the change itself, so a call retried after its abort already gets the control;
 * 3. fall back to the control's configuration: it is what every evaluation now returns (recorded);
 * 4. record the reason in the plan's timeline and the audit log (with step 1, in one transaction);
 * 5. notify (`rollout.rolled_back`).
 */
export class RollbackCoordinator {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: RolloutStore,
    private readonly projects: ProjectService,
    private readonly writer: PlanWriter,
    private readonly notifier: Notifier,
  ) {}

  /** Rolls a live plan back; undefined when it was no longer live (someone else acted first). */
  async rollBack(target: PlanTarget, cause: RollbackCause): Promise<PlanRecord | undefined> {
    const { plan } = target;
    const stage = plan.stages[plan.stageIndex];
    if (!isLive(plan.status) || stage === undefined) return undefined;
    const fallback = { served: plan.control, fallthrough: describeServe({ variant: plan.control }) };
    const after = await this.writer.write(target, {
      patch: (config) => rollbackPatch(config, plan),
      flagAction: 'flag.environment.rollback',
      changes: { status: PlanStatus.RolledBack, reason: cause.reason },
      timeline: {
        action: TimelineAction.RolledBack,
        stageIndex: plan.stageIndex,
        stage,
        verdict: cause.verdict ?? null,
        reason: cause.reason,
        figures: {
          ...(cause.figures ?? {}),
          fallback,
          drain: { flag: plan.flagKey, variant: plan.candidate },
        },
      },
      auditAction: 'rollout.rollback',
      actor: cause.actor,
    });
    if (after === undefined) return undefined;
    this.drain(target, plan.candidate, cause.reason);
    notifyPlan(
      this.notifier,
      'rollout.rolled_back',
      { ...target, plan: after },
      this.ctx.clock().toISOString(),
      {
        reason: cause.reason,
        actor: cause.actor,
        verdict: cause.verdict ?? null,
        fallback,
        figures: cause.figures ?? null,
      },
    );
    return after;
  }

  /**
   * After the kill switch turned a flag off (the flag now serves its off variant): drain every
   * in-flight generation of the flag, and end its live plan, if any, as rolled back.
   */
  async afterKill(kill: FlagKill): Promise<void> {
    const { project, environment } = await this.projects.resolve(kill.project, kill.environment);
    const reason = `the kill switch turned ${kill.flag} off in ${kill.environment} (${kill.actor})`;
    const plan = await this.store.live(environment.id, kill.flag);
    const target = plan === undefined ? undefined : { plan, project, environment };
    // The flag is off already: draining first costs nothing and stops harm soonest.
    this.drain({ project, environment, plan: { flagKey: kill.flag } }, undefined, reason);
    if (target === undefined || plan === undefined) return;
    const stage = plan.stages[plan.stageIndex];
    if (stage === undefined) return;
    const after = await this.writer.write(target, {
      patch: null,
      changes: { status: PlanStatus.RolledBack, reason },
      timeline: {
        action: TimelineAction.RolledBack,
        stageIndex: plan.stageIndex,
        stage,
        reason,
        figures: { fallback: { served: 'off variant' }, drain: { flag: kill.flag, variant: null } },
      },
      auditAction: 'rollout.rollback',
      actor: kill.actor,
    });
    if (after === undefined) return;
    notifyPlan(
      this.notifier,
      'rollout.rolled_back',
      { ...target, plan: after },
      this.ctx.clock().toISOString(),
      {
        reason,
        actor: kill.actor,
        killed: true,
      },
    );
  }

  /** Asks every replica's SDK streams of the environment to drain the flag (of `variant`, if given). */
  private drain(
    target: Pick<PlanTarget, 'project' | 'environment'> & { plan: Pick<PlanRecord, 'flagKey'> },
    variant: string | undefined,
    reason: string,
  ): void {
    this.ctx.bus.publish({
      resource: 'drain',
      key: target.plan.flagKey,
      projectId: target.project.id,
      environmentVersions: {},
      drain: { environmentId: target.environment.id, flag: target.plan.flagKey, variant, reason },
    });
  }
}
