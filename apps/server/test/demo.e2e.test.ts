import { evaluate, Reason } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACTOR, DEMO_FLAGS, DemoFlag } from '../src/features/demo/demo-flags.js';
import { HISTORY_REQUESTS_PER_HOUR, historyHours, writeHistory } from '../src/features/demo/demo-history.js';
import { seedDemo } from '../src/features/demo/demo-seeder.js';
import { InstantClock } from '../src/features/demo/instant-clock.js';
import { startDemo } from '../src/features/demo/start-demo.js';
import { type DemoTarget, TrafficGenerator } from '../src/features/demo/traffic-generator.js';
import { Metric } from '../src/features/events/event-metrics.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

const START_MS = Date.parse('2026-06-01T12:00:00.000Z');
const REQUESTS = 300;

/** A store with the demo seeded, on a clock the test moves (the app's and the simulated calls'). */
async function seededApp(dialect: (typeof DIALECTS)[number], clock: InstantClock) {
  const t = await startTestApp(dialect, {}, { clock: () => new Date(clock.now()) });
  await seedDemo(t.services);
  const environment = await t.services.snapshots.resolve('default', 'production');
  return { t, environment };
}

function targetOf(t: TestApp, environment: DemoTarget['environment'], recorded?: unknown[]): DemoTarget {
  return {
    snapshots: t.services.snapshots,
    environment,
    events: {
      ingest(scope, key, events) {
        recorded?.push(...events);
        return t.services.events.ingest(scope, key, events);
      },
    },
  };
}

