import { GenerationErrorKind } from '@switchboard/core';
import type { ProviderModel } from './ai-config.js';
import type { ChatAdapter } from './chat-adapter.js';
import type { ChatChunk, ChatInput, ChatResult } from './chat-request.js';
import { ChatStream } from './chat-stream.js';
import {
  type BreakerPolicy,
  type BreakerState,
  CircuitBreaker,
  DEFAULT_BREAKER_POLICY,
} from './circuit-breaker.js';
import { type Clock, systemClock } from './clock.js';
import { ProviderError } from './provider-error.js';
import { type RoutingAttempt, RoutingError, type RoutingRecord, type SkipReason } from './routing-record.js';

/** Why an attempt's timer is stopped: it settled. Never thrown; a reason so that no DOMException is built. */
const ATTEMPT_SETTLED = new Error('the attempt settled');

/** Options of {@link FallbackRouter}. */
export interface FallbackRouterOptions<A extends ChatAdapter = ChatAdapter> {
  /** The adapter of each provider name, or a function that finds it. */
  adapters: Record<string, A> | ((provider: string) => A | undefined);
  /** Time for timeouts, Retry-After and breaker cooldowns. */
  clock?: Clock;
  /** Per-provider circuit breaker; 5 consecutive failures open it for 30 s unless told otherwise. */
  breaker?: Partial<BreakerPolicy>;
  /** Time allowed per attempt: to the whole answer, or for a stream to its first chunk. None by default. */
  attemptTimeoutMs?: number;
  /** What a Retry-After holds back: the whole provider (default) or only the model that answered it. */
  retryAfterScope?: 'provider' | 'model';
  /** Longest Retry-After honoured; 10 minutes by default. */
  maxRetryAfterMs?: number;
  /** Whether a failure moves on to the next link; see {@link shouldFallBack} for the default. */
  shouldFallBack?: (error: ProviderError) => boolean;
}

/** Per-call options of the router. */
export interface RouteOptions {
  /** Aborts the attempt in flight and every later one; the router then rethrows the abort reason. */
  signal?: AbortSignal;
}

/** What {@link FallbackRouter.run}'s attempt function receives. */
export interface AttemptContext<A extends ChatAdapter = ChatAdapter> {
  target: ProviderModel;
  adapter: A;
  /** Aborted by the caller's signal and by the attempt timeout; keep using it for a body read later. */
  signal: AbortSignal;
}

/** A value obtained through the chain, with its record. */
export interface Routed<T> {
  value: T;
  record: RoutingRecord;
  /**
   * Reports that the serving link failed after all (a stream cut after its first chunk): recorded on the
   * attempt and counted by the provider's breaker.
   */
  reportFailure(error: unknown): void;
}

const STATUSES_OF_ONE_PROVIDER = new Set([401, 403, 404]);

/**
 * The default fallback decision: move on for rate limits, server errors, timeouts, connection failures
 * and malformed answers (everything `retryable`), and for 401/403/404, which concern this provider's key
 * or model rather than the request. Other invalid requests stop: they would fail everywhere.
 */
export function shouldFallBack(error: ProviderError): boolean {
  return error.retryable || (error.status !== undefined && STATUSES_OF_ONE_PROVIDER.has(error.status));
}

/**
 * Runs a request through a fallback chain of `{ provider, model }`: on rate limits, server errors,
 * timeouts and connection failures it tries the next link; on an invalid request it stops. A provider
 * that answered with Retry-After is skipped until then; a per-provider circuit breaker skips a provider
 * after consecutive failures, then lets one probe through after its cooldown. A stream falls back only
 * before its first chunk: after that, a failure is the caller's.
 *
 * @example
 * ```ts
 * const router = new FallbackRouter({
 *   adapters: { openai: openAiChatAdapter({ baseUrl, apiKey }), anthropic: anthropicMessagesAdapter({ baseUrl: aBase, apiKey: aKey }) },
 *   attemptTimeoutMs: 20_000,
 * });
 * const rendered = renderAiConfig(config, { question });
 * const { result, record } = await router.chat(rendered.chain, rendered);
 * // record: { assigned, served, fallbackUsed, attempts: [{ provider, model, outcome, error?, latencyMs }], latencyMs }
 * ```
 */
