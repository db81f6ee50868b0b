export { type BackoffPolicy, backoffDelay, STREAM_BACKOFF } from './backoff.js';
export { CorruptCacheError, readCacheFile, writeCacheFile } from './cache-file.js';
export {
  type ClientOptions,
  changedFlags,
  createClient,
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
export { type Logger, SILENT_LOGGER } from './logger.js';
export { SILENT_STREAM_MS } from './stream-connection.js';
export { MalformedEventError, parseStreamEvent, type StreamEvent } from './stream-events.js';
