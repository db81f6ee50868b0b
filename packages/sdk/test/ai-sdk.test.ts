import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { estimateTokens } from '@switchboard/llm';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '@switchboard/llm/testing';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NoModelForConfigError, switchboardMiddleware, switchboardModel } from '../src/ai-sdk/index.js';
import type { SwitchboardClient } from '../src/index.js';
import { API_KEY, eventually, offlineClient, queuedOf } from './ai-fixtures.js';

// The AI SDK logs its warnings (Anthropic ignores topP beside temperature) to the console.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

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
const ANSWER = fakeAnswer(QUESTION);
const VARIABLES = { product: 'Acme', plan: { name: 'Pro' } };
const openai = () => createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: API_KEY });
const anthropic = () => createAnthropic({ baseURL: `${fake.url}/v1`, apiKey: API_KEY });

async function readyClient(): Promise<SwitchboardClient> {
  const client = offlineClient(clients);
  await client.ready({ timeoutMs: 200 });
  return client;
}

const generations = (client: SwitchboardClient) => queuedOf(client, 'generation');

describe('switchboardMiddleware', () => {
  it("applies the flag's settings and system prompt to generateText and tracks the call", async () => {
    const client = await readyClient();
    const model = wrapLanguageModel({
      model: openai().chat('gpt-4o'),
      middleware: switchboardMiddleware({ client, flag: 'support-bot', variables: VARIABLES }),
    });
    const result = await generateText({
      model,
      system: 'The app system prompt, replaced by the flag',
      prompt: QUESTION,
      temperature: 1,
      maxRetries: 0,
      providerOptions: { switchboard: { context: { targetingKey: 'control-user' } } },
    });
    expect(result.text).toBe(ANSWER);
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You support Acme customers on the Pro plan.' },
        { role: 'user', content: QUESTION },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 200,
      stop: ['END'],
    });
    const [generation] = generations(client);
    expect(generation).toEqual({
      kind: 'generation',
      flag: 'support-bot',
      variant: 'control',
      unit: 'control-user',
      generationId: expect.any(String),
      provider: 'openai',
      model: 'gpt-4o',
      fallbackUsed: false,
      latencyMs: expect.any(Number),
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
    });
    expect(result.usage.outputTokens).toBe(estimateTokens(ANSWER));
    // The generation is named in the result, for feedback to name it later.
    expect(result.providerMetadata?.switchboard).toEqual({
      flag: 'support-bot',
      variant: 'control',
      unit: 'control-user',
      generationId: generation?.generationId,
    });
  });

  it('tracks streamText: time to first token at the first text part, usage from the finish part', async () => {
    const client = await readyClient();
    fake.script({ kind: 'slow-first-token', delayMs: 70 });
    const model = wrapLanguageModel({
      model: anthropic()('claude-sonnet-4-6'),
      // The context from a function of the call (an AsyncLocalStorage read, in an application).
      middleware: switchboardMiddleware({
        client,
        flag: 'support-bot',
        context: () => ({ targetingKey: 'beta-user' }),
        variables: VARIABLES,
      }),
    });
    const result = streamText({ model, prompt: QUESTION, maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe(ANSWER);
    const usage = await result.totalUsage;
    await eventually(() => generations(client).length === 1);
    const [generation] = generations(client);
    expect(generation).toMatchObject({
      variant: 'candidate',
      unit: 'beta-user',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
    });
    expect(generation?.ttftMs as number).toBeGreaterThanOrEqual(65);
    expect(generation?.ttftMs as number).toBeLessThanOrEqual(generation?.latencyMs as number);
    expect(fake.requests[0]?.body).toMatchObject({
      system: [{ type: 'text', text: 'You are a concise assistant for Acme.' }],
      max_tokens: 300,
      temperature: 0.7,
    });
    expect((await result.providerMetadata)?.switchboard?.generationId).toBe(generation?.generationId);
  });

  it('classifies a failed call and lets the AI SDK report it', async () => {
    const client = await readyClient();
    const model = wrapLanguageModel({
      model: openai().chat('gpt-4o'),
      middleware: switchboardMiddleware({
        client,
        flag: 'support-bot',
        context: { targetingKey: 'control-user' },
      }),
    });
    fake.script({ kind: 'rate-limit', retryAfter: '1' });
    await expect(generateText({ model, prompt: QUESTION, maxRetries: 0 })).rejects.toMatchObject({
      statusCode: 429,
    });
    fake.script({ kind: 'server-error' });
    const failing = streamText({ model, prompt: QUESTION, maxRetries: 0, onError: () => {} });
    await failing.consumeStream();
    await eventually(() => generations(client).length === 2);
    expect(generations(client).map((g) => g.error)).toEqual(['rate_limit', 'server']);
  });
});

