import { randomUUID } from 'node:crypto';
import { type GenerationEvent, inShadowSample, type ResolvedShadow, shadowOf } from '@switchboard/core';
import {
  type AiConfigInput,
  type BreakerState,
  type ChatAdapter,
  type ChatInput,
  type ChatRequest,
  chatRequestFromOpenAiBody,
  FallbackRouter,
  generationFields,
  type ProviderModel,
  type Routed,
  RoutingError,
  renderAiConfig,
  UnsupportedRequestError,
} from '@switchboard/llm';
import { createNodeUpstream, type NodeUpstream } from '@switchboard/llm/node';
import type { EnvironmentSnapshot } from '../evaluation/snapshot-service.js';
import { chatRequestFromAnthropicBody } from './anthropic-translation.js';
import { type Attempt, type GatewayAnswer, writeAnswer } from './gateway-answers.js';
import { type GatewayCall, readGatewayCall } from './gateway-call.js';
import { type GatewayDialect, GatewayError } from './gateway-errors.js';
import type { AnthropicMessagesBody, OpenAiChatBody } from './gateway-schemas.js';
import type { GenerationRecorder } from './generation-recorder.js';
import { createProviderAdapters, isWireAdapter, openAiWireOptions } from './provider-adapters.js';
import type { ProviderSettings } from './provider-settings.js';
import { upstreamFailure } from './upstream-failure.js';
import { assignVariant } from './variant-assignment.js';
import {
  anthropicBodyFor,
  mergeNeutral,
  type OpenAiWireOptions,
  openAiBodyFor,
  type VariantInput,
} from './variant-merge.js';

export type { GatewayAnswer } from './gateway-answers.js';

/** Options of {@link GatewayService}. */
export interface GatewayServiceOptions {
  providers: readonly ProviderSettings[];
  /** Per provider attempt: to the whole answer, or for a stream to its first token. */
  attemptTimeoutMs: number;
  breaker: { failureThreshold: number; cooldownMs: number };
  recorder: GenerationRecorder;
  /** The time generations are stamped with. */
  clock: () => Date;
  /** Adapters by provider name instead of those built from `providers` (tests, the demo). */
  adapters?: Map<string, ChatAdapter>;
  /** Shadow calls running at once, at most ({@link DEFAULT_SHADOW_MAX_CONCURRENCY} unless given; 0: none). */
  shadowMaxConcurrency?: number;
}

/** Shadow calls a gateway runs at once unless told otherwise. */
export const DEFAULT_SHADOW_MAX_CONCURRENCY = 4;

/** Counters of the gateway's shadow calls. */
export interface GatewayShadowStats {
  running: number;
  started: number;
  /** Sampled requests not shadowed: the concurrency limit was reached, or the shadow cannot render. */
  skipped: number;
  /** Shadow calls that failed (recorded as shadow generations with their error kind). */
  failed: number;
}

/** One gateway request, validated. */
export interface GatewayRequest {
  dialect: GatewayDialect;
  scope: EnvironmentSnapshot;
  body: OpenAiChatBody | AnthropicMessagesBody;
  headers: Record<string, string | string[] | undefined>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** The wire protocol of each dialect: a provider speaking it gets the request's own body. */
const PROTOCOLS = { openai: 'openai-chat', anthropic: 'anthropic-messages' } as const;

/** Headers of an Anthropic client that describe its request, passed on upstream. */
const ANTHROPIC_PASSED_HEADERS = ['anthropic-version', 'anthropic-beta'];

/**
 * The OpenAI- and Anthropic-compatible gateway: evaluates the request's flag for its unit from the
 * environment's snapshot in memory, merges the assigned variant's AI config into the request, sends it
 * along the variant's fallback chain (one router per server, so circuit breakers and Retry-After holds
 * are shared by every request), and records a generation once the answer has been sent.
 *
 * A link whose provider speaks the request's protocol gets the request's own body (with the variant's
 * model, messages and params) and its answer is relayed byte for byte; a link of the other protocol,
 * or the simulated provider, gets the request translated, and its answer is translated back.
 */
export class GatewayService {
  private readonly router: FallbackRouter;
  private readonly wire = new Map<string, OpenAiWireOptions>();
  private readonly shadowMax: number;
  private readonly shadowCounts: GatewayShadowStats = { running: 0, started: 0, skipped: 0, failed: 0 };
  private readonly shadowRuns = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private readonly upstream: NodeUpstream | undefined;

