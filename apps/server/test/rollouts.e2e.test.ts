import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../src/change-bus.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';
import { HOUR_MS, newAiFlag, postArms, serverKeyOf, TestClock } from './rollout-fixtures.js';

const START = new Date('2026-06-01T00:00:00.000Z');

/** Stages short enough to walk through in a test: 10% and 50% for 2 h each, then 100%. */
const STAGES = [
  { kind: 'percentage', percent: 10, minDurationMs: 2 * HOUR_MS, minUnitsPerArm: 100 },
  { kind: 'percentage', percent: 50, minDurationMs: 2 * HOUR_MS, minUnitsPerArm: 100 },
  { kind: 'percentage', percent: 100, minDurationMs: 0, minUnitsPerArm: 100 },
];
/** Generous on errors, so that these tests are about the plan's mechanics. */
const POLICY = { maxErrorRateIncrease: 0.05 };

describe.each(DIALECTS)('rollout plans on %s', (dialect) => {
  let t: TestApp;
  let serverKey: string;
  const clock = new TestClock(START.getTime());
  const changes: Change[] = [];

  const fallthroughOf = async (flag: string) =>
    (await t.request('GET', `/api/v1/flags/${flag}/environments/production`)).body.fallthrough;
  const timeline = async (flag: string) =>
    (await t.request('GET', `/api/v1/flags/${flag}/environments/production/rollout/timeline`)).body.items as {
      action: string;
      reason: string;
      repeats: number;
      actor: string;
      figures: Record<string, unknown> | null;
    }[];
  const tick = () => t.services.rolloutScheduler.tick();

  beforeAll(async () => {
    t = await startTestApp(dialect, { rolloutIntervalMs: 0 }, { clock: clock.now });
    serverKey = await serverKeyOf(t);
    t.bus.subscribe((change) => changes.push(change));
  });
  afterAll(async () => {
    await t.destroy();
  });

  it('lists the presets by change type', async () => {
    const { status, body } = await t.request('GET', '/api/v1/rollouts/presets');
    expect(status).toBe(200);
    const byType = Object.fromEntries(
      body.items.map((p: { changeType: string; stages: { percent: number; minDurationMs: number }[] }) => [
        p.changeType,
        p.stages.map((s) => `${s.percent}%/${s.minDurationMs / HOUR_MS}h`),
      ]),
    );
    expect(byType).toMatchObject({
      'model-swap': ['1%/48h', '5%/48h', '25%/48h', '50%/48h', '100%/0h'],
      prompt: ['10%/24h', '25%/24h', '50%/24h', '100%/0h'],
      tool: ['5%/48h', '25%/48h', '50%/48h', '100%/0h'],
      parameters: ['25%/12h', '50%/12h', '100%/0h'],
      'agent-workflow': ['1%/72h', '5%/72h', '25%/72h', '50%/72h', '100%/0h'],
    });
  });

  it("starts from the flag's change type preset and serves its first stage through the flag", async () => {
    await newAiFlag(t, 'preset-flag', { changeType: 'model-swap' });
    const created = await t.request('POST', '/api/v1/flags/preset-flag/environments/production/rollout', {
      candidate: 'candidate',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      flag: 'preset-flag',
      environment: 'production',
      candidate: 'candidate',
      control: 'control',
      status: 'active',
      stageIndex: 0,
      stage: { kind: 'percentage', percent: 1, minDurationMs: 48 * HOUR_MS },
      // The plan keeps the change type it was made for.
      changeType: 'model-swap',
    });
    expect(created.body.stages.map((s: { percent: number }) => s.percent)).toEqual([1, 5, 25, 50, 100]);
    expect(await fallthroughOf('preset-flag')).toEqual({
      split: [
        { variant: 'candidate', weight: 1_000 },
        { variant: 'control', weight: 99_000 },
      ],
    });
    // One live plan per flag and environment.
    const again = await t.request('POST', '/api/v1/flags/preset-flag/environments/production/rollout', {
      candidate: 'candidate',
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already has a live rollout in production \(active\)/);
    const audit = await t.request('GET', '/api/v1/audit?flag=preset-flag&limit=10');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['rollout.create', 'flag.environment.rollout']),
    );
  });

  it('refuses impossible plans, naming the field', async () => {
    await newAiFlag(t, 'bad-plans');
    const post = (body: unknown) =>
      t.request('POST', '/api/v1/flags/bad-plans/environments/production/rollout', body);
    const cases: [unknown, string][] = [
      [{ candidate: 'nope' }, 'body.candidate'],
      [{ candidate: 'candidate', control: 'candidate' }, 'body.control'],
      [
        {
          candidate: 'candidate',
          stages: [
            { kind: 'percentage', percent: 20, minDurationMs: 0, minUnitsPerArm: 100 },
            { kind: 'percentage', percent: 10, minDurationMs: 0, minUnitsPerArm: 100 },
          ],
        },
        'body.stages.1.percent',
      ],
      [
        {
          candidate: 'candidate',
          stages: [{ kind: 'percentage', percent: 20, minDurationMs: 0, minUnitsPerArm: 100 }],
        },
        'body.stages.0',
      ],
      [{ candidate: 'candidate', targeting: { segment: 'no-such-segment' } }, 'body.stages.0.segment'],
      [{ candidate: 'candidate', costCapPerDayUsd: -1 }, 'body.costCapPerDayUsd'],
    ];
    for (const [body, field] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field).toBe(field);
    }
    // Nothing was started by the refusals.
    expect((await t.request('GET', '/api/v1/flags/bad-plans/environments/production/rollout')).status).toBe(
      404,
    );
    const off = await t.request('POST', '/api/v1/flags/bad-plans/environments/staging/rollout', {
      candidate: 'candidate',
    });
    expect(off.status).toBe(409);
    expect(off.body.message).toMatch(/is off in staging/);
  });

  it('holds while data is short (recording what is missing), advances when the stage is met, completes at 100%', async () => {
    clock.set(START);
    await newAiFlag(t, 'walk');
    const created = await t.request('POST', '/api/v1/flags/walk/environments/production/rollout', {
      candidate: 'candidate',
      stages: STAGES,
      policy: POLICY,
    });
    expect(created.status).toBe(201);

    clock.set(START.getTime() + HOUR_MS);
    const report = await tick();
    expect(report.leader).toBe(true);
    let decision = report.decisions.find((d) => d.flag === 'walk');
    expect(decision).toMatchObject({ action: 'held' });
    expect(decision?.reason).toMatch(/sample-size/);
    expect(decision?.reason).toMatch(/candidate units 0 of 100/);

    clock.set(START.getTime() + 1.5 * HOUR_MS);
    await postArms(t, serverKey, 'walk', new Date(START.getTime() + 90 * 60_000), {
      control: { units: 900, errorRate: 0.02 },
      candidate: { units: 100, errorRate: 0.01 },
    });
    decision = (await tick()).decisions.find((d) => d.flag === 'walk');
    expect(decision?.action).toBe('held');
    expect(decision?.reason).toMatch(/duration 1.5 h of 2 h/);

    clock.set(START.getTime() + 2 * HOUR_MS);
    decision = (await tick()).decisions.find((d) => d.flag === 'walk');
    expect(decision).toMatchObject({ action: 'advanced', next: { percent: 50 } });
    expect(decision?.verdict?.decision).toBe('promote');
    expect(decision?.arms?.candidate).toMatchObject({ units: 100, requests: 100 });
    expect(await fallthroughOf('walk')).toEqual({
      split: [
        { variant: 'candidate', weight: 50_000 },
        { variant: 'control', weight: 50_000 },
      ],
    });

    // The 50% stage counts its own data only: from its first whole hour.
    clock.set(START.getTime() + 3 * HOUR_MS);
    decision = (await tick()).decisions.find((d) => d.flag === 'walk');
    expect(decision?.action).toBe('held');
    expect(decision?.arms?.candidate.units).toBe(0);
    clock.set(START.getTime() + 3.5 * HOUR_MS);
    await postArms(
      t,
      serverKey,
      'walk',
      new Date(START.getTime() + 3.2 * HOUR_MS),
      {
        control: { units: 500, errorRate: 0.02 },
        candidate: { units: 500, errorRate: 0.01 },
      },
      { prefix: 'stage2' },
    );
    clock.set(START.getTime() + 4 * HOUR_MS);
    decision = (await tick()).decisions.find((d) => d.flag === 'walk');
    expect(decision).toMatchObject({ action: 'completed' });
    expect(await fallthroughOf('walk')).toEqual({
      split: [
        { variant: 'candidate', weight: 100_000 },
        { variant: 'control', weight: 0 },
      ],
    });
    const plan = await t.request('GET', '/api/v1/flags/walk/environments/production/rollout');
    expect(plan.body).toMatchObject({ status: 'completed', stageIndex: 2 });
    // Completed plans are not evaluated any more.
    expect((await tick()).decisions.find((d) => d.flag === 'walk')).toBeUndefined();

    const entries = await timeline('walk');
    expect(entries.map((e) => e.action)).toEqual([
      'created',
      'held',
      'held',
      'advanced',
      'held',
      'completed',
    ]);
    // Holds for the same cause share an entry; a new cause is a new entry.
    expect(entries[1]).toMatchObject({ repeats: 1 });
    expect(entries[3]?.figures).toMatchObject({ from: '10%', to: '50%', verdict: { decision: 'promote' } });
    expect(entries[3]?.actor).toBe('rollout-scheduler');
  });

  it('rolls back on a broken guardrail, serves the control, drains the candidate and records why', async () => {
    clock.set(START);
    await newAiFlag(t, 'worse');
    await t.request('POST', '/api/v1/flags/worse/environments/production/rollout', {
      candidate: 'candidate',
      stages: STAGES,
    });
    clock.set(START.getTime() + HOUR_MS);
    await postArms(t, serverKey, 'worse', new Date(START.getTime() + 10 * 60_000), {
      control: { units: 900, errorRate: 0.01 },
      candidate: { units: 150, errorRate: 0.3 },
    });
    changes.length = 0;
    const decision = (await tick()).decisions.find((d) => d.flag === 'worse');
    expect(decision?.action).toBe('rolled-back');
    expect(decision?.reason).toMatch(/regress: guardrail broken \(error-rate\) at 10%/);
    expect(await fallthroughOf('worse')).toEqual({ variant: 'control' });
    expect(changes.find((c) => c.resource === 'drain')?.drain).toMatchObject({
      flag: 'worse',
      variant: 'candidate',
    });
    const plan = await t.request('GET', '/api/v1/flags/worse/environments/production/rollout');
    expect(plan.body.status).toBe('rolled-back');
    expect(plan.body.reason).toMatch(/error rate/);
    const last = (await timeline('worse')).at(-1);
    expect(last).toMatchObject({ action: 'rolled-back', actor: 'rollout-scheduler' });
    expect(last?.figures).toMatchObject({ fallback: { served: 'control' }, drain: { variant: 'candidate' } });
    // A rolled-back plan frees the flag for a new one.
    const again = await t.request('POST', '/api/v1/flags/worse/environments/production/rollout', {
      candidate: 'candidate',
      stages: STAGES,
    });
    expect(again.status).toBe(201);
  });

  it('pauses, resumes, advances and rolls back by hand, each audited and in the timeline', async () => {
    clock.set(START);
    await newAiFlag(t, 'manual');
    await t.request('POST', '/api/v1/flags/manual/environments/production/rollout', {
      candidate: 'candidate',
      stages: STAGES,
    });
    const act = (action: string, body?: unknown) =>
      t.request('POST', `/api/v1/flags/manual/environments/production/rollout/${action}`, body);
    expect((await act('pause', { reason: 'waiting for the launch' })).body).toMatchObject({
      status: 'paused',
      reason: 'waiting for the launch',
    });
    // Paused plans are left alone by the scheduler.
    expect((await tick()).decisions.find((d) => d.flag === 'manual')).toBeUndefined();
    expect((await act('pause')).status).toBe(409);
    expect((await act('resume')).body).toMatchObject({ status: 'active', reason: null });
    expect((await act('resume')).status).toBe(409);
    clock.advance(10 * 60_000);
    const advanced = await act('advance', { reason: 'looks fine on the dashboards' });
    expect(advanced.body).toMatchObject({ status: 'active', stageIndex: 1, stage: { percent: 50 } });
    expect(advanced.body.stageStartedAt).toBe(new Date(START.getTime() + 10 * 60_000).toISOString());
    expect((await fallthroughOf('manual')).split[0]).toEqual({ variant: 'candidate', weight: 50_000 });
    const rolledBack = await act('rollback', { reason: 'support tickets about tone' });
    expect(rolledBack.body).toMatchObject({ status: 'rolled-back', reason: 'support tickets about tone' });
    expect(await fallthroughOf('manual')).toEqual({ variant: 'control' });
    expect((await act('rollback')).status).toBe(404);

    const entries = await timeline('manual');
    expect(entries.map((e) => e.action)).toEqual(['created', 'paused', 'resumed', 'advanced', 'rolled-back']);
    expect(entries[1]?.actor).toMatch(/^key:/);
    const audit = await t.request('GET', '/api/v1/audit?flag=manual&limit=50');
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    for (const action of ['rollout.pause', 'rollout.resume', 'rollout.advance', 'rollout.rollback'])
      expect(actions).toContain(action);
    const rollback = audit.body.items.find((e: { action: string }) => e.action === 'rollout.rollback');
    expect(rollback.before).toMatchObject({ status: 'active', stageIndex: 1 });
    expect(rollback.after).toMatchObject({ status: 'rolled-back', why: 'support tickets about tone' });
  });

  it('pauses a plan whose flag was changed outside it, and serves its stage again on resume', async () => {
    clock.set(START);
    await newAiFlag(t, 'edited');
    await t.request('POST', '/api/v1/flags/edited/environments/production/rollout', {
      candidate: 'candidate',
      stages: STAGES,
    });
    const config = (await t.request('GET', '/api/v1/flags/edited/environments/production')).body;
    await t.request('PATCH', '/api/v1/flags/edited/environments/production', {
      version: config.version,
      fallthrough: { variant: 'candidate' },
    });
    const decision = (await tick()).decisions.find((d) => d.flag === 'edited');
    expect(decision?.action).toBe('paused');
    expect(decision?.reason).toMatch(/changed outside the rollout/);
    clock.advance(HOUR_MS);
    const resumed = await t.request('POST', '/api/v1/flags/edited/environments/production/rollout/resume');
    expect(resumed.body).toMatchObject({ status: 'active', stageStartedAt: clock.now().toISOString() });
    expect((await fallthroughOf('edited')).split[0]).toEqual({ variant: 'candidate', weight: 10_000 });
  });

  it('ends the live plan and drains the flag when the kill switch turns it off', async () => {
    clock.set(START);
    await newAiFlag(t, 'killed');
    await t.request('POST', '/api/v1/flags/killed/environments/production/rollout', {
      candidate: 'candidate',
      stages: STAGES,
    });
    changes.length = 0;
    const config = (await t.request('GET', '/api/v1/flags/killed/environments/production')).body;
    const killed = await t.request('POST', '/api/v1/flags/killed/environments/production/disable', {
      version: config.version,
    });
    expect(killed.status).toBe(200);
    await expect
      .poll(
        async () =>
          (await t.request('GET', '/api/v1/flags/killed/environments/production/rollout')).body.status,
      )
      .toBe('rolled-back');
    const drain = changes.find((c) => c.resource === 'drain');
    expect(drain?.drain).toMatchObject({ flag: 'killed' });
    expect(drain?.drain?.variant).toBeUndefined();
    const last = (await timeline('killed')).at(-1);
    expect(last?.action).toBe('rolled-back');
    expect(last?.reason).toMatch(/kill switch/);
  });

  it('runs a shadow stage (measured on shadow calls) and a segment stage before the percentages', async () => {
    clock.set(START);
    await newAiFlag(t, 'staged');
    expect(
      (await t.request('POST', '/api/v1/segments', { key: 'beta', included: ['beta-1', 'beta-2'] })).status,
    ).toBe(201);
    const created = await t.request('POST', '/api/v1/flags/staged/environments/production/rollout', {
      candidate: 'candidate',
      preset: 'parameters',
      shadow: { sampleRate: 0.2, minDurationMs: HOUR_MS },
      targeting: { segment: 'beta', minDurationMs: HOUR_MS },
      policy: POLICY,
    });
    expect(created.status).toBe(201);
    // A preset given for the plan is what it was made for, whatever the flag's own change type.
    expect(created.body.changeType).toBe('parameters');
    expect(created.body.stages.map((s: { kind: string }) => s.kind)).toEqual([
      'shadow',
      'targeting',
      'percentage',
      'percentage',
      'percentage',
    ]);
    // Shadow: everyone is served the control; the candidate runs beside it on 20% of requests.
    let config = (await t.request('GET', '/api/v1/flags/staged/environments/production')).body;
    expect(config.shadow).toEqual({ variant: 'candidate', sampleRate: 0.2 });
    expect(config.fallthrough.split).toEqual([
      { variant: 'candidate', weight: 0 },
      { variant: 'control', weight: 100_000 },
    ]);
    // Served control requests and the candidate's shadow calls; no feedback compares them.
    clock.set(START.getTime() + 1.5 * HOUR_MS);
    await postArms(t, serverKey, 'staged', new Date(START.getTime() + 80 * 60_000), {
      control: { units: 200, errorRate: 0.02, upRate: 0.8 },
    });
    const shadowCalls = Array.from({ length: 150 }, (_, i) => ({
      kind: 'generation',
      flag: 'staged',
      variant: 'candidate',
      shadow: true,
      provider: 'openai',
      model: 'gpt-4o-mini',
      latencyMs: 450,
      unit: `u-control-${i}`,
      ...(i % 100 === 0 ? { error: 'server' } : {}),
      ts: new Date(START.getTime() + 80 * 60_000).toISOString(),
    }));
    const posted = await t.request(
      'POST',
      '/api/v1/events',
      { events: shadowCalls },
      { authorization: `Bearer ${serverKey}`, 'idempotency-key': 'shadow-calls' },
    );
    expect(posted.body.rejected).toEqual([]);
    clock.set(START.getTime() + 2 * HOUR_MS);
    const decision = (await tick()).decisions.find((d) => d.flag === 'staged');
    expect(decision).toMatchObject({ action: 'advanced', next: { kind: 'targeting', segment: 'beta' } });
    expect(decision?.arms?.candidate).toMatchObject({ requests: 150, units: 150, quality: { n: 0 } });
    // Targeting: the segment gets the candidate by a rule, everyone else the control; the shadow is gone.
    config = (await t.request('GET', '/api/v1/flags/staged/environments/production')).body;
    expect(config.shadow).toBeNull();
    expect(config.rules[0]).toMatchObject({
      clauses: [{ op: 'inSegment', values: ['beta'] }],
      serve: {
        split: [
          { variant: 'candidate', weight: 100_000 },
          { variant: 'control', weight: 0 },
        ],
      },
    });
    const advanced = await t.request('POST', '/api/v1/flags/staged/environments/production/rollout/advance');
    expect(advanced.body.stage).toMatchObject({ kind: 'percentage', percent: 25 });
    config = (await t.request('GET', '/api/v1/flags/staged/environments/production')).body;
    expect(config.rules).toEqual([]);
    expect(config.fallthrough.split[0]).toEqual({ variant: 'candidate', weight: 25_000 });
  });

  it('lists plans and reads them by id', async () => {
    const live = await t.request('GET', '/api/v1/rollouts?status=live');
    expect(live.status).toBe(200);
    expect(live.body.items.map((p: { flag: string }) => p.flag)).toContain('preset-flag');
    expect(
      live.body.items.every((p: { status: string }) => p.status === 'active' || p.status === 'paused'),
    ).toBe(true);
    const id = live.body.items[0].id;
    expect((await t.request('GET', `/api/v1/rollouts/${id}`)).body.id).toBe(id);
    expect((await t.request('GET', `/api/v1/rollouts/${id}/timeline`)).body.items[0].action).toBe('created');
    const byFlag = await t.request('GET', '/api/v1/rollouts?flag=worse');
    expect(byFlag.body.items.map((p: { status: string }) => p.status)).toEqual(['active', 'rolled-back']);
  });
});

describe('the rollout scheduler in a listening server', () => {
  it('ticks on SWITCHBOARD_ROLLOUT_INTERVAL_MS once the server listens, and stops with it', async () => {
    const t = await startTestApp('sqlite', { rolloutIntervalMs: 50 });
    try {
      await newAiFlag(t, 'timed');
      await t.request('POST', '/api/v1/flags/timed/environments/production/rollout', {
        candidate: 'candidate',
      });
      const timeline = async () =>
        (await t.request('GET', '/api/v1/flags/timed/environments/production/rollout/timeline')).body.items;
      // Not listening: nothing ticks (tests tick by hand).
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await timeline()).map((e: { action: string }) => e.action)).toEqual(['created']);
      await t.http.listen({ port: 0, host: '127.0.0.1' });
      await expect.poll(async () => (await timeline()).at(-1)?.repeats ?? 0).toBeGreaterThan(2);
    } finally {
      await t.destroy();
    }
  });
});