describe.each(DIALECTS)('demo seeding on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('creates the three flags on an empty store, valid, configured in production and audited', async () => {
    const seed = await seedDemo(t.services);
    expect(seed).toEqual({
      project: 'default',
      projectCreated: false,
      created: ['llm-model', 'prompt-variant', 'ai-agent'],
      kept: [],
      foreign: [],
    });

    const { status, body: model } = await t.request('GET', '/api/v1/flags/llm-model');
    expect(status).toBe(200);
    expect(model).toMatchObject({ kind: 'ai-config', changeType: 'model-swap', tags: ['demo', 'ai'] });
    expect(
      model.variants.map((v: { key: string; value: { model: string } }) => [v.key, v.value.model]),
    ).toEqual([
      ['control', 'gpt-4o'],
      ['candidate', 'gpt-4o-mini'],
    ]);
    // Defaults the server fills in (tools) show the values went through its schema.
    expect(model.variants[0].value).toMatchObject({
      provider: 'simulated',
      tools: [],
      fallbacks: [{ provider: 'simulated', model: 'gpt-4o-mini' }],
      pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
    });
    expect(model.environments.production).toMatchObject({
      enabled: true,
      offVariant: 'control',
      fallthrough: {
        split: [
          { variant: 'candidate', weight: 50_000 },
          { variant: 'control', weight: 50_000 },
        ],
      },
      version: 1,
    });
    expect(model.environments.staging).toMatchObject({ enabled: false, version: 0 });

    // The evaluator serves them: a split for the model and the prompt, on for the kill switch.
    const { compiled } = await t.services.snapshots.get(
      await t.services.snapshots.resolve('default', 'production'),
    );
    const context = { targetingKey: 'user-0001' };
    expect(evaluate(compiled, 'llm-model', context).reason).toBe(Reason.Split);
    expect(evaluate(compiled, 'prompt-variant', context, '').reason).toBe(Reason.Split);
    expect(evaluate(compiled, 'ai-agent', context, false)).toMatchObject({ value: true, variant: 'on' });

    const audit = await t.request('GET', `/api/v1/audit?actor=${DEMO_ACTOR}&limit=100`);
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((e: { action: string; flag: string }) => `${e.action} ${e.flag}`);
    expect(actions.sort()).toEqual(
      DEMO_FLAGS.flatMap(({ create }) => [
        `flag.create ${create.key}`,
        `flag.environment.update ${create.key}`,
      ]).sort(),
    );
  });

  it('is idempotent: a second seed changes nothing, and keeps what was changed since', async () => {
    const killed = await t.request('PATCH', '/api/v1/flags/ai-agent/environments/production', {
      version: 1,
      enabled: false,
    });
    expect(killed.status).toBe(200);
    const before = (await t.request('GET', '/api/v1/audit?limit=500')).body.items.length;

    const seed = await seedDemo(t.services);
    expect(seed).toMatchObject({
      created: [],
      kept: ['llm-model', 'prompt-variant', 'ai-agent'],
      foreign: [],
    });
    expect((await t.request('GET', '/api/v1/audit?limit=500')).body.items.length).toBe(before);
    const flags = (await t.request('GET', '/api/v1/flags?tag=demo')).body.items;
    expect(flags.map((f: { key: string }) => f.key).sort()).toEqual([
      'ai-agent',
      'llm-model',
      'prompt-variant',
    ]);
    const agent = (await t.request('GET', '/api/v1/flags/ai-agent')).body;
    expect(agent.environments.production).toMatchObject({ enabled: false, version: 2 });
  });

  it('adds itself to a store with other data, leaving that data and a same-named flag alone', async () => {
    const other = await startTestApp(dialect);
    try {
      const mine = { key: 'llm-model', kind: 'string', variants: [{ key: 'a', value: 'x' }] };
      expect((await other.request('POST', '/api/v1/flags', mine)).status).toBe(201);
      const checkout = { key: 'checkout', kind: 'boolean', variants: [{ key: 'on', value: true }] };
      expect((await other.request('POST', '/api/v1/flags', checkout)).status).toBe(201);
      const before = (await other.request('GET', '/api/v1/flags?limit=500')).body.items;

      const seed = await seedDemo(other.services);
      expect(seed).toMatchObject({
        created: ['prompt-variant', 'ai-agent'],
        kept: [],
        foreign: ['llm-model'],
      });
      const after = (await other.request('GET', '/api/v1/flags?limit=500')).body.items;
      for (const flag of before) expect(after).toContainEqual(flag);
      expect(after.map((f: { key: string }) => f.key).sort()).toEqual([
        'ai-agent',
        'checkout',
        'llm-model',
        'prompt-variant',
      ]);
    } finally {
      await other.destroy();
    }
  });

  it('configures a demo flag that was created but never configured (a start stopped in between)', async () => {
    const other = await startTestApp(dialect);
    try {
      const definition = DEMO_FLAGS.find((d) => d.create.key === DemoFlag.Prompt);
      expect((await other.request('POST', '/api/v1/flags', definition?.create)).status).toBe(201);
      const seed = await seedDemo(other.services);
      expect(seed.kept).toEqual(['prompt-variant']);
      const flag = (await other.request('GET', '/api/v1/flags/prompt-variant')).body;
      expect(flag.environments.production).toMatchObject({ enabled: true, version: 1 });
    } finally {
      await other.destroy();
    }
  });
});

