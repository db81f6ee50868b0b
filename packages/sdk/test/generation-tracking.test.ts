import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { estimateTokens } from '@switchboard/llm';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '@switchboard/llm/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ResolvedAiConfig,
  type SwitchboardClient,
  toAnthropicMessageParams,
  toOpenAiChatParams,
} from '../src/index.js';
import { Anthropic, API_KEY, eventually, OpenAI, offlineClient, queuedOf } from './ai-fixtures.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: API_KEY });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const clients: SwitchboardClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const QUESTION = 'Where is my order?';
const VARIABLES = { product: 'Acme', plan: { name: 'Pro' }, question: QUESTION };
const SYSTEM = 'You support Acme customers on the Pro plan.';
const ANSWER = fakeAnswer(QUESTION);

const openai = () => new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: API_KEY, maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: fake.url, apiKey: API_KEY, maxRetries: 0 });

async function setup(
  unit = 'control-user',
): Promise<{ client: SwitchboardClient; config: ResolvedAiConfig }> {
  const client = offlineClient(clients);
  await client.ready({ timeoutMs: 200 });
  return { client, config: client.aiConfig('support-bot', { targetingKey: unit }, { variables: VARIABLES }) };
}

const generations = (client: SwitchboardClient) => queuedOf(client, 'generation');