export class FallbackRouter<A extends ChatAdapter = ChatAdapter> {
  private readonly clock: Clock;
  private readonly policy: BreakerPolicy;
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Retry-After: target key → epoch ms before which it is skipped. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly options: FallbackRouterOptions<A>) {
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_BREAKER_POLICY, ...options.breaker };
  }

  /** One request answered whole, through the chain. Throws {@link RoutingError}, or the abort reason. */
  async chat(
    chain: readonly ProviderModel[],
    input: ChatInput,
    options: RouteOptions = {},
  ): Promise<{ result: ChatResult; record: RoutingRecord }> {
    const routed = await this.run(
      chain,
      ({ target, adapter, signal }) => adapter.chat({ ...input, model: target.model }, { signal }),
      options,
    );
    return { result: routed.value, record: routed.record };
  }

  /**
   * One request streamed, through the chain: resolves once a link delivered its first chunk (links that
   * failed before theirs were fallen back from). The record's latency and time to first token are set
   * when the stream ends.
   */
  async stream(
    chain: readonly ProviderModel[],
    input: ChatInput,
    options: RouteOptions = {},
  ): Promise<{ stream: ChatStream; record: RoutingRecord }> {
    const startedAt = this.clock.now();
    const routed = await this.run(
      chain,
      async ({ target, adapter, signal }) => {
        const stream = await adapter.stream({ ...input, model: target.model }, { signal });
        const iterator = stream[Symbol.asyncIterator]();
        try {
          return { raw: stream.raw, iterator, first: await iterator.next() };
        } catch (error) {
          await iterator.return?.();
          throw error;
        }
      },
      options,
    );
    const { iterator, first, raw } = routed.value;
    const { record } = routed;
    const clock = this.clock;
    let outer: ChatStream | undefined;
    async function* chunks(): AsyncGenerator<ChatChunk> {
      let ended = false;
      try {
        if (!first.done) yield first.value;
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          yield next.value;
        }
        ended = true;
      } catch (error) {
        ended = true;
        routed.reportFailure(error);
        throw error;
      } finally {
        record.latencyMs = clock.now() - startedAt;
        if (outer?.ttftMs !== undefined) record.ttftMs = outer.ttftMs;
        if (!ended) await iterator.return?.();
      }
    }
    outer = new ChatStream(chunks(), { clock, startedAt, tools: input.tools, raw });
    return { stream: outer, record };
  }

  /**
   * The chain machinery for any kind of call (the gateway forwards raw requests with it): calls
   * `attempt` for each link until one resolves. An attempt fails by throwing a {@link ProviderError};
   * anything else thrown is rethrown as it is, without fallback.
   *
   * @example
   * ```ts
   * const router = new FallbackRouter<WireAdapter>({ adapters: { openai, vllm }, attemptTimeoutMs: 10_000 });
   * const routed = await router.run(chain, async ({ target, adapter, signal }) => {
   *   const response = await adapter.send({ ...body, model: target.model }, { signal });
   *   if (!response.ok) throw response.error; // tried before the first token: falls back
   *   return response;
   * });
   * void routed.value.metrics.then((m) => m.error && routed.reportFailure(m.error));
   * ```
   */
  async run<T>(
    chain: readonly ProviderModel[],
    attempt: (context: AttemptContext<A>) => Promise<T>,
    options: RouteOptions = {},
  ): Promise<Routed<T>> {
    const { signal } = options;
    const startedAt = this.clock.now();
    const assigned = chain[0];
    const record: RoutingRecord = {
      assigned: assigned === undefined ? { provider: '', model: '' } : { ...assigned },
      served: undefined,
      fallbackUsed: false,
      attempts: [],
      latencyMs: 0,
    };
    if (assigned === undefined)
      throw this.failure('the chain is empty', GenerationErrorKind.InvalidRequest, record, undefined, chain);
    signal?.throwIfAborted();
    let lastError: ProviderError | undefined;
    for (const target of chain) {
      const now = this.clock.now();
      const skipped = (reason: SkipReason) =>
        record.attempts.push({
          provider: target.provider,
          model: target.model,
          outcome: 'skipped',
          skipped: reason,
          latencyMs: 0,
        });
      const adapter = this.adapterFor(target.provider);
      if (adapter === undefined) {
        skipped('no-adapter');
        continue;
      }
      if ((this.blockedUntil.get(this.blockKey(target)) ?? 0) > now) {
        skipped('retry-after');
        continue;
      }
      const breaker = this.breakerFor(target.provider);
      if (!breaker.tryAcquire(now)) {
        skipped('circuit-open');
        continue;
      }
      const entry: RoutingAttempt = {
        provider: target.provider,
        model: target.model,
        outcome: 'ok',
        latencyMs: 0,
      };
      record.attempts.push(entry);
      try {
        const value = await this.attemptOnce(
          attempt,
          { provider: target.provider, model: target.model },
          adapter,
          signal,
        );
        const end = this.clock.now();
        entry.latencyMs = end - now;
        breaker.recordSuccess();
        record.served = { provider: target.provider, model: target.model };
        record.fallbackUsed = target.provider !== assigned.provider || target.model !== assigned.model;
        record.latencyMs = end - startedAt;
        return { value, record, reportFailure: (error) => this.lateFailure(error, target, entry, record) };
      } catch (error) {
        entry.latencyMs = this.clock.now() - now;
        record.latencyMs = this.clock.now() - startedAt;
        if (signal?.aborted || !(error instanceof ProviderError)) {
          breaker.recordNeutral();
          entry.outcome = signal?.aborted ? 'aborted' : 'error';
          if (entry.outcome === 'error') entry.error = GenerationErrorKind.Other;
          throw signal?.aborted ? signal.reason : error;
        }
        lastError = error;
        entry.outcome = 'error';
        entry.error = error.kind;
        if (error.status !== undefined) entry.status = error.status;
        const fallBack = (this.options.shouldFallBack ?? shouldFallBack)(error);
        if (!fallBack) {
          breaker.recordNeutral();
          throw this.failure(error.message, error.kind, record, error, chain);
        }
        breaker.recordFailure(this.clock.now());
        if (error.retryAfterMs !== undefined && error.retryAfterMs > 0) {
          const wait = Math.min(error.retryAfterMs, this.options.maxRetryAfterMs ?? 600_000);
          this.blockedUntil.set(this.blockKey(target), this.clock.now() + wait);
        }
      }
    }
    const kind =
      lastError?.kind ??
      (record.attempts.some((a) => a.skipped === 'retry-after')
        ? GenerationErrorKind.RateLimit
        : record.attempts.some((a) => a.skipped === 'circuit-open')
          ? GenerationErrorKind.Server
          : GenerationErrorKind.Other);
    const tried = record.attempts
      .map((a) => `${a.provider}/${a.model}: ${a.error ?? a.skipped ?? a.outcome}`)
      .join(', ');
    throw this.failure(`no link of the chain answered (${tried})`, kind, record, lastError, chain);
  }

  /** The breaker state of a provider now. */
  breakerState(provider: string): BreakerState {
    return this.breakerFor(provider).state(this.clock.now());
  }

  private async attemptOnce<T>(
    attempt: (context: AttemptContext<A>) => Promise<T>,
    target: ProviderModel,
    adapter: A,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const controller = new AbortController();
    const stopTimer = new AbortController();
    // The caller's abort reaches the attempt, and a body read after it resolves (hence never unlinked on success).
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const interrupted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    interrupted.catch(() => {});
    const timeoutMs = this.options.attemptTimeoutMs;
    if (timeoutMs !== undefined) {
      this.clock.sleep(timeoutMs, stopTimer.signal).then(
        () =>
          controller.abort(
            new ProviderError(`${target.provider}/${target.model}: no answer within ${timeoutMs} ms`, {
              kind: GenerationErrorKind.Timeout,
              provider: target.provider,
            }),
          ),
        () => {},
      );
    }
    const pending = attempt({ target, adapter, signal: controller.signal });
    // An attempt that ignores its signal still loses the race; its late outcome is dropped.
    pending.catch(() => {});
    try {
      return await Promise.race([pending, interrupted]);
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      // Whatever the attempt threw once its timeout fired (an AbortError, say), the failure is the timeout.
      throw reason instanceof ProviderError && !signal?.aborted ? reason : error;
    } finally {
      // With a reason: aborting without one builds a DOMException, stack trace included, every attempt.
      stopTimer.abort(ATTEMPT_SETTLED);
    }
  }

  private lateFailure(
    error: unknown,
    target: ProviderModel,
    entry: RoutingAttempt,
    record: RoutingRecord,
  ): void {
    if (!(error instanceof ProviderError)) return;
    entry.outcome = 'error';
    entry.error = error.kind;
    if (error.status !== undefined) entry.status = error.status;
    record.error = error.kind;
    if ((this.options.shouldFallBack ?? shouldFallBack)(error))
      this.breakerFor(target.provider).recordFailure(this.clock.now());
  }

  private failure(
    message: string,
    kind: GenerationErrorKind,
    record: RoutingRecord,
    lastError: ProviderError | undefined,
    chain: readonly ProviderModel[],
  ): RoutingError {
    record.error = kind;
    const now = this.clock.now();
    const waits = chain.map((target) =>
      Math.max(
        (this.blockedUntil.get(this.blockKey(target)) ?? now) - now,
        (this.breakers.get(target.provider)?.reopensAt(now) ?? now) - now,
      ),
    );
    const soonest = waits.length === 0 ? 0 : Math.min(...waits);
    return new RoutingError(message, kind, record, lastError, soonest > 0 ? soonest : undefined);
  }

  private adapterFor(provider: string): A | undefined {
    const { adapters } = this.options;
    return typeof adapters === 'function'
      ? adapters(provider)
      : Object.hasOwn(adapters, provider)
        ? adapters[provider]
        : undefined;
  }

  private breakerFor(provider: string): CircuitBreaker {
    let breaker = this.breakers.get(provider);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(this.policy);
      this.breakers.set(provider, breaker);
    }
    return breaker;
  }

  private blockKey(target: ProviderModel): string {
    return this.options.retryAfterScope === 'model'
      ? `${target.provider}\u0000${target.model}`
      : target.provider;
  }
}