describe.each(DIALECTS)('demo traffic on %s', (dialect) => {
  it(`${REQUESTS} requests are recorded and accepted, with rollups for both variants`, async () => {
    const clock = new InstantClock(START_MS);
    const { t, environment } = await seededApp(dialect, clock);
    try {
      const generator = new TrafficGenerator(targetOf(t, environment), { seed: 'test', clock, runId: 'run' });
      for (let i = 0; i < REQUESTS; i++) {
        clock.moveTo(START_MS + i * 2_000);
        await generator.request();
      }
      await generator.flush();
      const { stats } = generator;
      expect(stats).toMatchObject({
        requests: REQUESTS,
        killed: 0,
        skipped: 0,
        crashed: 0,
        dropped: 0,
        rejected: 0,
      });
      // Every request ends in one generation per flag it is attributed to, answered or not.
      expect(stats.queued.generation).toBe(2 * REQUESTS);
      // One exposure per unit, flag and variant.
      expect(stats.queued.exposure).toBe(generator.exposed.size);
      expect(stats.queued.feedback).toBeGreaterThan(0);
      expect(stats.accepted).toBe(stats.queued.exposure + stats.queued.generation + stats.queued.feedback);

      const rollups = await t.services.events.rollupsFor({
        environmentId: environment.environmentId,
        flagKey: 'llm-model',
      });
      expect(Object.keys(rollups).sort()).toEqual(['candidate', 'control']);
      const sum = (metric: string) =>
        Object.values(rollups).reduce((n, v) => n + (v.metrics[metric]?.count ?? 0), 0);
      expect(sum(Metric.Generations)).toBe(REQUESTS);
      expect(sum(Metric.FeedbackScore) + sum(Metric.JudgeScore)).toBe(stats.queued.feedback / 2);
      expect(sum(Metric.Fallbacks)).toBe(stats.fallbacks);
      expect(sum(Metric.Errors)).toBe(stats.failures);
      for (const variant of Object.values(rollups)) {
        expect(variant.units).toBeGreaterThan(0);
        expect(variant.metrics[Metric.Generations]?.count).toBeGreaterThan(0);
        expect(variant.metrics[Metric.LatencyMs]?.sketch?.getValueAtQuantile(0.95)).toBeGreaterThan(0);
        expect(variant.metrics[Metric.TtftMs]?.count).toBeGreaterThan(0);
        expect(variant.metrics[Metric.CostUsd]?.sum).toBeGreaterThan(0);
        expect(variant.metrics[Metric.CostUnknown]).toBeUndefined();
      }
      // The candidate is the cheaper model.
      const perRequest = (v: string) =>
        (rollups[v]?.metrics[Metric.CostUsd]?.sum ?? 0) /
        (rollups[v]?.metrics[Metric.Generations]?.count ?? 1);
      expect(perRequest('candidate')).toBeLessThan(perRequest('control') / 5);
      const prompt = await t.services.events.rollupsFor({
        environmentId: environment.environmentId,
        flagKey: 'prompt-variant',
      });
      expect(Object.keys(prompt).sort()).toEqual(['a', 'b']);
    } finally {
      await t.destroy();
    }
  });

  it('is deterministic for a seed and a clock; another seed gives other traffic', async () => {
    const run = async (t: TestApp, environment: DemoTarget['environment'], seed: string) => {
      const clock = new InstantClock(START_MS);
      const recorded: unknown[] = [];
      const generator = new TrafficGenerator(targetOf(t, environment, recorded), {
        seed,
        clock,
        runId: 'run',
      });
      for (let i = 0; i < 40; i++) await generator.request();
      await generator.flush();
      return recorded;
    };
    const clock = new InstantClock(START_MS);
    const { t, environment } = await seededApp(dialect, clock);
    try {
      const first = await run(t, environment, 'same');
      expect(first.length).toBeGreaterThan(80);
      expect(await run(t, environment, 'same')).toEqual(first);
      expect(await run(t, environment, 'other')).not.toEqual(first);
    } finally {
      await t.destroy();
    }
  });

  it('calls no model while the kill switch is off', async () => {
    const clock = new InstantClock(START_MS);
    const { t, environment } = await seededApp(dialect, clock);
    try {
      await t.services.flags.updateEnvironment(
        'default',
        'ai-agent',
        'production',
        { enabled: false },
        1,
        'test',
      );
      const generator = new TrafficGenerator(targetOf(t, environment), { seed: 'test', clock });
      for (let i = 0; i < 20; i++) await generator.request();
      await generator.flush();
      expect(generator.stats).toMatchObject({
        requests: 20,
        killed: 20,
        queued: { generation: 0, feedback: 0 },
      });
    } finally {
      await t.destroy();
    }
  });

  it('writes history spread over the past hours, within the retention', async () => {
    const clock = new InstantClock(START_MS);
    const { t, environment } = await seededApp(dialect, clock);
    try {
      const stats = await writeHistory(targetOf(t, environment), {
        seed: 'test',
        hours: 6,
        retentionDays: 30,
        nowMs: START_MS,
        requestsPerHour: 20,
      });
      expect(stats).toMatchObject({ requests: 120, rejected: 0, dropped: 0, crashed: 0 });
      expect(stats.accepted).toBe(stats.queued.exposure + stats.queued.generation + stats.queued.feedback);
      const series = await t.services.events.rollupSeries({
        environmentId: environment.environmentId,
        flagKey: 'llm-model',
      });
      expect(series.length).toBeGreaterThanOrEqual(6);
      expect(Date.parse(series[0]?.hour ?? '')).toBeGreaterThanOrEqual(START_MS - 7 * 3_600_000);
      expect(Date.parse(series.at(-1)?.hour ?? '')).toBeLessThan(START_MS);
    } finally {
      await t.destroy();
    }
  });
});

