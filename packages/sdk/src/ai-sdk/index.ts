export type {
  LanguageModelCallOptions,
  LanguageModelGenerateResult,
  LanguageModelStreamPart,
  LanguageModelStreamResult,
  LanguageModelV3,
} from './ai-sdk-types.js';
export type { FlagCallOptions, PerCall, SwitchboardMetadata, SystemMode } from './flag-call.js';
export { type SwitchboardMiddlewareOptions, switchboardMiddleware } from './switchboard-middleware.js';
export {
  NoModelForConfigError,
  type SwitchboardModelOptions,
  switchboardModel,
} from './switchboard-model.js';
