/**
 * `@switchboard/core/rollout`: the pure decisions of guarded rollouts (DESIGN.md §6): stages and the
 * playbook's presets by change type, and the decision on a stage (advance, hold, roll back) from its
 * measured arms, the promotion policy and the cost cap. No I/O and no clock: the server's scheduler
 * reads the figures and the time and applies the decision.
 */
export {
  type CostProjection,
  decideStage,
  StageAction,
  type StageDecision,
  type StageEvidence,
  type StageInput,
} from './decide-stage.js';
export {
  candidateWeight,
  completesRollout,
  DEFAULT_STAGE_MIN_UNITS,
  describeStage,
  type PercentageStage,
  presetStages,
  RAMP_PERCENTS,
  ROLLOUT_PRESETS,
  type RolloutPreset,
  type RolloutStage,
  type ShadowStage,
  StageKind,
  stagesProblem,
  type TargetingStage,
} from './rollout-stage.js';
