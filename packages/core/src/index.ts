export { Bucketer, bucketOf, bucketOfHash } from './bucketing.js';
export {
  type CompiledFlag,
  CompiledSnapshot,
  type CompileOptions,
  compileSnapshot,
} from './compiled-snapshot.js';
export { parseDate } from './dates.js';
export { evaluate, explain } from './evaluate.js';
export {
  EventKind,
  type ExposureEvent,
  type FeedbackEvent,
  GenerationErrorKind,
  type GenerationEvent,
  type MetricEvent,
  type SwitchboardEvent,
} from './events.js';
export type {
  ClauseExplanation,
  DecidedBy,
  Explanation,
  PrerequisiteExplanation,
  RuleExplanation,
} from './explanation.js';
export { inShadowSample, type ResolvedShadow, shadowOf } from './flag-shadow.js';
export * from './model.js';
export { murmur3 } from './murmur3.js';
export { ErrorCode, type EvaluationResult, Reason } from './reasons.js';
export { MAX_MATCH_INPUT_LENGTH, MAX_PATTERN_LENGTH, patternProblem } from './safe-pattern.js';
export { compareSemver, parseSemver, type SemVer } from './semver.js';
