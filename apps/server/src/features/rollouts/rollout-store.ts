import type { RolloutStage } from '@switchboard/core/rollout';
import type { Executor } from '../../db/store-helpers.js';
import type { PolicySettings } from '../experiments/experiment-schemas.js';

/** Where a plan is. `active` and `paused` plans are live: at most one per flag and environment. */
export const PlanStatus = {
  /** The scheduler evaluates it on every tick. */
  Active: 'active',
  /** Kept in its stage (the split stays as it is); the scheduler leaves it alone until resumed. */
  Paused: 'paused',
  /** The candidate reached 100%. */
  Completed: 'completed',
  /** The control is served to everyone again (a guardrail, an alert, a person, or the kill switch). */
  RolledBack: 'rolled-back',
} as const;
export type PlanStatus = (typeof PlanStatus)[keyof typeof PlanStatus];

/** Whether a plan in this status still holds its flag and environment. */
export function isLive(status: PlanStatus): boolean {
  return status === PlanStatus.Active || status === PlanStatus.Paused;
}

/** A rollout plan as stored. */
export interface PlanRecord {
  id: string;
  projectId: string;
  environmentId: string;
  flagKey: string;
  candidate: string;
  control: string;
  stages: RolloutStage[];
  /** The plan's own policy settings; null: the flag's promotion policy in the environment. */
  policy: PolicySettings | null;
  costCapPerDayUsd: number | null;
  /** The change type it was made for (the preset, or the flag's own); null on plans made before it was kept. */
  changeType: string | null;
  status: PlanStatus;
  stageIndex: number;
  /** When the current stage began (ISO-8601): its duration counts from here, its data from the next hour. */
  stageStartedAt: string;
  /** Why it is paused, completed or rolled back. */
  reason: string | null;
  /** Increments with every transition; transitions carry the version they read. */
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** What a transition changes (the store bumps the version and sets `updatedAt`). */
export type PlanChanges = Partial<Pick<PlanRecord, 'status' | 'stageIndex' | 'stageStartedAt' | 'reason'>>;

/** What happened to a plan, as its timeline records it. */
export const TimelineAction = {
  Created: 'created',
  Advanced: 'advanced',
  Held: 'held',
  RolledBack: 'rolled-back',
  Completed: 'completed',
  Paused: 'paused',
  Resumed: 'resumed',
} as const;
export type TimelineAction = (typeof TimelineAction)[keyof typeof TimelineAction];

/** One entry of a plan's timeline. */
export interface TimelineEntry {
  id: number;
  planId: string;
  /** When it happened; for a hold, when the hold began. */
  at: string;
  /** A hold repeated on later ticks with the same reason: the last of them (else `at`). */
  lastAt: string;
  /** How many ticks decided this hold (1 for anything else). */
  repeats: number;
  action: TimelineAction;
  /** `rollout-scheduler` for the scheduler's decisions; the key's actor for manual ones. */
  actor: string;
  /** The stage the decision was taken in (for an advance, the stage left). */
  stageIndex: number;
  stage: RolloutStage;
  /** promote, hold or regress when a verdict was computed. */
  verdict: string | null;
  /** For a hold, what it waits for (the blocking checks, or the cost cap): holds with the same cause share an entry. */
  cause: string | null;
  /** One sentence; for a repeated hold, the latest tick's. */
  reason: string;
  /** The figures the decision was made on (for a repeated hold, the latest tick's). */
  figures: Record<string, unknown> | null;
}

export type NewTimelineEntry = Omit<TimelineEntry, 'id' | 'lastAt' | 'repeats'>;

/** Which plans to list, newest first. */
export interface PlanFilter {
  projectId: string;
  environmentId?: string | undefined;
  flagKey?: string | undefined;
  statuses?: readonly PlanStatus[] | undefined;
  limit: number;
}

/**
 * Rollout plans and their timelines. `insert` MUST fail with a unique violation when the flag already
 * has a live (active or paused) plan in the environment. `transition` MUST apply only when the stored
 * version equals `expectedVersion`, MUST then increment it, and MUST report whether it applied.
 * `recordHold` MUST extend the plan's last timeline entry (its last time, count, reason and figures)
 * instead of adding one when that entry is a hold of the same stage with the same cause. Timelines MUST be returned oldest first.
 */
export interface RolloutStore {
  insert(tx: Executor, plan: PlanRecord): Promise<void>;
  get(id: string, tx?: Executor): Promise<PlanRecord | undefined>;
  /** The live plan of a flag in an environment, if any. */
  live(environmentId: string, flagKey: string, tx?: Executor): Promise<PlanRecord | undefined>;
  /** The most recent plan of a flag in an environment, live or not. */
  latest(environmentId: string, flagKey: string, tx?: Executor): Promise<PlanRecord | undefined>;
  list(filter: PlanFilter): Promise<PlanRecord[]>;
  /** Every active plan, of every project (the scheduler's work). */
  listActive(): Promise<PlanRecord[]>;
  transition(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: PlanChanges,
    at: string,
  ): Promise<boolean>;
  record(tx: Executor, entry: NewTimelineEntry): Promise<void>;
  /** Records a hold; returns false when it only extended the previous, identical hold. */
  recordHold(tx: Executor, entry: NewTimelineEntry): Promise<boolean>;
  timeline(planId: string, options?: { afterId?: number; limit?: number }): Promise<TimelineEntry[]>;
}
