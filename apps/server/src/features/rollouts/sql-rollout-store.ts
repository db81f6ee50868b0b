import type { RolloutStage } from '@switchboard/core/rollout';
import type { Kysely } from 'kysely';
import { type Executor, fromJson } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type { PolicySettings } from '../experiments/experiment-schemas.js';
import {
  isLive,
  type NewTimelineEntry,
  type PlanChanges,
  type PlanFilter,
  type PlanRecord,
  type PlanStatus,
  type RolloutStore,
  TimelineAction,
  type TimelineEntry,
} from './rollout-store.js';

function liveKey(environmentId: string, flagKey: string): string {
  return `${environmentId}/${flagKey}`;
}

function toPlan(r: Tables['rollout_plans']): PlanRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    environmentId: r.environment_id,
    flagKey: r.flag_key,
    candidate: r.candidate_variant,
    control: r.control_variant,
    stages: fromJson<RolloutStage[]>(r.stages),
    policy: r.policy === null ? null : fromJson<PolicySettings>(r.policy),
    costCapPerDayUsd: r.cost_cap_per_day_usd === null ? null : Number(r.cost_cap_per_day_usd),
    changeType: r.change_type ?? null,
    status: r.status as PlanStatus,
    stageIndex: Number(r.stage_index),
    stageStartedAt: r.stage_started_at,
    reason: r.reason,
    version: Number(r.version),
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}

function toEntry(r: Tables['rollout_timeline'] & { id: number }): TimelineEntry {
  return {
    id: Number(r.id),
    planId: r.plan_id,
    at: r.at,
    lastAt: r.last_at,
    repeats: Number(r.repeats),
    action: r.action as TimelineAction,
    actor: r.actor,
    stageIndex: Number(r.stage_index),
    stage: fromJson<RolloutStage>(r.stage),
    verdict: r.verdict,
    cause: r.cause,
    reason: r.reason,
    figures: r.figures === null ? null : fromJson<Record<string, unknown>>(r.figures),
  };
}

export class SqlRolloutStore implements RolloutStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(tx: Executor, plan: PlanRecord): Promise<void> {
    await tx
      .insertInto('rollout_plans')
      .values({
        id: plan.id,
        project_id: plan.projectId,
        environment_id: plan.environmentId,
        flag_key: plan.flagKey,
        candidate_variant: plan.candidate,
        control_variant: plan.control,
        stages: JSON.stringify(plan.stages),
        policy: plan.policy === null ? null : JSON.stringify(plan.policy),
        cost_cap_per_day_usd: plan.costCapPerDayUsd,
        change_type: plan.changeType,
        status: plan.status,
        stage_index: plan.stageIndex,
        stage_started_at: plan.stageStartedAt,
        reason: plan.reason,
        version: plan.version,
        created_at: plan.createdAt,
        created_by: plan.createdBy,
        updated_at: plan.updatedAt,
        live_key: isLive(plan.status) ? liveKey(plan.environmentId, plan.flagKey) : null,
      })
      .execute();
  }

  async get(id: string, tx: Executor = this.db): Promise<PlanRecord | undefined> {
    const row = await tx.selectFrom('rollout_plans').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toPlan(row);
  }

  async live(
    environmentId: string,
    flagKey: string,
    tx: Executor = this.db,
  ): Promise<PlanRecord | undefined> {
    const row = await tx
      .selectFrom('rollout_plans')
      .selectAll()
      .where('live_key', '=', liveKey(environmentId, flagKey))
      .executeTakeFirst();
    return row === undefined ? undefined : toPlan(row);
  }

  async latest(
    environmentId: string,
    flagKey: string,
    tx: Executor = this.db,
  ): Promise<PlanRecord | undefined> {
    const row = await tx
      .selectFrom('rollout_plans')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('flag_key', '=', flagKey)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : toPlan(row);
  }

  async list(filter: PlanFilter): Promise<PlanRecord[]> {
    let query = this.db.selectFrom('rollout_plans').selectAll().where('project_id', '=', filter.projectId);
    if (filter.environmentId !== undefined) query = query.where('environment_id', '=', filter.environmentId);
    if (filter.flagKey !== undefined) query = query.where('flag_key', '=', filter.flagKey);
    if (filter.statuses !== undefined && filter.statuses.length > 0)
      query = query.where('status', 'in', [...filter.statuses]);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map(toPlan);
  }

  async listActive(): Promise<PlanRecord[]> {
    const rows = await this.db
      .selectFrom('rollout_plans')
      .selectAll()
      .where('status', '=', 'active')
      .orderBy('created_at')
      .execute();
    return rows.map(toPlan);
  }

  async transition(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: PlanChanges,
    at: string,
  ): Promise<boolean> {
    const current = await this.get(id, tx);
    if (current === undefined || current.version !== expectedVersion) return false;
    const status = changes.status ?? current.status;
    const result = await tx
      .updateTable('rollout_plans')
      .set({
        ...(changes.status === undefined ? {} : { status: changes.status }),
        ...(changes.stageIndex === undefined ? {} : { stage_index: changes.stageIndex }),
        ...(changes.stageStartedAt === undefined ? {} : { stage_started_at: changes.stageStartedAt }),
        ...(changes.reason === undefined ? {} : { reason: changes.reason }),
        live_key: isLive(status) ? liveKey(current.environmentId, current.flagKey) : null,
        version: expectedVersion + 1,
        updated_at: at,
      })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async record(tx: Executor, entry: NewTimelineEntry): Promise<void> {
    await tx
      .insertInto('rollout_timeline')
      .values({
        plan_id: entry.planId,
        at: entry.at,
        last_at: entry.at,
        repeats: 1,
        action: entry.action,
        actor: entry.actor,
        stage_index: entry.stageIndex,
        stage: JSON.stringify(entry.stage),
        verdict: entry.verdict,
        cause: entry.cause,
        reason: entry.reason,
        figures: entry.figures === null ? null : JSON.stringify(entry.figures),
      })
      .execute();
  }

  async recordHold(tx: Executor, entry: NewTimelineEntry): Promise<boolean> {
    const last = await tx
      .selectFrom('rollout_timeline')
      .select(['id', 'action', 'stage_index', 'cause', 'repeats'])
      .where('plan_id', '=', entry.planId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (
      last !== undefined &&
      last.action === TimelineAction.Held &&
      Number(last.stage_index) === entry.stageIndex &&
      last.cause === entry.cause
    ) {
      await tx
        .updateTable('rollout_timeline')
        .set({
          last_at: entry.at,
          repeats: Number(last.repeats) + 1,
          reason: entry.reason,
          figures: entry.figures === null ? null : JSON.stringify(entry.figures),
        })
        .where('id', '=', last.id)
        .execute();
      return false;
    }
    await this.record(tx, entry);
    return true;
  }

  async timeline(
    planId: string,
    options: { afterId?: number; limit?: number } = {},
  ): Promise<TimelineEntry[]> {
    const rows = await this.db
      .selectFrom('rollout_timeline')
      .selectAll()
      .where('plan_id', '=', planId)
      .where('id', '>', options.afterId ?? 0)
      .orderBy('id')
      .limit(options.limit ?? 500)
      .execute();
    return rows.map((r) => toEntry(r as Tables['rollout_timeline'] & { id: number }));
  }
}