/** A local port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('tracking calls of the official openai client', () => {
  it('measures a completion, reads its tokens, and hands back the same object', async () => {
    const { client, config } = await setup();
    let inner: unknown;
    const completion = await config.tracker.track(async (signal) => {
      inner = await openai().chat.completions.create(toOpenAiChatParams(config), { signal });
      return inner as OpenAI.ChatCompletion;
    });
    expect(completion).toBe(inner);
    expect(completion.choices[0]?.message.content).toBe(ANSWER);
    const [generation] = generations(client);
    expect(generation).toEqual({
      kind: 'generation',
      flag: 'support-bot',
      variant: 'control',
      unit: 'control-user',
      generationId: config.tracker.lastGenerationId,
      provider: 'openai',
      model: 'gpt-4o',
      fallbackUsed: false,
      latencyMs: expect.any(Number),
      inputTokens: completion.usage?.prompt_tokens,
      outputTokens: completion.usage?.completion_tokens,
    });
    expect(generation?.inputTokens).toBe(estimateTokens(SYSTEM) + estimateTokens(QUESTION));
    expect(generation?.latencyMs).toBeGreaterThan(0);
    // The request carried the configuration: system prompt, params, tools.
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: QUESTION },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 200,
      stop: ['END'],
    });
  });

  it('measures a stream as the caller reads it: time to first token, latency at its end, usage', async () => {
    const { client, config } = await setup();
    fake.script({ kind: 'slow-first-token', delayMs: 80 });
    const stream = await config.tracker.track((signal) =>
      openai().chat.completions.create(toOpenAiChatParams(config, { stream: true }), { signal }),
    );
    // Nothing is sent before the caller has read the stream to its end.
    expect(generations(client)).toEqual([]);
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(ANSWER);
    const [generation] = generations(client);
    expect(generation).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: usage?.prompt_tokens,
      outputTokens: usage?.completion_tokens,
    });
    expect(generation?.outputTokens).toBe(estimateTokens(ANSWER));
    const { ttftMs, latencyMs } = generation as { ttftMs: number; latencyMs: number };
    expect(ttftMs).toBeGreaterThanOrEqual(75);
    expect(ttftMs).toBeLessThanOrEqual(latencyMs);
  });

  it('measures the stream helper (chat.completions.stream) however it is read', async () => {
    const { client, config } = await setup();
    fake.script({ kind: 'slow-first-token', delayMs: 40 });
    const stream = await config.tracker.track(async (signal) =>
      openai().chat.completions.stream(toOpenAiChatParams(config, { stream: true }), { signal }),
    );
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe(ANSWER);
    await eventually(() => generations(client).length === 1);
    const [generation] = generations(client);
    expect(generation).toMatchObject({
      outputTokens: estimateTokens(ANSWER),
      inputTokens: expect.any(Number),
    });
    expect(generation?.ttftMs as number).toBeGreaterThanOrEqual(35);
    expect(generation?.ttftMs as number).toBeLessThanOrEqual(generation?.latencyMs as number);
  });

  it('classifies failures by kind and rejects with the error itself', async () => {
    const { client, config } = await setup();
    const cases: [Parameters<FakeProvider['script']>[0], string][] = [
      [{ kind: 'rate-limit', retryAfter: '3' }, 'rate_limit'],
      [{ kind: 'server-error' }, 'server'],
      [{ kind: 'bad-request' }, 'invalid_request'],
      [{ kind: 'overloaded' }, 'rate_limit'],
    ];
    for (const [fault, kind] of cases) {
      fake.script(fault);
      let inner: unknown;
      const outer = await config.tracker
        .track(async (signal) => {
          try {
            return await openai().chat.completions.create(toOpenAiChatParams(config), { signal });
          } catch (error) {
            inner = error;
            throw error;
          }
        })
        .catch((error: unknown) => error);
      expect(outer).toBeInstanceOf(OpenAI.APIError);
      expect(outer).toBe(inner);
      expect(generations(client).at(-1)).toMatchObject({ error: kind, provider: 'openai' });
    }
    expect(generations(client)).toHaveLength(cases.length);
  });

  it('classifies an error event inside a stream, a refused connection and timeouts', async () => {
    const { client, config } = await setup();
    fake.script({ kind: 'sse-error', afterChunks: 1, errorType: 'server_error' });
    const stream = await config.tracker.track((signal) =>
      openai().chat.completions.create(toOpenAiChatParams(config, { stream: true }), { signal }),
    );
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(generations(client).at(-1)).toMatchObject({ error: 'server', ttftMs: expect.any(Number) });

    const refused = new OpenAI({
      baseURL: `http://127.0.0.1:${await closedPort()}/v1`,
      apiKey: API_KEY,
      maxRetries: 0,
    });
    await expect(
      config.tracker.track((signal) =>
        refused.chat.completions.create(toOpenAiChatParams(config), { signal }),
      ),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(generations(client).at(-1)).toMatchObject({ error: 'connection' });

    fake.script({ kind: 'slow-response', delayMs: 2_000 });
    const impatient = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: API_KEY, maxRetries: 0, timeout: 50 });
    await expect(
      config.tracker.track((signal) =>
        impatient.chat.completions.create(toOpenAiChatParams(config), { signal }),
      ),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(generations(client).at(-1)).toMatchObject({ error: 'timeout' });

    // A timeout of the caller's own, given to track(): the call sees it through the signal it is handed.
    fake.script({ kind: 'slow-response', delayMs: 2_000 });
    await expect(
      config.tracker.track(
        (signal) => openai().chat.completions.create(toOpenAiChatParams(config), { signal }),
        { signal: AbortSignal.timeout(50) },
      ),
    ).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(generations(client).at(-1)).toMatchObject({ error: 'timeout' });

    // A caller's plain abort is not the variant's failure, but it is recorded (its latency counts) as `other`.
    const controller = new AbortController();
    fake.script({ kind: 'slow-response', delayMs: 2_000 });
    const cancelled = config.tracker.track(
      (signal) => openai().chat.completions.create(toOpenAiChatParams(config), { signal }),
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 30);
    await expect(cancelled).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(generations(client).at(-1)).toMatchObject({ error: 'other' });
    expect(generations(client)).toHaveLength(5);
  });
});

describe('tracking calls of the official anthropic client', () => {
  it('measures a message and reads its tokens', async () => {
    const { client, config } = await setup('beta-user');
    expect(config.variant).toBe('candidate');
    const message = await config.tracker.track((signal) =>
      anthropic().messages.create(toAnthropicMessageParams(config), { signal }),
    );
    expect(message.content).toEqual([{ type: 'text', text: ANSWER }]);
    expect(generations(client)).toEqual([
      {
        kind: 'generation',
        flag: 'support-bot',
        variant: 'candidate',
        unit: 'beta-user',
        generationId: config.tracker.lastGenerationId,
        provider: 'anthropic',
        model: 'claude-sonnet-4-6',
        fallbackUsed: false,
        latencyMs: expect.any(Number),
        inputTokens: message.usage.input_tokens,
        outputTokens: message.usage.output_tokens,
      },
    ]);
    expect(fake.requests[0]?.body).toMatchObject({
      system: 'You are a concise assistant for Acme.',
      messages: [{ role: 'user', content: QUESTION }],
      max_tokens: 300,
      temperature: 0.7,
    });
  });

  it('measures a raw event stream (create with stream: true) from message_start and message_delta', async () => {
    const { client, config } = await setup('beta-user');
    fake.script({ kind: 'slow-first-token', delayMs: 60 });
    const stream = await config.tracker.track((signal) =>
      anthropic().messages.create(toAnthropicMessageParams(config, { stream: true }), { signal }),
    );
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe(ANSWER);
    const [generation] = generations(client);
    expect(generation).toMatchObject({
      provider: 'anthropic',
      inputTokens: estimateTokens('You are a concise assistant for Acme.') + estimateTokens(QUESTION),
      outputTokens: estimateTokens(ANSWER),
    });
    expect(generation?.ttftMs as number).toBeGreaterThanOrEqual(55);
    expect(generation?.ttftMs as number).toBeLessThanOrEqual(generation?.latencyMs as number);
  });

  it('measures a MessageStream read through its events and final message', async () => {
    const { client, config } = await setup('beta-user');
    fake.script({ kind: 'slow-first-token', delayMs: 40 });
    const stream = await config.tracker.track(async (signal) =>
      anthropic().messages.stream(toAnthropicMessageParams(config), { signal }),
    );
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe(ANSWER);
    await eventually(() => generations(client).length === 1);
    const [generation] = generations(client);
    expect(generation).toMatchObject({
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
    });
    expect(generation?.ttftMs as number).toBeGreaterThanOrEqual(35);
    expect(generation?.ttftMs as number).toBeLessThanOrEqual(generation?.latencyMs as number);
  });

  it('classifies a MessageStream that failed, and leaves its error to the caller', async () => {
    const { client, config } = await setup('beta-user');
    fake.script({ kind: 'rate-limit', retryAfter: '1' });
    const stream = await config.tracker.track(async (signal) =>
      anthropic().messages.stream(toAnthropicMessageParams(config), { signal }),
    );
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await eventually(() => generations(client).length === 1);
    expect(generations(client)[0]).toMatchObject({ error: 'rate_limit', provider: 'anthropic' });
  });
});

describe('the tracker', () => {
  it('records the fallback that served, feedback on the last generation, and generations reported by hand', async () => {
    const { client, config } = await setup();
    fake.script({ kind: 'rate-limit', model: 'gpt-4o' });
    const answer = await config.tracker.track(async (signal, generation) => {
      try {
        return await openai().chat.completions.create(toOpenAiChatParams(config), { signal });
      } catch {
        const [, fallback] = config.chain;
        if (fallback === undefined) throw new Error('no fallback');
        generation.servedBy(fallback);
        const message = await anthropic().messages.create(
          toAnthropicMessageParams({ ...config, model: fallback.model }),
          { signal },
        );
        return message;
      }
    });
    expect(answer).toMatchObject({ type: 'message' });
    const id = config.tracker.lastGenerationId;
    config.tracker.feedback({ thumbs: 'down' });
    config.tracker.feedback({ score: 0.25, generationId: 'earlier', source: 'judge' });
    const manual = config.tracker.trackGeneration({
      latencyMs: 42,
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.01,
    });
    expect(generations(client)).toEqual([
      expect.objectContaining({
        provider: 'anthropic',
        model: 'claude-sonnet-4-6',
        fallbackUsed: true,
        generationId: id,
        inputTokens: expect.any(Number),
      }),
      {
        kind: 'generation',
        flag: 'support-bot',
        variant: 'control',
        unit: 'control-user',
        generationId: manual,
        provider: 'openai',
        model: 'gpt-4o',
        fallbackUsed: false,
        latencyMs: 42,
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0.01,
      },
    ]);
    expect(queuedOf(client, 'feedback')).toEqual([
      {
        kind: 'feedback',
        flag: 'support-bot',
        variant: 'control',
        unit: 'control-user',
        generationId: id,
        thumbs: 'down',
      },
      {
        kind: 'feedback',
        flag: 'support-bot',
        variant: 'control',
        unit: 'control-user',
        generationId: 'earlier',
        score: 0.25,
        source: 'judge',
      },
    ]);
    expect(client.eventStats().invalid).toBe(0);
  });

  it('takes a generation id of the caller and watches any async iterable', async () => {
    const { client, config } = await setup();
    async function* chunks() {
      yield 'Hello';
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 12, outputTokens: 3 },
        model: 'gpt-4o',
      };
    }
    const source = chunks();
    const stream = await config.tracker.track(() => source, { generationId: 'message-7' });
    expect(stream).toBe(source);
    const seen: unknown[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(seen).toHaveLength(2);
    expect(generations(client)).toEqual([
      expect.objectContaining({
        generationId: 'message-7',
        inputTokens: 12,
        outputTokens: 3,
        ttftMs: expect.any(Number),
      }),
    ]);
    // A caller who stops reading early ends the generation there.
    const early = await config.tracker.track(() => chunks());
    for await (const _ of early) break;
    expect(generations(client)).toHaveLength(2);
    expect(generations(client)[1]).not.toHaveProperty('outputTokens');
  });

  it('sends nothing for a configuration no variant was assigned, and still passes results through', async () => {
    const { client } = await setup();
    const config = client.aiConfig(
      'nope',
      { targetingKey: 'u' },
      { defaultConfig: { provider: 'openai', model: 'gpt-4o' } },
    );
    const result = await config.tracker.track(async () => 'ok');
    expect(result).toBe('ok');
    await expect(
      config.tracker.track(() => {
        throw new RangeError('sync');
      }),
    ).rejects.toBeInstanceOf(RangeError);
    config.tracker.feedback({ thumbs: 'up' });
    expect(generations(client)).toEqual([]);
    expect(queuedOf(client, 'feedback')).toEqual([]);
    expect(client.eventStats().invalid).toBe(0);
  });
});
