import type { DecisionFigures, PlanStatus, PlanView, RolloutStage, TimelineEntry } from './rollout-types.js';

/** The manual controls of a plan, and whether its state allows each (the server refuses the others). */
export interface AllowedActions {
  pause: boolean;
  resume: boolean;
  advance: boolean;
  rollBack: boolean;
}

/** Whether a plan in this status still holds its flag and environment (active or paused). */
export function isLive(status: PlanStatus): boolean {
  return status === 'active' || status === 'paused';
}

/**
 * What a person may do with a plan now: pause an active one, resume a paused one, advance or roll
 * back a live one (advance only while a stage is left). A completed or rolled-back plan allows nothing.
 */
export function allowedActions(plan: Pick<PlanView, 'status' | 'stageIndex' | 'stages'>): AllowedActions {
  const live = isLive(plan.status);
  return {
    pause: plan.status === 'active',
    resume: plan.status === 'paused',
    advance: live && plan.stageIndex + 1 < plan.stages.length,
    rollBack: live,
  };
}

/** `10%`, `shadow (5% of requests)`, `segment beta-users`: a stage for people (as the server words it). */
export function stageLabel(stage: RolloutStage): string {
  switch (stage.kind) {
    case 'shadow':
      return `shadow (${Number((stage.sampleRate * 100).toPrecision(3))}% of requests)`;
    case 'targeting':
      return `segment ${stage.segment}`;
    case 'percentage':
      return `${stage.percent}%`;
  }
}

/** The candidate's share of the fallthrough a stage serves, in percent (0 for shadow and segment stages). */
export function stagePercent(stage: RolloutStage): number {
  return stage.kind === 'percentage' ? stage.percent : 0;
}

/** Where each stage is relative to the plan: passed, the current one, or still to come. */
export type StepState = 'done' | 'current' | 'upcoming';

/**
 * The state of stage `index` in a plan. A completed plan has passed every stage (its last, 100%, is
 * where it stays); a rolled-back plan's current stage is where it stopped.
 */
export function stepState(plan: Pick<PlanView, 'status' | 'stageIndex'>, index: number): StepState {
  if (plan.status === 'completed') return 'done';
  if (index < plan.stageIndex) return 'done';
  return index === plan.stageIndex ? 'current' : 'upcoming';
}

/** What the scheduler last measured in the plan's current stage. */
export interface Measurement {
  at: string;
  figures: DecisionFigures;
}

/**
 * The newest scheduler measurement of the plan's current stage (a hold, or the rollback a guardrail
 * caused), from a timeline in any order; undefined before the scheduler's first look at the stage.
 * An advance is recorded under the stage it left, so it never counts for the stage entered.
 */
export function latestMeasurement(
  plan: Pick<PlanView, 'stageIndex' | 'stageStartedAt'>,
  timeline: readonly TimelineEntry[],
): Measurement | undefined {
  let best: Measurement | undefined;
  for (const entry of timeline) {
    if (entry.stageIndex !== plan.stageIndex || entry.figures?.verdict === undefined) continue;
    if (entry.action !== 'held' && entry.action !== 'rolled-back') continue;
    if (Date.parse(entry.lastAt) < Date.parse(plan.stageStartedAt)) continue;
    if (best === undefined || Date.parse(entry.lastAt) >= Date.parse(best.at))
      best = { at: entry.lastAt, figures: entry.figures };
  }
  return best;
}

/** A stage's progress against its minimums. */
export interface StageProgress {
  elapsedMs: number;
  minDurationMs: number;
  /** Share of the minimum duration run, in [0, 1] (1 when there is no minimum). */
  timeShare: number;
  /** Units of the smaller arm at the last measurement; null before the first. */
  units: number | null;
  minUnits: number;
  /** Share of the minimum sample reached, in [0, 1]; null before the first measurement. */
  unitShare: number | null;
}

const share = (have: number, need: number): number => (need <= 0 ? 1 : Math.min(1, Math.max(0, have / need)));

/**
 * How far the current stage is: time since it began against its minimum duration (frozen when the plan
 * ended), and the smaller arm's units at the scheduler's last look against its minimum sample.
 */
export function stageProgress(
  plan: Pick<PlanView, 'stage' | 'stageStartedAt' | 'status' | 'updatedAt'>,
  nowMs: number,
  measurement: Measurement | undefined,
): StageProgress {
  const stage = plan.stage;
  const minDurationMs = stage?.minDurationMs ?? 0;
  const minUnits = stage?.minUnitsPerArm ?? 0;
  const until = isLive(plan.status) ? nowMs : Date.parse(plan.updatedAt);
  const elapsedMs = Math.max(0, until - Date.parse(plan.stageStartedAt));
  const arms = measurement?.figures.arms;
  const units = arms === undefined ? null : Math.min(arms.control.units, arms.candidate.units);
  return {
    elapsedMs,
    minDurationMs,
    timeShare: share(elapsedMs, minDurationMs),
    units,
    minUnits,
    unitShare: units === null ? null : share(units, minUnits),
  };
}

/**
 * A timeline newest first (the API answers oldest first). By id: entries are numbered as they are
 * recorded, and a repeated hold stays where it began (it is always the last entry while it repeats).
 */
export function newestFirst(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  return [...timeline].sort((a, b) => b.id - a.id);
}
