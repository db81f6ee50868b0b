import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicMessagesAdapter,
  type ChatAdapter,
  type ChatChunk,
  type ChatRequest,
  ChatStream,
  FallbackRouter,
  generationFields,
  openAiChatAdapter,
  ProviderError,
  type ProviderModel,
  RoutingError,
  type WireAdapter,
} from '../src/index.js';
import { type FakeProvider, fakeAnswer, ManualClock, startFakeProvider } from '../src/testing/index.js';

type Behaviour =
  | 'ok'
  | 'hang'
  | ProviderError
  | { failBeforeFirstChunk: ProviderError }
  | { failAfterFirstChunk: ProviderError };

/** An in-memory adapter that plays a queue of behaviours, one per call ('ok' once the queue is empty). */
function stub(
  provider: string,
  clock: ManualClock,
  ...behaviours: Behaviour[]
): ChatAdapter & { calls: ChatRequest[] } {
  const calls: ChatRequest[] = [];
  const next = (request: ChatRequest, signal: AbortSignal | undefined) => {
    calls.push(request);
    const behaviour = behaviours.shift() ?? 'ok';
    if (behaviour instanceof ProviderError) return Promise.reject(behaviour);
    if (behaviour === 'hang') {
      return new Promise<never>((_, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason)),
      );
    }
    return Promise.resolve(behaviour);
  };
  return {
    provider,
    calls,
    async chat(request, options = {}) {
      await next(request, options.signal);
      return {
        model: request.model,
        text: `${provider}/${request.model}`,
        toolCalls: [],
        finishReason: 'stop',
        usage: { inputTokens: 3, outputTokens: 5 },
        raw: {},
      };
    },
    async stream(request, options = {}) {
      const behaviour = await next(request, options.signal);
      async function* chunks(): AsyncGenerator<ChatChunk> {
        if (typeof behaviour === 'object' && 'failBeforeFirstChunk' in behaviour)
          throw behaviour.failBeforeFirstChunk;
        yield { type: 'text', text: `${provider}/${request.model}` };
        if (typeof behaviour === 'object' && 'failAfterFirstChunk' in behaviour)
          throw behaviour.failAfterFirstChunk;
        yield {
          type: 'finish',
          finishReason: 'stop',
          usage: { inputTokens: 3, outputTokens: 5 },
          model: request.model,
        };
      }
      return new ChatStream(chunks(), { clock, startedAt: clock.now() });
    },
  };
}

const rateLimited = (retryAfterMs?: number) =>
  new ProviderError('429', {
    kind: 'rate_limit',
    status: 429,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
const serverError = () => new ProviderError('500', { kind: 'server', status: 500 });
const badRequest = () => new ProviderError('400', { kind: 'invalid_request', status: 400 });
const unauthorized = () => new ProviderError('401', { kind: 'invalid_request', status: 401 });

const CHAIN: ProviderModel[] = [
  { provider: 'openai', model: 'gpt-4o' },
  { provider: 'anthropic', model: 'claude-sonnet-4-6' },
  { provider: 'vllm', model: 'llama-3.3-70b' },
];
const INPUT = { messages: [{ role: 'user' as const, content: 'hi' }] };

async function routingError(promise: Promise<unknown>): Promise<RoutingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RoutingError);
  return error as RoutingError;
}

