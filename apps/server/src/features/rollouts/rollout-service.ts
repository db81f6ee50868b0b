import { randomUUID } from 'node:crypto';
import type { ChangeType } from '@switchboard/core';
import {
  completesRollout,
  DEFAULT_STAGE_MIN_UNITS,
  decideStage,
  describeStage,
  presetStages,
  ROLLOUT_PRESETS,
  type RolloutStage,
  StageAction,
  StageKind,
  stagesProblem,
} from '@switchboard/core/rollout';
import type { PromotionPolicy } from '@switchboard/core/stats';
import { isUniqueViolation } from '../../db/store-helpers.js';
import { NotFoundError, StateConflictError, ValidationError } from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import type { EventService } from '../events/event-service.js';
import type { PolicySettings } from '../experiments/experiment-schemas.js';
import { controlOf, effectivePolicy } from '../experiments/experiment-service.js';
import type { PolicyStore } from '../experiments/policy-store.js';
import type { FlagService, FlagView } from '../flags/flag-service.js';
import type { ProjectService } from '../projects/project-service.js';
import type { SegmentService } from '../segments/segment-service.js';
import { NO_NOTIFIER, type Notifier } from './notifier.js';
import { type PlanTarget, PlanWriter, planSummary } from './plan-writer.js';
import { notifyPlan, RollbackCoordinator } from './rollback-coordinator.js';
import type { PlanCreate, PlanView } from './rollout-schemas.js';
import { describeServe, servesStage, stagePatch } from './rollout-serve.js';
import {
  isLive,
  type PlanRecord,
  PlanStatus,
  type RolloutStore,
  TimelineAction,
  type TimelineEntry,
} from './rollout-store.js';
import { type ArmFigures, measureStage, stageWindowStart } from './stage-evidence.js';

/** A plan by id, or the live plan of a flag in an environment. */
export type PlanRef = { id: string } | { project: string; flag: string; environment: string };

/** The actor of the scheduler's decisions in timelines and the audit log. */
export const SCHEDULER_ACTOR = 'rollout-scheduler';

/** What the scheduler did with one plan on one tick. */
export interface DecisionReport {
  planId: string;
  project: string;
  environment: string;
  flag: string;
  at: string;
  action: 'advanced' | 'completed' | 'held' | 'rolled-back' | 'paused' | 'skipped';
  /** The stage decided on, and the one entered when the plan advanced. */
  stageIndex: number;
  stage: RolloutStage;
  next: RolloutStage | null;
  reason: string;
  verdict: { decision: string; summary: string; checks: readonly Record<string, unknown>[] } | null;
  arms: { control: ArmFigures; candidate: ArmFigures } | null;
  cost: Record<string, unknown> | null;
}

/** What rollouts are built from. */
export interface RolloutDependencies {
  projects: ProjectService;
  flags: FlagService;
  segments: SegmentService;
  policies: PolicyStore;
  events: Pick<EventService, 'rollupsSpan'>;
  notifier?: Notifier | undefined;
}

/** The presets by change type, as the API lists them. */
export function presetViews() {
  return Object.values(ROLLOUT_PRESETS).map((p) => ({
    changeType: p.changeType,
    firstPercent: p.firstPercent,
    holdMs: p.holdMs,
    stages: presetStages(p.changeType),
  }));
}

/**
 * Rollout plans (DESIGN.md §6): a flag in one environment moves through stages (optional shadow,
 * optional segment, rising percentages) under its promotion policy. Every change of serving goes
 * through FlagService (versioned, audited, published to SDKs) in the same transaction as the plan's
 * transition and its timeline entry; the scheduler calls {@link evaluate} for each active plan.
 */
