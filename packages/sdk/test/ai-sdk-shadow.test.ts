import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { Snapshot } from '@switchboard/core';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '@switchboard/llm/testing';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { switchboardMiddleware, switchboardModel } from '../src/ai-sdk/index.js';
import type { JudgeInput, SwitchboardClient } from '../src/index.js';
import { AI_SNAPSHOT, API_KEY, eventually, offlineClient, queuedOf } from './ai-fixtures.js';

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
// Every variable of both variants' messages: a shadow whose messages miss one does not run.
const VARIABLES = { product: 'Acme', plan: { name: 'Pro' }, question: 'unused by the AI SDK path' };
const CONTEXT = { targetingKey: 'control-user' };
const openai = () => createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: API_KEY });
const anthropic = () => createAnthropic({ baseURL: `${fake.url}/v1`, apiKey: API_KEY });
const models = (provider: string, modelId: string) =>
  provider === 'openai'
    ? openai().chat(modelId)
    : provider === 'anthropic'
      ? anthropic()(modelId)
      : undefined;

/** `support-bot` serves the control (OpenAI gpt-4o) and shadows every request with the candidate (Anthropic). */
const SHADOWED: Snapshot = {
  ...AI_SNAPSHOT,
  flags: AI_SNAPSHOT.flags.map((f) =>
    f.key === 'support-bot' ? { ...f, shadow: { variant: 'candidate', sampleRate: 1 } } : f,
  ),
};

async function shadowClient(judged?: JudgeInput[]): Promise<SwitchboardClient> {
  const client = offlineClient(clients, {
    bootstrap: SHADOWED,
    ...(judged && {
      shadow: {
        judge: async (input: JudgeInput) => {
          judged.push(input);
          return { servedScore: 0.8, shadowScore: 0.6 };
        },
      },
    }),
  });
  await client.ready({ timeoutMs: 200 });
  return client;
}

const generations = (client: SwitchboardClient) => queuedOf(client, 'generation');
const shadowGenerations = (client: SwitchboardClient) => generations(client).filter((g) => g.shadow === true);
const requested = () => fake.requests.map((r) => [r.protocol, (r.body as { model: string }).model]);

