import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../server/test/harness.js';
import { launchBrowser, watchConsole } from './browser.js';
import { ensureDashboardBuilt } from './dashboard-build.js';

/** The main flow once more on PostgreSQL: the dashboard only speaks HTTP, so the store must not show. */
describe('the dashboard in Chromium, on PostgreSQL', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    await ensureDashboardBuilt();
    t = await startTestApp('postgres');
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(5_000);
    problems = watchConsole(page);
    const created = await t.request('POST', '/api/v1/flags', {
      key: 'summarizer-model',
      kind: 'string',
      variants: [
        { key: 'current', value: 'gpt-4o-mini' },
        { key: 'candidate', value: 'claude-haiku' },
      ],
    });
    expect(created.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.destroy();
  });

  it('signs in, turns a flag on and kills it, and follows a change made through the API', async () => {
    await page.goto(`${base}/flags`);
    await page.getByRole('button', { name: 'Sign in with the local admin key' }).click();
    await page.getByRole('link', { name: 'summarizer-model' }).click();
    const killSwitch = page.getByTestId('kill-switch');
    await page.getByRole('button', { name: 'Turn on in production' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => killSwitch.getAttribute('data-state')).toBe('on');
    await page.getByRole('button', { name: 'Kill switch: turn off in production' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Turn off now' }).click();
    await expect.poll(() => killSwitch.getAttribute('data-state')).toBe('off');
    const stored = await t.request('GET', '/api/v1/flags/summarizer-model/environments/production');
    expect(stored.body).toMatchObject({ enabled: false, version: 2 });

    const enabled = await t.request('POST', '/api/v1/flags/summarizer-model/environments/production/enable', {
      version: 2,
    });
    expect(enabled.status).toBe(200);
    await expect.poll(() => killSwitch.getAttribute('data-state'), { timeout: 1_000 }).toBe('on');

    const audit = await t.request(
      'GET',
      '/api/v1/audit?flag=summarizer-model&action=flag.environment.disable',
    );
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].actor).toMatch(/^key:local admin#/);
    expect(problems).toEqual([]);
  });
});