export class RolloutService {
  readonly coordinator: RollbackCoordinator;
  private readonly writer: PlanWriter;
  private readonly notifier: Notifier;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: RolloutStore,
    private readonly deps: RolloutDependencies,
  ) {
    this.notifier = deps.notifier ?? NO_NOTIFIER;
    this.writer = new PlanWriter(ctx, store, deps.flags);
    this.coordinator = new RollbackCoordinator(ctx, store, deps.projects, this.writer, this.notifier);
  }

  /**
   * Attaches a plan to a flag in one environment and serves its first stage. The stages are given, or
   * the preset of the change type (`preset`, else the flag's), after an optional shadow and segment
   * stage. Refused (409) while the flag has another live plan there, or is off or archived.
   */
  async create(
    projectKey: string,
    flagKey: string,
    environmentKey: string,
    input: PlanCreate,
    actor: Actor,
  ): Promise<PlanView> {
    const { project, environment } = await this.deps.projects.resolve(projectKey, environmentKey);
    const flag = await this.deps.flags.get(projectKey, flagKey);
    if (flag.archived) throw new StateConflictError(`flag ${JSON.stringify(flagKey)} is archived`);
    const config = flag.environments[environmentKey];
    if (config === undefined) throw new NotFoundError('environment', environmentKey);
    if (!config.enabled) {
      throw new StateConflictError(
        `flag ${JSON.stringify(flagKey)} is off in ${environmentKey}: turn it on before rolling out`,
      );
    }
    const variants = new Set(flag.variants.map((v) => v.key));
    if (!variants.has(input.candidate))
      throw new ValidationError(
        'body.candidate',
        `flag ${flagKey} has no variant ${JSON.stringify(input.candidate)}`,
      );
    const stored = await this.deps.policies.get(environment.id, flagKey);
    const control = input.control ?? defaultControl(flag, environmentKey, input.candidate, stored?.control);
    if (control === undefined || !variants.has(control))
      throw new ValidationError(
        'body.control',
        `flag ${flagKey} has no variant ${JSON.stringify(control ?? '')}`,
      );
    if (control === input.candidate)
      throw new ValidationError('body.control', 'the control must be another variant than the candidate');
    const stages = this.stagesOf(flag, input);
    const problem = stagesProblem(stages);
    if (problem !== undefined) {
      const [field, ...rest] = problem.split(': ');
      throw new ValidationError(`body.${field}`, rest.join(': '));
    }
    for (const [i, stage] of stages.entries()) {
      if (stage.kind === StageKind.Shadow && flag.kind !== 'ai-config')
        throw new ValidationError(`body.stages.${i}.kind`, 'only ai-config flags have a shadow stage');
      if (stage.kind === StageKind.Targeting) {
        await this.deps.segments.get(projectKey, stage.segment).catch((error: unknown) => {
          if (error instanceof NotFoundError)
            throw new ValidationError(
              `body.stages.${i}.segment`,
              `unknown segment ${JSON.stringify(stage.segment)}`,
            );
          throw error;
        });
      }
    }
    const live = await this.store.live(environment.id, flagKey);
    if (live !== undefined) throw liveConflict(flagKey, environmentKey, live);

    const at = this.ctx.clock().toISOString();
    const first = stages[0] as RolloutStage;
    const plan: PlanRecord = {
      id: randomUUID(),
      projectId: project.id,
      environmentId: environment.id,
      flagKey,
      candidate: input.candidate,
      control,
      stages,
      policy: input.policy ?? null,
      costCapPerDayUsd: input.costCapPerDayUsd ?? null,
      changeType: input.preset ?? flag.changeType,
      status: completesRollout(first) ? PlanStatus.Completed : PlanStatus.Active,
      stageIndex: 0,
      stageStartedAt: at,
      reason: null,
      version: 1,
      createdAt: at,
      createdBy: actor,
      updatedAt: at,
    };
    const target = { plan, project, environment };
    try {
      await this.writer.writeFlag(
        target,
        (current) => stagePatch(current, plan, first),
        actor,
        'flag.environment.rollout',
        async (tx) => {
          await this.store.insert(tx, plan);
          await this.store.record(tx, {
            planId: plan.id,
            at,
            action: TimelineAction.Created,
            actor,
            stageIndex: 0,
            stage: first,
            verdict: null,
            cause: null,
            reason: `rollout of ${plan.candidate} over ${plan.control} started at ${describeStage(first)}`,
            figures: { stages: stages.map(describeStage) },
          });
          await this.ctx.audit.append(tx, {
            at,
            actor,
            action: 'rollout.create',
            resourceType: 'rollout',
            resourceKey: plan.id,
            project: project.key,
            environment: environment.key,
            flag: flagKey,
            before: null,
            after: { ...planSummary(plan), candidate: plan.candidate, control, stages },
          });
        },
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        const other = await this.store.live(environment.id, flagKey);
        throw liveConflict(flagKey, environmentKey, other);
      }
      throw error;
    }
    return this.view(target);
  }

  /** A plan by id, or the flag's live plan in the environment (else its latest). */
  async get(ref: PlanRef): Promise<PlanView> {
    return this.view(await this.resolve(ref, { latest: true }));
  }

  async list(
    projectKey: string,
    filter: {
      environment?: string | undefined;
      flag?: string | undefined;
      statuses?: PlanStatus[];
      limit: number;
    },
  ): Promise<PlanView[]> {
    const project = await this.deps.projects.getProject(projectKey);
    const environments = await this.deps.projects.listEnvironments(projectKey);
    const environmentId =
      filter.environment === undefined
        ? undefined
        : (environments.find((e) => e.key === filter.environment)?.id ??
          (await this.deps.projects.resolve(projectKey, filter.environment)).environment.id);
    const plans = await this.store.list({
      projectId: project.id,
      environmentId,
      flagKey: filter.flag,
      statuses: filter.statuses,
      limit: filter.limit,
    });
    return plans.flatMap((plan) => {
      const environment = environments.find((e) => e.id === plan.environmentId);
      return environment === undefined ? [] : [toView({ plan, project, environment })];
    });
  }

  async timeline(ref: PlanRef, options: { afterId?: number; limit?: number } = {}): Promise<TimelineEntry[]> {
    const { plan } = await this.resolve(ref, { latest: true });
    return this.store.timeline(plan.id, options);
  }

  /** Keeps the plan in its stage, the split as it is: the scheduler leaves it alone until resumed. */
  async pause(ref: PlanRef, actor: Actor, reason?: string): Promise<PlanView> {
    const target = await this.resolve(ref);
    const after = await this.pauseTarget(target, actor, reason ?? `paused by ${actor}`);
    return this.view({ ...target, plan: this.mustHave(after, target) });
  }

  /** Hands a paused plan back to the scheduler; its stage is served again if someone changed the flag. */
  async resume(ref: PlanRef, actor: Actor, reason?: string): Promise<PlanView> {
    const target = await this.resolve(ref);
    const { plan, project, environment } = target;
    if (plan.status !== PlanStatus.Paused)
      throw new StateConflictError(`the rollout of ${plan.flagKey} in ${environment.key} is not paused`);
    const stage = plan.stages[plan.stageIndex] as RolloutStage;
    const config = await this.deps.flags.getEnvironment(project.key, plan.flagKey, environment.key);
    const restore = !servesStage(config, plan, stage);
    const at = this.ctx.clock().toISOString();
    const why = reason ?? `resumed by ${actor}`;
    const after = await this.writer.write(target, {
      patch: restore ? (current) => stagePatch(current, plan, stage) : null,
      flagAction: 'flag.environment.rollout',
      // Serving the stage again starts it over: what was measured served something else.
      changes: { status: PlanStatus.Active, reason: null, ...(restore ? { stageStartedAt: at } : {}) },
      timeline: {
        action: TimelineAction.Resumed,
        stageIndex: plan.stageIndex,
        stage,
        reason: restore ? `${why}; ${describeStage(stage)} served again, the stage starts over` : why,
      },
      auditAction: 'rollout.resume',
      actor,
    });
    const resumed = this.mustHave(after, target);
    notifyPlan(this.notifier, 'rollout.resumed', { ...target, plan: resumed }, at, { reason: why, actor });
    return this.view({ ...target, plan: resumed });
  }

  /** Moves to the next stage now, whatever the verdict (a person's call, audited). */
  async advance(ref: PlanRef, actor: Actor, reason?: string): Promise<PlanView> {
    const target = await this.resolve(ref);
    const after = await this.enterNext(target, actor, reason ?? `advanced by ${actor}`, null);
    return this.view({ ...target, plan: this.mustHave(after, target) });
  }

  /**
   * Rolls a live plan back now (a person, or an alert): the rollback coordinator's sequence. Throws
   * NotFoundError when the flag has no live rollout there (nothing to roll back), StateConflictError
   * when the plan moved on meanwhile.
   *
   * @example
   * await rollouts.rollBack({ project: 'default', flag: 'llm-model', environment: 'production' }, 'p95 above 4 s for 10 min');
   */
  async rollBack(ref: PlanRef, reason: string, actor: Actor = 'alerts'): Promise<PlanView> {
    const target = await this.resolve(ref);
    const after = await this.coordinator.rollBack(target, { reason, actor });
    return this.view({ ...target, plan: this.mustHave(after, target) });
  }

  /**
   * The scheduler's look at one active plan: checks that the flag still serves the stage, measures the
   * stage (its rollups since the first whole hour of the stage), decides with the policy and the cost
   * cap, and acts: advance, hold (recorded once per cause) or roll back.
   */
  async evaluate(plan: PlanRecord): Promise<DecisionReport> {
    const target = await this.targetOf(plan);
    const { project, environment } = target;
    const at = this.ctx.clock();
    const stage = plan.stages[plan.stageIndex] as RolloutStage;
    const next = plan.stages[plan.stageIndex + 1];
    const report = (
      action: DecisionReport['action'],
      reason: string,
      extra: Partial<DecisionReport> = {},
    ): DecisionReport => ({
      planId: plan.id,
      project: project.key,
      environment: environment.key,
      flag: plan.flagKey,
      at: at.toISOString(),
      action,
      stageIndex: plan.stageIndex,
      stage,
      next: next ?? null,
      reason,
      verdict: null,
      arms: null,
      cost: null,
      ...extra,
    });
    let flag: FlagView;
    try {
      flag = await this.deps.flags.get(project.key, plan.flagKey);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      const after = await this.pauseTarget(target, SCHEDULER_ACTOR, `the flag ${plan.flagKey} is gone`);
      return report(after === undefined ? 'skipped' : 'paused', `the flag ${plan.flagKey} is gone`);
    }
    const config = flag.environments[environment.key];
    if (flag.archived || config === undefined) {
      const reason = `the flag ${plan.flagKey} was archived: paused`;
      const after = await this.pauseTarget(target, SCHEDULER_ACTOR, reason);
      return report(after === undefined ? 'skipped' : 'paused', reason);
    }
    if (!config.enabled) {
      // Turned off without the kill switch's notice reaching us (another replica, a restart).
      const reason = `${plan.flagKey} is off in ${environment.key} (kill switch)`;
      const after = await this.coordinator.rollBack(target, { reason, actor: SCHEDULER_ACTOR });
      return report(after === undefined ? 'skipped' : 'rolled-back', reason);
    }
    if (!servesStage(config, plan, stage)) {
      const reason = `the flag's serving was changed outside the rollout (it serves ${describeServe(config.fallthrough)}, the stage ${describeStage(stage)}): paused until resumed`;
      const after = await this.pauseTarget(target, SCHEDULER_ACTOR, reason);
      return report(after === undefined ? 'skipped' : 'paused', reason);
    }

    const from = stageWindowStart(plan.stageStartedAt);
    const windowMs = Math.max(0, at.getTime() - from.getTime());
    const span =
      windowMs > 0
        ? await this.deps.events.rollupsSpan({ environmentId: environment.id, flagKey: plan.flagKey, from })
        : { rollups: {} };
    const measured = measureStage(span.rollups, plan, stage, windowMs);
    const decision = decideStage({
      stage,
      next,
      policy: await this.policyOf(plan),
      evidence: measured.evidence,
      elapsedMs: Math.max(0, at.getTime() - Date.parse(plan.stageStartedAt)),
      costCapPerDayUsd: plan.costCapPerDayUsd,
    });
    const verdict = {
      decision: decision.verdict.decision,
      summary: decision.verdict.summary,
      checks: decision.verdict.checks.map((c) => ({ ...c })),
    };
    const figures = {
      window: { from: from.toISOString(), to: at.toISOString() },
      arms: measured.arms,
      verdict: { ...verdict, missing: decision.missing },
      cost: decision.cost,
    };
    const extra = { verdict, arms: measured.arms, cost: decision.cost as Record<string, unknown> | null };

    if (decision.action === StageAction.RollBack) {
      const after = await this.coordinator.rollBack(target, {
        reason: decision.reason,
        actor: SCHEDULER_ACTOR,
        verdict: decision.verdict.decision,
        figures,
      });
      return report(after === undefined ? 'skipped' : 'rolled-back', decision.reason, extra);
    }
    if (decision.action === StageAction.Advance) {
      const after = await this.enterNext(target, SCHEDULER_ACTOR, decision.reason, {
        verdict: decision.verdict.decision,
        figures,
      });
      const action =
        after === undefined ? 'skipped' : after.status === PlanStatus.Completed ? 'completed' : 'advanced';
      return report(action, decision.reason, extra);
    }
    const cause =
      decision.cost?.exceeds === true
        ? 'cost-cap'
        : decision.verdict.checks
            .filter((c) => c.blocksPromotion)
            .map((c) => c.name)
            .join(',');
    const isNew = await this.ctx.database.db.transaction().execute(async (tx) => {
      // A person may have paused or moved the plan since it was read: their entry stays the last.
      if ((await this.store.get(plan.id, tx))?.version !== plan.version) return false;
      return this.store.recordHold(tx, {
        planId: plan.id,
        at: at.toISOString(),
        action: TimelineAction.Held,
        actor: SCHEDULER_ACTOR,
        stageIndex: plan.stageIndex,
        stage,
        verdict: decision.verdict.decision,
        cause,
        reason: decision.reason,
        figures,
      });
    });
    if (isNew) {
      notifyPlan(this.notifier, 'rollout.held', target, at.toISOString(), {
        reason: decision.reason,
        missing: decision.missing,
        cost: decision.cost,
        arms: measured.arms,
      });
    }
    return report('held', decision.reason, extra);
  }

  /** The plan's policy: its own settings over the flag's promotion policy in the environment. */
  private async policyOf(plan: PlanRecord): Promise<PromotionPolicy> {
    const stored = await this.deps.policies.get(plan.environmentId, plan.flagKey);
    const settings: PolicySettings = { ...(stored?.settings ?? {}), ...(plan.policy ?? {}) };
    return effectivePolicy({ settings });
  }

  private stagesOf(flag: FlagView, input: PlanCreate): RolloutStage[] {
    if (input.stages !== undefined) {
      if (input.shadow !== undefined || input.targeting !== undefined)
        throw new ValidationError(
          'body.stages',
          'give the shadow and targeting stages within stages, not beside them',
        );
      return input.stages as RolloutStage[];
    }
    const changeType = (input.preset ?? flag.changeType) as ChangeType;
    const ramp = presetStages(changeType);
    const holdMs = (ROLLOUT_PRESETS[changeType] ?? ROLLOUT_PRESETS.other).holdMs;
    const before: RolloutStage[] = [];
    if (input.shadow !== undefined) {
      before.push({
        kind: StageKind.Shadow,
        sampleRate: input.shadow.sampleRate,
        minDurationMs: input.shadow.minDurationMs ?? holdMs,
        minUnitsPerArm: input.shadow.minUnitsPerArm ?? DEFAULT_STAGE_MIN_UNITS,
      });
    }
    if (input.targeting !== undefined) {
      before.push({
        kind: StageKind.Targeting,
        segment: input.targeting.segment,
        minDurationMs: input.targeting.minDurationMs ?? holdMs,
        minUnitsPerArm: input.targeting.minUnitsPerArm ?? DEFAULT_STAGE_MIN_UNITS,
      });
    }
    return [...before, ...ramp];
  }

  /** Enters the next stage (completing the plan when it serves everyone the candidate). */
  private async enterNext(
    target: PlanTarget,
    actor: Actor,
    reason: string,
    decided: { verdict: string; figures: Record<string, unknown> } | null,
  ): Promise<PlanRecord | undefined> {
    const { plan, environment } = target;
    const stage = plan.stages[plan.stageIndex] as RolloutStage;
    const nextIndex = plan.stageIndex + 1;
    const next = plan.stages[nextIndex];
    if (next === undefined)
      throw new StateConflictError(`the rollout of ${plan.flagKey} in ${environment.key} has no stage left`);
    const completes = completesRollout(next);
    const at = this.ctx.clock().toISOString();
    const after = await this.writer.write(target, {
      patch: (config) => {
        // A change made outside the rollout since it was judged is not overwritten (the next tick pauses).
        if (!servesStage(config, plan, stage)) {
          throw new StateConflictError(
            `the flag ${plan.flagKey} no longer serves ${describeStage(stage)} in ${environment.key}: it was changed outside the rollout`,
          );
        }
        return stagePatch(config, plan, next);
      },
      flagAction: 'flag.environment.rollout',
      changes: {
        stageIndex: nextIndex,
        stageStartedAt: at,
        ...(completes ? { status: PlanStatus.Completed, reason } : {}),
      },
      timeline: {
        action: completes ? TimelineAction.Completed : TimelineAction.Advanced,
        stageIndex: plan.stageIndex,
        stage,
        verdict: decided?.verdict ?? null,
        reason: `${reason}${completes ? `: ${plan.candidate} serves everyone` : ''}`,
        figures: { ...(decided?.figures ?? {}), from: describeStage(stage), to: describeStage(next) },
      },
      auditAction: completes ? 'rollout.complete' : 'rollout.advance',
      actor,
    });
    if (after !== undefined) {
      notifyPlan(
        this.notifier,
        completes ? 'rollout.completed' : 'rollout.advanced',
        { ...target, plan: after },
        at,
        {
          reason,
          actor,
          from: describeStage(stage),
          to: describeStage(next),
          verdict: decided?.verdict ?? null,
          figures: decided?.figures ?? null,
        },
      );
    }
    return after;
  }

  private async pauseTarget(
    target: PlanTarget,
    actor: Actor,
    reason: string,
  ): Promise<PlanRecord | undefined> {
    const { plan, environment } = target;
    if (plan.status !== PlanStatus.Active)
      throw new StateConflictError(`the rollout of ${plan.flagKey} in ${environment.key} is not active`);
    const at = this.ctx.clock().toISOString();
    const after = await this.writer.write(target, {
      patch: null,
      changes: { status: PlanStatus.Paused, reason },
      timeline: {
        action: TimelineAction.Paused,
        stageIndex: plan.stageIndex,
        stage: plan.stages[plan.stageIndex] as RolloutStage,
        reason,
      },
      auditAction: 'rollout.pause',
      actor,
    });
    if (after !== undefined)
      notifyPlan(this.notifier, 'rollout.paused', { ...target, plan: after }, at, { reason, actor });
    return after;
  }

  /** The plan a reference names; live only, unless `latest` allows the flag's last plan. */
  private async resolve(ref: PlanRef, options: { latest?: boolean } = {}): Promise<PlanTarget> {
    if ('id' in ref) {
      const plan = await this.store.get(ref.id);
      if (plan === undefined) throw new NotFoundError('rollout', ref.id);
      const target = await this.targetOf(plan);
      if (!options.latest && !isLive(plan.status)) throw notLive(target);
      return target;
    }
    const { project, environment } = await this.deps.projects.resolve(ref.project, ref.environment);
    const plan =
      (await this.store.live(environment.id, ref.flag)) ??
      (options.latest ? await this.store.latest(environment.id, ref.flag) : undefined);
    if (plan === undefined) throw new NotFoundError(`rollout of flag ${ref.flag} in`, ref.environment);
    return { plan, project, environment };
  }

  private async targetOf(plan: PlanRecord): Promise<PlanTarget> {
    const project = (await this.deps.projects.listProjects()).find((p) => p.id === plan.projectId);
    if (project === undefined) throw new NotFoundError('project', plan.projectId);
    const environment = (await this.deps.projects.listEnvironments(project.key)).find(
      (e) => e.id === plan.environmentId,
    );
    if (environment === undefined) throw new NotFoundError('environment', plan.environmentId);
    return { plan, project, environment };
  }

  /** A transition that found the plan moved on: report what it is now. */
  private mustHave(after: PlanRecord | undefined, target: PlanTarget): PlanRecord {
    if (after !== undefined) return after;
    throw new StateConflictError(
      `the rollout of ${target.plan.flagKey} in ${target.environment.key} changed meanwhile: reload it`,
    );
  }

  private view(target: PlanTarget): PlanView {
    return toView(target);
  }
}

