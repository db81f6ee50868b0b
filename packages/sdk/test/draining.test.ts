import { type FakeProvider, startFakeProvider } from '@switchboard/llm/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  GenerationDrainedError,
  type ResolvedAiConfig,
  type SwitchboardClient,
  toOpenAiChatParams,
} from '../src/index.js';
import { API_KEY, eventually, OpenAI, offlineClient, queuedOf } from './ai-fixtures.js';

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

const VARIABLES = { product: 'Acme', plan: { name: 'Pro' }, question: 'Hello?' };
const openai = () => new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: API_KEY, maxRetries: 0 });

async function setup(): Promise<SwitchboardClient> {
  const client = offlineClient(clients);
  await client.ready({ timeoutMs: 200 });
  return client;
}

function configFor(client: SwitchboardClient, unit: string): ResolvedAiConfig {
  return client.aiConfig('support-bot', { targetingKey: unit }, { variables: VARIABLES });
}

/** A tracked completion the fake answers after `delayMs`. */
function slowCall(config: ResolvedAiConfig, delayMs: number) {
  fake.script({ kind: 'slow-response', delayMs, model: config.model });
  return config.tracker.track((signal) =>
    openai().chat.completions.create(toOpenAiChatParams(config), { signal }),
  );
}

describe('client.drain', () => {
  it('aborts the in-flight calls of a flag at once, sends no generation for them, and counts them', async () => {
    const client = await setup();
    const config = configFor(client, 'control-user');
    const call = slowCall(config, 5_000);
    const failed = call.catch((error: unknown) => error);
    expect(client.inFlight('support-bot')).toBe(1);
    expect(client.inFlight()).toBe(1);
    const drained = new Promise((resolve) => client.once('drain', resolve));
    const report = await client.drain('support-bot');
    expect(report).toEqual({ flag: 'support-bot', trigger: 'requested', finished: 0, aborted: 1 });
    expect(await drained).toEqual(report);
    // The openai client turns the abort into its own error; the error passes through as it is.
    expect(await failed).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(client.inFlight('support-bot')).toBe(0);
    expect(queuedOf(client, 'generation')).toEqual([]);
    expect(client.eventStats().drained).toBe(1);
  });

  it('lets calls finish within the timeout, aborts the rest, and can pick one variant', async () => {
    const client = await setup();
    const control = configFor(client, 'control-user');
    const candidate = configFor(client, 'beta-user');
    const quick = slowCall(control, 50);
    // One request at a time reaches the fake, so that each takes its own scripted delay.
    await eventually(() => fake.requests.length === 1);
    const slow = slowCall(control, 5_000).catch((error: unknown) => error);
    await eventually(() => fake.requests.length === 2);
    const other = slowCall(candidate, 400);
    expect(client.inFlight('support-bot')).toBe(3);
    const report = await client.drain('support-bot', { timeoutMs: 200, variant: 'control' });
    expect(report).toMatchObject({ finished: 1, aborted: 1 });
    await quick;
    expect(await slow).toBeInstanceOf(OpenAI.APIUserAbortError);
    // The candidate's call was not drained: it finishes and is sent.
    await other;
    expect(queuedOf(client, 'generation').map((g) => g.variant)).toEqual(['control', 'candidate']);
    expect(client.eventStats().drained).toBe(1);
  });

  it('ends a drained stream without a generation, whatever the client does with the abort', async () => {
    const client = await setup();
    const config = configFor(client, 'control-user');
    fake.script({ kind: 'slow-first-token', delayMs: 5_000 });
    const stream = await config.tracker.track((signal) =>
      openai().chat.completions.create(toOpenAiChatParams(config, { stream: true }), { signal }),
    );
    const read = (async () => {
      for await (const _ of stream) void _;
    })();
    await client.drain('support-bot');
    // The openai stream ends quietly on an abort: the reader sees the end of the stream.
    await read;
    await eventually(() => client.eventStats().drained === 1);
    expect(queuedOf(client, 'generation')).toEqual([]);
    expect(client.inFlight()).toBe(0);
  });

  it('hands the call a signal whose reason says why it was drained', async () => {
    const client = await setup();
    const config = configFor(client, 'control-user');
    let seen: AbortSignal | undefined;
    const call = config.tracker.track(
      (signal) =>
        new Promise((_, reject) => {
          seen = signal;
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    );
    await client.drain('support-bot');
    await expect(call).rejects.toBeInstanceOf(GenerationDrainedError);
    expect(seen?.reason).toMatchObject({ flag: 'support-bot', trigger: 'requested' });
  });
});
