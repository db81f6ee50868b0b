import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient, type SwitchboardClient } from '@switchboard/sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../server/test/harness.js';
import { launchBrowser, watchConsole } from './browser.js';
import { DASHBOARD_DIR, ensureDashboardBuilt } from './dashboard-build.js';

const FLAG = 'checkout-copy';
/** Screenshots of the main pages, to look at (ignored by git). */
const SCREENSHOTS = join(DASHBOARD_DIR, 'e2e', 'screenshots');

/** Waits for the page to show something: UI updates follow requests, slower on a busy CI machine. */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5_000 });

/** Polls until `check` holds, or fails after `ms`. */
async function within(ms: number, what: string, check: () => boolean | Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}

describe('the dashboard in Chromium, on the embedded store', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let sdk: SwitchboardClient | undefined;

  const flagPage = () => page.getByTestId('kill-switch');
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const rule = (n: number) => page.locator(`fieldset.rule[data-rule-index="${n}"]`);

  beforeAll(async () => {
    await ensureDashboardBuilt();
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await startTestApp('sqlite');
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    page.setDefaultTimeout(5_000);
    problems = watchConsole(page);
  }, 120_000);

  afterAll(async () => {
    await sdk?.close();
    await browser?.close();
    await t?.destroy();
  });

  it('refuses an unknown key, then signs in with the local admin key it offers', async () => {
    await page.goto(base);
    await page.getByLabel('Admin key').fill('sb_admin_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('unknown or revoked');
    await shot('sign-in');
    await page.getByRole('button', { name: 'Sign in with the local admin key' }).click();
    await page.getByRole('heading', { name: 'Flags' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("switchboard.adminKey")')).toBe(t.adminKey);
  });

  it('shows a server validation error at its field, then creates a flag with variants', async () => {
    await page.getByRole('link', { name: 'New flag' }).click();
    await page.locator('.form-grid').getByLabel('Key', { exact: true }).fill('Checkout Copy');
    await page.getByLabel('Kind').selectOption('string');
    await page.locator('[data-variant-index="0"]').getByLabel('Value').fill('classic');
    await page.locator('[data-variant-index="1"]').getByLabel('Value').fill('one-page');
    await page.getByLabel('Tags').fill('checkout, llm');
    await page.getByRole('button', { name: 'Create flag' }).click();
    const keyError = page.locator('[data-field="body.key"]');
    await eventually(() => keyError.textContent()).toContain('must be a slug');
    await shot('flag-create-validation');
    expect(
      await page.locator('.form-grid').getByLabel('Key', { exact: true }).getAttribute('aria-invalid'),
    ).toBe('true');

    await page.locator('.form-grid').getByLabel('Key', { exact: true }).fill(FLAG);
    await page.getByRole('button', { name: 'Create flag' }).click();
    await page.waitForURL(`${base}/flags/${FLAG}`);
    await eventually(() => flagPage().getAttribute('data-state')).toBe('off');
    const stored = await t.request('GET', `/api/v1/flags/${FLAG}`);
    expect(stored.body.variants).toEqual([
      { key: 'control', value: 'classic' },
      { key: 'treatment', value: 'one-page' },
    ]);
    expect(stored.body.tags).toEqual(['checkout', 'llm']);
  });

  it('turns the flag on through a dialog that traps focus and closes on Escape', async () => {
    await page.getByRole('button', { name: 'Turn on in production' }).click();
    const dialog = page.getByRole('dialog', { name: `Turn on ${FLAG} in production?` });
    await dialog.waitFor();
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.closest("dialog") !== null')).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await flagPage().getAttribute('data-state')).toBe('off');

    await page.getByRole('button', { name: 'Turn on in production' }).click();
    await dialog.getByRole('button', { name: 'Turn on' }).click();
    await eventually(() => flagPage().getAttribute('data-state')).toBe('on');
  });

  it('edits targeting (a rule and a 10% split) and previews the variant, reason and deciding rule', async () => {
    await page.getByRole('button', { name: 'Add rule' }).click();
    await rule(0).getByLabel('Attribute').fill('plan');
    await rule(0).getByLabel('Values, one per line (any)').fill('enterprise');
    await rule(0).getByLabel('Variant', { exact: true }).selectOption('treatment');
    await page
      .getByRole('radiogroup', { name: 'Everyone else: serve' })
      .getByLabel('a percentage split')
      .check();
    await page.getByLabel('Everyone else: treatment percentage').fill('10');
    await eventually(() => page.locator('output[data-variant="control"]').textContent()).toBe('90%');
    expect(await page.locator('output[data-variant="treatment"]').textContent()).toBe('10%');

    // The preview of the unsaved draft: a what-if snapshot.
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByLabel('Attribute 2 name').fill('plan');
    await page.getByLabel('Attribute 2 value').fill('enterprise');
    await eventually(() => page.getByTestId('preview-variant').textContent()).toBe('treatment');
    expect(await page.getByTestId('preview-reason').textContent()).toBe('TARGETING_MATCH');
    expect(await page.getByTestId('preview-decided-by').textContent()).toMatch(/^Rule 1 /);

    await page.getByRole('button', { name: 'Save targeting' }).click();
    await page.getByText('Saved · version 2').waitFor();
    const production = (await t.request('GET', `/api/v1/flags/${FLAG}/environments/production`)).body;
    expect(production.rules).toHaveLength(1);
    expect(production.rules[0]).toMatchObject({
      clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }],
      serve: { variant: 'treatment' },
    });
    expect(production.fallthrough).toEqual({
      split: [
        { variant: 'control', weight: 90_000 },
        { variant: 'treatment', weight: 10_000 },
      ],
    });

    // As saved: someone on another plan falls through to the split, as the server evaluates it.
    await page.getByLabel('Attribute 2 value').fill('free');
    await eventually(() => page.getByTestId('preview-reason').textContent()).toBe('SPLIT');
    const server = await t.request('POST', '/api/v1/evaluate', {
      environment: 'production',
      flag: FLAG,
      context: { targetingKey: 'user-1', plan: 'free' },
    });
    expect(await page.getByTestId('preview-variant').textContent()).toBe(server.body.result.variant);
    expect(await page.getByTestId('preview-decided-by').textContent()).toContain('No rule matched');
    await shot('flag-targeting-preview');
  });

  it('flips the kill switch after confirmation, and a connected SDK applies it', async () => {
    const key = await t.request('POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    sdk = createClient({ url: base, sdkKey: key.body.key });
    await sdk.ready({ timeoutMs: 5_000 });
    const enterprise = { targetingKey: 'user-1', plan: 'enterprise' };
    await within(
      2_000,
      'the SDK has the rule',
      () => sdk?.getStringValue(FLAG, enterprise, 'default') === 'one-page',
    );
    expect(sdk.killSwitch(FLAG, enterprise)).toBeNull();

    await page.getByRole('button', { name: 'Kill switch: turn off in production' }).click();
    const dialog = page.getByRole('dialog', { name: `Turn off ${FLAG} in production?` });
    await eventually(() => dialog.textContent()).toContain('retry after 300 seconds');
    await shot('kill-switch-confirmation');
    await dialog.getByRole('button', { name: 'Turn off now' }).click();
    await within(2_000, 'the SDK applied the kill switch', () => sdk?.killSwitch(FLAG, enterprise) !== null);
    expect(sdk.killSwitch(FLAG, enterprise)).toEqual({
      error: 'Feature temporarily disabled',
      retryAfterSeconds: 300,
    });
    expect(sdk.getStringValue(FLAG, enterprise, 'default')).toBe('classic');
    await eventually(() => flagPage().getAttribute('data-state')).toBe('off');

    // The retry-after callers see is editable, and reaches them too.
    await page.getByLabel('Retry-after callers see (seconds)').fill('120');
    await flagPage().getByRole('button', { name: 'Save' }).click();
    await within(
      2_000,
      'the SDK has the new retry-after',
      () => sdk?.killSwitch(FLAG, enterprise)?.retryAfterSeconds === 120,
    );
    await eventually(() => flagPage().textContent()).toContain('retry after 120 s');
    await shot('kill-switch-off');
  });

  it('reflects a change made through the API within a second', async () => {
    const { version } = (await t.request('GET', `/api/v1/flags/${FLAG}/environments/production`)).body;
    const enabled = await t.request('POST', `/api/v1/flags/${FLAG}/environments/production/enable`, {
      version,
    });
    expect(enabled.status).toBe(200);
    const elapsed = await within(
      1_000,
      'the dashboard shows the flag on',
      async () => (await flagPage().getAttribute('data-state')) === 'on',
    );
    expect(elapsed).toBeLessThan(1_000);
  });

  it('offers to reload when a save meets a version conflict', async () => {
    await rule(0).getByLabel('Description (optional)').fill('enterprise customers first');
    const { version } = (await t.request('GET', `/api/v1/flags/${FLAG}/environments/production`)).body;
    const changed = await t.request('PATCH', `/api/v1/flags/${FLAG}/environments/production`, {
      retryAfterSeconds: 60,
      version,
    });
    expect(changed.status).toBe(200);
    await page.getByText('This targeting changed on the server since you started editing').waitFor();
    await page.getByRole('button', { name: 'Save targeting' }).click();
    const conflict = page.getByTestId('version-conflict');
    await eventually(() => conflict.textContent()).toContain('Someone else changed this');
    await shot('version-conflict');
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await conflict.waitFor({ state: 'detached' });
    expect(await rule(0).getByLabel('Description (optional)').inputValue()).toBe('');
    await eventually(() => page.getByLabel('Retry-after callers see (seconds)').inputValue()).toBe('60');
    // The preview follows the stored state too: on again, the free plan falls through to the split.
    await eventually(() => page.getByTestId('preview-reason').textContent()).toBe('SPLIT');
  });

  it('finds the kill switch in the audit log, with its before/after diff', async () => {
    await page.locator('.flag-actions').getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(`${base}/audit?flag=${FLAG}`);
    await page.getByLabel('Action').selectOption('flag.environment.disable');
    const entries = page.locator('li.audit-entry');
    await eventually(() => entries.count()).toBe(1);
    expect(await entries.first().getAttribute('data-action')).toBe('flag.environment.disable');
    await entries.first().getByRole('button', { name: 'Show changes' }).click();
    const enabled = entries.first().locator('tr[data-path="enabled"]');
    expect(await enabled.locator('.diff-before').textContent()).toBe('true');
    expect(await enabled.locator('.diff-after').textContent()).toBe('false');
    await shot('audit-log');
  });

  it('edits the definition, and archives and restores the flag', async () => {
    await page.goto(`${base}/flags/${FLAG}`);
    const definition = page.locator('form.definition');
    await definition.getByLabel('Name', { exact: true }).fill('Checkout copy');
    await definition.getByLabel('Description').fill('Which checkout wording converts best.');
    await definition.getByRole('button', { name: 'Save definition' }).click();
    await page.getByRole('heading', { name: 'Checkout copy' }).waitFor();
    expect((await t.request('GET', `/api/v1/flags/${FLAG}`)).body).toMatchObject({
      name: 'Checkout copy',
      description: 'Which checkout wording converts best.',
    });

    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Archive' }).click();
    await page.getByRole('button', { name: 'Restore', exact: true }).waitFor();
    expect((await t.request('GET', `/api/v1/flags/${FLAG}`)).body.archived).toBe(true);
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('button', { name: 'Archive', exact: true }).waitFor();
    expect((await t.request('GET', `/api/v1/flags/${FLAG}`)).body.archived).toBe(false);
  });

  it('creates a segment and lists it', async () => {
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('link', { name: 'New segment' }).click();
    await page.getByLabel('Key').fill('beta-users');
    await page.getByLabel('Name').fill('Beta users');
    await page.getByLabel('Always included unit ids').fill('user-7\nuser-9');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.waitForURL(`${base}/segments/beta-users`);
    await page.getByRole('link', { name: 'Segments' }).first().click();
    await page.getByRole('link', { name: 'Beta users' }).waitFor();
    expect((await t.request('GET', '/api/v1/segments/beta-users')).body.included).toEqual([
      'user-7',
      'user-9',
    ]);
  });

  it('edits a segment, and deletes it with the version read, offering a reload when it changed first', async () => {
    const created = await t.request('POST', '/api/v1/segments', { key: 'old-cohort', name: 'Old cohort' });
    expect(created.status).toBe(201);
    await page.goto(`${base}/segments/old-cohort`);
    await page.getByLabel('Name').fill('Old cohort (2025)');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await eventually(async () => (await t.request('GET', '/api/v1/segments/old-cohort')).body.name).toBe(
      'Old cohort (2025)',
    );
    // Someone else edits it: the delete, sent with the version read, is refused and offers a reload.
    const current = (await t.request('GET', '/api/v1/segments/old-cohort')).body;
    const changed = await t.request('PATCH', '/api/v1/segments/old-cohort', {
      version: current.version,
      description: 'edited elsewhere',
    });
    expect(changed.status).toBe(200);
    await page.getByRole('button', { name: 'Delete segment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete segment old-cohort?' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Reload' }).click();
    // The reload closes the dialog and shows the record as it is now.
    await dialog.waitFor({ state: 'detached' });
    await eventually(() => page.getByLabel('Description').inputValue()).toBe('edited elsewhere');
    expect((await t.request('GET', '/api/v1/segments/old-cohort')).status).toBe(200);
    await page.getByRole('button', { name: 'Delete segment' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${base}/segments`);
    expect((await t.request('GET', '/api/v1/segments/old-cohort')).status).toBe(404);
  });

  it('creates an API key shown once with a copy button, and revokes it', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('ci pipeline');
    await page.getByLabel('Kind').selectOption('server');
    await page.getByLabel('Environment').selectOption('staging');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog');
    const key = await dialog.getByTestId('created-key').inputValue();
    expect(key).toMatch(/^sb_server_/);
    await dialog.getByRole('button', { name: 'Copy key' }).click();
    await eventually(() => dialog.getByRole('status').textContent()).toBe('Copied.');
    await shot('api-key-created');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);
    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    await dialog.waitFor({ state: 'detached' });
    const snapshot = () =>
      fetch(`${base}/api/v1/sdk/snapshot`, { headers: { authorization: `Bearer ${key}` } }).then(
        (r) => r.status,
      );
    expect(await snapshot()).toBe(200);

    await page.getByRole('button', { name: 'Revoke ci pipeline' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke ci pipeline?' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await page.locator('tr[data-key-name="ci pipeline"]').getByText('revoked').waitFor();
    expect(await snapshot()).toBe(401);
  });

  it('lists flags with their status in every environment', async () => {
    await page.getByRole('link', { name: 'Flags' }).first().click();
    const row = page.locator(`tr[data-flag="${FLAG}"]`);
    await eventually(() => row.textContent()).toContain('production: on');
    expect(await row.textContent()).toContain('development: off');
    await page.getByLabel('Search').fill('nothing-like-it');
    await page.getByText('No flag matches these filters.').waitFor();
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Kind').selectOption('string');
    await row.waitFor();
    await shot('flags');

    // Long lists come a page at a time.
    for (let i = 0; i < 25; i++) {
      const created = await t.request('POST', '/api/v1/flags', {
        key: `bulk-${String(i).padStart(2, '0')}`,
        kind: 'boolean',
        variants: [
          { key: 'on', value: true },
          { key: 'off', value: false },
        ],
      });
      expect(created.status).toBe(201);
    }
    await page.getByLabel('Kind').selectOption('');
    const rows = page.locator('tr[data-flag]');
    await eventually(() => rows.count()).toBe(25);
    expect(await rows.first().getAttribute('data-flag')).toBe('bulk-00');
    await page.getByRole('button', { name: 'Next' }).click();
    await eventually(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-flag')).toBe(FLAG);
    await page.getByRole('button', { name: 'Previous' }).click();
    await eventually(() => rows.count()).toBe(25);
  });

  it('has no horizontal overflow at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of [
        '/flags',
        `/flags/${FLAG}`,
        '/flags/new',
        '/segments',
        '/segments/beta-users',
        '/audit',
        '/keys',
      ]) {
        await page.goto(`${base}${path}`);
        await page.locator('h1').first().waitFor();
        await page.locator('.loading').first().waitFor({ state: 'detached' });
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow, path).toBeLessThanOrEqual(0);
        await shot(`phone${path.replaceAll('/', '-')}`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('sends a refused key back to sign-in', async () => {
    await page.evaluate('sessionStorage.setItem("switchboard.adminKey", "sb_admin_revoked-meanwhile")');
    await page.goto(`${base}/flags`);
    await page.getByText('The server refused your key').waitFor();
    await page.getByRole('button', { name: 'Sign in with the local admin key' }).click();
    await page.getByRole('heading', { name: 'Flags' }).waitFor();
  });

  it('logged no console error or warning', () => {
    expect(problems).toEqual([]);
  });
});
