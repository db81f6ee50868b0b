import { type FakeProvider, fakeAnswer, startFakeProvider } from '@switchboard/llm/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  configure,
  createAiFlag,
  createKey,
  fakeProviders,
  generationsOf,
  UPSTREAM_KEY,
} from './gateway-fixtures.js';
import { startTestApp, type TestApp } from './harness.js';

const PROMPT = 'Where is my order?';
const FLAG = 'shadowed-bot';
/** The shadow model answers this late: far beyond any served request. */
const SHADOW_DELAY_MS = 1_500;
const MAX_CONCURRENCY = 2;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

describe('shadow mode in the gateway, with the official OpenAI client', () => {
  let fake: FakeProvider;
  let t: TestApp;
  let openai: OpenAI;

  /** Sends one request for `user` and returns its time to the whole answer (body read), in ms. */
  async function timed(user: string, stream = false): Promise<number> {
    const startedAt = performance.now();
    if (stream) {
      const chunks = await openai.chat.completions.create({
        model: `flag:${FLAG}`,
        messages: [{ role: 'user', content: PROMPT }],
        user,
        stream: true,
      });
      let text = '';
      for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe(fakeAnswer(PROMPT));
    } else {
      const completion = await openai.chat.completions.create({
        model: `flag:${FLAG}`,
        messages: [{ role: 'user', content: PROMPT }],
        user,
      });
      expect(completion.choices[0]?.message.content).toBe(fakeAnswer(PROMPT));
      expect(completion.model).toBe('gpt-4o');
    }
    return performance.now() - startedAt;
  }

  const shadowRequests = () =>
    fake.requests.filter((r) => (r.body as { model?: string }).model === 'slow-candidate');

  beforeAll(async () => {
    fake = await startFakeProvider({ apiKey: UPSTREAM_KEY });
    t = await startTestApp('sqlite', {
      providers: fakeProviders(fake),
      gatewayAttemptTimeoutMs: 10_000,
      gatewayShadowMaxConcurrency: MAX_CONCURRENCY,
    });
    const base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    const serverKey = await createKey(t, 'server');
    openai = new OpenAI({
      baseURL: `${base}/v1`,
      apiKey: serverKey,
      maxRetries: 0,
      defaultHeaders: { 'x-switchboard-variables': JSON.stringify({ product: 'Acme' }) },
    });
    await createAiFlag(t, FLAG, {
      control: { provider: 'openai', model: 'gpt-4o' },
      candidate: {
        provider: 'sluggish',
        model: 'slow-candidate',
        messages: [{ role: 'system', content: 'Be concise about {{product}}.' }],
        params: { temperature: 0.1 },
      },
    });
  });
  afterAll(async () => {
    await t?.destroy();
    await fake?.close();
  });
  beforeEach(async () => {
    await t.services.gateway.flush();
    fake.reset();
    fake.script({
      kind: 'slow-response',
      delayMs: SHADOW_DELAY_MS,
      model: 'slow-candidate',
      times: Infinity,
    });
  });

  it('serves as fast with a slow shadow as without one, runs at most the concurrency allowed, and records the shadow', async () => {
    await configure(t, FLAG, { shadow: null });
    for (let i = 0; i < 3; i++) await timed(`warm-${i}`);
    const off: number[] = [];
    for (let i = 0; i < 10; i++) off.push(await timed(`off-${i}`));
    expect(shadowRequests()).toHaveLength(0);

    await configure(t, FLAG, { shadow: { variant: 'candidate', sampleRate: 1 } });
    const before = t.services.gateway.shadowStats();
    const on: number[] = [];
    for (let i = 0; i < 10; i++) on.push(await timed(`on-${i}`));
    // Every served request answered long before its shadow could have.
    expect(Math.max(...on)).toBeLessThan(SHADOW_DELAY_MS / 2);
    expect(median(on)).toBeLessThan(median(off) + 25);
    const during = t.services.gateway.shadowStats();
    expect(during.started - before.started).toBe(MAX_CONCURRENCY);
    expect(during.skipped - before.skipped).toBe(10 - MAX_CONCURRENCY);
    expect(during.running).toBeLessThanOrEqual(MAX_CONCURRENCY);

    const generations = await generationsOf(t, FLAG);
    const shadows = generations.filter((g) => g.shadow === true);
    expect(shadows).toHaveLength(MAX_CONCURRENCY);
    for (const g of shadows) {
      expect(g).toMatchObject({ variant: 'candidate', provider: 'sluggish', model: 'slow-candidate' });
      expect(g.latencyMs).toBeGreaterThanOrEqual(SHADOW_DELAY_MS - 50);
      expect(g.error).toBeUndefined();
      expect(g.outputTokens).toBeGreaterThan(0);
    }
    const served = generations.filter((g) => g.shadow !== true && String(g.unit).startsWith('on-'));
    expect(served).toHaveLength(10);
    expect(
      served.every((g) => g.variant === 'control' && (g.latencyMs as number) < SHADOW_DELAY_MS / 2),
    ).toBe(true);
    // The same input: the shadow variant's messages, then the request's; its own params.
    expect(shadowRequests()[0]?.body).toMatchObject({
      model: 'slow-candidate',
      messages: [
        { role: 'system', content: 'Be concise about Acme.' },
        { role: 'user', content: PROMPT },
      ],
      temperature: 0.1,
    });
    expect(t.services.gateway.shadowStats().running).toBe(0);
  });

  it('starts the shadow of a stream only once the stream has been sent', async () => {
    await configure(t, FLAG, { shadow: { variant: 'candidate', sampleRate: 1 } });
    const elapsed = await timed('stream-user', true);
    expect(elapsed).toBeLessThan(SHADOW_DELAY_MS / 2);
    await t.services.gateway.flush();
    expect(fake.requests.map((r) => (r.body as { model?: string }).model)).toEqual([
      'gpt-4o',
      'slow-candidate',
    ]);
    const generations = await generationsOf(t, FLAG);
    const shadow = generations.find((g) => g.shadow === true && g.unit === 'stream-user');
    expect(shadow).toMatchObject({ variant: 'candidate', model: 'slow-candidate' });
    // Streamed like the served answer, so its time to first token is measured (the shadow model is late).
    expect(shadowRequests().at(-1)?.body).toMatchObject({ stream: true });
    expect(Number(shadow?.ttftMs)).toBeGreaterThanOrEqual(SHADOW_DELAY_MS * 0.9);
    expect(Number(shadow?.latencyMs)).toBeGreaterThanOrEqual(Number(shadow?.ttftMs));
  });

  it('records a failing shadow as a shadow generation with its error, and the served answer is unaffected', async () => {
    fake.reset();
    fake.script({ kind: 'server-error', model: 'slow-candidate', times: Infinity });
    await configure(t, FLAG, { shadow: { variant: 'candidate', sampleRate: 1 } });
    await timed('fail-user');
    const generations = await generationsOf(t, FLAG);
    expect(generations.find((g) => g.unit === 'fail-user' && g.shadow === true)).toMatchObject({
      variant: 'candidate',
      error: 'server',
    });
    expect(generations.find((g) => g.unit === 'fail-user' && g.shadow !== true)).toMatchObject({
      variant: 'control',
    });
    expect(generations.find((g) => g.unit === 'fail-user' && g.shadow !== true)?.error).toBeUndefined();
  });

  it('does not shadow a request assigned the shadow variant, nor at a sample rate of 0', async () => {
    await configure(t, FLAG, { shadow: { variant: 'candidate', sampleRate: 1 } });
    fake.reset();
    await openai.chat.completions.create({
      model: `flag:${FLAG}`,
      messages: [{ role: 'user', content: PROMPT }],
      user: 'u-candidate',
    });
    await configure(t, FLAG, { shadow: { variant: 'candidate', sampleRate: 0 } });
    await timed('zero-rate');
    await t.services.gateway.flush();
    const generations = await generationsOf(t, FLAG);
    expect(
      generations.filter((g) => g.shadow === true && (g.unit === 'u-candidate' || g.unit === 'zero-rate')),
    ).toEqual([]);
    expect(fake.requests).toHaveLength(2);
  });

  it('shows shadow generations per variant beside the served ones in the results', async () => {
    await t.services.gateway.flush();
    const { status, body } = await t.request('GET', `/api/v1/flags/${FLAG}/results?env=production`);
    expect(status).toBe(200);
    const byVariant = Object.fromEntries(body.variants.map((v: { variant: string }) => [v.variant, v]));
    expect(byVariant.control.requests).toBeGreaterThanOrEqual(25);
    expect(byVariant.control.shadow.requests).toBe(0);
    expect(byVariant.candidate.shadow).toMatchObject({ requests: MAX_CONCURRENCY + 2, errors: 1 });
    expect(byVariant.candidate.shadow.latencyMs.p99).toBeGreaterThanOrEqual(SHADOW_DELAY_MS - 50);
    // Only the unit targeted at it was served the candidate.
    expect(byVariant.candidate.requests).toBe(1);
  });
});
