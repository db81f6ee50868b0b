export type {
  AiConfig,
  AiConfigInput,
  AiMessage,
  AiMessageRole,
  AiParams,
  AiPricing,
  AiTool,
  AiToolMode,
  ProviderModel,
} from './ai-config.js';
export {
  ANTHROPIC_VERSION,
  type AnthropicMessagesAdapterOptions,
  anthropicMessagesAdapter,
} from './anthropic-messages-adapter.js';
export {
  AnthropicMessagesStreamDecoder,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  fromAnthropicMessagesResponse,
  fromAnthropicUsage,
  toAnthropicMessagesBody,
} from './anthropic-messages-wire.js';
export type {
  CallOptions,
  ChatAdapter,
  ForwardedFailure,
  ForwardedResponse,
  ForwardedSuccess,
  SendOptions,
  WireAdapter,
  WireBody,
  WireMetrics,
  WireProtocol,
} from './chat-adapter.js';
export type {
  ChatChunk,
  ChatInput,
  ChatMessage,
  ChatParams,
  ChatRequest,
  ChatResult,
  ChatTool,
  FinishReason,
  ToolCall,
  Usage,
} from './chat-request.js';
export { ChatStream, type ChatStreamOptions } from './chat-stream.js';
export {
  type BreakerPolicy,
  type BreakerState,
  CircuitBreaker,
  DEFAULT_BREAKER_POLICY,
} from './circuit-breaker.js';
export { type Clock, systemClock } from './clock.js';
export {
  type AttemptContext,
  FallbackRouter,
  type FallbackRouterOptions,
  type Routed,
  type RouteOptions,
  shouldFallBack,
} from './fallback-router.js';
export { forwardableHeaders } from './forwarded-response.js';
export { generationFields, type RoutedGenerationFields } from './generation-fields.js';
export { type OpenAiChatAdapterOptions, openAiChatAdapter } from './openai-chat-adapter.js';
export {
  chatRequestFromOpenAiBody,
  type OpenAiAnswerIdentity,
  OpenAiChatChunkEncoder,
  toOpenAiChatCompletion,
  UnsupportedRequestError,
} from './openai-chat-translation.js';
export {
  fromOpenAiChatResponse,
  fromOpenAiUsage,
  OpenAiChatStreamDecoder,
  type OpenAiChatWireOptions,
  toOpenAiChatBody,
} from './openai-chat-wire.js';
export {
  classifyFailure,
  describeErrorBody,
  errorKindOf,
  type HeaderSource,
  isRetryableKind,
  MAX_ERROR_BODY_CHARS,
  ProviderError,
  type ProviderErrorOptions,
  parseRetryAfter,
  providerErrorFromEvent,
  providerErrorFromResponse,
} from './provider-error.js';
export { type RenderError, type RenderedAiConfig, renderAiConfig } from './render-ai-config.js';
export { type RoutingAttempt, RoutingError, type RoutingRecord, type SkipReason } from './routing-record.js';
export {
  type SimulatedAdapterOptions,
  type SimulatedModelProfile,
  type SimulatedRaw,
  type Spread,
  simulatedAdapter,
} from './simulated-adapter.js';
export { readSseEvents, type StreamDecoder } from './sse-events.js';
export { CHARS_PER_TOKEN, estimateTokens } from './token-estimate.js';
export type { UpstreamFetch, UpstreamRequest, UpstreamResponse } from './upstream-fetch.js';
export type { HttpAdapterOptions } from './wire-adapter.js';