describe('FallbackRouter', () => {
  it('serves from the assigned link when it answers', async () => {
    const clock = new ManualClock();
    const router = new FallbackRouter({ adapters: { openai: stub('openai', clock) }, clock });
    const { result, record } = await router.chat(CHAIN, INPUT);
    expect(result.text).toBe('openai/gpt-4o');
    expect(record).toEqual({
      assigned: CHAIN[0],
      served: CHAIN[0],
      fallbackUsed: false,
      attempts: [{ provider: 'openai', model: 'gpt-4o', outcome: 'ok', latencyMs: 0 }],
      latencyMs: 0,
    });
  });

  it('falls back in order on rate limits and server errors, and records every attempt', async () => {
    const clock = new ManualClock();
    const adapters = {
      openai: stub('openai', clock, rateLimited()),
      anthropic: stub('anthropic', clock, serverError()),
      vllm: stub('vllm', clock),
    };
    const { result, record } = await new FallbackRouter({ adapters, clock }).chat(CHAIN, INPUT);
    expect(result.text).toBe('vllm/llama-3.3-70b');
    expect(adapters.anthropic.calls[0]?.model).toBe('claude-sonnet-4-6');
    expect(record.served).toEqual(CHAIN[2]);
    expect(record.fallbackUsed).toBe(true);
    expect(
      record.attempts.map(({ provider, outcome, error, status }) => ({ provider, outcome, error, status })),
    ).toEqual([
      { provider: 'openai', outcome: 'error', error: 'rate_limit', status: 429 },
      { provider: 'anthropic', outcome: 'error', error: 'server', status: 500 },
      { provider: 'vllm', outcome: 'ok', error: undefined, status: undefined },
    ]);
    expect(generationFields(record, result.usage)).toEqual({
      provider: 'vllm',
      model: 'llama-3.3-70b',
      fallbackUsed: true,
      latencyMs: 0,
      inputTokens: 3,
      outputTokens: 5,
    });
  });

  it('stops on an invalid request: it would fail everywhere', async () => {
    const clock = new ManualClock();
    const adapters = { openai: stub('openai', clock, badRequest()), anthropic: stub('anthropic', clock) };
    const error = await routingError(new FallbackRouter({ adapters, clock }).chat(CHAIN, INPUT));
    expect(error.kind).toBe('invalid_request');
    expect(error.lastError?.status).toBe(400);
    expect(adapters.anthropic.calls).toHaveLength(0);
    expect(error.record).toMatchObject({
      served: undefined,
      error: 'invalid_request',
      attempts: [{ outcome: 'error' }],
    });
    expect(generationFields(error.record)).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      error: 'invalid_request',
    });
  });

  it('falls back on 401/403/404, which concern one provider’s key or model', async () => {
    const clock = new ManualClock();
    const adapters = { openai: stub('openai', clock, unauthorized()), anthropic: stub('anthropic', clock) };
    const { record } = await new FallbackRouter({ adapters, clock }).chat(CHAIN, INPUT);
    expect(record.served?.provider).toBe('anthropic');
  });

  it('skips a provider until its Retry-After has passed', async () => {
    const clock = new ManualClock();
    const adapters = {
      openai: stub('openai', clock, rateLimited(10_000)),
      anthropic: stub('anthropic', clock),
    };
    const router = new FallbackRouter({ adapters, clock });
    await router.chat(CHAIN, INPUT);
    await clock.advance(9_999);
    const second = await router.chat(CHAIN, INPUT);
    expect(second.record.attempts[0]).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      outcome: 'skipped',
      skipped: 'retry-after',
      latencyMs: 0,
    });
    expect(second.record.served?.provider).toBe('anthropic');
    expect(adapters.openai.calls).toHaveLength(1);
    // Scope `provider` (the default): another model of the same provider waits too.
    const third = await router.chat(
      [{ provider: 'openai', model: 'gpt-4o-mini' }, CHAIN[1] as ProviderModel],
      INPUT,
    );
    expect(third.record.attempts[0]?.skipped).toBe('retry-after');
    await clock.advance(1);
    const fourth = await router.chat(CHAIN, INPUT);
    expect(fourth.record.served?.provider).toBe('openai');
  });

  it('scopes Retry-After to the model when told to', async () => {
    const clock = new ManualClock();
    const adapters = { openai: stub('openai', clock, rateLimited(10_000)) };
    const router = new FallbackRouter({ adapters, clock, retryAfterScope: 'model' });
    const { record } = await router.chat(
      [
        { provider: 'openai', model: 'gpt-4o' },
        { provider: 'openai', model: 'gpt-4o-mini' },
      ],
      INPUT,
    );
    expect(record.served).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    const again = await router.chat([{ provider: 'openai', model: 'gpt-4o-mini' }], INPUT);
    expect(again.record.attempts[0]?.outcome).toBe('ok');
  });

  it('opens a provider’s breaker after consecutive failures, then probes it once after the cooldown', async () => {
    const clock = new ManualClock();
    const openai = stub('openai', clock, serverError(), serverError(), serverError());
    const adapters = { openai, anthropic: stub('anthropic', clock) };
    const router = new FallbackRouter({
      adapters,
      clock,
      breaker: { failureThreshold: 2, cooldownMs: 30_000 },
    });
    await router.chat(CHAIN, INPUT);
    expect(router.breakerState('openai')).toBe('closed');
    await router.chat(CHAIN, INPUT);
    expect(router.breakerState('openai')).toBe('open');
    const skipped = await router.chat(CHAIN, INPUT);
    expect(skipped.record.attempts[0]).toMatchObject({ outcome: 'skipped', skipped: 'circuit-open' });
    expect(openai.calls).toHaveLength(2);

    await clock.advance(30_000);
    expect(router.breakerState('openai')).toBe('half-open');
    // The probe fails: open again for another cooldown.
    const probe = await router.chat(CHAIN, INPUT);
    expect(probe.record.attempts[0]).toMatchObject({ outcome: 'error', error: 'server' });
    expect(router.breakerState('openai')).toBe('open');

    await clock.advance(30_000);
    const healed = await router.chat(CHAIN, INPUT);
    expect(healed.record.served?.provider).toBe('openai');
    expect(router.breakerState('openai')).toBe('closed');
  });

  it('lets only one probe through while half-open', async () => {
    const clock = new ManualClock();
    const openai = stub('openai', clock, serverError(), 'hang');
    const router = new FallbackRouter({
      adapters: { openai, anthropic: stub('anthropic', clock) },
      clock,
      breaker: { failureThreshold: 1, cooldownMs: 1_000 },
    });
    await router.chat(CHAIN, INPUT);
    await clock.advance(1_000);
    const controller = new AbortController();
    const probing = router.chat(CHAIN, INPUT, { signal: controller.signal });
    const meanwhile = await router.chat(CHAIN, INPUT);
    expect(meanwhile.record.attempts[0]).toMatchObject({ skipped: 'circuit-open' });
    controller.abort();
    await expect(probing).rejects.toMatchObject({ name: 'AbortError' });
    // An aborted probe says nothing about the provider: the next call may probe.
    const next = await router.chat(CHAIN, INPUT);
    expect(next.record.served?.provider).toBe('openai');
  });

  it('times an attempt out and moves on', async () => {
    const clock = new ManualClock();
    const adapters = { openai: stub('openai', clock, 'hang'), anthropic: stub('anthropic', clock) };
    const router = new FallbackRouter({ adapters, clock, attemptTimeoutMs: 5_000 });
    const pending = router.chat(CHAIN, INPUT);
    await clock.advance(5_000);
    const { record } = await pending;
    expect(record.attempts).toEqual([
      { provider: 'openai', model: 'gpt-4o', outcome: 'error', error: 'timeout', latencyMs: 5_000 },
      { provider: 'anthropic', model: 'claude-sonnet-4-6', outcome: 'ok', latencyMs: 0 },
    ]);
    expect(record.latencyMs).toBe(5_000);
    expect(clock.pending).toBe(0);
  });

  it('aborts everything when the caller aborts', async () => {
    const clock = new ManualClock();
    const adapters = { openai: stub('openai', clock, 'hang'), anthropic: stub('anthropic', clock) };
    const router = new FallbackRouter({ adapters, clock, attemptTimeoutMs: 5_000 });
    const controller = new AbortController();
    const pending = router.chat(CHAIN, INPUT, { signal: controller.signal });
    controller.abort(new Error('user went away'));
    await expect(pending).rejects.toThrow('user went away');
    expect(adapters.anthropic.calls).toHaveLength(0);
    await expect(router.chat(CHAIN, INPUT, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(clock.pending).toBe(0);
  });

  it('fails with every attempt recorded and when a link frees up', async () => {
    const clock = new ManualClock();
    const adapters = {
      openai: stub('openai', clock, rateLimited(20_000)),
      anthropic: stub('anthropic', clock, rateLimited(5_000)),
    };
    const router = new FallbackRouter({ adapters, clock });
    const chain = CHAIN.slice(0, 2);
    const error = await routingError(router.chat(chain, INPUT));
    expect(error.kind).toBe('rate_limit');
    expect(error.retryAfterMs).toBe(5_000);
    expect(error.record.attempts.map((a) => a.outcome)).toEqual(['error', 'error']);
    const again = await routingError(router.chat(chain, INPUT));
    expect(again.record.attempts.map((a) => a.skipped)).toEqual(['retry-after', 'retry-after']);
    expect(again).toMatchObject({ kind: 'rate_limit', retryAfterMs: 5_000 });
  });

  it('skips a provider it has no adapter for', async () => {
    const clock = new ManualClock();
    const { record } = await new FallbackRouter({ adapters: { vllm: stub('vllm', clock) }, clock }).chat(
      CHAIN,
      INPUT,
    );
    expect(record.attempts.map((a) => a.skipped ?? a.outcome)).toEqual(['no-adapter', 'no-adapter', 'ok']);
  });

  describe('streams', () => {
    it('falls back when a stream fails before its first chunk', async () => {
      const clock = new ManualClock();
      const adapters = {
        openai: stub('openai', clock, rateLimited()),
        anthropic: stub('anthropic', clock, { failBeforeFirstChunk: serverError() }),
        vllm: stub('vllm', clock),
      };
      const { stream, record } = await new FallbackRouter({ adapters, clock }).stream(CHAIN, INPUT);
      const result = await stream.result();
      expect(result.text).toBe('vllm/llama-3.3-70b');
      expect(record.attempts.map((a) => a.error ?? a.outcome)).toEqual(['rate_limit', 'server', 'ok']);
      expect(record.fallbackUsed).toBe(true);
    });

    it('hands a failure after the first chunk to the caller, recorded on the serving attempt', async () => {
      const clock = new ManualClock();
      const failure = serverError();
      const adapters = {
        openai: stub('openai', clock, { failAfterFirstChunk: failure }),
        anthropic: stub('anthropic', clock),
      };
      const router = new FallbackRouter({ adapters, clock, breaker: { failureThreshold: 1 } });
      const { stream, record } = await router.stream(CHAIN, INPUT);
      const seen: string[] = [];
      await expect(
        (async () => {
          for await (const chunk of stream) if (chunk.type === 'text') seen.push(chunk.text);
        })(),
      ).rejects.toBe(failure);
      expect(seen).toEqual(['openai/gpt-4o']);
      expect(adapters.anthropic.calls).toHaveLength(0);
      expect(record).toMatchObject({
        served: CHAIN[0],
        error: 'server',
        attempts: [{ outcome: 'error', error: 'server' }],
      });
      expect(router.breakerState('openai')).toBe('open');
    });

    it('measures the time to first token across fallbacks', async () => {
      const clock = new ManualClock();
      const adapters = { openai: stub('openai', clock, 'hang'), anthropic: stub('anthropic', clock) };
      const pending = new FallbackRouter({ adapters, clock, attemptTimeoutMs: 2_000 }).stream(CHAIN, INPUT);
      await clock.advance(2_000);
      const { stream, record } = await pending;
      await stream.result();
      expect(stream.ttftMs).toBe(2_000);
      expect(record).toMatchObject({ ttftMs: 2_000, latencyMs: 2_000, served: CHAIN[1] });
    });
  });
});

