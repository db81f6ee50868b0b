import { estimateTokens } from '@switchboard/llm';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '@switchboard/llm/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../apps/server/test/harness.js';
import {
  createClient,
  GenerationDrainedError,
  type SwitchboardClient,
  toAnthropicMessageParams,
  toOpenAiChatParams,
} from '../src/index.js';
import {
  Anthropic,
  API_KEY,
  CANDIDATE_CONFIG,
  CONTROL_CONFIG,
  eventually,
  OpenAI,
  SAFE_CONFIG,
} from './ai-fixtures.js';

let server: TestApp;
let url: string;
let serverKey: string;
let environmentId: string;
let fake: FakeProvider;
const clients: SwitchboardClient[] = [];

const QUESTION = 'Where is my order?';
const VARIABLES = { product: 'Acme', plan: { name: 'Pro' }, question: QUESTION };
const openai = () => new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: API_KEY, maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: fake.url, apiKey: API_KEY, maxRetries: 0 });

function client(options: Partial<Parameters<typeof createClient>[0]> = {}): SwitchboardClient {
  const c = createClient({ url, sdkKey: serverKey, ...options });
  clients.push(c);
  return c;
}

async function configure(flag: string, patch: Record<string, unknown>) {
  const current = await server.request('GET', `/api/v1/flags/${flag}/environments/production`);
  const response = await server.request('PATCH', `/api/v1/flags/${flag}/environments/production`, {
    ...patch,
    version: current.body.version,
  });
  expect(response.status).toBe(200);
}

/** A fresh ai-config flag, live in production: control-user gets control, beta-user the candidate. */
async function aiFlag(key: string): Promise<string> {
  const created = await server.request('POST', '/api/v1/flags', {
    key,
    kind: 'ai-config',
    variants: [
      { key: 'control', value: CONTROL_CONFIG },
      { key: 'candidate', value: CANDIDATE_CONFIG },
      { key: 'safe', value: SAFE_CONFIG },
    ],
  });
  expect(created.status).toBe(201);
  await configure(key, {
    enabled: true,
    offVariant: 'safe',
    retryAfterSeconds: 90,
    targets: [
      { variant: 'control', values: ['control-user'] },
      { variant: 'candidate', values: ['beta-user'] },
    ],
    fallthrough: { variant: 'control' },
  });
  return key;
}

/** Resolves with the keys of the next `change` event. */
function nextChange(c: SwitchboardClient): Promise<string[]> {
  return new Promise((resolve) => c.once('change', resolve));
}

beforeAll(async () => {
  server = await startTestApp('sqlite');
  url = await server.http.listen({ port: 0, host: '127.0.0.1' });
  serverKey = (
    await server.request('POST', '/api/v1/keys', { name: 'sdk', kind: 'server', environment: 'production' })
  ).body.key;
  environmentId = (await server.services.snapshots.resolve('default', 'production')).environmentId;
  fake = await startFakeProvider({ apiKey: API_KEY });
});

beforeEach(() => fake.reset());

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await fake?.close();
  await server?.destroy();
});

describe('kill-switch draining through a running server', () => {
  it('aborts in-flight calls when the flag is killed, and new calls see the kill at once', async () => {
    const flag = await aiFlag('drain-bot');
    const c = client();
    await c.ready();
    const config = c.aiConfig(flag, { targetingKey: 'control-user' }, { variables: VARIABLES });
    expect(config).toMatchObject({ variant: 'control', enabled: true });
    fake.script({ kind: 'slow-response', delayMs: 10_000 });
    const startedAt = performance.now();
    const inFlight = config.tracker
      .track((signal) => openai().chat.completions.create(toOpenAiChatParams(config), { signal }))
      .catch((error: unknown) => error);
    await eventually(() => fake.requests.length === 1);
    expect(c.inFlight(flag)).toBe(1);

    const drained = new Promise((resolve) => c.once('drain', resolve));
    await configure(flag, { enabled: false });
    expect(await inFlight).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    expect(await drained).toEqual({ flag, trigger: 'killed', finished: 0, aborted: 1 });
    expect(c.inFlight(flag)).toBe(0);
    expect(c.eventStats().drained).toBe(1);

    // A call made with the configuration resolved before the kill gets an aborted signal, with the reason.
    let reason: unknown;
    await expect(
      config.tracker.track((signal) => {
        reason = signal.reason;
        return openai().chat.completions.create(toOpenAiChatParams(config), { signal });
      }),
    ).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(reason).toBeInstanceOf(GenerationDrainedError);
    expect(reason).toMatchObject({ flag, trigger: 'killed', retryAfterSeconds: 90 });
    expect(fake.requests).toHaveLength(1);
    expect(c.eventStats().drained).toBe(2);

    // A new resolution serves the off variant, disabled; the kill switch answers.
    expect(c.aiConfig(flag, { targetingKey: 'control-user' }, { variables: VARIABLES })).toMatchObject({
      variant: 'safe',
      enabled: false,
      model: 'gpt-4o-mini',
    });
    expect(c.killSwitch(flag)).toEqual({ error: 'Feature temporarily disabled', retryAfterSeconds: 90 });
  });

  it('lets in-flight calls run on for the drain timeout', async () => {
    const flag = await aiFlag('grace-bot');
    const c = client({ drainTimeoutMs: 600, events: { flushIntervalMs: 3_600_000 } });
    await c.ready();
    const config = c.aiConfig(flag, { targetingKey: 'control-user' }, { variables: VARIABLES });
    fake.script({ kind: 'slow-response', delayMs: 200 });
    const quick = config.tracker.track((signal) =>
      openai().chat.completions.create(toOpenAiChatParams(config), { signal }),
    );
    await eventually(() => fake.requests.length === 1);
    fake.script({ kind: 'slow-response', delayMs: 10_000 });
    const slow = config.tracker
      .track((signal) => openai().chat.completions.create(toOpenAiChatParams(config), { signal }))
      .catch((error: unknown) => error);
    await eventually(() => fake.requests.length === 2);

    const killedAt = performance.now();
    const changed = nextChange(c);
    const drained = new Promise((resolve) => c.once('drain', resolve));
    await configure(flag, { enabled: false });
    await changed;
    const completion = await quick;
    expect(completion.choices[0]?.message.content).toBe(fakeAnswer(QUESTION));
    expect(await slow).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(performance.now() - killedAt).toBeGreaterThanOrEqual(550);
    expect(await drained).toEqual({ flag, trigger: 'killed', finished: 1, aborted: 1 });
    expect(c.eventStats()).toMatchObject({ drained: 1, queued: 1 });
  });
});