  constructor(private readonly options: GatewayServiceOptions) {
    this.upstream = options.adapters === undefined ? createNodeUpstream() : undefined;
    const adapters = options.adapters ?? createProviderAdapters(options.providers, this.upstream?.fetch);
    for (const p of options.providers) this.wire.set(p.name, openAiWireOptions(p));
    this.router = new FallbackRouter({
      adapters: (provider) => adapters.get(provider),
      attemptTimeoutMs: options.attemptTimeoutMs,
      breaker: options.breaker,
    });
    this.shadowMax = options.shadowMaxConcurrency ?? DEFAULT_SHADOW_MAX_CONCURRENCY;
  }

  /** What shadow mode has done so far. */
  shadowStats(): GatewayShadowStats {
    return { ...this.shadowCounts };
  }

  /** A provider's circuit breaker now. */
  breakerState(provider: string): BreakerState {
    return this.router.breakerState(provider);
  }

  /** Waits for the shadow calls under way, then writes the generations recorded so far (tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.shadowRuns]);
    return this.options.recorder.flush();
  }

  /** Aborts the shadow calls under way (unrecorded), then writes what was recorded (shutdown). */
  async close(): Promise<void> {
    this.closing.abort(new Error('the server is closing'));
    await this.flush();
    this.upstream?.close();
  }

  /**
   * Answers one request, or throws a {@link GatewayError} to answer in the dialect's error envelope.
   * The generation is recorded once the answer's body has been consumed (sent, or abandoned).
   */
  async handle(request: GatewayRequest): Promise<GatewayAnswer> {
    const startedAt = performance.now();
    const { dialect, scope, body, headers, signal } = request;
    const call = readGatewayCall(dialect, body, headers);
    const assignment = assignVariant(scope, call);
    const rendered = renderAiConfig(assignment.config, call.variables);
    const generation = {
      kind: 'generation' as const,
      ts: this.options.clock().toISOString(),
      flag: call.flagKey,
      variant: assignment.variant,
      ...(call.unit !== undefined && { unit: call.unit }),
      generationId: randomUUID(),
    };
    const record = (fields: Omit<GenerationEvent, keyof typeof generation>) =>
      this.options.recorder.record(scope, { ...generation, ...fields });
    const missing = rendered.errors[0];
    if (missing !== undefined) {
      record({ provider: rendered.provider, model: rendered.model, latencyMs: 0, error: 'invalid_request' });
      throw new GatewayError(
        400,
        'missing_variable',
        `x-switchboard-variables: variable ${JSON.stringify(missing.variable)} of flag ${JSON.stringify(call.flagKey)} (variant ${JSON.stringify(assignment.variant)}) is missing`,
        { param: 'x-switchboard-variables' },
      );
    }
    const variant: VariantInput = { rendered, offTools: assignment.offTools };
    let neutral: ChatRequest | undefined;
    const neutralRequest = (): ChatRequest => {
      neutral ??=
        dialect === 'openai'
          ? chatRequestFromOpenAiBody(body).request
          : chatRequestFromAnthropicBody(body as AnthropicMessagesBody);
      return neutral;
    };
    const neutralInput = () => mergeNeutral(neutralRequest(), variant, call.precedence);
    const shadow = this.sampledShadow(scope, call.flagKey, assignment.variant, generation.generationId);
    let routed: Routed<Attempt>;
    try {
      routed = await this.router.run<Attempt>(
        rendered.chain,
        ({ target, adapter, signal: attemptSignal }) =>
          this.attempt(request, call, variant, neutralInput, target, adapter, attemptSignal),
        { signal },
      );
    } catch (error) {
      if (error instanceof RoutingError) {
        record({ ...generationFields(error.record), latencyMs: performance.now() - startedAt });
        throw upstreamFailure(error);
      }
      if (error instanceof UnsupportedRequestError) {
        throw new GatewayError(400, 'untranslatable', error.message, { param: error.field });
      }
      throw error;
    }

    const served = routed.record.served as ProviderModel;
    const answer = await writeAnswer({
      dialect,
      routed,
      served,
      meta: {
        'x-switchboard-generation-id': generation.generationId,
        'x-switchboard-variant': headerText(assignment.variant),
        'x-switchboard-served': headerText(`${served.provider}/${served.model}`),
        'x-switchboard-fallback': String(routed.record.fallbackUsed),
      },
      generationId: generation.generationId,
      stream: call.stream,
      includeUsage: dialect === 'openai' && (body as OpenAiChatBody).stream_options?.include_usage === true,
      clientGone: signal,
      done: (outcome) => {
        record({
          ...generationFields(routed.record, outcome.usage),
          latencyMs: performance.now() - startedAt,
          // Counted from the request, fallbacks included, as the router counts a stream's.
          ...(outcome.ttftMs !== undefined && {
            ttftMs: outcome.ttftMs + (routed.value.attemptStartedAt - startedAt),
          }),
          ...(outcome.error !== undefined && { error: outcome.error }),
        });
      },
    });
    if (shadow !== undefined) {
      answer.afterSent = () => this.startShadow(scope, call, shadow, neutralRequest);
    }
    return answer;
  }

