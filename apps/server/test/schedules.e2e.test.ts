import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { scheduleActor } from '../src/features/schedules/schedule-service.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';
import { adminRequest, openSharedStore } from './shared-store.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const START = new Date('2026-06-01T12:00:00.000Z');
const HOUR_MS = 3_600_000;
const SPLIT = {
  split: [
    { variant: 'on', weight: 25_000 },
    { variant: 'off', weight: 75_000 },
  ],
};
const booleanFlag = (key: string) => ({
  key,
  kind: 'boolean',
  variants: [
    { key: 'on', value: true },
    { key: 'off', value: false },
  ],
});

describe.each(DIALECTS)('scheduled changes on %s', (dialect) => {
  let t: TestApp;
  let now = START;
  let flags = 0;

  async function newFlag(): Promise<string> {
    flags += 1;
    const key = `launch-${flags}`;
    expect((await t.request('POST', '/api/v1/flags', booleanFlag(key))).status).toBe(201);
    return key;
  }

  async function schedule(flag: string, body: Record<string, unknown>) {
    const created = await t.request('POST', `/api/v1/flags/${flag}/environments/production/schedules`, body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body;
  }

  async function config(flag: string) {
    return (await t.request('GET', `/api/v1/flags/${flag}/environments/production`)).body;
  }

  async function listed(flag: string) {
    return (await t.request('GET', `/api/v1/flags/${flag}/environments/production/schedules`)).body.items;
  }

  const at = (hours: number) => new Date(START.getTime() + hours * HOUR_MS).toISOString();

  beforeAll(async () => {
    t = await startTestApp(dialect, {}, { clock: () => now });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('applies a change at its time, once, audited as who scheduled it through the schedule', async () => {
    now = START;
    const flag = await newFlag();
    const created = await schedule(flag, { action: 'enable', at: at(1) });
    expect(created).toMatchObject({
      flag,
      environment: 'production',
      action: 'enable',
      at: at(1),
      status: 'pending',
      createdVersion: 0,
      appliedVersion: null,
    });
    expect(created.createdBy).toMatch(/^key:local admin#/);
    expect(await t.services.schedules.runDue()).toBe(0);
    now = new Date(START.getTime() + HOUR_MS - 1);
    expect(await t.services.schedules.runDue()).toBe(0);
    expect((await config(flag)).enabled).toBe(false);

    now = new Date(START.getTime() + HOUR_MS);
    expect(await t.services.schedules.runDue()).toBe(1);
    expect(await config(flag)).toMatchObject({ enabled: true, version: 1 });
    const [applied] = await listed(flag);
    expect(applied).toMatchObject({
      status: 'applied',
      appliedVersion: 1,
      result: null,
      finishedAt: now.toISOString(),
    });
    const audit = await t.request('GET', `/api/v1/audit?flag=${flag}&action=flag.environment.enable`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].actor).toBe(`${created.createdBy} via schedule:${created.id}`);
    expect(audit.body.items[0].actor).toBe(scheduleActor({ id: created.id, createdBy: created.createdBy }));
    expect(
      (await t.request('GET', `/api/v1/audit?flag=${flag}&action=flag.schedule.create`)).body.items,
    ).toHaveLength(1);

    now = new Date(START.getTime() + 2 * HOUR_MS);
    expect(await t.services.schedules.runDue()).toBe(0);
    expect(
      (await t.request('GET', `/api/v1/audit?flag=${flag}&action=flag.environment.enable`)).body.items,
    ).toHaveLength(1);
  });

  it('changes the split at its time on the version current then, keeping the edits made since', async () => {
    now = START;
    const flag = await newFlag();
    const created = await schedule(flag, { action: 'fallthrough', at: at(2), fallthrough: SPLIT });
    expect(created).toMatchObject({ action: 'fallthrough', fallthrough: SPLIT, createdVersion: 0 });
    // Edited twice after scheduling: turned on, then given a target.
    expect(
      (await t.request('POST', `/api/v1/flags/${flag}/environments/production/enable`, { version: 0 }))
        .status,
    ).toBe(200);
    const targeted = await t.request('PATCH', `/api/v1/flags/${flag}/environments/production`, {
      version: 1,
      targets: [{ variant: 'on', values: ['staff-1'] }],
    });
    expect(targeted.status).toBe(200);
    now = new Date(START.getTime() + 2 * HOUR_MS);
    expect(await t.services.schedules.runDue()).toBe(1);
    expect(await config(flag)).toMatchObject({
      enabled: true,
      targets: [{ variant: 'on', values: ['staff-1'] }],
      fallthrough: SPLIT,
      version: 3,
    });
    expect((await listed(flag))[0]).toMatchObject({
      status: 'applied',
      createdVersion: 0,
      appliedVersion: 3,
    });
  });

  it('applies changes due together in their order, and writes nothing when there is nothing to change', async () => {
    now = START;
    const flag = await newFlag();
    const on = await schedule(flag, { action: 'enable', at: at(1) });
    const off = await schedule(flag, { action: 'disable', at: at(2) });
    const onAgain = await schedule(flag, { action: 'disable', at: at(3) });
    now = new Date(START.getTime() + 3 * HOUR_MS);
    expect(await t.services.schedules.runDue()).toBe(3);
    const byId = new Map((await listed(flag)).map((s: { id: string }) => [s.id, s]));
    expect(byId.get(on.id)).toMatchObject({ status: 'applied', appliedVersion: 1 });
    expect(byId.get(off.id)).toMatchObject({ status: 'applied', appliedVersion: 2 });
    expect(byId.get(onAgain.id)).toMatchObject({
      status: 'applied',
      appliedVersion: 2,
      result: 'nothing to change: it already was so',
    });
    expect((await config(flag)).enabled).toBe(false);
  });

  it('fails a change the flag no longer accepts, says why, and tells the webhooks', async () => {
    const receiver: WebhookReceiver = await startWebhookReceiver();
    try {
      now = START;
      const hook = await t.request('POST', '/api/v1/webhooks', {
        name: 'ops',
        url: receiver.url,
        events: ['schedule.*'],
      });
      expect(hook.status).toBe(201);
      const flag = await newFlag();
      const created = await schedule(flag, { action: 'enable', at: at(1) });
      const flagVersion = (await t.request('GET', `/api/v1/flags/${flag}`)).body.version;
      expect(
        (await t.request('POST', `/api/v1/flags/${flag}/archive`, { version: flagVersion })).status,
      ).toBe(200);
      now = new Date(START.getTime() + HOUR_MS);
      expect(await t.services.schedules.runDue()).toBe(1);
      const [failed] = await listed(flag);
      expect(failed).toMatchObject({ status: 'failed', appliedVersion: null });
      expect(failed.result).toContain('archived');
      await t.services.webhooks.deliverDue();
      const [request] = receiver.ofType('schedule.failed');
      expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
        type: 'schedule.failed',
        flag,
        environment: 'production',
        data: { scheduleId: created.id, action: 'enable' },
      });
      await t.request('DELETE', `/api/v1/webhooks/${hook.body.id}`);
    } finally {
      await receiver.close();
    }
  });

  it('cancels a pending change (audited), which then never runs; only once', async () => {
    now = START;
    const flag = await newFlag();
    const created = await schedule(flag, { action: 'enable', at: at(1) });
    const cancel = () =>
      t.request('DELETE', `/api/v1/flags/${flag}/environments/production/schedules/${created.id}`);
    const cancelled = await cancel();
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', finishedAt: now.toISOString() });
    expect(cancelled.body.result).toMatch(/^cancelled by key:local admin#/);
    expect((await cancel()).status).toBe(409);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(
      (await t.request('DELETE', `/api/v1/flags/${flag}/environments/production/schedules/${unknown}`))
        .status,
    ).toBe(404);
    expect(
      (await t.request('DELETE', `/api/v1/flags/${flag}/environments/staging/schedules/${created.id}`))
        .status,
    ).toBe(404);
    now = new Date(START.getTime() + 2 * HOUR_MS);
    expect(await t.services.schedules.runDue()).toBe(0);
    expect((await config(flag)).enabled).toBe(false);
    const audit = await t.request('GET', `/api/v1/audit?flag=${flag}&action=flag.schedule.cancel`);
    expect(audit.body.items).toHaveLength(1);
    const all = await t.request('GET', '/api/v1/schedules?status=cancelled');
    expect(all.body.items.map((s: { id: string }) => s.id)).toContain(created.id);
  });

  it.each([
    [{ action: 'enable', at: '2026-05-31T23:59:59Z' }, 'body.at'],
    [{ action: 'enable', at: 'tomorrow' }, 'body.at'],
    [{ action: 'enable', at: '2099-01-01T00:00:00Z' }, 'body.at'],
    [{ action: 'explode', at: '2026-06-02T00:00:00Z' }, 'body.action'],
    [{ action: 'fallthrough', at: '2026-06-02T00:00:00Z' }, 'body.fallthrough'],
    [
      {
        action: 'fallthrough',
        at: '2026-06-02T00:00:00Z',
        fallthrough: { split: [{ variant: 'on', weight: 10 }] },
      },
      'body.fallthrough.split',
    ],
    [
      { action: 'fallthrough', at: '2026-06-02T00:00:00Z', fallthrough: { variant: 'maybe' } },
      'body.fallthrough.variant',
    ],
    [
      {
        action: 'fallthrough',
        at: '2026-06-02T00:00:00Z',
        fallthrough: { split: [{ variant: 'nope', weight: 100_000 }] },
      },
      'body.fallthrough.split.0.variant',
    ],
    [{ action: 'enable', at: '2026-06-02T00:00:00Z', fallthrough: SPLIT }, 'body'],
  ])('refuses %o with 400 naming %s', async (body, field) => {
    now = START;
    const flag = flags === 0 ? await newFlag() : `launch-${flags}`;
    const response = await t.request('POST', `/api/v1/flags/${flag}/environments/production/schedules`, body);
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body).toMatchObject({ error: 'VALIDATION_FAILED' });
    expect(response.body.field.startsWith(field)).toBe(true);
    expect(response.body.message).toContain(field);
  });

  it('answers 404 for an unknown flag or environment', async () => {
    const body = { action: 'enable', at: at(1) };
    expect(
      (await t.request('POST', '/api/v1/flags/nope/environments/production/schedules', body)).status,
    ).toBe(404);
    expect(
      (await t.request('POST', '/api/v1/flags/launch-1/environments/nowhere/schedules', body)).status,
    ).toBe(404);
  });
});

describe.each(DIALECTS)('scheduled changes across restarts and replicas on %s', (dialect) => {
  let now = START;
  const clock = () => now;
  const apps: App[] = [];

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('survive a restart: the next start applies what came due meanwhile', async () => {
    const store = await openSharedStore(dialect);
    try {
      now = START;
      const first = await store.start({ clock });
      apps.push(first);
      const admin = store.adminKey();
      expect((await adminRequest(first, admin, 'POST', '/api/v1/flags', booleanFlag('launch'))).status).toBe(
        201,
      );
      const created = await adminRequest(
        first,
        admin,
        'POST',
        '/api/v1/flags/launch/environments/production/schedules',
        {
          action: 'enable',
          at: new Date(START.getTime() + HOUR_MS).toISOString(),
        },
      );
      expect(created.status).toBe(201);
      await first.close();
      apps.pop();

      now = new Date(START.getTime() + 2 * HOUR_MS);
      const second = await store.start({ clock });
      apps.push(second);
      expect(await second.services.schedules.runDue()).toBe(1);
      const config = await adminRequest(second, admin, 'GET', '/api/v1/flags/launch/environments/production');
      expect(config.body.enabled).toBe(true);
      await second.close();
      apps.pop();
    } finally {
      await store.destroy();
    }
  });

  it('take over a change whose worker died mid-way, applying it only if it had not been applied', async () => {
    const store = await openSharedStore(dialect);
    try {
      now = START;
      const app = await store.start({ clock });
      apps.push(app);
      const admin = store.adminKey();
      for (const key of ['stuck', 'done']) {
        expect((await adminRequest(app, admin, 'POST', '/api/v1/flags', booleanFlag(key))).status).toBe(201);
      }
      const scheduled = async (flag: string) =>
        (
          await adminRequest(app, admin, 'POST', `/api/v1/flags/${flag}/environments/production/schedules`, {
            action: 'enable',
            at: new Date(START.getTime() + HOUR_MS).toISOString(),
          })
        ).body;
      const stuck = await scheduled('stuck');
      const done = await scheduled('done');
      // Two workers claimed these at 13:00 and died: one before its change, one after it committed.
      now = new Date(START.getTime() + HOUR_MS);
      await store.database.db
        .updateTable('scheduled_changes')
        .set({ status: 'running', claimed_at: now.toISOString(), claims: 1 })
        .where('id', 'in', [stuck.id, done.id])
        .execute();
      await app.services.flags.updateEnvironment(
        'default',
        'done',
        'production',
        { enabled: true },
        0,
        scheduleActor(done),
        'flag.environment.enable',
      );
      // A claim younger than five minutes belongs to a live worker.
      now = new Date(START.getTime() + HOUR_MS + 4 * 60_000);
      expect(await app.services.schedules.runDue()).toBe(0);
      now = new Date(START.getTime() + HOUR_MS + 5 * 60_000);
      expect(await app.services.schedules.runDue()).toBe(2);
      const audit = async (flag: string) =>
        (await adminRequest(app, admin, 'GET', `/api/v1/audit?flag=${flag}&action=flag.environment.enable`))
          .body.items;
      expect(await audit('stuck')).toHaveLength(1);
      expect(await audit('done')).toHaveLength(1);
      const all = await adminRequest(app, admin, 'GET', '/api/v1/schedules');
      expect(
        all.body.items.map((s: { status: string; appliedVersion: number }) => [s.status, s.appliedVersion]),
      ).toEqual([
        ['applied', 1],
        ['applied', 1],
      ]);
      await app.close();
      apps.pop();
    } finally {
      await store.destroy();
    }
  });

  // Replicas share a store only on PostgreSQL (SQLite is one process): registered there, not skipped elsewhere.
  if (dialect === 'postgres')
    it('run exactly once with two replicas on one PostgreSQL schema, each with its own connections', async () => {
      const store = await openSharedStore(dialect);
      try {
        now = START;
        const a = await store.start({ clock, ownPool: true });
        apps.push(a);
        const b = await store.start({ clock, ownPool: true });
        apps.push(b);
        const admin = store.adminKey();
        const FLAGS = 12;
        for (let i = 0; i < FLAGS; i++) {
          const key = `replicated-${i}`;
          expect((await adminRequest(a, admin, 'POST', '/api/v1/flags', booleanFlag(key))).status).toBe(201);
          for (const [action, hours] of [
            ['enable', 1],
            ['fallthrough', 1],
            ['disable', 2],
          ] as const) {
            const response = await adminRequest(
              b,
              admin,
              'POST',
              `/api/v1/flags/${key}/environments/production/schedules`,
              {
                action,
                at: new Date(START.getTime() + hours * HOUR_MS).toISOString(),
                ...(action === 'fallthrough' ? { fallthrough: SPLIT } : {}),
              },
            );
            expect(response.status).toBe(201);
          }
        }
        now = new Date(START.getTime() + 2 * HOUR_MS);
        const taken = await Promise.all([
          a.services.schedules.runDue(),
          b.services.schedules.runDue(),
          a.services.schedules.runDue(),
          b.services.schedules.runDue(),
        ]);
        expect(taken.reduce((n, x) => n + x, 0)).toBe(FLAGS * 3);
        const rows = await store.database.db
          .selectFrom('scheduled_changes')
          .select(['status', 'claims'])
          .execute();
        expect(rows.every((r) => r.status === 'applied' && Number(r.claims) === 1)).toBe(true);
        const entries = await store.database.db
          .selectFrom('audit_log')
          .select(['actor', 'flag_key'])
          .where('actor', 'like', '% via schedule:%')
          .execute();
        // Each change written once: one audit entry per schedule, never two.
        expect(entries).toHaveLength(FLAGS * 3);
        expect(new Set(entries.map((e) => e.actor)).size).toBe(FLAGS * 3);
        for (let i = 0; i < FLAGS; i++) {
          const config = await adminRequest(
            a,
            admin,
            'GET',
            `/api/v1/flags/replicated-${i}/environments/production`,
          );
          expect(config.body).toMatchObject({ enabled: false, fallthrough: SPLIT, version: 3 });
        }
        await a.close();
        await b.close();
        apps.splice(0);
      } finally {
        await store.destroy();
      }
    });
});

describe.each(DIALECTS)('the workers of a listening server on %s', (dialect) => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp(dialect, {}, { workerIntervalsMs: { schedules: 20, webhooks: 20 } });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await t?.destroy();
    await receiver?.close();
  });

  it('apply scheduled changes and deliver webhooks by themselves, on the real clock', async () => {
    await t.http.listen({ port: 0, host: '127.0.0.1' });
    expect((await t.request('POST', '/api/v1/flags', booleanFlag('timed'))).status).toBe(201);
    const hook = await t.request('POST', '/api/v1/webhooks', {
      name: 'ops',
      url: receiver.url,
      events: ['flag.enabled'],
    });
    expect(hook.status).toBe(201);
    const due = new Date(Date.now() + 200);
    const created = await t.request('POST', '/api/v1/flags/timed/environments/production/schedules', {
      action: 'enable',
      at: due.toISOString(),
    });
    expect(created.status).toBe(201);
    const deadline = Date.now() + 5_000;
    while (receiver.ofType('flag.enabled').length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(receiver.ofType('flag.enabled')).toHaveLength(1);
    expect(Date.now()).toBeGreaterThanOrEqual(due.getTime());
    const [request] = receiver.ofType('flag.enabled');
    expect(JSON.parse(request?.body ?? '{}').actor).toBe(
      `${created.body.createdBy} via schedule:${created.body.id}`,
    );
  });
});