describe('shadow mode through switchboardModel', () => {
  it('runs the shadow variant after a generate call, on its own model and prompt, and judges the pair', async () => {
    const judged: JudgeInput[] = [];
    const client = await shadowClient(judged);
    const model = switchboardModel({
      client,
      flag: 'support-bot',
      context: CONTEXT,
      variables: VARIABLES,
      models,
    });
    const result = await generateText({ model, prompt: QUESTION, maxRetries: 0 });
    expect(result.text).toBe(fakeAnswer(QUESTION));
    await eventually(() => client.shadowStats().judged === 1);
    expect(requested()).toEqual([
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-sonnet-4-6'],
    ]);
    // The candidate's own system prompt and settings, on the same conversation.
    expect(fake.requests[1]?.body).toMatchObject({
      system: [{ type: 'text', text: 'You are a concise assistant for Acme.' }],
      temperature: 0.7,
      max_tokens: 300,
      messages: [{ role: 'user', content: [{ type: 'text', text: QUESTION }] }],
    });
    expect(generations(client).map((g) => [g.variant, g.model, g.shadow ?? false])).toEqual([
      ['control', 'gpt-4o', false],
      ['candidate', 'claude-sonnet-4-6', true],
    ]);
    expect(judged[0]).toMatchObject({ servedVariant: 'control', shadowVariant: 'candidate' });
    expect(JSON.stringify(judged[0]?.served)).toContain(fakeAnswer(QUESTION));
    const feedback = queuedOf(client, 'feedback');
    expect(feedback.map((f) => [f.variant, f.score, f.source])).toEqual([
      ['control', 0.8, 'judge'],
      ['candidate', 0.6, 'judge'],
    ]);
    expect(feedback[0]?.pairId).toBe(feedback[1]?.pairId);
  });

  it('streams the shadow when the served call streamed: its time to first token is measured, the judge gets both streams', async () => {
    const judged: JudgeInput[] = [];
    const client = await shadowClient(judged);
    fake.script({ kind: 'slow-first-token', delayMs: 60, model: 'claude-sonnet-4-6' });
    const model = switchboardModel({
      client,
      flag: 'support-bot',
      context: CONTEXT,
      variables: VARIABLES,
      models,
    });
    const result = streamText({ model, prompt: QUESTION, maxRetries: 0 });
    expect(await result.text).toBe(fakeAnswer(QUESTION));
    await eventually(() => client.shadowStats().judged === 1);
    expect(fake.requests[1]?.body).toMatchObject({ model: 'claude-sonnet-4-6', stream: true });
    const [shadow] = shadowGenerations(client);
    expect(shadow).toMatchObject({ variant: 'candidate', provider: 'anthropic', ttftMs: expect.any(Number) });
    expect(Number(shadow?.ttftMs)).toBeGreaterThanOrEqual(50);
    expect(Array.isArray(judged[0]?.served)).toBe(true);
    expect(Array.isArray(judged[0]?.shadow)).toBe(true);
    expect(judged[0]?.shadow).toContainEqual(expect.objectContaining({ type: 'finish' }));
  });

  it('runs no shadow with shadow: false, nor for a unit outside the sample', async () => {
    const client = await shadowClient();
    const off = switchboardModel({ client, flag: 'support-bot', context: CONTEXT, models, shadow: false });
    await generateText({ model: off, prompt: QUESTION, maxRetries: 0 });
    // A unit assigned the shadow variant itself is never shadowed.
    const beta = switchboardModel({
      client,
      flag: 'support-bot',
      context: { targetingKey: 'beta-user' },
      models,
    });
    await generateText({ model: beta, prompt: QUESTION, maxRetries: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.shadowStats().started).toBe(0);
    expect(requested()).toEqual([
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-sonnet-4-6'],
    ]);
  });
});

describe('shadow mode through switchboardMiddleware', () => {
  const wrapped = (
    client: SwitchboardClient,
    extra: Partial<Parameters<typeof switchboardMiddleware>[0]> = {},
  ) =>
    wrapLanguageModel({
      model: openai().chat('gpt-4o'),
      middleware: switchboardMiddleware({
        client,
        flag: 'support-bot',
        context: CONTEXT,
        variables: VARIABLES,
        ...extra,
      }),
    });

  it('runs the shadow on the model shadowModels gives for its configuration', async () => {
    const client = await shadowClient();
    const result = await generateText({
      model: wrapped(client, { shadowModels: models }),
      prompt: QUESTION,
      maxRetries: 0,
    });
    expect(result.text).toBe(fakeAnswer(QUESTION));
    await eventually(() => client.shadowStats().completed === 1);
    expect(requested()).toEqual([
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-sonnet-4-6'],
    ]);
    expect(shadowGenerations(client)).toEqual([
      expect.objectContaining({ variant: 'candidate', provider: 'anthropic', model: 'claude-sonnet-4-6' }),
    ]);
  });

  it('streams the shadow beside a streamed call', async () => {
    const client = await shadowClient();
    const result = streamText({
      model: wrapped(client, { shadowModels: models }),
      prompt: QUESTION,
      maxRetries: 0,
    });
    expect(await result.text).toBe(fakeAnswer(QUESTION));
    await eventually(() => client.shadowStats().completed === 1);
    expect(fake.requests[1]?.body).toMatchObject({ model: 'claude-sonnet-4-6', stream: true });
    expect(shadowGenerations(client)[0]).toMatchObject({ ttftMs: expect.any(Number) });
  });

  it('runs no shadow when it has no model for the shadow configuration (only the wrapped one, which is another)', async () => {
    const client = await shadowClient();
    await generateText({ model: wrapped(client), prompt: QUESTION, maxRetries: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.shadowStats().started).toBe(0);
    expect(requested()).toEqual([['openai', 'gpt-4o']]);
  });
});
