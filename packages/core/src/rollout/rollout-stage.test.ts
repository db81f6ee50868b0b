import { describe, expect, it } from 'vitest';
import { ChangeType } from '../model.js';
import {
  candidateWeight,
  completesRollout,
  describeStage,
  presetStages,
  ROLLOUT_PRESETS,
  type RolloutStage,
  StageKind,
  stagesProblem,
} from './rollout-stage.js';

const HOUR_MS = 3_600_000;
const percentage = (percent: number, hours = 1): RolloutStage => ({
  kind: StageKind.Percentage,
  percent,
  minDurationMs: hours * HOUR_MS,
  minUnitsPerArm: 100,
});

describe('rollout presets', () => {
  it('start where the playbook says, hold as long, and ramp 5 → 25 → 50 → 100 without going down', () => {
    const summary = (type: ChangeType) =>
      presetStages(type).map((s) => `${s.percent}%/${s.minDurationMs / HOUR_MS}h`);
    expect(summary('model-swap')).toEqual(['1%/48h', '5%/48h', '25%/48h', '50%/48h', '100%/0h']);
    expect(summary('prompt')).toEqual(['10%/24h', '25%/24h', '50%/24h', '100%/0h']);
    expect(summary('tool')).toEqual(['5%/48h', '25%/48h', '50%/48h', '100%/0h']);
    expect(summary('parameters')).toEqual(['25%/12h', '50%/12h', '100%/0h']);
    expect(summary('agent-workflow')).toEqual(['1%/72h', '5%/72h', '25%/72h', '50%/72h', '100%/0h']);
    for (const type of Object.values(ChangeType)) {
      expect(stagesProblem(presetStages(type))).toBeUndefined();
      expect(ROLLOUT_PRESETS[type].changeType).toBe(type);
    }
    expect(presetStages('tool', { minUnitsPerArm: 500 }).every((s) => s.minUnitsPerArm === 500)).toBe(true);
  });
});

describe('stagesProblem', () => {
  it('accepts shadow, then a segment, then rising percentages ending at 100', () => {
    expect(
      stagesProblem([
        { kind: StageKind.Shadow, sampleRate: 0.05, minDurationMs: 0, minUnitsPerArm: 100 },
        { kind: StageKind.Targeting, segment: 'beta', minDurationMs: 0, minUnitsPerArm: 100 },
        percentage(2.5),
        percentage(100),
      ]),
    ).toBeUndefined();
  });

  it.each([
    [[], 'stages: a plan needs at least one stage'],
    [[percentage(10), percentage(10), percentage(100)], 'stages.1.percent: must be above the previous'],
    [[percentage(50), percentage(25), percentage(100)], 'stages.1.percent: must be above the previous'],
    [[percentage(10), percentage(50)], 'stages.1: the last stage must be 100%'],
    [[percentage(0), percentage(100)], 'stages.0.percent: must be in (0, 100]'],
    [[percentage(120)], 'stages.0.percent: must be in (0, 100]'],
    [
      [percentage(10), { kind: StageKind.Shadow, sampleRate: 0.1, minDurationMs: 0, minUnitsPerArm: 1 }],
      'stages.1.kind: a shadow stage can only be the first',
    ],
    [
      [{ kind: StageKind.Shadow, sampleRate: 0, minDurationMs: 0, minUnitsPerArm: 1 }, percentage(100)],
      'stages.0.sampleRate',
    ],
    [
      [
        percentage(10),
        { kind: StageKind.Targeting, segment: 'beta', minDurationMs: 0, minUnitsPerArm: 1 },
        percentage(100),
      ],
      'stages.1.kind: one targeting stage, before the percentages',
    ],
    [[{ ...percentage(100), minDurationMs: -1 }], 'stages.0.minDurationMs'],
  ] as [RolloutStage[], string][])('refuses %j', (stages, problem) => {
    expect(stagesProblem(stages)).toContain(problem);
  });
});

describe('stage helpers', () => {
  it('weighs percentages in the split units of 0.001% and knows the stage that completes', () => {
    expect(candidateWeight(2.5)).toBe(2_500);
    expect(candidateWeight(100)).toBe(100_000);
    expect(completesRollout(percentage(100))).toBe(true);
    expect(completesRollout(percentage(99.999))).toBe(false);
    expect(describeStage(percentage(5))).toBe('5%');
    expect(
      describeStage({ kind: StageKind.Targeting, segment: 'beta', minDurationMs: 0, minUnitsPerArm: 0 }),
    ).toBe('segment beta');
    expect(
      describeStage({ kind: StageKind.Shadow, sampleRate: 0.05, minDurationMs: 0, minUnitsPerArm: 0 }),
    ).toBe('shadow (5% of requests)');
  });
});