describe('demo start and stop (SQLite)', () => {
  it('seeds and writes history on the first start only, then runs and stops the traffic cleanly', async () => {
    const t = await startTestApp('sqlite');
    try {
      const lines: string[] = [];
      const first = await startDemo(
        t,
        'http://host',
        { requestsPerSecond: 0, historyHours: 2, seed: 's' },
        (l) => lines.push(l),
      );
      await first.stop();
      expect(first.history).toMatchObject({
        requests: 2 * HISTORY_REQUESTS_PER_HOUR,
        killed: 0,
        rejected: 0,
      });
      expect(first.history?.queued.generation).toBe(2 * 2 * HISTORY_REQUESTS_PER_HOUR);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('created llm-model, prompt-variant, ai-agent in project default/production');
      expect(lines[0]).toContain('240 requests of history over 2 h; no simulated traffic');
      expect(lines[0]).toContain('http://host/api/v1/flags/llm-model/results?env=production');

      const second = await startDemo(
        t,
        'http://host',
        { requestsPerSecond: 200, historyHours: 2, seed: 's' },
        (l) => lines.push(l),
      );
      expect(second.history).toBeUndefined();
      expect(lines[1]).toContain('kept llm-model, prompt-variant, ai-agent as they were');
      expect(lines[1]).toContain('simulated traffic at 200 requests/s');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopping = Date.now();
      await second.stop();
      // Requests in flight are aborted, not waited for (the simulated calls take seconds).
      expect(Date.now() - stopping).toBeLessThan(2_000);
      const { stats } = second.traffic;
      expect(stats.requests).toBeGreaterThan(10);
      expect(stats.crashed).toBe(0);
      const after = { ...stats, queued: { ...stats.queued } };
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(second.traffic.stats).toEqual(after);
    } finally {
      await t.destroy();
    }
  });

  it('never throws when the store fails: requests and batches are counted as lost', async () => {
    const clock = new InstantClock(START_MS);
    const failing = new Error('store unavailable');
    const generator = new TrafficGenerator(
      {
        environment: { projectId: 'p', environmentId: 'e' },
        snapshots: { get: () => Promise.reject(failing) },
        events: { ingest: () => Promise.reject(failing) },
      },
      { seed: 'test', clock },
    );
    await generator.request();
    await generator.flush();
    expect(generator.stats).toMatchObject({ requests: 1, crashed: 1 });

    const t = await startTestApp('sqlite', {}, { clock: () => new Date(clock.now()) });
    try {
      await seedDemo(t.services);
      const environment = await t.services.snapshots.resolve('default', 'production');
      const warnings: string[] = [];
      const broken = new TrafficGenerator(
        { ...targetOf(t, environment), events: { ingest: () => Promise.reject(failing) } },
        { seed: 'test', clock, warn: (m) => warnings.push(m) },
      );
      for (let i = 0; i < 5; i++) await broken.request();
      await broken.flush();
      expect(broken.stats.dropped).toBe(
        broken.stats.queued.exposure + broken.stats.queued.generation + broken.stats.queued.feedback,
      );
      expect(warnings).toEqual(['sending demo events failed: store unavailable']);
    } finally {
      await t.destroy();
    }
  });

  it('keeps the history within the event retention', () => {
    expect(historyHours(48, 30)).toBe(48);
    expect(historyHours(48, 1)).toBe(22);
    expect(historyHours(0, 30)).toBe(0);
  });
});
