import { randomUUID } from 'node:crypto';
import type { GenerationEvent } from '@switchboard/core';
import {
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

  constructor(private readonly options: GatewayServiceOptions) {
    const adapters = options.adapters ?? createProviderAdapters(options.providers);
    for (const p of options.providers) this.wire.set(p.name, openAiWireOptions(p));
    this.router = new FallbackRouter({
      adapters: (provider) => adapters.get(provider),
      attemptTimeoutMs: options.attemptTimeoutMs,
      breaker: options.breaker,
    });
  }

  /** A provider's circuit breaker now. */
  breakerState(provider: string): BreakerState {
    return this.router.breakerState(provider);
  }

  /** Writes the generations recorded so far (tests; shutdown). */
  flush(): Promise<void> {
    return this.options.recorder.flush();
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
    const neutralInput = () => {
      neutral ??=
        dialect === 'openai'
          ? chatRequestFromOpenAiBody(body).request
          : chatRequestFromAnthropicBody(body as AnthropicMessagesBody);
      return mergeNeutral(neutral, variant, call.precedence);
    };
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
    return writeAnswer({
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
