import type { Serve } from '@switchboard/core';
import { type ExpressionBuilder, sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { type Executor, fromJson } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type {
  ScheduleAction,
  ScheduleFilter,
  ScheduleRecord,
  ScheduleStatus,
  ScheduleStore,
} from './schedule-store.js';

type Row = Tables['scheduled_changes'] & { project_key: string; environment_key: string };

function toSchedule(r: Row): ScheduleRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    project: r.project_key,
    environmentId: r.environment_id,
    environment: r.environment_key,
    flag: r.flag_key,
    action: r.action as ScheduleAction,
    fallthrough: r.fallthrough === null ? null : fromJson<Serve>(r.fallthrough),
    runAt: r.run_at,
    status: r.status as ScheduleStatus,
    createdVersion: Number(r.created_version),
    appliedVersion: r.applied_version === null ? null : Number(r.applied_version),
    result: r.result,
    claims: Number(r.claims),
    claimedAt: r.claimed_at,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

export class SqlScheduleStore implements ScheduleStore {
  constructor(private readonly database: Database) {}

  private select(tx: Executor) {
    return tx
      .selectFrom('scheduled_changes')
      .innerJoin('projects', 'projects.id', 'scheduled_changes.project_id')
      .innerJoin('environments', 'environments.id', 'scheduled_changes.environment_id')
      .selectAll('scheduled_changes')
      .select(['projects.key as project_key', 'environments.key as environment_key']);
  }

  async insert(tx: Executor, s: ScheduleRecord): Promise<void> {
    await tx
      .insertInto('scheduled_changes')
      .values({
        id: s.id,
        project_id: s.projectId,
        environment_id: s.environmentId,
        flag_key: s.flag,
        action: s.action,
        fallthrough: s.fallthrough === null ? null : JSON.stringify(s.fallthrough),
        run_at: s.runAt,
        status: s.status,
        created_version: s.createdVersion,
        applied_version: s.appliedVersion,
        result: s.result,
        claims: s.claims,
        claimed_at: s.claimedAt,
        finished_at: s.finishedAt,
        created_at: s.createdAt,
        created_by: s.createdBy,
      })
      .execute();
  }

  async find(id: string, tx: Executor = this.database.db): Promise<ScheduleRecord | undefined> {
    const row = await this.select(tx).where('scheduled_changes.id', '=', id).executeTakeFirst();
    return row && toSchedule(row);
  }

  async list(filter: ScheduleFilter): Promise<ScheduleRecord[]> {
    let q = this.select(this.database.db).where('scheduled_changes.project_id', '=', filter.projectId);
    if (filter.environmentId !== undefined)
      q = q.where('scheduled_changes.environment_id', '=', filter.environmentId);
    if (filter.flag !== undefined) q = q.where('scheduled_changes.flag_key', '=', filter.flag);
    if (filter.status !== undefined) q = q.where('scheduled_changes.status', '=', filter.status);
    const rows = await q
      .orderBy('scheduled_changes.run_at')
      .orderBy('scheduled_changes.created_at')
      .execute();
    return rows.map(toSchedule);
  }

  async claimDue(now: string, staleBefore: string, limit: number): Promise<ScheduleRecord[]> {
    const db = this.database.db;
    const claimable = (eb: ExpressionBuilder<Tables, 'scheduled_changes'>) =>
      eb.or([
        eb.and([eb('scheduled_changes.status', '=', 'pending'), eb('scheduled_changes.run_at', '<=', now)]),
        eb.and([
          eb('scheduled_changes.status', '=', 'running'),
          eb('scheduled_changes.claimed_at', '<=', staleBefore),
        ]),
      ]);
    const candidates = db
      .selectFrom('scheduled_changes')
      .select('scheduled_changes.id')
      .where(claimable)
      // One change per flag and environment at a time, the first in order (due time, creation, id):
      // changes of one flag that came due together apply in their order, on one replica or several.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('scheduled_changes as earlier')
              .select(sql`1`.as('one'))
              .whereRef('earlier.environment_id', '=', 'scheduled_changes.environment_id')
              .whereRef('earlier.flag_key', '=', 'scheduled_changes.flag_key')
              .whereRef('earlier.id', '<>', 'scheduled_changes.id')
              .where((e) =>
                e.or([
                  e.and([e('earlier.status', '=', 'running'), e('earlier.claimed_at', '>', staleBefore)]),
                  e.and([
                    e('earlier.status', 'in', ['pending', 'running']),
                    sql<boolean>`(earlier.run_at, earlier.created_at, earlier.id) < (scheduled_changes.run_at, scheduled_changes.created_at, scheduled_changes.id)`,
                  ]),
                ]),
              ),
          ),
        ),
      )
      .orderBy('scheduled_changes.run_at')
      .orderBy('scheduled_changes.created_at')
      .limit(limit);
    const claimed = await db
      .updateTable('scheduled_changes')
      .set((eb) => ({ status: 'running', claimed_at: now, claims: eb('claims', '+', 1) }))
      // The conditions are checked again on each row as it is when the update locks it (PostgreSQL
      // re-reads a row another transaction changed meanwhile): of two replicas claiming at once, one
      // gets it. SKIP LOCKED lets the other take the next rows instead of waiting.
      .where(
        'id',
        'in',
        this.database.dialect === 'postgres' ? candidates.forUpdate().skipLocked() : candidates,
      )
      .where(claimable)
      .returning('id')
      .execute();
    if (claimed.length === 0) return [];
    const rows = await this.select(db)
      .where(
        'scheduled_changes.id',
        'in',
        claimed.map((c) => c.id),
      )
      .orderBy('scheduled_changes.run_at')
      .orderBy('scheduled_changes.created_at')
      .execute();
    return rows.map(toSchedule);
  }

  async finish(
    schedule: Pick<ScheduleRecord, 'id' | 'claimedAt'>,
    outcome: {
      status: 'applied' | 'failed';
      appliedVersion: number | null;
      result: string | null;
      at: string;
    },
  ): Promise<boolean> {
    let q = this.database.db
      .updateTable('scheduled_changes')
      .set({
        status: outcome.status,
        applied_version: outcome.appliedVersion,
        result: outcome.result,
        finished_at: outcome.at,
      })
      .where('id', '=', schedule.id)
      .where('status', '=', 'running');
    q =
      schedule.claimedAt === null
        ? q.where('claimed_at', 'is', null)
        : q.where('claimed_at', '=', schedule.claimedAt);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async cancel(tx: Executor, id: string, at: string, result: string): Promise<boolean> {
    const updated = await tx
      .updateTable('scheduled_changes')
      .set({ status: 'cancelled', finished_at: at, result })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }
}
