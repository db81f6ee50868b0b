import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../server/src/features/webhooks/webhook-signature.js';
import { startTestApp, type TestApp } from '../../server/test/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../server/test/webhook-receiver.js';
import { launchBrowser, watchConsole } from './browser.js';
import { DASHBOARD_DIR, ensureDashboardBuilt } from './dashboard-build.js';

const FLAG = 'checkout';
const SCREENSHOTS = join(DASHBOARD_DIR, 'e2e', 'screenshots');

/** Waits for the page to show something: UI updates follow requests, slower on a busy CI machine. */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5_000 });

/**
 * The Webhooks and Alerts pages against the real server (SQLite) and a real local receiver: a webhook
 * created, tested (its signature checked), rotated, edited and deleted; an alert rule created, edited
 * and deleted; every change found in the audit log.
 */
describe('webhooks and alerts in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let receiver: WebhookReceiver;
  let webhookId = '';
  let secret = '';
  let ruleId = '';

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  const form = () => page.locator('form.form');
  /** The test deliveries the receiver got, newest last. */
  const tests = () => receiver.ofType('webhook.test');

  beforeAll(async () => {
    await ensureDashboardBuilt();
    await mkdir(SCREENSHOTS, { recursive: true });
    [t, receiver] = await Promise.all([
      // Alert rules are evaluated by the test (below), never by the minute worker behind its back.
      startTestApp('sqlite', {}, { workerIntervalsMs: { alerts: 0 } }),
      startWebhookReceiver(),
    ]);
    const created = await t.request('POST', '/api/v1/flags', {
      key: FLAG,
      kind: 'boolean',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    expect(created.status).toBe(201);
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(5_000);
    problems = watchConsole(page);
    await page.goto(`${base}/webhooks`);
    await page.getByRole('button', { name: 'Sign in with the local admin key' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.destroy();
    await receiver?.close();
  });

  it('creates a webhook, refusing a bad URL at its field, and shows its secret once', async () => {
    await page.getByText('No webhooks yet').waitFor();
    // Keyboard only: Tab from the top of the page reaches the button, Enter follows it.
    let tabs = 0;
    while (!(await page.evaluate("document.activeElement?.textContent === 'New webhook'"))) {
      expect(++tabs, 'Tab presses to reach New webhook').toBeLessThan(20);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New webhook', level: 1 }).waitFor();
    await form().getByLabel('Name').fill('ops');
    await form().getByLabel('URL').fill('ftp://example.com/hook');
    await page.getByRole('checkbox', { name: 'All (alert.*)' }).check();
    // A family covers its event types: they show as chosen and cannot be unticked alone.
    const covered = page.getByRole('checkbox', { name: 'alert.fired' });
    expect(await covered.isChecked()).toBe(true);
    expect(await covered.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const urlError = page.locator('.field-error[data-field="body.url"]');
    await eventually(() => urlError.textContent()).toContain('http:// or https://');
    expect(await form().getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
    expect((await t.request('GET', '/api/v1/webhooks')).body.items).toEqual([]);
    await shot('webhook-url-error');

    await form().getByLabel('URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor();
    secret = await shown.inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    await shot('webhook-secret');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('button', { name: 'Send test event' }).waitFor();
    webhookId = new URL(page.url()).pathname.split('/')[2] ?? '';

    const stored = await t.request('GET', `/api/v1/webhooks/${webhookId}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ name: 'ops', url: receiver.url, format: 'json', enabled: true });
    expect(stored.body.events).toEqual(['flag.*', 'alert.*']);
    expect(stored.body).not.toHaveProperty('secret');
    // Shown once: the page holds it no more.
    expect(await page.content()).not.toContain(secret);
  });

  it('sends a test event, signed with the secret, and shows it in the delivery log', async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.getByTestId('test-result').locator('p');
    await eventually(() => result.getAttribute('data-status')).toBe('succeeded');
    expect(await result.textContent()).toContain('HTTP 200');
    const row = page.locator('tr[data-event="webhook.test"]');
    await eventually(() => row.count()).toBe(1);
    expect(await row.getAttribute('data-status')).toBe('succeeded');
    expect(await row.getByTestId('delivery-outcome').textContent()).toMatch(/^HTTP 200 in \d+ ms$/);

    expect(tests()).toHaveLength(1);
    const [delivery] = tests();
    if (delivery === undefined) throw new Error('no test delivery');
    expect(verifyWebhookSignature(delivery.body, delivery.headers['switchboard-signature'], secret)).toEqual({
      ok: true,
      timestamp: expect.any(Number),
    });
    expect(JSON.parse(delivery.body)).toMatchObject({ type: 'webhook.test', data: { webhook: webhookId } });
    await shot('webhook-deliveries');
  });

  it('rotates the secret: shown once, and the next delivery is signed with the new one only', async () => {
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor();
    const rotated = await shown.inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole('button', { name: 'I have copied it' }).click();

    await page.getByRole('button', { name: 'Send test event' }).click();
    await eventually(() => tests().length).toBe(2);
    await eventually(() => page.locator('tr[data-event="webhook.test"]').count()).toBe(2);
    const delivery = tests()[1];
    if (delivery === undefined) throw new Error('no second test delivery');
    const header = delivery.headers['switchboard-signature'];
    expect(verifyWebhookSignature(delivery.body, header, rotated).ok).toBe(true);
    expect(verifyWebhookSignature(delivery.body, header, secret)).toMatchObject({
      ok: false,
      problem: 'signature-mismatch',
    });
    secret = rotated;
  });

  it('edits the webhook, and offers a reload when someone else changed it first', async () => {
    await form().getByLabel('Format').selectOption('slack');
    await page.getByRole('button', { name: 'Save webhook' }).click();
    await eventually(async () => (await t.request('GET', `/api/v1/webhooks/${webhookId}`)).body.format).toBe(
      'slack',
    );
    const current = (await t.request('GET', `/api/v1/webhooks/${webhookId}`)).body;
    await eventually(() => page.getByRole('button', { name: 'Save webhook' }).isDisabled()).toBe(true);

    // Someone else renames it; this page still holds the version before.
    const behind = await t.request('PATCH', `/api/v1/webhooks/${webhookId}`, {
      name: 'ops-renamed',
      version: current.version,
    });
    expect(behind.status).toBe(200);
    await form().getByLabel('Only events of flag').fill(FLAG);
    await page.getByRole('button', { name: 'Save webhook' }).click();
    const conflict = page.getByTestId('version-conflict');
    await conflict.waitFor();
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await eventually(() => form().getByLabel('Name').inputValue()).toBe('ops-renamed');
    expect(await form().getByLabel('Only events of flag').inputValue()).toBe('');
    expect((await t.request('GET', `/api/v1/webhooks/${webhookId}`)).body.flag).toBeNull();
  });

  it('pages through a long delivery log', async () => {
    // Two test deliveries so far; 20 more make 22: a page of 20 and one of 2.
    for (let i = 0; i < 20; i++)
      expect((await t.request('POST', `/api/v1/webhooks/${webhookId}/test`)).status).toBe(200);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const rows = page.locator('table[data-testid="delivery-log"] tbody tr');
    await eventually(() => rows.count()).toBe(20);
    const pager = page.getByRole('navigation', { name: 'Deliveries pages' });
    await pager.getByRole('button', { name: 'Next' }).click();
    await eventually(() => rows.count()).toBe(2);
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await eventually(() => rows.count()).toBe(20);
  });

  it('lists the webhook with its events, format, switch and last delivery', async () => {
    await nav('Webhooks').click();
    const row = page.locator('tr[data-webhook="ops-renamed"]');
    await row.waitFor();
    expect(await row.locator('td[data-label="Events"]').textContent()).toContain('flag.*, alert.*');
    expect(await row.locator('td[data-label="Format"]').textContent()).toBe('slack');
    expect(await row.locator('td[data-label="Enabled"]').textContent()).toBe('on');
    await eventually(() => row.getByTestId('last-delivery').getAttribute('data-status')).toBe('succeeded');
    await shot('webhooks');
  });

  it("creates an alert rule on a flag environment, showing its own and the server's refusals at their fields", async () => {
    await nav('Alerts').click();
    await page.getByText('No alert rules yet').waitFor();
    await page.getByRole('link', { name: 'New alert rule' }).click();
    await form().getByLabel('Flag', { exact: true }).selectOption(FLAG);
    await form().getByLabel('Environment', { exact: true }).selectOption('production');
    await form().getByLabel('Metric').selectOption('error_rate');
    await form().getByLabel('Fires above').fill('1.5');
    await form().getByLabel('Action').selectOption('rollback');
    await page.getByRole('button', { name: 'Create alert rule' }).click();
    const thresholdError = page.locator('.field-error[data-field="body.threshold"]');
    await eventually(() => thresholdError.textContent()).toBe('must be at most 1');
    expect(await form().getByLabel('Fires above').getAttribute('aria-invalid')).toBe('true');
    await shot('alert-threshold-error');

    await form().getByLabel('Fires above').fill('0.05');
    await form().getByLabel('Variant').selectOption('on');
    // What only the server checks (text it cannot store) comes back named, and is shown at its field.
    await form().getByLabel('Name').fill('errors \u0000 null');
    await page.getByRole('button', { name: 'Create alert rule' }).click();
    const nameError = page.locator('.field-error[data-field="body.name"]');
    await eventually(() => nameError.textContent()).toContain('NUL characters');
    expect(await form().getByLabel('Fires above').getAttribute('aria-invalid')).toBeNull();
    await form().getByLabel('Name').fill('');
    await page.getByRole('button', { name: 'Create alert rule' }).click();
    await page.locator('.alert-status').waitFor();
    ruleId = new URL(page.url()).pathname.split('/')[2] ?? '';
    await page.getByText('It has not fired yet.').waitFor();

    const listed = (await t.request('GET', '/api/v1/alerts?project=default')).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: ruleId,
      flag: FLAG,
      environment: 'production',
      metric: 'error_rate',
      threshold: 0.05,
      windowMinutes: 60,
      forMinutes: 0,
      minSample: 100,
      variant: 'on',
      action: 'rollback',
      enabled: true,
    });

    await nav('Alerts').click();
    const row = page.locator(`tr[data-alert="${listed[0].name}"]`);
    await row.waitFor();
    expect(await row.locator('td[data-label="Condition"]').textContent()).toBe(
      'Error rate > 5% over 60 min, ≥ 100 requests, variant on',
    );
    expect(await row.locator('td[data-label="Action"]').textContent()).toBe('rollback');
    expect(await row.locator('td[data-label="State"] [data-state]').getAttribute('data-state')).toBe(
      'inactive',
    );
    await eventually(() => row.locator('td[data-label="Last fired"]').textContent()).toBe('never');

    // Filters: one that is no flag key is refused at its field; a flag's key finds its rules.
    const flagFilter = page.getByRole('search').getByLabel('Flag');
    await flagFilter.fill('Not A Key');
    await page.locator('#alert-flag-error').waitFor();
    expect(await flagFilter.getAttribute('aria-invalid')).toBe('true');
    expect(await row.count()).toBe(0);
    await flagFilter.fill('other-flag');
    await page.getByText('No rule matches.').waitFor();
    await flagFilter.fill(FLAG);
    await row.waitFor();
    await shot('alerts');
  });

  it('edits the alert rule, and offers a reload when someone else changed it first', async () => {
    await page.locator('table[data-testid="alert-list"]').getByRole('link').first().click();
    await form().getByLabel('Fires above').fill('0.1');
    await form().getByLabel('Minimum sample').fill('50');
    await page.getByRole('button', { name: 'Save alert rule' }).click();
    await eventually(async () => (await t.request('GET', `/api/v1/alerts/${ruleId}`)).body).toMatchObject({
      threshold: 0.1,
      minSample: 50,
      version: 2,
    });
    await eventually(() => page.getByRole('button', { name: 'Save alert rule' }).isDisabled()).toBe(true);

    // Someone else renames it; this page still holds version 2.
    const behind = await t.request('PATCH', `/api/v1/alerts/${ruleId}`, {
      name: 'checkout errors',
      version: 2,
    });
    expect(behind.status).toBe(200);
    await form().getByLabel('Fires above').fill('0.2');
    await page.getByRole('button', { name: 'Save alert rule' }).click();
    await page.getByTestId('version-conflict').getByRole('button', { name: 'Reload' }).click();
    await eventually(() => form().getByLabel('Name').inputValue()).toBe('checkout errors');
    expect(await form().getByLabel('Fires above').inputValue()).toBe('0.1');
    expect((await t.request('GET', `/api/v1/alerts/${ruleId}`)).body.threshold).toBe(0.1);
  });

  it('shows a firing rule in the list and in its history', async () => {
    const key = await t.request('POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    const ts = new Date(Date.now() - 60_000).toISOString();
    // 40 failures in 100 generations of the variant watched: above the 10% threshold.
    const events = Array.from({ length: 100 }, (_, i) => ({
      kind: 'generation',
      flag: FLAG,
      variant: 'on',
      unit: `unit-${i}`,
      provider: 'openai',
      model: 'gpt-4o',
      latencyMs: 400,
      costUsd: 0.001,
      ts,
      ...(i < 40 ? { error: 'server' } : {}),
    }));
    const posted = await t.request(
      'POST',
      '/api/v1/events',
      { events },
      { authorization: `Bearer ${key.body.key}`, 'idempotency-key': 'dashboard-alerts' },
    );
    expect(posted.body.rejected).toEqual([]);
    expect(await t.services.alerts.evaluateDue()).toMatchObject({ fired: 1 });

    await page.reload();
    const fired = page.locator('tr[data-kind="fired"]');
    await fired.waitFor();
    expect(await fired.locator('td[data-label="Figure"]').textContent()).toBe('40%variant on');
    expect(await page.locator('.alert-status [data-state]').textContent()).toBe('firing');
    await shot('alert-history');

    await nav('Alerts').click();
    const row = page.locator('table[data-testid="alert-list"] tbody tr');
    await eventually(() =>
      row.locator('td[data-label="State"] [data-state]').getAttribute('data-state'),
    ).toBe('firing');
    expect(await row.locator('td[data-label="Last fired"] time').count()).toBe(1);
  });

  it('has no horizontal overflow at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of [
        '/webhooks',
        `/webhooks/${webhookId}`,
        '/webhooks/new',
        '/alerts',
        `/alerts/${ruleId}`,
      ]) {
        await page.goto(`${base}${path}`);
        await page.locator('h1').first().waitFor();
        await page.locator('.loading').first().waitFor({ state: 'detached' });
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow, path).toBeLessThanOrEqual(0);
        await shot(`phone${path.replaceAll('/', '-').replace(/-[0-9a-f-]{36}$/, '-one')}`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('deletes both after confirmation, and finds every change in the audit log', async () => {
    await page.goto(`${base}/alerts/${ruleId}`);
    await page.getByRole('button', { name: 'Delete rule' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No alert rules yet').waitFor();
    expect((await t.request('GET', `/api/v1/alerts/${ruleId}`)).status).toBe(404);

    await page.goto(`${base}/webhooks/${webhookId}`);
    await page.getByRole('button', { name: 'Delete webhook' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No webhooks yet').waitFor();
    expect((await t.request('GET', `/api/v1/webhooks/${webhookId}`)).status).toBe(404);

    const audit = (await t.request('GET', '/api/v1/audit?project=default&limit=100')).body.items as {
      action: string;
      resourceKey: string;
    }[];
    const of = (key: string) =>
      audit
        .filter((e) => e.resourceKey === key)
        .map((e) => e.action)
        .reverse();
    expect(of(webhookId)).toEqual([
      'webhook.create',
      'webhook.rotate-secret',
      'webhook.update',
      'webhook.update',
      'webhook.delete',
    ]);
    expect(of(ruleId)).toEqual(['alert.create', 'alert.update', 'alert.update', 'alert.delete']);

    await nav('Audit log').click();
    for (const action of ['webhook.rotate-secret', 'alert.delete']) {
      await page.getByLabel('Action').selectOption(action);
      const entries = page.locator('li.audit-entry');
      await eventually(
        async () => (await entries.count()) === 1 && (await entries.getAttribute('data-action')),
      ).toBe(action);
    }
    await shot('audit-webhooks-alerts');
    expect(problems).toEqual([]);
  });
});
