import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { Metric } from '../src/features/events/event-metrics.js';
import type { RollupAggregate, VariantRollups } from '../src/features/events/event-service.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

const START = new Date('2026-06-01T12:30:00.000Z');
const DAY_MS = 86_400_000;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Deterministic latencies: a lognormal-ish spread from ~20 ms to ~20 s. */
function latencies(count: number, seed: number): number[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return Array.from({ length: count }, () => Math.round(20 * Math.exp(next() * next() * 7) * 100) / 100);
}

/** The value at a quantile as DDSketch ranks it: the element at `floor(q * (n - 1))` of the sorted values. */
function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

const sumOf = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe.each(DIALECTS)('events on %s', (dialect) => {
  let t: TestApp;
  let now = START;
  let environmentId = '';
  const keys = { server: '', serverStaging: '', client: '' };
  let flagCount = 0;
  let batchCount = 0;

  /** A fresh ai-config flag (its own rollup rows): control on gpt-4o, candidate on claude-sonnet-4-5 with its own pricing. */
  async function newFlag(): Promise<string> {
    flagCount += 1;
    const key = `llm-${flagCount}`;
    const { status, body } = await t.request('POST', '/api/v1/flags', {
      key,
      kind: 'ai-config',
      variants: [
        { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
        {
          key: 'candidate',
          value: {
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            pricing: { inputPerMillion: 1, outputPerMillion: 2 },
          },
        },
        { key: 'cheap', value: { provider: 'openai', model: 'gpt-4.1-nano' } },
      ],
    });
    if (status !== 201) throw new Error(JSON.stringify(body));
    return key;
  }

  async function createKey(kind: string, environment: string): Promise<string> {
    const { status, body } = await t.request('POST', '/api/v1/keys', {
      name: `${kind} ${environment}`,
      kind,
      environment,
    });
    if (status !== 201) throw new Error(JSON.stringify(body));
    return body.key;
  }

  /** Posts a batch with the production server key and a fresh idempotency key (unless given). */
  function post(events: unknown[], headers: Record<string, string> = {}, query = '') {
    batchCount += 1;
    return t.request(
      'POST',
      `/api/v1/events${query}`,
      { events },
      {
        ...bearer(keys.server),
        'idempotency-key': `batch-${dialect}-${batchCount}`,
        ...headers,
      },
    );
  }

  async function postOk(events: unknown[], headers: Record<string, string> = {}) {
    const response = await post(events, headers);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.rejected, JSON.stringify(response.body.rejected)).toEqual([]);
    return response.body;
  }

  const rollups = (flagKey: string, from?: Date, to?: Date) =>
    t.services.events.rollupsFor({ environmentId, flagKey, from, to });
  const metric = (variant: VariantRollups | undefined, name: string): RollupAggregate | undefined =>
    variant?.metrics[name];

  async function exportLines(query: string, key = t.adminKey) {
    const response = await t.http.inject({
      method: 'GET',
      url: `/api/v1/events/export?${query}`,
      headers: bearer(key),
    });
    return {
      status: response.statusCode,
      type: response.headers['content-type'],
      body: response.body,
      events:
        response.statusCode === 200
          ? response.body
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l))
          : [],
    };
  }

  const exposure = (flag: string, variant: string, unit: string, extra: object = {}) => ({
    kind: 'exposure',
    flag,
    variant,
    unit,
    ...extra,
  });
  const generation = (flag: string, variant: string, extra: object = {}) => ({
    kind: 'generation',
    flag,
    variant,
    provider: 'openai',
    model: 'gpt-4o',
    latencyMs: 100,
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp(dialect, {}, { clock: () => now });
    keys.server = await createKey('server', 'production');
    keys.serverStaging = await createKey('server', 'staging');
    keys.client = await createKey('client', 'production');
    environmentId = (await t.services.snapshots.resolve('default', 'production')).environmentId;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  describe('POST /api/v1/events', () => {
    it('keeps the valid events of a batch and rejects each invalid one with its index and field', async () => {
      const flag = await newFlag();
      const long = 'x'.repeat(201);
      const events = [
        exposure(flag, 'control', 'u1'),
        { kind: 'exposure', flag, variant: 'control' },
        generation(flag, 'control', { latencyMs: -1 }),
        generation(flag, 'control', { inputTokens: 1.5 }),
        generation(flag, 'control', { error: 'meltdown' }),
        generation(flag, 'control', { provider: undefined }),
        { kind: 'feedback', flag, variant: 'control', unit: 'u1', thumbs: 'up', score: 1 },
        { kind: 'feedback', flag, variant: 'control', unit: 'u1' },
        { kind: 'feedback', flag, variant: 'control', thumbs: 'down' },
        { kind: 'feedback', flag, variant: 'control', unit: 'u1', score: 1.5 },
        { kind: 'metric', name: 'revenue', value: 3, flag },
        { kind: 'metric', name: 'revenue', value: '3' },
        { kind: 'click', flag },
        5,
        exposure(flag, 'control', 'u2', { ts: new Date(START.getTime() + 10 * 60_000).toISOString() }),
        exposure(flag, 'control', 'u2', { ts: new Date(START.getTime() - 31 * DAY_MS).toISOString() }),
        exposure(flag, 'control', 'u2', { ts: 'yesterday' }),
        exposure(long, 'control', 'u2'),
        exposure(flag, 'control', 'nul\u0000unit'),
        exposure('no-such-flag', 'control', 'u2'),
        exposure(flag, 'no-such-variant', 'u2'),
        { kind: 'metric', name: 'latency_budget', value: -2.5 },
        generation(flag, 'candidate', { ts: new Date(START.getTime() + 4 * 60_000).toISOString() }),
      ];
      const { status, body } = await post(events);
      expect(status).toBe(200);
      expect(body.duplicate).toBe(false);
      expect(body.accepted).toBe(3);
      expect(body.rejected.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
        [1, 'unit'],
        [2, 'latencyMs'],
        [3, 'inputTokens'],
        [4, 'error'],
        [5, 'provider'],
        [6, 'thumbs'],
        [7, 'score'],
        [8, 'unit'],
        [9, 'score'],
        [10, 'variant'],
        [11, 'value'],
        [12, 'kind'],
        [13, 'event'],
        [14, 'ts'],
        [15, 'ts'],
        [16, 'ts'],
        [17, 'flag'],
        [18, 'unit'],
        [19, 'flag'],
        [20, 'variant'],
      ]);
      for (const r of body.rejected) expect(r.message).toEqual(expect.any(String));
      const byIndex = new Map(
        body.rejected.map((r: { index: number; message: string }) => [r.index, r.message]),
      );
      expect(byIndex.get(14)).toMatch(/5 minutes ahead/);
      expect(byIndex.get(15)).toMatch(/30-day retention/);
      expect(byIndex.get(19)).toBe('no flag "no-such-flag" in default/production');
      expect(byIndex.get(20)).toBe(`flag "${flag}" has no variant "no-such-variant"`);

      const r = await rollups(flag);
      expect(Object.keys(r).sort()).toEqual(['candidate', 'control']);
      expect(metric(r.control, Metric.Exposures)?.count).toBe(1);
      expect(metric(r.candidate, Metric.Generations)?.count).toBe(1);
      expect(r.control?.units).toBe(1);
    });

    it('refuses a batch that is wrong as a whole with a 400 naming the field', async () => {
      const flag = await newFlag();
      const one = [exposure(flag, 'control', 'u1')];
      const missing = await t.request('POST', '/api/v1/events', { events: one }, bearer(keys.server));
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'headers.idempotency-key' });
      expect(missing.body.message).toMatch(/idempotency-key/);
      const long = await post(one, { 'idempotency-key': 'k'.repeat(201) });
      expect(long.body.field).toBe('headers.idempotency-key');
      expect((await post([])).body).toMatchObject({ field: 'body.events' });
      const tooMany = await post(Array.from({ length: 5_001 }, () => exposure(flag, 'control', 'u1')));
      expect(tooMany).toMatchObject({ status: 400, body: { field: 'body.events' } });
      expect((await post(one)).status).toBe(200);
      const extra = await t.request(
        'POST',
        '/api/v1/events',
        { events: one, extra: 1 },
        {
          ...bearer(keys.server),
          'idempotency-key': 'extra-field',
        },
      );
      expect(extra).toMatchObject({ status: 400, body: { field: 'body' } });
      const notArray = await t.request(
        'POST',
        '/api/v1/events',
        { events: 'x' },
        {
          ...bearer(keys.server),
          'idempotency-key': 'not-an-array',
        },
      );
      expect(notArray).toMatchObject({ status: 400, body: { field: 'body.events' } });
      // Nothing of the refused batches was counted: only the one accepted post.
      expect((await rollups(flag)).control?.metrics[Metric.Exposures]?.count).toBe(1);
    });

    it('takes up to 5,000 events in a batch', async () => {
      const flag = await newFlag();
      const body = await postOk(
        Array.from({ length: 5_000 }, (_, i) => exposure(flag, 'cheap', `u${i % 700}`)),
      );
      expect(body.accepted).toBe(5_000);
      const r = await rollups(flag);
      expect(metric(r.cheap, Metric.Exposures)?.count).toBe(5_000);
      expect(r.cheap?.units).toBe(700);
    });

    it('takes server keys for their own environment and admin keys naming one; refuses client keys and no key', async () => {
      const flag = await newFlag();
      const one = [exposure(flag, 'control', 'u1')];
      const none = await t.http.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'no-key' },
        payload: { events: one },
      });
      expect(none.statusCode).toBe(401);
      expect((await post(one, bearer(keys.client))).status).toBe(403);
      const otherEnvironment = await post(one, {}, '?environment=staging');
      expect(otherEnvironment.status).toBe(403);
      const adminWithout = await post(one, bearer(t.adminKey));
      expect(adminWithout).toMatchObject({ status: 400, body: { field: 'querystring.environment' } });
      const admin = await post(one, bearer(t.adminKey), '?environment=production');
      expect(admin).toMatchObject({ status: 200, body: { accepted: 1, duplicate: false } });
      // The staging key's events go to staging, where this flag exists too.
      const staging = await post(one, bearer(keys.serverStaging));
      expect(staging).toMatchObject({ status: 200, body: { accepted: 1 } });
      expect(metric((await rollups(flag)).control, Metric.Exposures)?.count).toBe(1);
    });
  });

  describe('idempotency', () => {
    it('answers a replay with the first answer, marked duplicate, and counts nothing twice', async () => {
      const flag = await newFlag();
      const events = [
        exposure(flag, 'control', 'u1'),
        generation(flag, 'control', { unit: 'u1', latencyMs: 250, inputTokens: 10, outputTokens: 5 }),
        exposure('no-such-flag', 'control', 'u1'),
      ];
      const headers = { 'idempotency-key': `replayed-${dialect}` };
      const first = await post(events, headers);
      expect(first.body).toMatchObject({ accepted: 2, duplicate: false });
      const before = await rollups(flag);
      const again = await post(events, headers);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, duplicate: true });
      // Another body under the same key is a replay too: the key identifies the batch.
      const other = await post([exposure(flag, 'candidate', 'u9')], headers);
      expect(other.body).toEqual({ ...first.body, duplicate: true });
      expect(await rollups(flag)).toEqual(before);
      expect(metric(before.control, Metric.Generations)?.count).toBe(1);
      // The key is per environment: staging records its own batch under it.
      const staging = await post([exposure(flag, 'candidate', 'u9')], {
        ...headers,
        ...bearer(keys.serverStaging),
      });
      expect(staging.body).toMatchObject({ accepted: 1, duplicate: false });
    });

    it('counts exactly one of 8 concurrent identical posts', async () => {
      const flag = await newFlag();
      const events = Array.from({ length: 50 }, (_, i) =>
        generation(flag, 'candidate', { unit: `u${i}`, model: 'claude-sonnet-4-5', latencyMs: 100 + i }),
      );
      const headers = { 'idempotency-key': `concurrent-${dialect}` };
      const answers = await Promise.all(Array.from({ length: 8 }, () => post(events, headers)));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
      for (const a of answers) expect(a.body).toMatchObject({ accepted: 50, rejected: [] });
      const r = await rollups(flag);
      expect(metric(r.candidate, Metric.Generations)?.count).toBe(50);
      expect(metric(r.candidate, Metric.LatencyMs)?.sketch?.count).toBe(50);
      expect(r.candidate?.units).toBe(50);
      const rows = await t.database.db
        .selectFrom('event_batches')
        .select('id')
        .where('idempotency_key', '=', `concurrent-${dialect}`)
        .execute();
      expect(rows).toHaveLength(1);
    });
  });

  describe('concurrent batches', () => {
    const BATCHES = 20;
    const PER_BATCH = 60;

    /** Batch `b`: generations and feedback on the same rows (one hour, two variants), distinct units. */
    const batch = (flag: string, b: number) =>
      Array.from({ length: PER_BATCH }, (_, i) =>
        i % 3 === 2
          ? {
              kind: 'feedback',
              flag,
              variant: i % 2 ? 'control' : 'candidate',
              unit: `b${b}-u${i}`,
              score: 0.5,
            }
          : generation(flag, i % 2 ? 'control' : 'candidate', {
              unit: `b${b}-u${i}`,
              latencyMs: 10 + b * PER_BATCH + i,
              ttftMs: 5,
            }),
      );

    function expectAllCounted(r: Awaited<ReturnType<typeof rollups>>, batches: number) {
      const generations = batches * (PER_BATCH - PER_BATCH / 3);
      const feedback = batches * (PER_BATCH / 3);
      const g =
        (metric(r.control, Metric.Generations)?.count ?? 0) +
        (metric(r.candidate, Metric.Generations)?.count ?? 0);
      expect(g).toBe(generations);
      const sketched =
        (metric(r.control, Metric.LatencyMs)?.sketch?.count ?? 0) +
        (metric(r.candidate, Metric.LatencyMs)?.sketch?.count ?? 0);
      expect(sketched).toBe(generations);
      const ttft =
        (metric(r.control, Metric.TtftMs)?.count ?? 0) + (metric(r.candidate, Metric.TtftMs)?.count ?? 0);
      expect(ttft).toBe(generations);
      const fb =
        (metric(r.control, Metric.FeedbackScore)?.count ?? 0) +
        (metric(r.candidate, Metric.FeedbackScore)?.count ?? 0);
      expect(fb).toBe(feedback);
      expect((r.control?.units ?? 0) + (r.candidate?.units ?? 0)).toBe(batches * PER_BATCH);
      let latencySum = 0;
      for (let b = 0; b < batches; b++) {
        for (let i = 0; i < PER_BATCH; i++) if (i % 3 !== 2) latencySum += 10 + b * PER_BATCH + i;
      }
      const sum =
        (metric(r.control, Metric.LatencyMs)?.sum ?? 0) + (metric(r.candidate, Metric.LatencyMs)?.sum ?? 0);
      expect(sum).toBeCloseTo(latencySum, 6);
    }

    it(`loses nothing of ${BATCHES} concurrent batches on the same rollup rows`, async () => {
      const flag = await newFlag();
      const answers = await Promise.all(Array.from({ length: BATCHES }, (_, b) => post(batch(flag, b))));
      for (const a of answers) expect(a.body).toMatchObject({ accepted: PER_BATCH, duplicate: false });
      expectAllCounted(await rollups(flag), BATCHES);
    });

    it('loses nothing when two replicas ingest into the same rows at once', async () => {
      const flag = await newFlag();
      // A second app on the same store: on PostgreSQL its transactions really run beside the first's.
      const replica = await createApp(
        { ...t.config, bootstrapAdminKey: false },
        { database: t.database, clock: () => now },
      );
      try {
        const answers = await Promise.all(
          Array.from({ length: BATCHES }, (_, b) =>
            (b % 2 ? replica.http : t.http).inject({
              method: 'POST',
              url: '/api/v1/events',
              headers: { ...bearer(keys.server), 'idempotency-key': `replicas-${flag}-${b}` },
              payload: { events: batch(flag, b) },
            }),
          ),
        );
        for (const a of answers) expect(a.statusCode, a.body).toBe(200);
        expectAllCounted(await rollups(flag), BATCHES);
      } finally {
        await replica.close();
      }
    });
  });

  describe('cost', () => {
    const tokens = { inputTokens: 1_000, outputTokens: 500 };
    /** gpt-4o at $2.50 / $10 per million. */
    const GPT_4O = (1_000 * 2.5 + 500 * 10) / 1e6;

    async function costs(flag: string, events: unknown[]) {
      await postOk(events);
      const lines = await exportLines(`environment=production&flag=${flag}&kind=generation`);
      return lines.events.slice(-events.length).map((e) => e.costUsd);
    }

    it('computes it from the built-in table, a dated model name included', async () => {
      const flag = await newFlag();
      expect(
        await costs(flag, [
          generation(flag, 'control', tokens),
          generation(flag, 'control', { ...tokens, model: 'gpt-4o-2024-08-06' }),
          generation(flag, 'cheap', { ...tokens, model: 'gpt-4.1-nano' }),
          generation(flag, 'control', { ...tokens, provider: 'OpenAI', model: 'gpt-4o-mini' }),
        ]),
      ).toEqual([GPT_4O, GPT_4O, (1_000 * 0.1 + 500 * 0.4) / 1e6, (1_000 * 0.15 + 500 * 0.6) / 1e6]);
      const r = await rollups(flag);
      expect(metric(r.control, Metric.CostUsd)?.count).toBe(3);
      expect(metric(r.control, Metric.CostUsd)?.sum).toBeCloseTo(
        2 * GPT_4O + (1_000 * 0.15 + 500 * 0.6) / 1e6,
        12,
      );
    });

    it("uses the variant's own pricing for its own model only", async () => {
      const flag = await newFlag();
      const own = { provider: 'anthropic', model: 'claude-sonnet-4-5' };
      expect(
        await costs(flag, [
          generation(flag, 'candidate', { ...tokens, ...own }),
          generation(flag, 'candidate', { ...tokens, fallbackUsed: true }),
        ]),
      ).toEqual([(1_000 * 1 + 500 * 2) / 1e6, GPT_4O]);
    });

    it('keeps a given cost, and counts generations without a known cost apart, never as 0', async () => {
      const flag = await newFlag();
      expect(
        await costs(flag, [
          generation(flag, 'control', { ...tokens, costUsd: 0.123 }),
          generation(flag, 'control', { ...tokens, model: 'my-own-llama' }),
          generation(flag, 'control', {}),
          generation(flag, 'control', { inputTokens: 2_000 }),
        ]),
      ).toEqual([0.123, undefined, undefined, (2_000 * 2.5) / 1e6]);
      const r = await rollups(flag);
      expect(metric(r.control, Metric.CostUsd)).toMatchObject({ count: 2 });
      expect(metric(r.control, Metric.CostUsd)?.sum).toBeCloseTo(0.123 + 0.005, 12);
      expect(metric(r.control, Metric.CostUnknown)?.count).toBe(2);
      expect(metric(r.control, Metric.Generations)?.count).toBe(4);
    });

    it('uses a price set in the settings, and the built-in one again once it is removed', async () => {
      const flag = await newFlag();
      const put = await t.request('PUT', '/api/v1/settings/prices/openai/gpt-4o', {
        inputPerMillion: 5,
        outputPerMillion: 20,
      });
      expect(put.status).toBe(200);
      expect(await costs(flag, [generation(flag, 'control', tokens)])).toEqual([
        (1_000 * 5 + 500 * 20) / 1e6,
      ]);
      expect((await t.request('DELETE', '/api/v1/settings/prices/openai/gpt-4o')).status).toBe(204);
      expect(await costs(flag, [generation(flag, 'control', tokens)])).toEqual([GPT_4O]);
    });
  });

  describe('the price settings', () => {
    it('list the built-in table, each entry marked as such', async () => {
      const { status, body } = await t.request('GET', '/api/v1/settings/prices');
      expect(status).toBe(200);
      const names = body.items.map((e: { provider: string; model: string }) => `${e.provider}/${e.model}`);
      for (const name of [
        'openai/gpt-4o',
        'openai/gpt-4o-mini',
        'openai/gpt-4.1',
        'openai/gpt-4.1-mini',
        'openai/gpt-4.1-nano',
        'openai/o3',
        'openai/o4-mini',
        'openai/gpt-5',
        'openai/gpt-5-mini',
        'anthropic/claude-opus-4',
        'anthropic/claude-sonnet-4',
        'anthropic/claude-3-5-haiku',
        'anthropic/claude-haiku-4-5',
        'anthropic/claude-sonnet-4-5',
      ]) {
        expect(names).toContain(name);
      }
      expect(body.items.find((e: { model: string }) => e.model === 'gpt-4o')).toEqual({
        provider: 'openai',
        model: 'gpt-4o',
        inputPerMillion: 2.5,
        outputPerMillion: 10,
        source: 'built-in',
      });
      expect((await t.request('GET', '/api/v1/settings/prices', undefined, bearer(keys.server))).status).toBe(
        403,
      );
    });

    it('validate a price, record every change in the audit log, and 404 on removing what is not there', async () => {
      const url = '/api/v1/settings/prices/Mistral/mistral-large-2411';
      for (const [body, field] of [
        [{ inputPerMillion: -1, outputPerMillion: 1 }, 'body.inputPerMillion'],
        [{ inputPerMillion: 1 }, 'body.outputPerMillion'],
        [{ inputPerMillion: 1, outputPerMillion: 1, currency: 'EUR' }, 'body'],
        [{ inputPerMillion: 1, outputPerMillion: 100_000 }, 'body.outputPerMillion'],
      ] as const) {
        const refused = await t.request('PUT', url, body);
        expect(refused.status, JSON.stringify(body)).toBe(400);
        expect(refused.body.field).toBe(field);
      }
      const badProvider = await t.request('PUT', '/api/v1/settings/prices/open%20ai/x', {
        inputPerMillion: 1,
        outputPerMillion: 1,
      });
      expect(badProvider).toMatchObject({ status: 400, body: { field: 'params.provider' } });
      expect(
        (await t.request('PUT', url, { inputPerMillion: 2, outputPerMillion: 6 }, bearer(keys.server)))
          .status,
      ).toBe(403);

      const set = await t.request('PUT', url, { inputPerMillion: 2, outputPerMillion: 6 });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({
        provider: 'mistral',
        model: 'mistral-large-2411',
        inputPerMillion: 2,
        outputPerMillion: 6,
        source: 'settings',
        updatedAt: now.toISOString(),
      });
      const listed = (await t.request('GET', '/api/v1/settings/prices')).body.items;
      expect(listed).toContainEqual(set.body);
      const replaced = await t.request('PUT', '/api/v1/settings/prices/anthropic/claude-opus-4', {
        inputPerMillion: 10,
        outputPerMillion: 50,
      });
      expect(replaced.status).toBe(200);
      const opus = (await t.request('GET', '/api/v1/settings/prices')).body.items.filter(
        (e: { model: string }) => e.model === 'claude-opus-4',
      );
      expect(opus).toEqual([replaced.body]);

      expect((await t.request('DELETE', url)).status).toBe(204);
      expect((await t.request('DELETE', url)).status).toBe(404);
      expect((await t.request('DELETE', '/api/v1/settings/prices/anthropic/claude-opus-4')).status).toBe(204);
      const opusAgain = (await t.request('GET', '/api/v1/settings/prices')).body.items.find(
        (e: { model: string }) => e.model === 'claude-opus-4',
      );
      expect(opusAgain.source).toBe('built-in');

      const audit = (await t.request('GET', '/api/v1/audit?limit=500')).body.items.filter(
        (e: { resourceType: string }) => e.resourceType === 'model-price',
      );
      expect(
        audit.map((e: { action: string; resourceKey: string }) => `${e.action} ${e.resourceKey}`).reverse(),
      ).toEqual(
        expect.arrayContaining([
          'price.set mistral/mistral-large-2411',
          'price.set anthropic/claude-opus-4',
          'price.delete mistral/mistral-large-2411',
          'price.delete anthropic/claude-opus-4',
        ]),
      );
      const setOpus = audit.find(
        (e: { action: string; resourceKey: string }) =>
          e.action === 'price.set' && e.resourceKey === 'anthropic/claude-opus-4',
      );
      expect(setOpus.before).toMatchObject({ inputPerMillion: 15, outputPerMillion: 75, source: 'built-in' });
      expect(setOpus.after).toMatchObject({ inputPerMillion: 10, outputPerMillion: 50, source: 'settings' });
      expect(setOpus.actor).toMatch(/^key:local admin#/);
    });
  });

  describe('GET /api/v1/events/export', () => {
    it('streams the kept events as NDJSON in the order received, with their server-filled fields, filtered', async () => {
      const flag = await newFlag();
      const at = (minutes: number) => new Date(START.getTime() - minutes * 60_000).toISOString();
      await postOk([
        exposure(flag, 'control', 'u1', { ts: at(50) }),
        generation(flag, 'control', { ts: at(40), inputTokens: 1 }),
      ]);
      await postOk([{ kind: 'feedback', flag, variant: 'control', unit: 'u1', thumbs: 'up' }]);
      await postOk([exposure(flag, 'candidate', 'u2', { ts: at(45) })]);

      const all = await exportLines(`environment=production&flag=${flag}`);
      expect(all.status).toBe(200);
      expect(all.type).toMatch(/^application\/x-ndjson/);
      expect(all.body.endsWith('\n')).toBe(true);
      expect(all.events.map((e) => `${e.kind} ${e.variant}`)).toEqual([
        'exposure control',
        'generation control',
        'feedback control',
        'exposure candidate',
      ]);
      for (const e of all.events)
        expect(e).toMatchObject({ flag, environment: 'production', ts: expect.any(String) });
      expect(all.events[1].costUsd).toBeCloseTo(2.5 / 1e6, 15);
      // A missing ts is the time of receipt.
      expect(all.events[2].ts).toBe(now.toISOString());

      const generations = await exportLines(`environment=production&flag=${flag}&kind=generation`);
      expect(generations.events).toHaveLength(1);
      const window = await exportLines(
        `environment=production&flag=${flag}&from=${encodeURIComponent(at(46))}&to=${encodeURIComponent(at(40))}`,
      );
      expect(window.events.map((e) => e.ts)).toEqual([at(45)]);
      const staging = await exportLines(`environment=staging&flag=${flag}`);
      expect(staging.events).toEqual([]);
    });

    it('pages through many batches, and is for admin keys only', async () => {
      const flag = await newFlag();
      for (let b = 0; b < 45; b++) await postOk([exposure(flag, 'cheap', `u${b}`)]);
      const lines = await exportLines(`environment=production&flag=${flag}`);
      expect(lines.events.map((e) => e.unit)).toEqual(Array.from({ length: 45 }, (_, b) => `u${b}`));
      expect((await exportLines('environment=production', keys.server)).status).toBe(403);
      expect((await exportLines('environment=nowhere')).status).toBe(404);
      expect((await exportLines('environment=production&from=last-week')).status).toBe(400);
      expect((await exportLines('')).status).toBe(400);
    });
  });

  describe('rollups', () => {
    it('give counts, sums, sums of squares and quantiles within 1% per variant and metric', async () => {
      const flag = await newFlag();
      const control = latencies(2_000, 1);
      const candidate = latencies(1_500, 2);
      for (const [variant, values] of [
        ['control', control],
        ['candidate', candidate],
      ] as const) {
        for (let i = 0; i < values.length; i += 500) {
          await postOk(
            values.slice(i, i + 500).map((latencyMs, j) =>
              generation(flag, variant, {
                latencyMs,
                ttftMs: latencyMs / 4,
                unit: `${variant}-${(i + j) % 300}`,
                inputTokens: j,
                outputTokens: 2 * j,
              }),
            ),
          );
        }
      }
      const r = await rollups(flag);
      for (const [variant, values] of [
        ['control', control],
        ['candidate', candidate],
      ] as const) {
        const latency = metric(r[variant], Metric.LatencyMs);
        expect(latency?.count).toBe(values.length);
        expect(latency?.sum).toBeCloseTo(sumOf(values), 3);
        expect(latency?.sumSquares).toBeCloseTo(sumOf(values.map((v) => v * v)), 2);
        expect(latency?.sketch?.count).toBe(values.length);
        for (const q of [0.5, 0.95, 0.99]) {
          const exact = exactQuantile(values, q);
          const estimate = latency?.sketch?.getValueAtQuantile(q) ?? Number.NaN;
          expect(Math.abs(estimate - exact) / exact, `${variant} p${q * 100}`).toBeLessThanOrEqual(
            0.01 + 1e-9,
          );
        }
        const ttft = metric(r[variant], Metric.TtftMs)?.sketch?.getValueAtQuantile(0.5) ?? Number.NaN;
        expect(
          Math.abs(ttft - exactQuantile(values, 0.5) / 4) / (exactQuantile(values, 0.5) / 4),
        ).toBeLessThanOrEqual(0.0100001);
        expect(r[variant]?.units).toBe(300);
        expect(metric(r[variant], Metric.InputTokens)?.sum).toBe(sumOf(values.map((_, i) => i % 500)));
      }
    });

    it('count errors by kind, fallbacks, shadow generations apart, feedback scores and custom metrics', async () => {
      const flag = await newFlag();
      await postOk([
        generation(flag, 'control', { unit: 'a', error: 'rate_limit' }),
        generation(flag, 'control', { unit: 'a', error: 'timeout' }),
        generation(flag, 'control', { unit: 'a', error: 'rate_limit', fallbackUsed: true }),
        generation(flag, 'candidate', { unit: 'a', shadow: true, latencyMs: 900, error: 'server' }),
        generation(flag, 'candidate', { unit: 'b', shadow: true, latencyMs: 800 }),
        { kind: 'feedback', flag, variant: 'control', unit: 'a', thumbs: 'up' },
        { kind: 'feedback', flag, variant: 'control', unit: 'c', thumbs: 'down' },
        { kind: 'feedback', flag, variant: 'control', generationId: 'g1', score: 0.25 },
        { kind: 'feedback', flag, variant: 'control', unit: 'a', score: 0.9, source: 'judge' },
        { kind: 'metric', name: 'checkout', value: 42, flag, variant: 'candidate', unit: 'd' },
        { kind: 'metric', name: 'checkout', value: 8, flag, variant: 'candidate' },
        { kind: 'metric', name: 'unattributed', value: 1 },
      ]);
      const r = await rollups(flag);
      const count = (variant: string, name: string) => metric(r[variant], name)?.count;
      expect(count('control', Metric.Generations)).toBe(3);
      expect(count('control', Metric.Errors)).toBe(3);
      expect(count('control', 'errors.rate_limit')).toBe(2);
      expect(count('control', 'errors.timeout')).toBe(1);
      expect(count('control', Metric.Fallbacks)).toBe(1);
      expect(count('candidate', Metric.Generations)).toBeUndefined();
      expect(count('candidate', 'shadow.generations')).toBe(2);
      expect(count('candidate', 'shadow.errors.server')).toBe(1);
      expect(metric(r.candidate, 'shadow.latency_ms')?.sum).toBe(1_700);
      expect(metric(r.control, Metric.FeedbackScore)).toMatchObject({
        count: 3,
        sum: 1.25,
        sumSquares: 1.0625,
      });
      expect(metric(r.control, Metric.JudgeScore)).toMatchObject({ count: 1, sum: 0.9 });
      expect(metric(r.candidate, 'metric:checkout')).toMatchObject({
        count: 2,
        sum: 50,
        sumSquares: 42 * 42 + 64,
      });
      // Units: the control unit of its generations and feedback (a, c); never a shadow generation's (b),
      // but a custom metric's unit is not one either.
      expect(r.control?.units).toBe(2);
      expect(r.candidate?.units).toBe(0);
    });

    it('count a unit once per variant, in the hour first seen, whatever its events and batches', async () => {
      const flag = await newFlag();
      const hourAgo = new Date(START.getTime() - 3_600_000).toISOString();
      await postOk([
        exposure(flag, 'control', 'u1', { ts: hourAgo }),
        exposure(flag, 'control', 'u1'),
        exposure(flag, 'control', 'u2'),
        generation(flag, 'control', { unit: 'u3' }),
      ]);
      await postOk([
        exposure(flag, 'control', 'u1'),
        exposure(flag, 'control', 'u3'),
        exposure(flag, 'candidate', 'u1'),
        { kind: 'feedback', flag, variant: 'control', unit: 'u4', thumbs: 'up' },
      ]);
      const r = await rollups(flag);
      expect(r.control?.units).toBe(4);
      expect(r.candidate?.units).toBe(1);
      const series = await t.services.events.rollupSeries({ environmentId, flagKey: flag });
      expect(series.map((s) => s.hour)).toEqual(['2026-06-01T11:00:00.000Z', '2026-06-01T12:00:00.000Z']);
      expect(series[0]?.variants.control?.units).toBe(1);
      expect(series[0]?.variants.control?.metrics[Metric.Exposures]?.count).toBe(1);
      expect(series[1]?.variants.control?.units).toBe(3);
      expect(series[1]?.variants.control?.metrics[Metric.Exposures]?.count).toBe(4);
      const lastHour = await rollups(flag, new Date('2026-06-01T12:10:00.000Z'));
      expect(lastHour.control?.units).toBe(3);
      const firstHour = await rollups(flag, undefined, new Date('2026-06-01T12:00:00.000Z'));
      expect(firstHour.control?.metrics[Metric.Exposures]?.count).toBe(1);
      expect(firstHour.candidate).toBeUndefined();
    });
  });

  describe('retention', () => {
    it('purges raw events older than the retention, keeps the rollups, and refuses events stamped before it', async () => {
      const flag = await newFlag();
      await postOk([exposure(flag, 'control', 'old')]);
      const before = await rollups(flag);
      now = new Date(START.getTime() + 20 * DAY_MS);
      await postOk([exposure(flag, 'control', 'newer')]);
      now = new Date(START.getTime() + 31 * DAY_MS);
      try {
        expect(await t.services.events.purgeExpired()).toBeGreaterThanOrEqual(1);
        const kept = await exportLines(`environment=production&flag=${flag}`);
        expect(kept.events.map((e) => e.unit)).toEqual(['newer']);
        expect(metric((await rollups(flag)).control, Metric.Exposures)?.count).toBe(
          (metric(before.control, Metric.Exposures)?.count ?? 0) + 1,
        );
        const stale = await post([exposure(flag, 'control', 'late', { ts: START.toISOString() })]);
        expect(stale.body.rejected).toEqual([
          { index: 0, field: 'ts', message: 'is older than the 30-day retention of events' },
        ]);
        expect(await t.services.events.purgeExpired()).toBe(0);
      } finally {
        now = START;
      }
    });
  });
});