function toView({ plan, project, environment }: PlanTarget): PlanView {
  return {
    id: plan.id,
    project: project.key,
    environment: environment.key,
    flag: plan.flagKey,
    candidate: plan.candidate,
    control: plan.control,
    stages: plan.stages as unknown as Record<string, unknown>[],
    stageIndex: plan.stageIndex,
    stage: (plan.stages[plan.stageIndex] ?? null) as Record<string, unknown> | null,
    stageStartedAt: plan.stageStartedAt,
    status: plan.status,
    reason: plan.reason,
    policy: plan.policy,
    costCapPerDayUsd: plan.costCapPerDayUsd,
    changeType: plan.changeType,
    version: plan.version,
    createdAt: plan.createdAt,
    createdBy: plan.createdBy,
    updatedAt: plan.updatedAt,
  };
}

function liveConflict(flag: string, environment: string, live: PlanRecord | undefined): StateConflictError {
  return new StateConflictError(
    `flag ${JSON.stringify(flag)} already has a live rollout in ${environment} (${live?.status ?? 'active'}): roll it back or let it finish first`,
    live === undefined ? {} : { rollout: live.id },
  );
}

function notLive(target: PlanTarget): StateConflictError {
  return new StateConflictError(
    `the rollout ${target.plan.id} of ${target.plan.flagKey} in ${target.environment.key} is ${target.plan.status}`,
  );
}

/** The control when none is given: the policy's, else as the experiments slice picks it, never the candidate. */
function defaultControl(
  flag: FlagView,
  environment: string,
  candidate: string,
  policyControl: string | null | undefined,
): string | undefined {
  const config = flag.environments[environment];
  const picks = [policyControl ?? undefined, config === undefined ? undefined : controlOf(flag, config)];
  if (config !== undefined && !('split' in config.fallthrough)) picks.push(config.fallthrough.variant);
  picks.push(...flag.variants.map((v) => v.key));
  return picks.find((v) => v !== undefined && v !== candidate);
}
