export type {
  AiConfig,
  AiConfigInput,
  AiPricing,
  ChatMessage,
  ChatParams,
  ChatTool,
  ProviderModel,
  RenderError,
} from '@switchboard/llm';
export { type BackoffPolicy, backoffDelay, STREAM_BACKOFF } from './backoff.js';
export { CorruptCacheError, readCacheFile, writeCacheFile } from './cache-file.js';
export {
  type ClientOptions,
  changedFlags,
  createClient,
  type DrainOptions,
  type DrainReport,
  type KillSwitchResponse,
  type ReadyState,
  type SnapshotSource,
  SwitchboardClient,
} from './client.js';
export { EvaluationDetails } from './evaluation-details.js';
export {
  type Attribution,
  eventProblem,
  type FeedbackInput,
  type GenerationInput,
} from './event-builders.js';
export type { EventQueueStats } from './event-queue.js';
export { GenerationCall, type TrackOptions } from './generation-call.js';
export { type DrainTrigger, GenerationDrainedError } from './generation-drained-error.js';
export { generationErrorKind } from './generation-error-kind.js';
export {
  GenerationTracker,
  type TrackedGenerationFields,
  type TrackerFeedback,
} from './generation-tracker.js';
export { answerText, type JudgeClient, type LlmJudgeOptions, llmJudge } from './llm-judge.js';
export { type Logger, SILENT_LOGGER } from './logger.js';
export {
  type AiConfigRequest,
  type AnthropicContentBlock,
  type AnthropicMessage,
  type AnthropicMessageParams,
  type AnthropicMessageParamsOptions,
  type AnthropicTool,
  type OpenAiChatMessage,
  type OpenAiChatParams,
  type OpenAiChatParamsOptions,
  type OpenAiChatStreamParams,
  type OpenAiChatTool,
  toAnthropicMessageParams,
  toOpenAiChatParams,
} from './provider-params.js';
export type {
  AiConfigOptions,
  AiConfigSource,
  ResolvedAiConfig,
  ResolvedAiTool,
} from './resolved-ai-config.js';
export type {
  JudgeInput,
  JudgeScores,
  ShadowCall,
  ShadowJudge,
  ShadowOutcome,
  ShadowRunOptions,
  ShadowSettings,
  ShadowStats,
} from './shadow-runner.js';
export { SILENT_STREAM_MS } from './stream-connection.js';
export { MalformedEventError, parseStreamEvent, type StreamEvent } from './stream-events.js';
