import type { Serve } from '@switchboard/core';
import type { Executor } from '../../db/store-helpers.js';

/** What a scheduled change does: turn the flag on, off, or serve a new fallthrough (a split, usually). */
export const SCHEDULE_ACTIONS = ['enable', 'disable', 'fallthrough'] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

/**
 * `pending` until due; `running` while a worker applies it; then `applied`, `failed` (the change was
 * refused: the flag was archived, a variant is gone...) or `cancelled`.
 */
export const SCHEDULE_STATUSES = ['pending', 'running', 'applied', 'failed', 'cancelled'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

/** A scheduled change as stored, with the keys of its project and environment. */
export interface ScheduleRecord {
  id: string;
  projectId: string;
  project: string;
  environmentId: string;
  environment: string;
  flag: string;
  action: ScheduleAction;
  /** The serve of a `fallthrough` change. */
  fallthrough: Serve | null;
  /** When it is due (ISO-8601 UTC). */
  runAt: string;
  status: ScheduleStatus;
  /** The flag's configuration version in the environment when the change was scheduled. */
  createdVersion: number;
  /** The version the change wrote (or found, when there was nothing to change). */
  appliedVersion: number | null;
  /** What happened: why it failed, who cancelled it, or that there was nothing to change. */
  result: string | null;
  /** How many times a worker took it (more than once: a worker died while applying it). */
  claims: number;
  claimedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  createdBy: string;
}

export interface ScheduleFilter {
  projectId: string;
  environmentId?: string | undefined;
  flag?: string | undefined;
  status?: ScheduleStatus | undefined;
}

/**
 * Scheduled changes. `claimDue` MUST hand each due change (and each one whose claim went stale) to
 * one caller only, also across processes sharing the store, marking it running and counting the
 * claim. `finish` MUST apply only to the claim it ends. `cancel` MUST apply only to a pending change.
 * Lists MUST be ordered by due time.
 */
export interface ScheduleStore {
  insert(tx: Executor, schedule: ScheduleRecord): Promise<void>;
  find(id: string, tx?: Executor): Promise<ScheduleRecord | undefined>;
  list(filter: ScheduleFilter): Promise<ScheduleRecord[]>;
  claimDue(now: string, staleBefore: string, limit: number): Promise<ScheduleRecord[]>;
  finish(
    schedule: Pick<ScheduleRecord, 'id' | 'claimedAt'>,
    outcome: {
      status: 'applied' | 'failed';
      appliedVersion: number | null;
      result: string | null;
      at: string;
    },
  ): Promise<boolean>;
  cancel(tx: Executor, id: string, at: string, result: string): Promise<boolean>;
}