describe('tracked generations and feedback reach the server', () => {
  it("are rolled up per variant with the server's costs", async () => {
    const flag = await aiFlag('rollup-bot');
    const c = client();
    await c.ready();
    const control = c.aiConfig(flag, { targetingKey: 'control-user' }, { variables: VARIABLES });
    const completion = await control.tracker.track((signal) =>
      openai().chat.completions.create(toOpenAiChatParams(control), { signal }),
    );
    control.tracker.feedback({ thumbs: 'up' });
    const candidate = c.aiConfig(flag, { targetingKey: 'beta-user' }, { variables: VARIABLES });
    const stream = await candidate.tracker.track((signal) =>
      anthropic().messages.create(toAnthropicMessageParams(candidate, { stream: true }), { signal }),
    );
    for await (const _ of stream) void _;
    candidate.tracker.feedback({ score: 0.25 });
    fake.script({ kind: 'rate-limit', retryAfter: '1' });
    await expect(
      candidate.tracker.track((signal) =>
        anthropic().messages.create(toAnthropicMessageParams(candidate), { signal }),
      ),
    ).rejects.toBeInstanceOf(Anthropic.RateLimitError);

    // close() flushes what is queued, awaitably; the server answers a batch once its rollups are written.
    await c.close();
    expect(c.eventStats()).toMatchObject({ sent: 5, failed: 0, dropped: 0, invalid: 0 });
    const rollups = await server.services.events.rollupsFor({ environmentId, flagKey: flag });
    const metric = (variant: string, name: string) => rollups[variant]?.metrics[name];

    expect(metric('control', 'generations')).toMatchObject({ count: 1 });
    expect(metric('control', 'input_tokens')).toMatchObject({ sum: completion.usage?.prompt_tokens });
    expect(metric('control', 'output_tokens')).toMatchObject({ sum: completion.usage?.completion_tokens });
    expect(metric('control', 'latency_ms')?.count).toBe(1);
    // The variant's own pricing: 2.5 and 10 USD per million tokens.
    const usage = completion.usage as OpenAI.CompletionUsage;
    expect(metric('control', 'cost_usd')?.sum).toBeCloseTo(
      (usage.prompt_tokens * 2.5 + usage.completion_tokens * 10) / 1e6,
      12,
    );
    expect(metric('control', 'feedback.score')).toMatchObject({ count: 1, sum: 1 });

    expect(metric('candidate', 'generations')).toMatchObject({ count: 2 });
    expect(metric('candidate', 'errors')).toMatchObject({ count: 1 });
    expect(metric('candidate', 'errors.rate_limit')).toMatchObject({ count: 1 });
    expect(metric('candidate', 'ttft_ms')?.count).toBe(1);
    expect(metric('candidate', 'output_tokens')).toMatchObject({ sum: estimateTokens(fakeAnswer(QUESTION)) });
    expect(metric('candidate', 'feedback.score')).toMatchObject({ count: 1, sum: 0.25 });
    expect(rollups.control?.units).toBe(1);
    expect(rollups.candidate?.units).toBe(1);
  });
});
