import { type FakeProvider, fakeAnswer, startFakeProvider } from '@switchboard/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../apps/server/test/harness.js';
import {
  answerText,
  createClient,
  type ShadowJudge,
  type ShadowOutcome,
  type SwitchboardClient,
  toOpenAiChatParams,
} from '../src/index.js';
import { API_KEY, CANDIDATE_CONFIG, CONTROL_CONFIG, OpenAI } from './ai-fixtures.js';

const FLAG = 'shadow-e2e';
const QUESTION = 'Where is my order?';
const VARIABLES = { product: 'Acme', plan: { name: 'Pro' }, question: QUESTION };
const SHADOW_DELAY_MS = 800;
const REQUESTS = 6;

let server: TestApp;
let url: string;
let serverKey: string;
let environmentId: string;
let fake: FakeProvider;

const openai = () => new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: API_KEY, maxRetries: 0 });
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function configure(patch: Record<string, unknown>) {
  const current = await server.request('GET', `/api/v1/flags/${FLAG}/environments/production`);
  const response = await server.request('PATCH', `/api/v1/flags/${FLAG}/environments/production`, {
    ...patch,
    version: current.body.version,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

beforeAll(async () => {
  server = await startTestApp('sqlite');
  url = await server.http.listen({ port: 0, host: '127.0.0.1' });
  serverKey = (
    await server.request('POST', '/api/v1/keys', { name: 'sdk', kind: 'server', environment: 'production' })
  ).body.key;
  environmentId = (await server.services.snapshots.resolve('default', 'production')).environmentId;
  fake = await startFakeProvider({ apiKey: API_KEY });
  const created = await server.request('POST', '/api/v1/flags', {
    key: FLAG,
    kind: 'ai-config',
    variants: [
      { key: 'control', value: CONTROL_CONFIG },
      // An OpenAI-compatible candidate that answers slowly.
      { key: 'candidate', value: { ...CANDIDATE_CONFIG, provider: 'openai', model: 'slow-candidate' } },
    ],
  });
  expect(created.status).toBe(201);
  await configure({ enabled: true, fallthrough: { variant: 'control' } });
});

afterAll(async () => {
  await fake?.close();
  await server?.destroy();
});

describe('shadow mode through a running server', () => {
  it('runs the shadow beside the served call without slowing it, and the judged pairs reach the results', async () => {
    fake.script({
      kind: 'slow-response',
      delayMs: SHADOW_DELAY_MS,
      model: 'slow-candidate',
      times: Infinity,
    });
    // Longer answers score higher: the shadow's answer is the same echo, so the pair differs by 0.
    const judge: ShadowJudge = async ({ served, shadow }) => ({
      servedScore: Math.min(1, answerText(served).length / 100),
      shadowScore: Math.min(1, answerText(shadow).length / 100),
    });
    const client: SwitchboardClient = createClient({
      url,
      sdkKey: serverKey,
      shadow: { judge, maxConcurrency: 8 },
    });
    try {
      await client.ready();

      /** One request: the shadow started beside the served call; the served call's latency. */
      const request = async (unit: string, outcomes: Promise<ShadowOutcome>[]) => {
        const config = client.aiConfig(FLAG, { targetingKey: unit }, { variables: VARIABLES });
        const startedAt = performance.now();
        const served = config.tracker.track((signal) =>
          openai().chat.completions.create(toOpenAiChatParams(config), { signal }),
        );
        outcomes.push(
          config.tracker.shadow(
            (shadow, signal) => openai().chat.completions.create(toOpenAiChatParams(shadow), { signal }),
            { served, input: QUESTION },
          ),
        );
        const completion = await served;
        expect(completion.choices[0]?.message.content).toBe(fakeAnswer(QUESTION));
        return performance.now() - startedAt;
      };

      const none: Promise<ShadowOutcome>[] = [];
      const off: number[] = [];
      for (let i = 0; i < REQUESTS; i++) off.push(await request(`off-${i}`, none));
      expect((await Promise.all(none)).every((o) => o.status === 'not-sampled')).toBe(true);

      const changed = new Promise((resolve) => client.once('change', resolve));
      await configure({ shadow: { variant: 'candidate', sampleRate: 1 } });
      await changed;
      const outcomes: Promise<ShadowOutcome>[] = [];
      const on: number[] = [];
      for (let i = 0; i < REQUESTS; i++) on.push(await request(`on-${i}`, outcomes));

      expect(Math.max(...on)).toBeLessThan(SHADOW_DELAY_MS / 2);
      expect(median(on)).toBeLessThan(median(off) + 25);
      const settled = await Promise.all(outcomes);
      expect(settled.map((o) => o.status)).toEqual(new Array(REQUESTS).fill('completed'));
      expect(client.shadowStats()).toMatchObject({
        started: REQUESTS,
        completed: REQUESTS,
        judged: REQUESTS,
      });
      // The shadow call got the same question through the candidate's own prompt.
      const shadowRequest = fake.requests.find(
        (r) => (r.body as { model?: string }).model === 'slow-candidate',
      );
      expect(shadowRequest?.body).toMatchObject({
        messages: [
          { role: 'system', content: 'You are a concise assistant for Acme.' },
          { role: 'user', content: QUESTION },
        ],
      });
    } finally {
      await client.close();
    }
    expect(client.eventStats()).toMatchObject({ failed: 0, dropped: 0, invalid: 0 });

    const rollups = await server.services.events.rollupsFor({ environmentId, flagKey: FLAG });
    const metric = (variant: string, name: string) => rollups[variant]?.metrics[name];
    expect(metric('control', 'generations')?.count).toBe(2 * REQUESTS);
    expect(metric('control', 'feedback.judge_score')?.count).toBe(REQUESTS);
    expect(metric('candidate', 'generations')).toBeUndefined();
    expect(metric('candidate', 'shadow.generations')?.count).toBe(REQUESTS);
    expect(metric('candidate', 'shadow.latency_ms')?.sum).toBeGreaterThanOrEqual(
      REQUESTS * (SHADOW_DELAY_MS - 50),
    );
    expect(metric('candidate', 'shadow.feedback.judge_score')?.count).toBe(REQUESTS);
    expect(metric('candidate', 'feedback.judge_score')).toBeUndefined();
    expect(metric('candidate', 'shadow.feedback.judge_paired_difference')).toMatchObject({
      count: REQUESTS,
      sum: 0,
    });

    const { body } = await server.request('GET', `/api/v1/flags/${FLAG}/results?env=production`);
    const candidate = body.variants.find((v: { variant: string }) => v.variant === 'candidate');
    expect(candidate.requests).toBe(0);
    expect(candidate.shadow).toMatchObject({
      requests: REQUESTS,
      errors: 0,
      judgeQuality: { n: REQUESTS },
      pairedJudgeDifference: { n: REQUESTS, mean: 0 },
    });
    // The server priced the shadow generations with the candidate's tokens.
    expect(candidate.shadow.costUsd).toBeGreaterThanOrEqual(0);
  });
});
