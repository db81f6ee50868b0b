import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  latestMeasurement,
  newestFirst,
  stageLabel,
  stageProgress,
  stepState,
} from './rollout-model.js';
import type { PlanView, RolloutStage, TimelineEntry } from './rollout-types.js';

const HOUR_MS = 3_600_000;
const STAGES: RolloutStage[] = [
  { kind: 'percentage', percent: 10, minDurationMs: 24 * HOUR_MS, minUnitsPerArm: 100 },
  { kind: 'percentage', percent: 50, minDurationMs: 24 * HOUR_MS, minUnitsPerArm: 100 },
  { kind: 'percentage', percent: 100, minDurationMs: 0, minUnitsPerArm: 100 },
];
const STARTED = '2026-06-01T00:00:00.000Z';

function plan(overrides: Partial<PlanView> = {}): PlanView {
  return {
    id: 'p1',
    project: 'default',
    environment: 'production',
    flag: 'llm-model',
    candidate: 'candidate',
    control: 'control',
    stages: STAGES,
    stageIndex: 0,
    stage: STAGES[0] ?? null,
    stageStartedAt: STARTED,
    status: 'active',
    reason: null,
    policy: null,
    costCapPerDayUsd: null,
    changeType: 'model-swap',
    version: 1,
    createdAt: STARTED,
    createdBy: 'admin',
    updatedAt: STARTED,
    ...overrides,
  };
}

function entry(overrides: Partial<TimelineEntry>): TimelineEntry {
  return {
    id: 1,
    at: STARTED,
    lastAt: STARTED,
    repeats: 1,
    action: 'held',
    actor: 'rollout-scheduler',
    stageIndex: 0,
    stage: STAGES[0] as RolloutStage,
    verdict: 'hold',
    cause: 'sample-size',
    reason: 'hold',
    figures: null,
    ...overrides,
  };
}

const arms = (control: number, candidate: number) => ({
  control: {
    variant: 'control',
    units: control,
    exposures: control,
    requests: 0,
    errorRate: null,
    latencyP95Ms: null,
    costPerRequestUsd: null,
    quality: { n: 0, mean: null },
  },
  candidate: {
    variant: 'candidate',
    units: candidate,
    exposures: candidate,
    requests: 0,
    errorRate: null,
    latencyP95Ms: null,
    costPerRequestUsd: null,
    quality: { n: 0, mean: null },
  },
});
const verdict = { decision: 'hold', summary: 'hold', checks: [] };

describe('allowedActions', () => {
  it('pauses an active plan and resumes a paused one; both advance and roll back', () => {
    expect(allowedActions(plan())).toEqual({ pause: true, resume: false, advance: true, rollBack: true });
    expect(allowedActions(plan({ status: 'paused' }))).toEqual({
      pause: false,
      resume: true,
      advance: true,
      rollBack: true,
    });
  });

  it('does not advance from the last stage', () => {
    expect(allowedActions(plan({ stageIndex: 2 })).advance).toBe(false);
    expect(allowedActions(plan({ stageIndex: 1 })).advance).toBe(true);
  });

  it('allows nothing once the plan completed or was rolled back', () => {
    const none = { pause: false, resume: false, advance: false, rollBack: false };
    expect(allowedActions(plan({ status: 'completed', stageIndex: 2 }))).toEqual(none);
    expect(allowedActions(plan({ status: 'rolled-back' }))).toEqual(none);
  });
});

describe('stageLabel and stepState', () => {
  it('words each kind of stage as the server does', () => {
    expect(stageLabel({ kind: 'percentage', percent: 2.5, minDurationMs: 0, minUnitsPerArm: 0 })).toBe(
      '2.5%',
    );
    expect(stageLabel({ kind: 'shadow', sampleRate: 0.05, minDurationMs: 0, minUnitsPerArm: 0 })).toBe(
      'shadow (5% of requests)',
    );
    expect(stageLabel({ kind: 'targeting', segment: 'beta', minDurationMs: 0, minUnitsPerArm: 0 })).toBe(
      'segment beta',
    );
  });

  it('marks stages before the current one done, and every stage of a completed plan', () => {
    expect([0, 1, 2].map((i) => stepState(plan({ stageIndex: 1 }), i))).toEqual([
      'done',
      'current',
      'upcoming',
    ]);
    expect([0, 1, 2].map((i) => stepState(plan({ stageIndex: 2, status: 'completed' }), i))).toEqual([
      'done',
      'done',
      'done',
    ]);
    expect(stepState(plan({ status: 'rolled-back' }), 0)).toBe('current');
  });
});

describe('stageProgress', () => {
  const now = Date.parse(STARTED) + 6 * HOUR_MS;

  it('measures time since the stage began against its minimum duration', () => {
    const progress = stageProgress(plan(), now, undefined);
    expect(progress).toMatchObject({ elapsedMs: 6 * HOUR_MS, minDurationMs: 24 * HOUR_MS, timeShare: 0.25 });
    expect(progress.units).toBeNull();
    expect(progress.unitShare).toBeNull();
  });

  it("counts the smaller arm's units against the minimum sample, capped at the whole", () => {
    const measured = { at: STARTED, figures: { arms: arms(80, 40), verdict } };
    expect(stageProgress(plan(), now, measured)).toMatchObject({ units: 40, minUnits: 100, unitShare: 0.4 });
    const plenty = { at: STARTED, figures: { arms: arms(900, 400), verdict } };
    expect(stageProgress(plan(), now, plenty).unitShare).toBe(1);
  });

  it('stops the clock when the plan ended, and a stage without a minimum is complete', () => {
    const ended = plan({
      status: 'rolled-back',
      updatedAt: new Date(Date.parse(STARTED) + HOUR_MS).toISOString(),
    });
    expect(stageProgress(ended, now, undefined).elapsedMs).toBe(HOUR_MS);
    const last = plan({ stageIndex: 2, stage: STAGES[2] ?? null });
    expect(stageProgress(last, now, undefined).timeShare).toBe(1);
  });
});

describe('latestMeasurement and newestFirst', () => {
  it("takes the newest hold or guardrail rollback of the current stage, never an advance's figures", () => {
    const p = plan({ stageIndex: 1, stageStartedAt: '2026-06-02T00:00:00.000Z' });
    const timeline = [
      entry({
        id: 1,
        stageIndex: 0,
        lastAt: '2026-06-01T05:00:00.000Z',
        figures: { arms: arms(1, 1), verdict },
      }),
      entry({
        id: 2,
        action: 'advanced',
        stageIndex: 0,
        lastAt: '2026-06-02T00:00:00.000Z',
        figures: { arms: arms(2, 2), verdict },
      }),
      entry({
        id: 3,
        stageIndex: 1,
        lastAt: '2026-06-02T04:00:00.000Z',
        figures: { arms: arms(3, 3), verdict },
      }),
      entry({ id: 4, action: 'paused', stageIndex: 1, lastAt: '2026-06-02T05:00:00.000Z' }),
    ];
    expect(latestMeasurement(p, timeline)?.figures.arms?.control.units).toBe(3);
    expect(latestMeasurement(plan(), [entry({ figures: null })])).toBeUndefined();
  });

  it('orders the timeline by id, newest first', () => {
    const ordered = newestFirst([entry({ id: 1 }), entry({ id: 3 }), entry({ id: 2 })]);
    expect(ordered.map((e) => e.id)).toEqual([3, 2, 1]);
  });
});
