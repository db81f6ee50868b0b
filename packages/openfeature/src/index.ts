export { toSwitchboardContext } from './evaluation-context.js';
export {
  HEALTH_CHECK_INTERVAL_MS,
  type Health,
  type ProviderHealth,
  STALE_AFTER_MS,
} from './provider-health.js';
export {
  ERROR_CODES,
  PREREQUISITE_FAILED_REASON,
  REASONS,
  toResolutionDetails,
} from './resolution-details.js';
export {
  SwitchboardProvider,
  type SwitchboardProviderOptions,
  type SwitchboardProviderTuning,
} from './switchboard-provider.js';
