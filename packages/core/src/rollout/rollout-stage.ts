import { BUCKET_SCALE, type ChangeType } from '../model.js';

const HOUR_MS = 3_600_000;

/** The kinds of stage of a rollout plan, in the order a plan may hold them. */
export const StageKind = {
  /** The candidate runs beside the control on sampled requests and is only measured. */
  Shadow: 'shadow',
  /** The candidate is served to one segment (internal or beta users), the control to everyone else. */
  Targeting: 'targeting',
  /** The candidate is served to a percentage of units, picked by the flag's bucketing. */
  Percentage: 'percentage',
} as const;
/** One of {@link StageKind}'s values. */
export type StageKind = (typeof StageKind)[keyof typeof StageKind];

/** What every stage holds before it may be left. */
interface StageGate {
  /** Time the stage must run, in ms, before it may advance. */
  minDurationMs: number;
  /** Units each arm needs in the stage before anything is decided (never below the policy's floor of 100). */
  minUnitsPerArm: number;
}

/** Shadow: the candidate also runs on `sampleRate` of the control's requests, measured and never shown. */
export interface ShadowStage extends StageGate {
  kind: typeof StageKind.Shadow;
  /** Share of requests shadowed, in (0, 1]. */
  sampleRate: number;
}

/** Targeting: the segment gets the candidate by a rule; everyone else gets the control. */
export interface TargetingStage extends StageGate {
  kind: typeof StageKind.Targeting;
  segment: string;
}

/** Percentage: the candidate's share of the fallthrough, in percent (0, 100], up to 3 decimals. */
export interface PercentageStage extends StageGate {
  kind: typeof StageKind.Percentage;
  percent: number;
}

/** One stage of a rollout plan. Plain JSON: plans are stored and sent as they are. */
export type RolloutStage = ShadowStage | TargetingStage | PercentageStage;

/** How a change type's rollout starts (DESIGN.md §6): its first percentage and how long it holds. */
export interface RolloutPreset {
  changeType: ChangeType;
  firstPercent: number;
  holdMs: number;
  /** The percentages after the first, each held as long with the same guardrails. */
  ramp: readonly number[];
}

/** After the first stage, every preset ramps through these (those above its first percentage). */
export const RAMP_PERCENTS: readonly number[] = Object.freeze([5, 25, 50, 100]);

/** Units per arm a preset's stages ask for: the floor of every promotion policy. */
export const DEFAULT_STAGE_MIN_UNITS = 100;

function preset(changeType: ChangeType, firstPercent: number, holdHours: number): RolloutPreset {
  return Object.freeze({
    changeType,
    firstPercent,
    holdMs: holdHours * HOUR_MS,
    ramp: Object.freeze(RAMP_PERCENTS.filter((p) => p > firstPercent)),
  });
}

/**
 * The playbook's presets by change type: model swap 1% for 48 h; system prompt 10% for 24 h; new tool
 * 5% for 48 h; temperature or parameters 25% for 12 h; new agent workflow 1% for 72 h; `other` 5% for
 * 24 h. Each then ramps 5 → 25 → 50 → 100 (skipping what its start already passed: a ramp never goes
 * down), every stage held as long as the first.
 */
export const ROLLOUT_PRESETS: Readonly<Record<ChangeType, RolloutPreset>> = Object.freeze({
  'model-swap': preset('model-swap', 1, 48),
  prompt: preset('prompt', 10, 24),
  tool: preset('tool', 5, 48),
  parameters: preset('parameters', 25, 12),
  'agent-workflow': preset('agent-workflow', 1, 72),
  other: preset('other', 5, 24),
});

/**
 * The percentage stages of a change type's preset; the last, 100%, completes the rollout and holds
 * nothing.
 *
 * @example
 * presetStages('prompt').map((s) => s.percent); // [10, 25, 50, 100]
 */
export function presetStages(
  changeType: ChangeType,
  options: { minUnitsPerArm?: number } = {},
): PercentageStage[] {
  const p = ROLLOUT_PRESETS[changeType] ?? ROLLOUT_PRESETS.other;
  const minUnitsPerArm = options.minUnitsPerArm ?? DEFAULT_STAGE_MIN_UNITS;
  return [p.firstPercent, ...p.ramp].map((percent) => ({
    kind: StageKind.Percentage,
    percent,
    minDurationMs: percent === 100 ? 0 : p.holdMs,
    minUnitsPerArm,
  }));
}

/** The candidate's weight of a percentage, in the split's units of 0.001%. */
export function candidateWeight(percent: number): number {
  return Math.min(BUCKET_SCALE, Math.max(0, Math.round(percent * 1000)));
}

/** Whether entering this stage completes the rollout (everyone gets the candidate). */
export function completesRollout(stage: RolloutStage): boolean {
  return stage.kind === StageKind.Percentage && candidateWeight(stage.percent) === BUCKET_SCALE;
}

/**
 * What is wrong with a plan's stages, or undefined when they are usable: at least one stage; a shadow
 * stage only first, a targeting stage only before the percentages, at most one of each; percentages
 * rising strictly (a ramp never takes the candidate from anyone) and the last at 100; usable durations,
 * samples and rates. Names the first problem by its index, e.g. `stages.2.percent: ...`.
 */
export function stagesProblem(stages: readonly RolloutStage[]): string | undefined {
  if (stages.length === 0) return 'stages: a plan needs at least one stage';
  let lastPercent = 0;
  let seenPercentage = false;
  for (const [i, stage] of stages.entries()) {
    const at = `stages.${i}`;
    if (!Number.isFinite(stage.minDurationMs) || stage.minDurationMs < 0)
      return `${at}.minDurationMs: must be a duration of 0 ms or more`;
    if (!Number.isFinite(stage.minUnitsPerArm) || stage.minUnitsPerArm < 0)
      return `${at}.minUnitsPerArm: must be 0 or more`;
    switch (stage.kind) {
      case StageKind.Shadow:
        if (i !== 0) return `${at}.kind: a shadow stage can only be the first`;
        if (!(stage.sampleRate > 0 && stage.sampleRate <= 1)) return `${at}.sampleRate: must be in (0, 1]`;
        break;
      case StageKind.Targeting:
        if (seenPercentage || stages.slice(0, i).some((s) => s.kind === StageKind.Targeting))
          return `${at}.kind: one targeting stage, before the percentages`;
        if (typeof stage.segment !== 'string' || stage.segment === '')
          return `${at}.segment: names the segment served the candidate`;
        break;
      case StageKind.Percentage: {
        const weight = candidateWeight(stage.percent);
        if (!Number.isFinite(stage.percent) || stage.percent <= 0 || stage.percent > 100)
          return `${at}.percent: must be in (0, 100]`;
        if (weight <= candidateWeight(lastPercent))
          return `${at}.percent: must be above the previous stage's ${lastPercent}% (a ramp only rises)`;
        lastPercent = stage.percent;
        seenPercentage = true;
        break;
      }
      default:
        return `${at}.kind: unknown stage kind`;
    }
  }
  const last = stages[stages.length - 1] as RolloutStage;
  if (!completesRollout(last)) return `stages.${stages.length - 1}: the last stage must be 100%`;
  return undefined;
}

/** `10%`, `shadow (5% of requests)`, `segment beta-users`: a stage for people. */
export function describeStage(stage: RolloutStage): string {
  switch (stage.kind) {
    case StageKind.Shadow:
      return `shadow (${Number((stage.sampleRate * 100).toPrecision(3))}% of requests)`;
    case StageKind.Targeting:
      return `segment ${stage.segment}`;
    case StageKind.Percentage:
      return `${stage.percent}%`;
  }
}
