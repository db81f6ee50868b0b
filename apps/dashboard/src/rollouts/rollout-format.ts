import type { PromotionPolicy } from '../api/api-types.js';
import {
  formatCount,
  formatDuration,
  formatMs,
  formatPercent,
  formatPoints,
  formatScore,
  formatUsd,
  UNKNOWN,
} from '../results/results-format.js';
import type { StageProgress } from './rollout-model.js';
import type { ArmFigures, PlanStatus, TimelineAction } from './rollout-types.js';

/** A plan's status in words, with what it means. */
export const STATUS_WORDS: Readonly<Record<PlanStatus, { label: string; meaning: string }>> = {
  active: {
    label: 'Active',
    meaning: 'The scheduler judges the stage on every tick: it advances, holds or rolls back.',
  },
  paused: {
    label: 'Paused',
    meaning: 'Kept in its stage with the split as it is; the scheduler leaves it alone until resumed.',
  },
  completed: { label: 'Completed', meaning: 'The candidate serves everyone.' },
  'rolled-back': { label: 'Rolled back', meaning: 'The control serves everyone again.' },
};

/** What each timeline entry records, in words. */
export const TIMELINE_WORDS: Readonly<Record<TimelineAction, string>> = {
  created: 'Started',
  advanced: 'Advanced',
  held: 'Held',
  'rolled-back': 'Rolled back',
  completed: 'Completed',
  paused: 'Paused',
  resumed: 'Resumed',
};

/** `2 h 5 min of 48 h`; `1 h 3 min (no minimum)` when the stage sets none. */
export function formatTimeProgress(progress: Pick<StageProgress, 'elapsedMs' | 'minDurationMs'>): string {
  const ran = progress.elapsedMs < 1000 ? '0 s' : formatDuration(progress.elapsedMs);
  return progress.minDurationMs <= 0
    ? `${ran} (no minimum)`
    : `${ran} of ${formatDuration(progress.minDurationMs)}`;
}

/** `40 of 100 units per arm`; `not measured yet` before the scheduler's first look at the stage. */
export function formatUnitProgress(progress: Pick<StageProgress, 'units' | 'minUnits'>): string {
  if (progress.units === null) return `not measured yet (needs ${formatCount(progress.minUnits)} per arm)`;
  return `${formatCount(progress.units)} of ${formatCount(progress.minUnits)} units per arm`;
}

/** A share in [0, 1] as a whole percentage for a progress bar's text (`0.426` → `43%`). */
export function formatShare(share: number | null): string {
  return share === null ? UNKNOWN : `${Math.round(share * 100)}%`;
}

/** `48 h`, `12 h`, `none`: a stage's minimum duration in a table cell. */
export function formatMinDuration(ms: number): string {
  return ms <= 0 ? 'none' : formatDuration(ms);
}

/** One guardrail: what is measured of each arm, and the limit the policy sets on it. */
export interface GuardrailRow {
  check: string;
  label: string;
  limit: string;
  /** The control's and the candidate's figure (`—` when not measured, or not kept per arm). */
  control: string;
  candidate: string;
}

const armFigure = (arms: { control: ArmFigures; candidate: ArmFigures } | undefined) =>
  function figure(read: (arm: ArmFigures) => number | null, format: (v: number | null) => string) {
    return {
      control: arms === undefined ? UNKNOWN : format(read(arms.control)),
      candidate: arms === undefined ? UNKNOWN : format(read(arms.candidate)),
    };
  };

function costLimit(policy: PromotionPolicy): string {
  const limits: string[] = [];
  if (policy.maxCostPerRequestUsd !== undefined && policy.maxCostPerRequestUsd !== null)
    limits.push(`at most ${formatUsd(policy.maxCostPerRequestUsd)} a request`);
  if (policy.maxCostIncreaseRatio !== undefined && policy.maxCostIncreaseRatio !== null)
    limits.push(`at most ${formatPercent(policy.maxCostIncreaseRatio, { sign: true })} over the control`);
  return limits.length === 0 ? 'no limit set' : limits.join(', ');
}

/**
 * The guardrails a stage is judged on (those whose failure rolls the candidate back), each with its
 * limit under the policy in force and each arm's figure at the scheduler's last measurement.
 */
export function guardrailRows(
  policy: PromotionPolicy,
  arms: { control: ArmFigures; candidate: ArmFigures } | undefined,
): GuardrailRow[] {
  const figure = armFigure(arms);
  return [
    {
      check: 'quality',
      label: 'Quality',
      limit: `may drop at most ${formatScore(policy.qualityDelta)}`,
      ...figure(
        (a) => a.quality.mean,
        (v) => formatScore(v),
      ),
    },
    {
      check: 'error-rate',
      label: 'Error rate',
      limit: `may rise at most ${formatPoints(policy.maxErrorRateIncrease)}`,
      ...figure(
        (a) => a.errorRate,
        (v) => formatPercent(v),
      ),
    },
    {
      check: 'p95-latency',
      label: 'p95 latency',
      limit: `at most ${formatMs(policy.maxP95LatencyIncreaseMs, { sign: true })} over the control`,
      ...figure(
        (a) => a.latencyP95Ms,
        (v) => formatMs(v),
      ),
    },
    {
      check: 'cost',
      label: 'Cost per request',
      limit: costLimit(policy),
      ...figure(
        (a) => a.costPerRequestUsd,
        (v) => formatUsd(v),
      ),
    },
    {
      check: 'fallback-rate',
      label: 'Fallback rate',
      limit: `at most ${formatPercent(policy.maxFallbackRate)} of the candidate's requests`,
      ...figure(
        (a) => a.fallbackRate ?? null,
        (v) => formatPercent(v),
      ),
    },
  ];
}