describe('switchboardModel', () => {
  const models = (known: string[]) => (provider: string, modelId: string) =>
    !known.includes(provider)
      ? undefined
      : provider === 'openai'
        ? openai().chat(modelId)
        : anthropic()(modelId);

  it('calls the model the flag assigns each unit, and records it as served', async () => {
    const client = await readyClient();
    const model = switchboardModel({
      client,
      flag: 'support-bot',
      variables: VARIABLES,
      models: models(['openai', 'anthropic']),
    });
    expect(model).toMatchObject({
      specificationVersion: 'v3',
      provider: 'switchboard',
      modelId: 'support-bot',
    });
    for (const unit of ['control-user', 'beta-user']) {
      const result = await generateText({
        model,
        prompt: QUESTION,
        maxRetries: 0,
        providerOptions: { switchboard: { context: { targetingKey: unit } } },
      });
      expect(result.text).toBe(ANSWER);
    }
    expect(fake.requests.map((r) => [r.protocol, (r.body as { model: string }).model])).toEqual([
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-sonnet-4-6'],
    ]);
    expect(generations(client).map((g) => [g.variant, g.provider, g.model, g.fallbackUsed])).toEqual([
      ['control', 'openai', 'gpt-4o', false],
      ['candidate', 'anthropic', 'claude-sonnet-4-6', false],
    ]);
  });

  it('takes the first link of the chain it has a model for, and fails clearly when there is none', async () => {
    const client = await readyClient();
    const onlyAnthropic = switchboardModel({
      client,
      flag: 'support-bot',
      context: { targetingKey: 'control-user' },
      models: models(['anthropic']),
    });
    const result = streamText({ model: onlyAnthropic, prompt: QUESTION, maxRetries: 0 });
    expect(await result.text).toBe(ANSWER);
    await eventually(() => generations(client).length === 1);
    expect(generations(client)[0]).toMatchObject({
      variant: 'control',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      fallbackUsed: true,
      ttftMs: expect.any(Number),
    });
    const none = switchboardModel({
      client,
      flag: 'support-bot',
      context: { targetingKey: 'beta-user' },
      models: models([]),
    });
    await expect(generateText({ model: none, prompt: QUESTION, maxRetries: 0 })).rejects.toBeInstanceOf(
      NoModelForConfigError,
    );
  });
});

describe('tracker.track with AI SDK calls', () => {
  it('reads generateText usage and passes the result through', async () => {
    const client = await readyClient();
    const config = client.aiConfig('support-bot', { targetingKey: 'control-user' }, { variables: VARIABLES });
    let inner: unknown;
    const result = await config.tracker.track(async (abortSignal) => {
      inner = await generateText({
        model: openai().chat(config.model),
        prompt: QUESTION,
        abortSignal,
        maxRetries: 0,
      });
      return inner as Awaited<ReturnType<typeof generateText>>;
    });
    expect(result).toBe(inner);
    expect(generations(client)[0]).toMatchObject({
      provider: 'openai',
      inputTokens: result.totalUsage.inputTokens,
      outputTokens: result.totalUsage.outputTokens,
    });
  });

  it('watches a streamText result the caller reads, without taking its chunks', async () => {
    const client = await readyClient();
    const config = client.aiConfig('support-bot', { targetingKey: 'beta-user' }, { variables: VARIABLES });
    fake.script({ kind: 'slow-first-token', delayMs: 50 });
    let inner: unknown;
    const result = await config.tracker.track((abortSignal) => {
      inner = streamText({ model: anthropic()(config.model), prompt: QUESTION, abortSignal, maxRetries: 0 });
      return inner as ReturnType<typeof streamText>;
    });
    expect(result).toBe(inner);
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe(ANSWER);
    const usage = await result.totalUsage;
    await eventually(() => generations(client).length === 1);
    const [generation] = generations(client);
    expect(generation).toMatchObject({
      provider: 'anthropic',
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
    });
    expect(generation?.ttftMs as number).toBeGreaterThanOrEqual(45);
    expect(generation?.ttftMs as number).toBeLessThanOrEqual(generation?.latencyMs as number);
  });
});
