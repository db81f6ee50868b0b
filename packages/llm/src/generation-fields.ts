import type { GenerationEvent } from '@switchboard/core';
import type { Usage } from './chat-request.js';
import type { RoutingRecord } from './routing-record.js';

/** The fields of a generation event that a routed call determines. */
export type RoutedGenerationFields = Pick<
  GenerationEvent,
  'provider' | 'model' | 'fallbackUsed' | 'latencyMs'
> &
  Partial<Pick<GenerationEvent, 'ttftMs' | 'inputTokens' | 'outputTokens' | 'error'>>;

/**
 * The generation event's fields from a routing record (and the usage, when the call succeeded): the
 * provider and model that served (or, on failure, the last one tried), whether a fallback served,
 * latency, time to first token, tokens and the error kind.
 *
 * @example
 * ```ts
 * const { result, record } = await router.chat(rendered.chain, rendered);
 * client.trackGeneration({ flag: 'support-bot', variant, unit, ...generationFields(record, result.usage) });
 * ```
 */
export function generationFields(record: RoutingRecord, usage?: Usage): RoutedGenerationFields {
  const tried = [...record.attempts].reverse().find((a) => a.outcome !== 'skipped');
  const answered =
    record.served ?? (tried ? { provider: tried.provider, model: tried.model } : record.assigned);
  return {
    provider: answered.provider,
    model: answered.model,
    fallbackUsed: record.fallbackUsed,
    latencyMs: record.latencyMs,
    ...(record.ttftMs !== undefined && { ttftMs: record.ttftMs }),
    ...(usage !== undefined && { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }),
    ...(record.error !== undefined && { error: record.error }),
  };
}
