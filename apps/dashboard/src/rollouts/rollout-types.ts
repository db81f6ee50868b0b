import type { CostProjection, RolloutStage } from '@switchboard/core/rollout';
import type { PromotionCheck, PromotionShortfall } from '@switchboard/core/stats';
import type { PolicySettings } from '../api/api-types.js';

/** What the rollout endpoints answer (apps/server/src/features/rollouts/rollout-schemas.ts), by hand. */

export type { RolloutStage };

/** Where a plan is: `active` and `paused` plans are live (at most one per flag and environment). */
export type PlanStatus = 'active' | 'paused' | 'completed' | 'rolled-back';

/** A rollout plan (`planViewSchema`). */
export interface PlanView {
  id: string;
  project: string;
  environment: string;
  flag: string;
  candidate: string;
  control: string;
  stages: RolloutStage[];
  stageIndex: number;
  /** The current stage. */
  stage: RolloutStage | null;
  /** When the current stage began (ISO-8601). */
  stageStartedAt: string;
  status: PlanStatus;
  /** Why it is paused, completed or rolled back. */
  reason: string | null;
  /** The plan's own settings over the flag's promotion policy. */
  policy: PolicySettings | null;
  costCapPerDayUsd: number | null;
  /** The change type it was made for (its preset); null on plans made before the server kept it. */
  changeType: string | null;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** A preset by change type (`GET /api/v1/rollouts/presets`). */
export interface PresetView {
  changeType: string;
  firstPercent: number;
  holdMs: number;
  stages: RolloutStage[];
}

/** What the timeline keeps of an arm (the server's `ArmFigures`). */
export interface ArmFigures {
  variant: string;
  units: number;
  exposures: number;
  requests: number;
  errorRate: number | null;
  /** Absent from decisions recorded before the server kept it. */
  fallbackRate?: number | null;
  latencyP95Ms: number | null;
  costPerRequestUsd: number | null;
  quality: { n: number; mean: number | null };
}

/** The figures a scheduler's decision was made on (held, advanced, rolled back by a guardrail). */
export interface DecisionFigures {
  window?: { from: string; to: string };
  arms?: { control: ArmFigures; candidate: ArmFigures };
  verdict?: {
    decision: string;
    summary: string;
    checks: PromotionCheck[];
    missing?: PromotionShortfall[];
  };
  cost?: CostProjection | null;
  from?: string;
  to?: string;
  stages?: string[];
}

/** What happened to a plan. */
export type TimelineAction =
  | 'created'
  | 'advanced'
  | 'held'
  | 'rolled-back'
  | 'completed'
  | 'paused'
  | 'resumed';

/** One entry of a plan's timeline (`timelineEntrySchema`). */
export interface TimelineEntry {
  id: number;
  at: string;
  /** For a hold repeated on later ticks, the last of them. */
  lastAt: string;
  repeats: number;
  action: TimelineAction;
  actor: string;
  stageIndex: number;
  stage: RolloutStage;
  verdict: string | null;
  cause: string | null;
  reason: string;
  figures: DecisionFigures | null;
}
