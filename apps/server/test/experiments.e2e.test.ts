import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

const START = new Date('2026-06-01T12:30:00.000Z');
const HOUR_MS = 3_600_000;

/** A seeded generator, so every run posts the same events. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe.each(DIALECTS)('experiment results and promotion policies on %s', (dialect) => {
  let t: TestApp;
  let now = START;
  let serverKey = '';
  let batch = 0;

  async function post(events: unknown[]) {
    batch += 1;
    const response = await t.request(
      'POST',
      '/api/v1/events',
      { events },
      {
        authorization: `Bearer ${serverKey}`,
        'idempotency-key': `experiments-${batch}`,
      },
    );
    expect(response.status).toBe(200);
    expect(response.body.rejected).toEqual([]);
    return response.body;
  }

  /**
   * `units` units per arm, each exposed once and making two generations; the candidate errs `errorRate`
   * of the time and is `latencyShift` ms slower; thumbs up with probability `upRate[variant]`.
   */
  async function traffic(
    flag: string,
    options: { units: number; errorRate: Record<string, number>; upRate: Record<string, number>; ts: string },
  ) {
    const next = random(7);
    const events: unknown[] = [];
    for (const variant of ['control', 'candidate']) {
      for (let u = 0; u < options.units; u++) {
        const unit = `${variant}-user-${u}`;
        events.push({ kind: 'exposure', flag, variant, unit, ts: options.ts });
        for (let g = 0; g < 2; g++) {
          const failed = next() < (options.errorRate[variant] ?? 0);
          events.push({
            kind: 'generation',
            flag,
            variant,
            unit,
            provider: 'openai',
            model: variant === 'control' ? 'gpt-4o' : 'gpt-4o-mini',
            latencyMs: 400 + Math.round(next() * 400) + (variant === 'candidate' ? 100 : 0),
            inputTokens: 1_000,
            outputTokens: 200,
            ts: options.ts,
            ...(failed ? { error: 'server' } : {}),
          });
        }
        events.push({
          kind: 'feedback',
          flag,
          variant,
          unit,
          thumbs: next() < (options.upRate[variant] ?? 0) ? 'up' : 'down',
          ts: options.ts,
        });
      }
    }
    for (let i = 0; i < events.length; i += 1_000) await post(events.slice(i, i + 1_000));
  }

  async function newFlag(key: string) {
    const created = await t.request('POST', '/api/v1/flags', {
      key,
      kind: 'ai-config',
      variants: [
        { key: 'candidate', value: { provider: 'openai', model: 'gpt-4o-mini' } },
        { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
      ],
    });
    expect(created.status).toBe(201);
    const configured = await t.request('PATCH', `/api/v1/flags/${key}/environments/production`, {
      version: 0,
      enabled: true,
      fallthrough: {
        split: [
          { variant: 'candidate', weight: 50_000 },
          { variant: 'control', weight: 50_000 },
        ],
      },
    });
    expect(configured.status).toBe(200);
  }

  beforeAll(async () => {
    t = await startTestApp(dialect, {}, { clock: () => now });
    const key = await t.request('POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    serverKey = key.body.key;
  });
  afterAll(async () => {
    await t.destroy();
  });

  it('reports per-variant figures, comparisons with intervals, the split check and the verdict', async () => {
    await newFlag('llm-model');
    await traffic('llm-model', {
      units: 300,
      errorRate: { control: 0.01, candidate: 0.2 },
      upRate: { control: 0.8, candidate: 0.8 },
      ts: new Date(START.getTime() - 2 * HOUR_MS).toISOString(),
    });
    const { status, body } = await t.request('GET', '/api/v1/flags/llm-model/results?env=production');
    expect(status).toBe(200);
    expect(body.control).toBe('control');
    const byVariant = Object.fromEntries(body.variants.map((v: { variant: string }) => [v.variant, v]));
    expect(byVariant.candidate).toMatchObject({
      units: 300,
      exposures: 300,
      requests: 600,
      requestShare: 0.5,
    });
    expect(byVariant.candidate.quality.n).toBe(300);
    expect(byVariant.candidate.errorRate).toBeGreaterThan(0.1);
    expect(byVariant.candidate.latencyMs.p95).toBeGreaterThan(byVariant.control.latencyMs.p95);
    // Cost from the built-in price table: every generation has tokens.
    expect(byVariant.control.cost.perRequestUsd).toBeGreaterThan(byVariant.candidate.cost.perRequestUsd);
    expect(byVariant.control.cost.unknownRequests).toBe(0);
    expect(body.adoption).toEqual({ requestShare: 0.5, units: 300 });
    expect(body.sampleRatio).toMatchObject({
      mismatch: false,
      expected: { candidate: 50_000, control: 50_000 },
    });

    const [comparison] = body.comparisons;
    expect(comparison.variant).toBe('candidate');
    expect(comparison.errorRate.absolute.ci[0]).toBeGreaterThan(0);
    expect(comparison.errorRate.sequential.absolute.ci[0]).toBeGreaterThan(0);
    expect(comparison.verdict.decision).toBe('regress');
    expect(comparison.verdict.checks).toContainEqual(
      expect.objectContaining({ name: 'error-rate', status: 'fail' }),
    );
    expect(body.policy.minUnitsPerArm).toBe(100);
  });

  it('compares against another control when asked, and refuses unknown variants, flags and environments', async () => {
    const swapped = await t.request(
      'GET',
      '/api/v1/flags/llm-model/results?env=production&control=candidate',
    );
    expect(swapped.status).toBe(200);
    expect(swapped.body.comparisons[0].variant).toBe('control');
    const unknownVariant = await t.request(
      'GET',
      '/api/v1/flags/llm-model/results?env=production&control=nope',
    );
    expect(unknownVariant.status).toBe(400);
    expect(unknownVariant.body.field).toBe('querystring.control');
    expect((await t.request('GET', '/api/v1/flags/nope/results?env=production')).status).toBe(404);
    expect((await t.request('GET', '/api/v1/flags/llm-model/results?env=nope')).status).toBe(404);
    const missingEnv = await t.request('GET', '/api/v1/flags/llm-model/results');
    expect(missingEnv.status).toBe(400);
    const backwards = await t.request(
      'GET',
      '/api/v1/flags/llm-model/results?env=production&from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z',
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.field).toBe('querystring.to');
    const serverKeyResults = await t.request(
      'GET',
      '/api/v1/flags/llm-model/results?env=production',
      undefined,
      {
        authorization: `Bearer ${serverKey}`,
      },
    );
    expect(serverKeyResults.status).toBe(403);
  });

  it('limits results to a window of hours, and gives the hourly series for charts', async () => {
    const at = (hoursAgo: number) => new Date(START.getTime() - hoursAgo * HOUR_MS).toISOString();
    await newFlag('windowed');
    await post([
      {
        kind: 'generation',
        flag: 'windowed',
        variant: 'control',
        provider: 'openai',
        model: 'gpt-4o',
        latencyMs: 100,
        ts: at(5),
      },
      {
        kind: 'generation',
        flag: 'windowed',
        variant: 'control',
        provider: 'openai',
        model: 'gpt-4o',
        latencyMs: 300,
        ts: at(1),
      },
    ]);
    const all = await t.request('GET', '/api/v1/flags/windowed/results?env=production');
    const recent = await t.request(
      'GET',
      `/api/v1/flags/windowed/results?env=production&from=${encodeURIComponent(at(2))}`,
    );
    const requests = (body: { variants: { variant: string; requests: number }[] }) =>
      body.variants.find((v) => v.variant === 'control')?.requests;
    expect(requests(all.body)).toBe(2);
    expect(requests(recent.body)).toBe(1);
    const series = await t.request('GET', '/api/v1/flags/windowed/results/series?env=production');
    expect(series.status).toBe(200);
    expect(series.body.items).toHaveLength(2);
    expect(series.body.items[0].variants.control).toMatchObject({ requests: 1, errorRate: 0 });
    expect(series.body.items[0].hour < series.body.items[1].hour).toBe(true);
  });

  it('stores a policy per flag and environment: defaults, validation, versions, audit, and the verdict it gives', async () => {
    const initial = await t.request('GET', '/api/v1/flags/llm-model/environments/production/policy');
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ version: 0, control: null, settings: {}, updatedAt: null });
    expect(initial.body.policy.maxErrorRateIncrease).toBe(0.005);

    const url = '/api/v1/flags/llm-model/environments/production/policy';
    expect((await t.request('PUT', url, { policy: {} })).status).toBe(428);
    const tooFew = await t.request('PUT', url, { version: 0, policy: { minUnitsPerArm: 10 } });
    expect(tooFew.status).toBe(400);
    expect(tooFew.body.field).toBe('body.policy.minUnitsPerArm');
    const unknownField = await t.request('PUT', url, { version: 0, policy: { maxLatency: 1 } });
    expect(unknownField.status).toBe(400);
    const badControl = await t.request('PUT', url, { version: 0, control: 'nope', policy: {} });
    expect(badControl.status).toBe(400);
    expect(badControl.body.field).toBe('body.control');

    // A generous error budget: the candidate's 20% is within it, so it is no longer a regression.
    now = new Date(START.getTime() + 60_000);
    const saved = await t.request('PUT', url, {
      version: 0,
      control: 'control',
      policy: { maxErrorRateIncrease: 0.5, maxCostPerRequestUsd: null },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 1, control: 'control', updatedAt: now.toISOString() });
    expect(saved.body.policy.maxErrorRateIncrease).toBe(0.5);
    const stale = await t.request('PUT', url, { version: 0, policy: {} });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(1);

    const results = await t.request('GET', '/api/v1/flags/llm-model/results?env=production');
    expect(results.body.policy.maxErrorRateIncrease).toBe(0.5);
    const errorCheck = results.body.comparisons[0].verdict.checks.find(
      (c: { name: string }) => c.name === 'error-rate',
    );
    expect(errorCheck.status).toBe('pass');

    const audit = await t.request('GET', '/api/v1/audit?flag=llm-model&action=flag.policy.update');
    expect(audit.status).toBe(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'flag.policy.update',
      environment: 'production',
      before: null,
      after: { version: 1, control: 'control' },
    });
  });

  it('lets exactly one of concurrent policy writers win', async () => {
    await newFlag('contended');
    const url = '/api/v1/flags/contended/environments/production/policy';
    const writes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.request('PUT', url, { version: 0, policy: { qualityDelta: i / 100 } }),
      ),
    );
    expect(writes.filter((w) => w.status === 200)).toHaveLength(1);
    expect(writes.filter((w) => w.status === 409)).toHaveLength(7);
    expect((await t.request('GET', url)).body.version).toBe(1);
  });
});
