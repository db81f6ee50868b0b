import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { Secret } from '../src/features/gateway/provider-settings.js';
import { verifyWebhookSignature } from '../src/features/webhooks/webhook-signature.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';
import { adminRequest, openSharedStore } from './shared-store.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const START = new Date('2026-06-01T12:00:00.000Z');
const SECOND_MS = 1_000;

describe.each(DIALECTS)('webhooks on %s', (dialect) => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let now = START;
  let flagVersion = 0;
  const cleanup: (() => Promise<void>)[] = [];

  /** Creates a webhook through the API; returns it with its secret. */
  async function webhook(body: Record<string, unknown>) {
    const created = await t.request('POST', '/api/v1/webhooks', { name: 'ops', url: receiver.url, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    cleanup.push(async () => {
      await t.request('DELETE', `/api/v1/webhooks/${created.body.id}`);
    });
    return created.body as { id: string; secret: string; version: number };
  }

  async function toggle(action: 'enable' | 'disable') {
    const response = await t.request('POST', `/api/v1/flags/checkout/environments/production/${action}`, {
      version: flagVersion,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    flagVersion = response.body.version;
  }

  async function deliveries(id: string) {
    const response = await t.request('GET', `/api/v1/webhooks/${id}/deliveries`);
    expect(response.status).toBe(200);
    return response.body.items;
  }

  beforeAll(async () => {
    t = await startTestApp(dialect, {}, { clock: () => now });
    receiver = await startWebhookReceiver();
    const created = await t.request('POST', '/api/v1/flags', {
      key: 'checkout',
      kind: 'boolean',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    expect(created.status).toBe(201);
  });

  afterEach(async () => {
    for (const undo of cleanup.splice(0)) await undo();
    receiver.received.length = 0;
    now = new Date(now.getTime() + 3_600_000);
  });

  afterAll(async () => {
    await t?.destroy();
    await receiver?.close();
  });

  it('shows the secret once, at creation; lists, reads and audits the webhook without it', async () => {
    const created = await webhook({ events: ['flag.*'] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'ops',
      url: receiver.url,
      format: 'json',
      enabled: true,
      version: 1,
    });
    expect(created).toMatchObject({ secretStorage: 'plain' });
    const read = await t.request('GET', `/api/v1/webhooks/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    const listed = await t.request('GET', '/api/v1/webhooks');
    expect(listed.body.items.map((w: { id: string }) => w.id)).toContain(created.id);
    expect(listed.body.items.find((w: { id: string }) => w.id === created.id).lastDelivery).toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(created.secret);
    const audit = await t.request('GET', '/api/v1/audit?action=webhook.create');
    expect(audit.body.items[0]).toMatchObject({ resourceType: 'webhook', resourceKey: created.id });
    expect(JSON.stringify(audit.body)).not.toContain(created.secret);
    // Stored so that deliveries can be signed: in plain text without SWITCHBOARD_ENCRYPTION_KEY.
    const row = await t.database.db
      .selectFrom('webhooks')
      .select('secret')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.secret).toBe(`plain:${created.secret}`);
  });

  it('delivers a flag change signed, with the flag before and after, verifiable by the exported helper', async () => {
    const hook = await webhook({ events: ['flag.*'], environment: 'production' });
    await toggle('enable');
    expect(await t.services.webhooks.deliverDue()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    if (request === undefined) throw new Error('no request');
    expect(request.path).toBe('/hooks/switchboard');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['switchboard-event']).toBe('flag.enabled');
    const header = request.headers['switchboard-signature'];
    expect(header).toMatch(new RegExp(`^t=${now.getTime() / 1000},v1=[0-9a-f]{64}$`));
    expect(verifyWebhookSignature(request.body, header, hook.secret, { now })).toEqual({
      ok: true,
      timestamp: now.getTime() / 1000,
    });
    const event = JSON.parse(request.body);
    expect(event).toMatchObject({
      type: 'flag.enabled',
      project: 'default',
      environment: 'production',
      flag: 'checkout',
      at: now.toISOString(),
      data: {
        action: 'flag.environment.enable',
        version: 1,
        before: { enabled: false },
        after: { enabled: true },
      },
    });
    expect(event.actor).toMatch(/^key:local admin#/);

    // A replay of the same delivery later, a tampered body, another secret: all refused.
    const later = new Date(now.getTime() + 301 * SECOND_MS);
    expect(verifyWebhookSignature(request.body, header, hook.secret, { now: later })).toMatchObject({
      ok: false,
      problem: 'timestamp-outside-tolerance',
    });
    const tampered = request.body.replace('"production"', '"staging"');
    expect(tampered).not.toBe(request.body);
    expect(verifyWebhookSignature(tampered, header, hook.secret, { now })).toMatchObject({
      ok: false,
      problem: 'signature-mismatch',
    });
    expect(verifyWebhookSignature(request.body, header, 'whsec_guess', { now }).ok).toBe(false);

    const [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({
      eventType: 'flag.enabled',
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
      finishedAt: now.toISOString(),
      attemptLog: [
        { attempt: 1, at: now.toISOString(), statusCode: 200, error: null, response: 'answered 200' },
      ],
    });
    expect(delivery.attemptLog[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(request.headers['switchboard-delivery']).toBe(delivery.id);
    // Delivered once: nothing more is due.
    expect(await t.services.webhooks.deliverDue()).toBe(0);
  });

  it('retries after a 500 and a dropped connection with exponential backoff, then succeeds', async () => {
    const hook = await webhook({ events: ['flag.disabled'] });
    receiver.answer(500, 'drop', 200);
    await toggle('disable');
    const first = now;
    expect(await t.services.webhooks.deliverDue()).toBe(1);
    let [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'the receiver answered 500',
      nextAttemptAt: new Date(first.getTime() + 10 * SECOND_MS).toISOString(),
    });
    expect(await t.services.webhooks.deliverDue()).toBe(0);
    now = new Date(first.getTime() + 9 * SECOND_MS);
    expect(await t.services.webhooks.deliverDue()).toBe(0);
    now = new Date(first.getTime() + 10 * SECOND_MS);
    expect(await t.services.webhooks.deliverDue()).toBe(1);
    [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 2,
      lastStatusCode: null,
      nextAttemptAt: new Date(now.getTime() + 40 * SECOND_MS).toISOString(),
    });
    expect(delivery.lastError).toMatch(/fetch failed|socket|closed/i);
    now = new Date(now.getTime() + 40 * SECOND_MS);
    expect(await t.services.webhooks.deliverDue()).toBe(1);
    [delivery] = await deliveries(hook.id);
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempts: 3,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(delivery.attemptLog.map((a: { statusCode: number | null }) => a.statusCode)).toEqual([
      500,
      null,
      200,
    ]);
    // Every attempt carries the same body and delivery id, each signed at its own time.
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    expect(receiver.received.map((r) => r.headers['switchboard-delivery'])).toEqual([
      delivery.id,
      delivery.id,
      delivery.id,
    ]);
    expect(receiver.received.map((r) => r.headers['switchboard-attempt'])).toEqual(['1', '2', '3']);
    const times = [first, new Date(first.getTime() + 10 * SECOND_MS), now];
    receiver.received.forEach((r, i) => {
      expect(
        verifyWebhookSignature(r.body, r.headers['switchboard-signature'], hook.secret, { now: times[i] }).ok,
      ).toBe(true);
    });
    await toggle('enable');
  });

  it("waits as long as a 429's Retry-After, fails at once on a 400, and gives up after the last attempt", async () => {
    const hook = await webhook({ events: ['rollout.*'] });
    const notify = (reason: string) =>
      t.services.webhooks.notify({
        type: 'rollout.held',
        project: 'default',
        environment: 'production',
        flag: 'checkout',
        at: now,
        data: { reason },
      });
    receiver.answer({ status: 429, headers: { 'retry-after': '120' } }, 400);
    const start = now;
    await notify('throttled');
    await t.services.webhooks.deliverDue();
    now = new Date(start.getTime() + SECOND_MS);
    await notify('refused');
    await t.services.webhooks.deliverDue();
    const [refused, throttled] = await deliveries(hook.id);
    expect(throttled).toMatchObject({
      status: 'pending',
      lastStatusCode: 429,
      nextAttemptAt: new Date(start.getTime() + 120 * SECOND_MS).toISOString(),
    });
    expect(refused).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 400,
      nextAttemptAt: null,
    });

    receiver.answer(...Array.from({ length: 7 }, () => 503));
    now = new Date(start.getTime() + 120 * SECOND_MS);
    let attempts = 0;
    for (let round = 0; round < 10; round++) {
      attempts += await t.services.webhooks.deliverDue();
      const [, current] = await deliveries(hook.id);
      if (current.nextAttemptAt === null) break;
      now = new Date(current.nextAttemptAt);
    }
    const [, gaveUp] = await deliveries(hook.id);
    expect(attempts).toBe(7);
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 8, maxAttempts: 8, lastStatusCode: 503 });
    expect(gaveUp.attemptLog).toHaveLength(8);
  });

  it('writes Slack-compatible messages in slack format', async () => {
    await webhook({ events: ['flag.disabled'], flag: 'checkout', format: 'slack' });
    await toggle('disable');
    await t.services.webhooks.deliverDue();
    const [request] = receiver.received;
    const message = JSON.parse(request?.body ?? '{}');
    expect(Object.keys(message).sort()).toEqual(['blocks', 'text']);
    expect(message.text).toBe(':red_circle: Flag *checkout* was turned off in *production*');
    expect(message.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: message.text } });
    expect(message.blocks.at(-1).type).toBe('context');
    await toggle('enable');
  });

  it('sends only the events, flag and environment a webhook asks for, and nothing from before it existed', async () => {
    await toggle('disable');
    const alerts = await webhook({ events: ['alert.*'] });
    const otherFlag = await webhook({ events: ['*'], flag: 'other' });
    const staging = await webhook({ events: ['flag.*'], environment: 'staging' });
    const everything = await webhook({ events: ['*'] });
    await toggle('enable');
    await t.services.webhooks.deliverDue();
    expect(await deliveries(alerts.id)).toEqual([]);
    expect(await deliveries(otherFlag.id)).toEqual([]);
    expect(await deliveries(staging.id)).toEqual([]);
    // The disable before the webhook existed is not sent; the enable after it is.
    expect((await deliveries(everything.id)).map((d: { eventType: string }) => d.eventType)).toEqual([
      'flag.enabled',
    ]);
    expect(receiver.received).toHaveLength(1);
  });

  it('sends a test event on demand and reports the answer, without retrying it', async () => {
    const hook = await webhook({ events: ['alert.*'] });
    const sent = await t.request('POST', `/api/v1/webhooks/${hook.id}/test`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({
      eventType: 'webhook.test',
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
      attemptLog: [{ statusCode: 200 }],
    });
    const [request] = receiver.ofType('webhook.test');
    expect(
      verifyWebhookSignature(request?.body ?? '', request?.headers['switchboard-signature'], hook.secret, {
        now,
      }).ok,
    ).toBe(true);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      type: 'webhook.test',
      data: { webhook: hook.id },
    });

    receiver.answer(500);
    const failed = await t.request('POST', `/api/v1/webhooks/${hook.id}/test`);
    expect(failed.body).toMatchObject({ status: 'failed', attempts: 1, maxAttempts: 1, lastStatusCode: 500 });
    expect(
      (await t.request('POST', '/api/v1/webhooks/00000000-0000-4000-8000-000000000000/test')).status,
    ).toBe(404);
  });

  it("queues the rollouts' notifications (their Notifier) and delivers them", async () => {
    const hook = await webhook({ events: ['rollout.rolled_back'] });
    t.services.webhooks.rolloutNotifier.notify({
      type: 'rollout.rolled_back',
      project: 'default',
      environment: 'production',
      flag: 'checkout',
      at: now.toISOString(),
      data: { planId: 'plan-1', reason: 'error rate up 4 points' },
    });
    // Never throws, even for a project that does not exist: it is logged.
    t.services.webhooks.rolloutNotifier.notify({
      type: 'rollout.advanced',
      project: 'nowhere',
      environment: 'production',
      flag: 'checkout',
      at: now.toISOString(),
      data: {},
    });
    expect(await t.services.webhooks.deliverDue()).toBe(1);
    const [request] = receiver.received;
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      type: 'rollout.rolled_back',
      flag: 'checkout',
      data: { planId: 'plan-1', reason: 'error rate up 4 points' },
    });
    expect((await deliveries(hook.id))[0].status).toBe('succeeded');
  });

  it('edits with the version read, rotates the secret, pages the log, and deletes with the log', async () => {
    const hook = await webhook({ events: ['flag.*'] });
    const stale = await t.request('PATCH', `/api/v1/webhooks/${hook.id}`, { name: 'renamed', version: 7 });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(1);
    expect((await t.request('PATCH', `/api/v1/webhooks/${hook.id}`, { name: 'renamed' })).status).toBe(428);
    const edited = await t.request('PATCH', `/api/v1/webhooks/${hook.id}`, { name: 'renamed', version: 1 });
    expect(edited.body).toMatchObject({ name: 'renamed', version: 2 });

    const rotated = await t.request('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(hook.secret);
    await toggle('disable');
    now = new Date(now.getTime() + SECOND_MS);
    await toggle('enable');
    await t.services.webhooks.deliverDue();
    const [request] = receiver.received;
    expect(
      verifyWebhookSignature(
        request?.body ?? '',
        request?.headers['switchboard-signature'],
        rotated.body.secret,
        { now },
      ).ok,
    ).toBe(true);
    expect(
      verifyWebhookSignature(request?.body ?? '', request?.headers['switchboard-signature'], hook.secret, {
        now,
      }).ok,
    ).toBe(false);

    const page = await t.request('GET', `/api/v1/webhooks/${hook.id}/deliveries?limit=1`);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].eventType).toBe('flag.enabled');
    const next = await t.request(
      'GET',
      `/api/v1/webhooks/${hook.id}/deliveries?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`,
    );
    expect(next.body.items.map((d: { eventType: string }) => d.eventType)).toEqual(['flag.disabled']);
    expect(next.body.nextCursor).toBeUndefined();
    // The list carries each webhook's newest delivery.
    const listed = await t.request('GET', '/api/v1/webhooks');
    const listedHook = listed.body.items.find((w: { id: string }) => w.id === hook.id);
    expect(listedHook.lastDelivery).toEqual({
      id: page.body.items[0].id,
      eventType: 'flag.enabled',
      status: page.body.items[0].status,
      lastStatusCode: page.body.items[0].lastStatusCode,
      createdAt: page.body.items[0].createdAt,
    });

    const deleted = await t.request('DELETE', `/api/v1/webhooks/${hook.id}`);
    expect(deleted.status).toBe(200);
    expect((await t.request('GET', `/api/v1/webhooks/${hook.id}`)).status).toBe(404);
    const left = await t.database.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('webhook_id', '=', hook.id)
      .execute();
    expect(left).toEqual([]);
  });

  it.each([
    [{ name: 'x', url: 'ftp://example.com/hook', events: ['*'] }, 'body.url'],
    [{ name: 'x', url: 'not a url', events: ['*'] }, 'body.url'],
    [{ name: 'x', url: 'https://example.com/hook', events: [] }, 'body.events'],
    [{ name: 'x', url: 'https://example.com/hook', events: ['flag.exploded'] }, 'body.events.0'],
    [{ name: 'x', url: 'https://example.com/hook', events: ['*'], format: 'xml' }, 'body.format'],
    [
      { name: 'x', url: 'https://example.com/hook', events: ['*'], environment: 'nowhere' },
      'body.environment',
    ],
    [{ name: '', url: 'https://example.com/hook', events: ['*'] }, 'body.name'],
    [{ url: 'https://example.com/hook', events: ['*'] }, 'body.name'],
  ])('refuses %o with 400 naming %s', async (body, field) => {
    const response = await t.request('POST', '/api/v1/webhooks', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'VALIDATION_FAILED', field });
    expect(response.body.message).toContain(field);
  });
});

describe.each(DIALECTS)('webhook deliveries across restarts on %s', (dialect) => {
  const KEY = new Secret('an encryption key of forty characters!!!');
  let now = START;
  let receiver: WebhookReceiver;
  const apps: App[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await receiver?.close();
  });

  it('keeps queued deliveries and sealed secrets in the store; a start without the key cannot sign them', async () => {
    const store = await openSharedStore(dialect);
    try {
      const first = await store.start({ clock: () => now }, { encryptionKey: KEY });
      apps.push(first);
      const admin = store.adminKey();
      const created = await adminRequest(first, admin, 'POST', '/api/v1/webhooks', {
        name: 'ops',
        url: receiver.url,
        events: ['flag.*'],
      });
      expect(created.status).toBe(201);
      expect(created.body.secretStorage).toBe('encrypted');
      const row = await store.database.db
        .selectFrom('webhooks')
        .select('secret')
        .where('id', '=', created.body.id)
        .executeTakeFirstOrThrow();
      expect(row.secret).toMatch(/^v1:/);
      expect(row.secret).not.toContain(created.body.secret.slice(6));
      expect(
        (
          await adminRequest(first, admin, 'POST', '/api/v1/flags', {
            key: 'launch',
            kind: 'boolean',
            variants: [
              { key: 'on', value: true },
              { key: 'off', value: false },
            ],
          })
        ).status,
      ).toBe(201);
      await adminRequest(first, admin, 'POST', '/api/v1/flags/launch/environments/production/enable', {
        version: 0,
      });
      // Closed before any delivery was attempted: the queued one waits in the store.
      await first.close();
      apps.splice(apps.indexOf(first), 1);
      expect(receiver.received).toHaveLength(0);

      const second = await store.start({ clock: () => now }, { encryptionKey: KEY });
      apps.push(second);
      // The flag's creation and its enabling, both after the webhook was made.
      expect(await second.services.webhooks.deliverDue()).toBe(2);
      expect(receiver.ofType('flag.created')).toHaveLength(1);
      const [request] = receiver.ofType('flag.enabled');
      expect(
        verifyWebhookSignature(
          request?.body ?? '',
          request?.headers['switchboard-signature'],
          created.body.secret,
          {
            now,
          },
        ).ok,
      ).toBe(true);
      await adminRequest(second, admin, 'POST', '/api/v1/flags/launch/environments/production/disable', {
        version: 1,
      });
      await second.close();
      apps.splice(apps.indexOf(second), 1);

      // Without the key, the sealed secret cannot be opened: the delivery waits for a retry, saying why.
      now = new Date(now.getTime() + 60_000);
      const keyless = await store.start({ clock: () => now });
      apps.push(keyless);
      expect(await keyless.services.webhooks.deliverDue()).toBe(1);
      const log = await adminRequest(keyless, admin, 'GET', `/api/v1/webhooks/${created.body.id}/deliveries`);
      expect(log.body.items[0]).toMatchObject({ eventType: 'flag.disabled', status: 'pending', attempts: 1 });
      expect(log.body.items[0].lastError).toContain('SWITCHBOARD_ENCRYPTION_KEY');
      expect(receiver.received).toHaveLength(2);
      // A new secret (stored plain without the key) lets the retry through.
      const rotated = await adminRequest(
        keyless,
        admin,
        'POST',
        `/api/v1/webhooks/${created.body.id}/rotate-secret`,
      );
      expect(rotated.body.secretStorage).toBe('plain');
      now = new Date(now.getTime() + 10_000);
      expect(await keyless.services.webhooks.deliverDue()).toBe(1);
      const [retried] = receiver.ofType('flag.disabled');
      expect(
        verifyWebhookSignature(
          retried?.body ?? '',
          retried?.headers['switchboard-signature'],
          rotated.body.secret,
          {
            now,
          },
        ).ok,
      ).toBe(true);
      await keyless.close();
      apps.splice(apps.indexOf(keyless), 1);
    } finally {
      await store.destroy();
    }
  });
});
