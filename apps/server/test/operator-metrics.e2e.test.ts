import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../stress/server-probe.js';
import { createAiFlag, createKey } from './gateway-fixtures.js';
import { startTestApp, TEST_REDIS_URL, type TestApp } from './harness.js';
import { newAiFlag } from './rollout-fixtures.js';

const STAGES = [
  { kind: 'percentage', percent: 10, minDurationMs: 3_600_000, minUnitsPerArm: 100 },
  { kind: 'percentage', percent: 100, minDurationMs: 0, minUnitsPerArm: 100 },
];

async function scrape(t: TestApp): Promise<string> {
  const response = await t.http.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return response.body;
}

/** The value of a series, waiting up to 5 s for it to reach `atLeast` (generations are recorded in the background). */
async function eventually(t: TestApp, series: string, atLeast = 1): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = sample(await scrape(t), series);
    if ((value !== undefined && value >= atLeast) || Date.now() > deadline) {
      expect(value, series).toBeGreaterThanOrEqual(atLeast);
      return value as number;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('operator metrics on /metrics (embedded store, Redis fan-out)', () => {
  let t: TestApp;
  let base = '';
  const channel = `switchboard:metrics-test:${randomUUID()}`;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { redisUrl: TEST_REDIS_URL, redisChannel: channel, providers: [] });
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t?.destroy());

  it('reports HTTP requests by route and status, process metrics and the store', async () => {
    await t.http.inject({ method: 'GET', url: '/healthz' });
    const text = await scrape(t);
    expect(sample(text, 'switchboard_http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(
      1,
    );
    expect(text).toContain(
      'switchboard_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"}',
    );
    expect(sample(text, 'switchboard_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'switchboard_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'switchboard_store_up{dialect="sqlite"}')).toBe(1);
  });

  it('reports connected streams and changes applied, published on and received from Redis', async () => {
    const stream = await fetch(`${base}/api/v1/sdk/stream?project=default&environment=production`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(await eventually(t, 'switchboard_sdk_streams{kind="server"}')).toBe(1);
    await stream.body?.cancel();

    const created = await t.request('POST', '/api/v1/flags', {
      key: 'metrics-flag',
      kind: 'boolean',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    expect(created.status).toBe(201);
    await eventually(t, 'switchboard_changes_applied_total');
    await eventually(t, 'switchboard_redis_changes_total{direction="published"}');

    const other = new Redis(TEST_REDIS_URL);
    try {
      const change = { resource: 'api-key', key: '*', projectId: '', environmentVersions: {} };
      await other.publish(channel, JSON.stringify({ replica: 'another-replica', change }));
      await eventually(t, 'switchboard_redis_changes_total{direction="received"}');
      // Stamped by its sender (every replica of this version does): its delay is observed.
      await other.publish(
        channel,
        JSON.stringify({ replica: 'another-replica', sentAt: Date.now(), change }),
      );
      await eventually(t, 'switchboard_redis_changes_total{direction="received"}', 2);
      expect(sample(await scrape(t), 'switchboard_redis_change_delay_seconds_count')).toBe(1);
    } finally {
      other.disconnect();
    }
    expect(sample(await scrape(t), 'switchboard_change_publish_failures_total')).toBe(0);
  });

  it('reports ingested events by outcome, replayed batches, the write queue and write latency', async () => {
    const url = '/api/v1/events?project=default&environment=production';
    const events = [
      { kind: 'exposure', flag: 'metrics-flag', variant: 'on', unit: 'u1' },
      { kind: 'exposure', flag: 'no-such-flag', variant: 'on', unit: 'u2' },
    ];
    const headers = { 'idempotency-key': 'metrics-batch-1' };
    expect((await t.request('POST', url, { events }, headers)).status).toBe(200);
    expect((await t.request('POST', url, { events }, headers)).body.duplicate).toBe(true);
    const text = await scrape(t);
    expect(sample(text, 'switchboard_events_ingested_total{outcome="accepted"}')).toBe(1);
    expect(sample(text, 'switchboard_events_ingested_total{outcome="rejected"}')).toBe(1);
    expect(sample(text, 'switchboard_event_batches_total{outcome="new"}')).toBe(1);
    expect(sample(text, 'switchboard_event_batches_total{outcome="duplicate"}')).toBe(1);
    expect(sample(text, 'switchboard_event_write_duration_seconds_count')).toBe(2);
    expect(sample(text, 'switchboard_event_write_queue_events')).toBe(0);
  });

  it('reports gateway generations by provider, model and outcome, breakers and shadow calls', async () => {
    const serverKey = await createKey(t, 'server');
    await createAiFlag(t, 'metrics-ai', {
      main: { provider: 'simulated', model: 'sim-small', params: { maxTokens: 4 } },
    });
    const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: serverKey, maxRetries: 0 });
    await openai.chat.completions.create({
      model: 'flag:metrics-ai',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await eventually(
      t,
      'switchboard_gateway_generations_total{provider="simulated",model="sim-small",outcome="ok",fallback="false",shadow="false"}',
    );
    const text = await scrape(t);
    expect(sample(text, 'switchboard_gateway_breaker_state{provider="simulated",state="closed"}')).toBe(1);
    expect(sample(text, 'switchboard_gateway_breaker_state{provider="simulated",state="open"}')).toBe(0);
    expect(sample(text, 'switchboard_gateway_shadow_calls_total{outcome="skipped"}')).toBe(0);
    expect(sample(text, 'switchboard_gateway_shadow_running')).toBe(0);
  });

  it('reports rollout decisions, webhook attempts by outcome and deliveries pending', async () => {
    const hook = await t.request('POST', '/api/v1/webhooks', {
      name: 'nobody',
      url: 'http://127.0.0.1:9/hook',
      events: ['rollout.*'],
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    await newAiFlag(t, 'metrics-rollout');
    const path = '/api/v1/flags/metrics-rollout/environments/production/rollout';
    const plan = await t.request('POST', path, { candidate: 'candidate', stages: STAGES });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    expect((await t.request('POST', `${path}/pause`, { reason: 'metrics' })).status).toBe(200);
    await eventually(t, 'switchboard_rollout_decisions_total{decision="paused"}');
    await eventually(t, 'switchboard_webhook_deliveries_pending');

    const sent = await t.request('POST', `/api/v1/webhooks/${hook.body.id}/test`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    await eventually(t, 'switchboard_webhook_attempts_total{outcome="retrying"}');
  });
});