  /**
   * The flag's shadow when this request is in its sample (by its generation id) and was assigned
   * another variant, and the server runs shadows at all.
   */
  private sampledShadow(
    scope: EnvironmentSnapshot,
    flagKey: string,
    assigned: string,
    generationId: string,
  ): ResolvedShadow | undefined {
    if (this.shadowMax <= 0) return undefined;
    const shadow = shadowOf(scope.compiled, flagKey);
    if (shadow === undefined || shadow.variant === assigned) return undefined;
    return inShadowSample(shadow.sampleRate, generationId) ? shadow : undefined;
  }

  /**
   * Starts a sampled request's shadow call once its answer has been sent, unless as many as allowed
   * are running: the shadow variant on the same input, through the same router (so its provider's
   * breaker hears of its failures), streamed when the served answer was (so its time to first token
   * is measured too), and recorded as a shadow generation.
   */
  private startShadow(
    scope: EnvironmentSnapshot,
    call: GatewayCall,
    shadow: ResolvedShadow,
    neutralRequest: () => ChatRequest,
  ): void {
    if (this.shadowCounts.running >= this.shadowMax || this.closing.signal.aborted) {
      this.shadowCounts.skipped++;
      return;
    }
    this.shadowCounts.running++;
    this.shadowCounts.started++;
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.runShadow(scope, call, shadow, neutralRequest))
      .finally(() => {
        this.shadowCounts.running--;
        this.shadowRuns.delete(run);
      });
    this.shadowRuns.add(run);
  }

