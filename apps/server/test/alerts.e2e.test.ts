import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const START = new Date('2026-06-01T12:30:00.000Z');
const MINUTE_MS = 60_000;

/** How one arm's generations go: how many, how many fail, fall back, how slow and how costly. */
interface Traffic {
  requests: number;
  errors?: number;
  fallbacks?: number;
  latencyMs?: number;
  costUsd?: number;
}

describe.each(DIALECTS)('alert rules on %s', (dialect) => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let now = START;
  let serverKey = '';
  let batch = 0;
  let flags = 0;

  /** A new ai-config flag serving candidate and control half and half in production. */
  async function newFlag(): Promise<string> {
    flags += 1;
    const key = `assistant-${flags}`;
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
    return key;
  }

  /** Posts generations of each arm through the events API, stamped a minute ago. */
  async function post(flag: string, arms: Record<string, Traffic>) {
    const ts = new Date(now.getTime() - MINUTE_MS).toISOString();
    const events: unknown[] = [];
    for (const [variant, traffic] of Object.entries(arms)) {
      for (let i = 0; i < traffic.requests; i++) {
        events.push({
          kind: 'generation',
          flag,
          variant,
          unit: `${variant}-${batch}-${i}`,
          provider: 'openai',
          model: 'gpt-4o',
          latencyMs: traffic.latencyMs ?? 400,
          costUsd: traffic.costUsd ?? 0.001,
          fallbackUsed: i < (traffic.fallbacks ?? 0),
          ts,
          ...(i < (traffic.errors ?? 0) ? { error: 'server' } : {}),
        });
      }
    }
    batch += 1;
    const response = await t.request(
      'POST',
      '/api/v1/events',
      { events },
      { authorization: `Bearer ${serverKey}`, 'idempotency-key': `alerts-${batch}` },
    );
    expect(response.status).toBe(200);
    expect(response.body.rejected).toEqual([]);
  }

  async function rule(flag: string, body: Record<string, unknown>) {
    const created = await t.request('POST', `/api/v1/flags/${flag}/environments/production/alerts`, body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; version: number };
  }

  async function read(id: string) {
    return (await t.request('GET', `/api/v1/alerts/${id}`)).body;
  }

  async function history(id: string) {
    return (await t.request('GET', `/api/v1/alerts/${id}/history`)).body.items;
  }

  beforeAll(async () => {
    t = await startTestApp(dialect, {}, { clock: () => now });
    receiver = await startWebhookReceiver();
    const key = await t.request('POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    serverKey = key.body.key;
    const hook = await t.request('POST', '/api/v1/webhooks', {
      name: 'pager',
      url: receiver.url,
      events: ['alert.*'],
    });
    expect(hook.status).toBe(201);
  });

  afterAll(async () => {
    await t?.destroy();
    await receiver?.close();
  });

  it('fires on an error rate above the threshold once there is enough data, and resolves when it is gone', async () => {
    const flag = await newFlag();
    const { id } = await rule(flag, { name: 'Errors', metric: 'error_rate', threshold: 0.1, minSample: 50 });
    // 20 failures out of 20: far above the threshold, but below the minimum sample.
    await post(flag, { candidate: { requests: 20, errors: 20 }, control: { requests: 20 } });
    expect(await t.services.alerts.evaluateDue()).toMatchObject({ fired: 0 });
    expect(await read(id)).toMatchObject({ state: 'inactive', lastValue: null, lastError: null });
    expect(await history(id)).toEqual([]);
    const listed = async () =>
      (await t.request('GET', `/api/v1/alerts?flag=${flag}`)).body.items.find(
        (r: { id: string }) => r.id === id,
      );
    expect((await listed()).lastFiredAt).toBeNull();

    // 40 failures out of 100 on the candidate, none on the control.
    await post(flag, { candidate: { requests: 80, errors: 20 }, control: { requests: 80 } });
    expect(await t.services.alerts.evaluateDue()).toMatchObject({ fired: 1, resolved: 0 });
    expect(await read(id)).toMatchObject({
      state: 'firing',
      stateSince: now.toISOString(),
      lastValue: 0.4,
      lastVariant: 'candidate',
    });
    const [fired] = await history(id);
    expect(fired).toMatchObject({ kind: 'fired', at: now.toISOString(), value: 0.4, variant: 'candidate' });
    expect((await listed()).lastFiredAt).toBe(now.toISOString());
    expect(fired.details.reason).toBe(
      'error rate 0.4 above 0.1 for variant candidate (100 requests in the last 60 min)',
    );
    await t.services.webhooks.deliverDue();
    const [notified] = receiver.ofType('alert.fired');
    expect(JSON.parse(notified?.body ?? '{}')).toMatchObject({
      type: 'alert.fired',
      flag,
      environment: 'production',
      data: {
        ruleId: id,
        name: 'Errors',
        metric: 'error_rate',
        value: 0.4,
        variant: 'candidate',
        sample: 100,
      },
    });

    // Still broken: no second firing.
    now = new Date(now.getTime() + MINUTE_MS);
    expect(await t.services.alerts.evaluateDue()).toMatchObject({ fired: 0, resolved: 0 });
    expect(await history(id)).toHaveLength(1);

    // Two hours on, the window holds no data: resolved.
    now = new Date(now.getTime() + 120 * MINUTE_MS);
    expect(await t.services.alerts.evaluateDue()).toMatchObject({ resolved: 1 });
    expect(await read(id)).toMatchObject({ state: 'inactive', lastValue: null });
    expect((await history(id)).map((e: { kind: string }) => e.kind)).toEqual(['resolved', 'fired']);
    // The list says when it last fired, after it resolved too.
    expect((await listed()).lastFiredAt).toBe(fired.at);
    await t.services.webhooks.deliverDue();
    expect(JSON.parse(receiver.ofType('alert.resolved')[0]?.body ?? '{}')).toMatchObject({
      type: 'alert.resolved',
      flag,
      data: { ruleId: id },
    });
  });

  it('watches only the variant it names', async () => {
    const flag = await newFlag();
    const control = await rule(flag, {
      metric: 'error_rate',
      threshold: 0.1,
      minSample: 50,
      variant: 'control',
    });
    const candidate = await rule(flag, {
      metric: 'error_rate',
      threshold: 0.1,
      minSample: 50,
      variant: 'candidate',
    });
    await post(flag, { candidate: { requests: 100, errors: 50 }, control: { requests: 100, errors: 1 } });
    await t.services.alerts.evaluateDue();
    expect(await read(control.id)).toMatchObject({
      state: 'inactive',
      lastValue: 0.01,
      lastVariant: 'control',
    });
    expect(await read(candidate.id)).toMatchObject({ state: 'firing', lastValue: 0.5 });
  });

  it('waits forMinutes before firing on p95 latency, and drops back when it recovers first', async () => {
    const flag = await newFlag();
    const { id } = await rule(flag, {
      metric: 'latency_p95_ms',
      threshold: 1_000,
      minSample: 50,
      forMinutes: 5,
    });
    await post(flag, {
      candidate: { requests: 100, latencyMs: 2_000 },
      control: { requests: 100, latencyMs: 300 },
    });
    const since = now;
    await t.services.alerts.evaluateDue();
    const pending = await read(id);
    expect(pending).toMatchObject({
      state: 'pending',
      stateSince: since.toISOString(),
      lastVariant: 'candidate',
    });
    expect(pending.lastValue).toBeGreaterThan(1_900);
    now = new Date(since.getTime() + 4 * MINUTE_MS);
    await t.services.alerts.evaluateDue();
    expect(await read(id)).toMatchObject({ state: 'pending', stateSince: since.toISOString() });
    now = new Date(since.getTime() + 5 * MINUTE_MS);
    expect(await t.services.alerts.evaluateDue()).toMatchObject({ fired: 1 });
    expect(await read(id)).toMatchObject({ state: 'firing' });
    expect((await history(id)).map((e: { kind: string }) => e.kind)).toEqual(['fired']);
  });

  it('fires on cost per day and on fallback rate', async () => {
    const flag = await newFlag();
    const cost = await rule(flag, { metric: 'cost_per_day_usd', threshold: 10, minSample: 50 });
    const fallbacks = await rule(flag, { metric: 'fallback_rate', threshold: 0.2, minSample: 50 });
    // $1 in the window; the window runs from the hour before (1 h 29 min): about $16 a day.
    await post(flag, {
      candidate: { requests: 100, costUsd: 0.01, fallbacks: 30 },
      control: { requests: 100, costUsd: 0.001 },
    });
    await t.services.alerts.evaluateDue();
    const costRule = await read(cost.id);
    expect(costRule).toMatchObject({ state: 'firing', lastVariant: 'candidate' });
    expect(costRule.lastValue).toBeCloseTo(
      1 / ((now.getTime() - Date.UTC(2026, 5, 1, now.getUTCHours() - 1)) / 86_400_000),
      6,
    );
    expect(await read(fallbacks.id)).toMatchObject({
      state: 'firing',
      lastValue: 0.3,
      lastVariant: 'candidate',
    });
  });

  it('rolls back through the rollout callback when the rule says so', async () => {
    const flag = await newFlag();
    const calls: unknown[][] = [];
    t.services.alerts.setRollback(async (...args) => {
      calls.push(args);
      return true;
    });
    try {
      const { id } = await rule(flag, {
        metric: 'error_rate',
        threshold: 0.05,
        minSample: 50,
        action: 'rollback',
      });
      const notify = await rule(flag, { metric: 'error_rate', threshold: 0.05, minSample: 50 });
      await post(flag, { candidate: { requests: 100, errors: 30 }, control: { requests: 100 } });
      await t.services.alerts.evaluateDue();
      expect(calls).toEqual([
        [
          flag,
          'production',
          'error rate 0.3 above 0.05 for variant candidate (100 requests in the last 60 min)',
          { project: 'default', ruleId: id },
        ],
      ]);
      expect((await history(id)).map((e: { kind: string }) => e.kind)).toEqual(['rolled_back', 'fired']);
      expect((await history(notify.id)).map((e: { kind: string }) => e.kind)).toEqual(['fired']);
      await t.services.webhooks.deliverDue();
      const fired = receiver
        .ofType('alert.fired')
        .map((r) => JSON.parse(r.body))
        .find((e) => e.data.ruleId === id);
      expect(fired.data).toMatchObject({ action: 'rollback', rollback: 'done' });

      // A failing rollback is recorded, and the alert still fires and notifies.
      const failing = await newFlag();
      t.services.alerts.setRollback(async () => {
        throw new Error('the rollout service is away');
      });
      const broken = await rule(failing, {
        metric: 'error_rate',
        threshold: 0.05,
        minSample: 50,
        action: 'rollback',
      });
      await post(failing, { candidate: { requests: 100, errors: 30 }, control: { requests: 100 } });
      await t.services.alerts.evaluateDue();
      expect(await read(broken.id)).toMatchObject({ state: 'firing' });
      const [failure] = await history(broken.id);
      expect(failure).toMatchObject({
        kind: 'rollback_failed',
        details: { error: 'the rollout service is away' },
      });
    } finally {
      t.services.alerts.setRollback(undefined);
    }
  });

  it('without a rollout callback, rolls back by turning the flag off, audited as the alert', async () => {
    const flag = await newFlag();
    const { id } = await rule(flag, {
      metric: 'error_rate',
      threshold: 0.05,
      minSample: 50,
      action: 'rollback',
    });
    await post(flag, { candidate: { requests: 100, errors: 30 }, control: { requests: 100 } });
    await t.services.alerts.evaluateDue();
    const config = await t.request('GET', `/api/v1/flags/${flag}/environments/production`);
    expect(config.body.enabled).toBe(false);
    const audit = await t.request('GET', `/api/v1/audit?flag=${flag}&action=flag.environment.disable`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].actor).toBe(`alert:${id}`);
  });

  it('moves a rule once, however many evaluations run at the same time', async () => {
    const flag = await newFlag();
    const { id } = await rule(flag, { metric: 'error_rate', threshold: 0.1, minSample: 50 });
    await post(flag, { candidate: { requests: 100, errors: 40 }, control: { requests: 100 } });
    const sweeps = await Promise.all([
      t.services.alerts.evaluateDue(),
      t.services.alerts.evaluateDue(),
      t.services.alerts.evaluateDue(),
    ]);
    expect(sweeps.reduce((n, s) => n + s.fired, 0)).toBe(1);
    expect(await history(id)).toHaveLength(1);
    await t.services.webhooks.deliverDue();
    expect(receiver.ofType('alert.fired').filter((r) => JSON.parse(r.body).data.ruleId === id)).toHaveLength(
      1,
    );
  });

  it('edits with the version read (audited), resolves a firing rule that is disabled, and deletes', async () => {
    const flag = await newFlag();
    const { id } = await rule(flag, { metric: 'error_rate', threshold: 0.1, minSample: 50 });
    await post(flag, { candidate: { requests: 100, errors: 40 }, control: { requests: 100 } });
    await t.services.alerts.evaluateDue();
    expect(await read(id)).toMatchObject({ state: 'firing', version: 1 });

    const stale = await t.request('PATCH', `/api/v1/alerts/${id}`, { threshold: 0.5, version: 5 });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(1);
    const raised = await t.request('PATCH', `/api/v1/alerts/${id}`, { threshold: 0.5, version: 1 });
    expect(raised.body).toMatchObject({ threshold: 0.5, version: 2, state: 'firing' });
    // The new threshold applies from the next evaluation.
    expect(await t.services.alerts.evaluateDue()).toMatchObject({ resolved: 1 });
    const lowered = await t.request('PATCH', `/api/v1/alerts/${id}`, { threshold: 0.1, version: 2 });
    expect(lowered.status).toBe(200);
    await t.services.alerts.evaluateDue();
    expect(await read(id)).toMatchObject({ state: 'firing' });
    const disabled = await t.request('PATCH', `/api/v1/alerts/${id}`, { enabled: false, version: 3 });
    expect(disabled.body).toMatchObject({ enabled: false, state: 'inactive' });
    const [resolved] = await history(id);
    expect(resolved).toMatchObject({ kind: 'resolved', details: { reason: 'the rule was disabled' } });
    expect(await t.services.alerts.evaluateDue()).toMatchObject({ fired: 0 });

    const listed = await t.request('GET', `/api/v1/flags/${flag}/environments/production/alerts`);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([id]);
    const audit = await t.request('GET', `/api/v1/audit?flag=${flag}`);
    expect(
      audit.body.items.map((e: { action: string }) => e.action).filter((a: string) => a.startsWith('alert.')),
    ).toEqual(['alert.update', 'alert.update', 'alert.update', 'alert.create']);
    expect((await t.request('DELETE', `/api/v1/alerts/${id}`)).status).toBe(200);
    expect((await t.request('GET', `/api/v1/alerts/${id}`)).status).toBe(404);
    expect(
      (await t.request('GET', `/api/v1/audit?flag=${flag}&action=alert.delete`)).body.items,
    ).toHaveLength(1);
  });

  it.each([
    [{ metric: 'error_rate', threshold: 2 }, 'body.threshold'],
    [{ metric: 'error_rate', threshold: -1 }, 'body.threshold'],
    [{ metric: 'latency_p99', threshold: 100 }, 'body.metric'],
    [{ metric: 'error_rate', threshold: 0.1, windowMinutes: 0 }, 'body.windowMinutes'],
    [{ metric: 'error_rate', threshold: 0.1, minSample: 0 }, 'body.minSample'],
    [{ metric: 'error_rate', threshold: 0.1, variant: 'nope' }, 'body.variant'],
    [{ metric: 'error_rate', threshold: 0.1, action: 'page' }, 'body.action'],
    [{ threshold: 0.1 }, 'body.metric'],
  ])('refuses %o with 400 naming %s', async (body, field) => {
    const flag = flags === 0 ? await newFlag() : `assistant-${flags}`;
    const response = await t.request('POST', `/api/v1/flags/${flag}/environments/production/alerts`, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'VALIDATION_FAILED', field });
    expect(response.body.message).toContain(field);
  });

  it('answers 404 for an unknown flag or environment', async () => {
    const body = { metric: 'error_rate', threshold: 0.1 };
    expect((await t.request('POST', '/api/v1/flags/nope/environments/production/alerts', body)).status).toBe(
      404,
    );
    expect(
      (await t.request('POST', '/api/v1/flags/assistant-1/environments/nowhere/alerts', body)).status,
    ).toBe(404);
  });
});