describe('FallbackRouter with real adapters against the fake provider', () => {
  let fake: FakeProvider;
  beforeAll(async () => {
    fake = await startFakeProvider();
  });
  afterAll(() => fake.close());

  it('falls back from a rate-limited OpenAI model to Anthropic, streamed', async () => {
    fake.script({ kind: 'rate-limit', retryAfter: '30', model: 'gpt-4o' });
    const router = new FallbackRouter({
      adapters: {
        openai: openAiChatAdapter({ baseUrl: `${fake.url}/v1`, apiKey: 'k' }),
        anthropic: anthropicMessagesAdapter({ baseUrl: fake.url, apiKey: 'k' }),
      },
    });
    const chain = CHAIN.slice(0, 2);
    const { stream, record } = await router.stream(chain, {
      messages: [{ role: 'user', content: 'route me' }],
    });
    const result = await stream.result();
    expect(result.text).toBe(fakeAnswer('route me'));
    expect(record).toMatchObject({
      assigned: chain[0],
      served: chain[1],
      fallbackUsed: true,
      attempts: [
        { provider: 'openai', outcome: 'error', error: 'rate_limit', status: 429 },
        { provider: 'anthropic', outcome: 'ok' },
      ],
    });
    expect(record.ttftMs).toBeDefined();
    const next = await router.chat(chain, { messages: [{ role: 'user', content: 'again' }] });
    expect(next.record.attempts[0]).toMatchObject({ skipped: 'retry-after' });
  });

  it('forwards raw requests through the chain (the gateway’s passthrough), falling back before the first token', async () => {
    fake.script({ kind: 'sse-error', afterChunks: 0, model: 'gpt-4o' });
    fake.script({ kind: 'stream-cut', afterChunks: 2, model: 'llama-3.3-70b' });
    const router = new FallbackRouter<WireAdapter>({
      adapters: {
        openai: openAiChatAdapter({ baseUrl: `${fake.url}/v1`, apiKey: 'k' }),
        vllm: openAiChatAdapter({ baseUrl: `${fake.url}/v1`, provider: 'vllm' }),
      },
      breaker: { failureThreshold: 1 },
    });
    const body = { model: 'client-model', messages: [{ role: 'user', content: 'forward me' }], stream: true };
    const chain = [CHAIN[0], CHAIN[2]] as ProviderModel[];
    const routed = await router.run(chain, async ({ target, adapter, signal }) => {
      const response = await adapter.send({ ...body, model: target.model }, { signal });
      if (!response.ok) throw response.error;
      return response;
    });
    expect(routed.record).toMatchObject({
      served: CHAIN[2],
      fallbackUsed: true,
      attempts: [{ error: 'server' }, { outcome: 'ok' }],
    });
    await expect(new Response(routed.value.body).text()).rejects.toThrow();
    const metrics = await routed.value.metrics;
    expect(metrics.error?.kind).toBe('connection');
    if (metrics.error) routed.reportFailure(metrics.error);
    expect(routed.record.attempts[1]).toMatchObject({ outcome: 'error', error: 'connection' });
    expect(router.breakerState('vllm')).toBe('open');
  });
});
