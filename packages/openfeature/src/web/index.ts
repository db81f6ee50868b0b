export { STALE_AFTER_MS } from '../provider-health.js';
export { ERROR_CODES, PREREQUISITE_FAILED_REASON, REASONS } from '../resolution-details.js';
export { SwitchboardWebProvider, type SwitchboardWebProviderOptions } from './switchboard-web-provider.js';