  private async runShadow(
    scope: EnvironmentSnapshot,
    call: GatewayCall,
    shadow: ResolvedShadow,
    neutralRequest: () => ChatRequest,
  ): Promise<void> {
    const config = shadow.value as unknown as AiConfigInput;
    const rendered = renderAiConfig(config, call.variables);
    if (rendered.errors.length > 0) {
      // The candidate needs a variable the application does not send yet: nothing to measure.
      this.shadowCounts.skipped++;
      return;
    }
    const startedAt = performance.now();
    const record = (fields: Omit<GenerationEvent, 'kind' | 'flag' | 'variant' | 'generationId'>) =>
      this.options.recorder.record(scope, {
        kind: 'generation',
        flag: call.flagKey,
        variant: shadow.variant,
        ...(call.unit !== undefined && { unit: call.unit }),
        generationId: randomUUID(),
        shadow: true,
        ...fields,
        ts: this.options.clock().toISOString(),
      });
    const offTools = new Set((config.tools ?? []).filter((t) => t.mode === 'off').map((t) => t.name));
    try {
      const input = mergeNeutral(neutralRequest(), { rendered, offTools }, call.precedence);
      const options = { signal: this.closing.signal };
      if (call.stream) {
        // Streamed as the served answer was, so the two have comparable times to first token.
        const { stream, record: routing } = await this.router.stream(rendered.chain, input, options);
        const result = await stream.result();
        record({
          ...generationFields(routing, result.usage),
          latencyMs: performance.now() - startedAt,
          ...(stream.ttftMs !== undefined && { ttftMs: stream.ttftMs }),
        });
      } else {
        const { result, record: routing } = await this.router.chat(rendered.chain, input, options);
        record({ ...generationFields(routing, result.usage), latencyMs: performance.now() - startedAt });
      }
    } catch (error) {
      if (this.closing.signal.aborted) return;
      this.shadowCounts.failed++;
      const latencyMs = performance.now() - startedAt;
      if (error instanceof RoutingError) record({ ...generationFields(error.record), latencyMs });
      else {
        const kind = error instanceof UnsupportedRequestError ? 'invalid_request' : 'other';
        record({ provider: rendered.provider, model: rendered.model, latencyMs, error: kind });
      }
    }
  }

  /**
   * One link of the chain: the request's own body (variant applied) when the provider speaks its
   * protocol, the request translated otherwise. Fails with the provider's error, for the router to
   * fall back on; a stream only once its first token is in.
   */
  private async attempt(
    request: GatewayRequest,
    call: GatewayCall,
    variant: VariantInput,
    neutralInput: () => ChatInput,
    target: ProviderModel,
    adapter: ChatAdapter,
    signal: AbortSignal,
  ): Promise<Attempt> {
    const attemptStartedAt = performance.now();
    const { dialect, body, headers } = request;
    if (isWireAdapter(adapter) && adapter.protocol === PROTOCOLS[dialect]) {
      const prepared =
        dialect === 'openai'
          ? openAiBodyFor(body as OpenAiChatBody, variant, target.model, call.precedence, this.wireOf(target))
          : {
              body: anthropicBodyFor(body as AnthropicMessagesBody, variant, target.model, call.precedence),
              withheldUsage: false,
            };
      const passed = dialect === 'anthropic' ? pick(headers, ANTHROPIC_PASSED_HEADERS) : undefined;
      const forwarded = await adapter.send(prepared.body, {
        signal,
        stream: call.stream,
        ...(passed !== undefined && { headers: passed }),
      });
      if (!forwarded.ok) throw forwarded.error;
      return { kind: 'forwarded', forwarded, withheldUsage: prepared.withheldUsage, attemptStartedAt };
    }
    const input = { ...neutralInput(), model: target.model };
    if (!call.stream) {
      return { kind: 'whole', result: await adapter.chat(input, { signal }), attemptStartedAt };
    }
    const stream = await adapter.stream(input, { signal });
    const iterator = stream[Symbol.asyncIterator]();
    try {
      // Held until the first chunk, so that a failure before it can still fall back.
      return { kind: 'chunks', stream, iterator, first: await iterator.next(), attemptStartedAt };
    } catch (error) {
      await iterator.return?.();
      throw error;
    }
  }

  private wireOf(target: ProviderModel): OpenAiWireOptions {
    return this.wire.get(target.provider) ?? { developerRole: 'system', maxTokensField: 'max_tokens' };
  }
}

/** Header values are printable ASCII; a model name need not be. */
function headerText(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

function pick(
  headers: Record<string, string | string[] | undefined>,
  names: readonly string[],
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
