import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../server/test/harness.js';
import { HOUR_MS, postArms, serverKeyOf, TestClock } from '../../server/test/rollout-fixtures.js';
import type { PlanView, PresetView } from '../src/rollouts/rollout-types.js';
import { launchBrowser, watchConsole } from './browser.js';
import { DASHBOARD_DIR, ensureDashboardBuilt } from './dashboard-build.js';

const FLAG = 'support-prompt';
const ENV = 'production';
const SCREENSHOTS = join(DASHBOARD_DIR, 'e2e', 'screenshots');
const REASON = 'p95 latency doubled in the support queue';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5_000 });

/**
 * The Rollouts pages and a flag's Rollout tab, on a real server (SQLite) in Chromium: a plan started
 * from a preset, advanced, paused and resumed (one refusal on the way), rolled back, each step checked
 * through the API, the audit log and the timeline. The scheduler's timer is off: the test ticks it, on
 * a server clock it moves forward (it starts at the real time, so the page's own times read right).
 */
describe('the rollouts pages in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let planId = '';
  const clock = new TestClock(Date.now());

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const fallthrough = async () =>
    (await t.request('GET', `/api/v1/flags/${FLAG}/environments/${ENV}`)).body.fallthrough;
  const plan = async (): Promise<PlanView> => (await t.request('GET', `/api/v1/rollouts/${planId}`)).body;
  const view = () => page.getByTestId('rollout-plan');
  const controls = () => page.getByRole('region', { name: 'Rollout controls' });
  const currentStep = () => page.getByTestId('stage-stepper').locator('[aria-current="step"] .stage-name');
  const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

  beforeAll(async () => {
    await ensureDashboardBuilt();
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await startTestApp('sqlite', { rolloutIntervalMs: 0 }, { clock: clock.now });
    const created = await t.request('POST', '/api/v1/flags', {
      key: FLAG,
      kind: 'string',
      changeType: 'prompt',
      variants: [
        { key: 'control', value: 'You are a helpful support agent.' },
        { key: 'candidate', value: 'You are a concise, friendly support agent.' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const enabled = await t.request('PATCH', `/api/v1/flags/${FLAG}/environments/${ENV}`, {
      version: 0,
      enabled: true,
      fallthrough: { variant: 'control' },
    });
    expect(enabled.status).toBe(200);
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(5_000);
    problems = watchConsole(page);
    await page.goto(`${base}/rollouts`);
    await page.getByRole('button', { name: 'Sign in with the local admin key' }).click();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.destroy();
  });

  it('lists no rollout yet, under its own entry of the navigation', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rollouts' });
    expect(await nav.getAttribute('aria-current')).toBe('page');
    await eventually(() => page.getByTestId('rollouts-empty').textContent()).toContain('No rollouts yet');
  });

  it("starts a plan from a preset in the flag's Rollout tab, its first stage served through the flag", async () => {
    await page.goto(`${base}/flags/${FLAG}?env=${ENV}`);
    await page
      .getByRole('navigation', { name: `${ENV}: views` })
      .getByRole('link', { name: 'Rollout' })
      .click();
    expect(new URL(page.url()).searchParams.get('view')).toBe('rollout');
    const presets = (await t.request('GET', '/api/v1/rollouts/presets')).body.items as PresetView[];
    const rowsOf = async () => {
      const rows = page.getByTestId('preset-stages').locator('tbody tr');
      const cells: string[][] = [];
      for (let i = 0; i < (await rows.count()); i++)
        cells.push(await rows.nth(i).locator('td').allTextContents());
      return cells;
    };
    // The flag's change type is chosen first: the prompt preset, 10% for a day, then 25 → 50 → 100.
    const changeType = page.getByLabel('Change type');
    expect(await changeType.inputValue()).toBe('prompt');
    await eventually(rowsOf).toEqual([
      ['1', '10%', '1 d', '100 units per arm'],
      ['2', '25%', '1 d', '100 units per arm'],
      ['3', '50%', '1 d', '100 units per arm'],
      ['4', '100%', 'none', '100 units per arm'],
    ]);
    await changeType.selectOption('model-swap');
    const modelSwap = presets.find((p) => p.changeType === 'model-swap');
    expect((await rowsOf()).map((r) => r[1])).toEqual(
      modelSwap?.stages.map((s) => `${'percent' in s ? s.percent : ''}%`),
    );
    await changeType.selectOption('prompt');
    expect(await page.getByTestId('preset-guardrails').textContent()).toContain(
      'p95 latency: at most +500 ms',
    );

    // The same variant on both sides is refused at the field.
    const control = page.getByLabel('Control (everyone else)');
    expect(await control.inputValue()).toBe('control');
    await control.selectOption('candidate');
    await page.getByRole('button', { name: 'Review and start…' }).click();
    await eventually(() => page.locator('[data-field="body.control"]').textContent()).toContain(
      'another variant',
    );
    await control.selectOption('control');
    await shot('rollout-create');

    await page.getByRole('button', { name: 'Review and start…' }).click();
    const dialog = page.getByRole('dialog', { name: `Start rolling out candidate in ${ENV}?` });
    expect(await dialog.textContent()).toContain('25% → 50% → 100%');
    await dialog.getByRole('button', { name: 'Start at 10%' }).click();
    await view().waitFor();
    planId = (await view().getAttribute('data-plan')) ?? '';
    expect(await plan()).toMatchObject({
      flag: FLAG,
      candidate: 'candidate',
      control: 'control',
      status: 'active',
      stageIndex: 0,
    });
    expect(await fallthrough()).toEqual({
      split: [
        { variant: 'candidate', weight: 10_000 },
        { variant: 'control', weight: 90_000 },
      ],
    });
    expect(await currentStep().textContent()).toBe('10%');
    expect(await page.getByTestId('stage-stepper').locator('li').count()).toBe(4);
    expect(await page.getByTestId('progress-time').textContent()).toMatch(/ of 1 d$/);
  });

  it("shows the scheduler's hold with the guardrails' limits and figures, without a reload", async () => {
    // Traffic in the stage's first whole hour (a stage is measured from there), read two hours in.
    const started = Date.parse((await plan()).stageStartedAt);
    clock.set(started + 2.5 * HOUR_MS);
    await postArms(t, await serverKeyOf(t), FLAG, new Date(started + 1.5 * HOUR_MS), {
      // In the proportions of the 10% stage, or the sample-ratio check would hold it.
      control: { units: 900, errorRate: 0.02, latencyMs: 800, fallbackRate: 0 },
      candidate: { units: 100, errorRate: 0, latencyMs: 500, fallbackRate: 0 },
    });
    const report = await t.services.rolloutScheduler.tick();
    expect(JSON.stringify(report)).toContain('held');
    const figures = (await t.request('GET', `/api/v1/rollouts/${planId}/timeline`)).body.items.at(-1).figures;
    // The page polls the plan: the hold and its figures appear by themselves, as the API has them.
    await eventually(() => page.getByTestId('measured-at').textContent()).toContain('Measured');
    expect(await page.getByTestId('progress-units').textContent()).toBe('100 of 100 units per arm');
    const latency = page.locator('tr[data-guardrail="p95-latency"]');
    expect(await latency.getByTestId('guardrail-limit').textContent()).toBe(
      'at most +500 ms over the control',
    );
    const cells = (check: string) =>
      page.locator(`tr[data-guardrail="${check}"] td.guardrail-figure`).allTextContents();
    const shares = (await cells('error-rate')).map((c) => Number(c.replace('%', '')) / 100);
    expect(shares[0]).toBeCloseTo(figures.arms.control.errorRate, 3);
    expect(shares[1]).toBeCloseTo(figures.arms.candidate.errorRate, 3);
    expect(figures.arms.control.errorRate).toBeGreaterThan(0);
    expect(await cells('fallback-rate')).toEqual(['0%', '0%']);
    const ms = await cells('p95-latency');
    expect(ms.map((m) => Number(m.replace(/[^\d]/g, '')))).toEqual([
      Math.round(figures.arms.control.latencyP95Ms),
      Math.round(figures.arms.candidate.latencyP95Ms),
    ]);
    // Enough units, in the split's proportions; what it waits for is the stage's day.
    const missing = await page.getByTestId('rollout-missing').textContent();
    expect(missing).toContain('Duration');
    expect(missing).not.toContain('Sample size');
    expect(await page.getByTestId('measured-at').textContent()).not.toContain('sample-ratio');
    expect(
      await page.locator('li[data-action="held"] [data-testid="timeline-reason"]').textContent(),
    ).toContain('hold');
    await shot('rollout-active');
  });

  it('advances one stage after a confirmation', async () => {
    await controls().getByRole('button', { name: 'Advance to 25%' }).click();
    const dialog = page.getByRole('dialog', { name: `Advance ${FLAG} to 25%?` });
    await dialog.getByRole('button', { name: 'Advance to 25%' }).click();
    await eventually(() => currentStep().textContent()).toBe('25%');
    expect(await dialog.count()).toBe(0);
    expect((await plan()).stageIndex).toBe(1);
    expect(await fallthrough()).toEqual({
      split: [
        { variant: 'candidate', weight: 25_000 },
        { variant: 'control', weight: 75_000 },
      ],
    });
    expect(await page.getByTestId('stage-stepper').locator('li[data-state="done"]').count()).toBe(1);
  });

  it('pauses and resumes, and offers to reload when the plan moved on meanwhile', async () => {
    // The page's reads of the plan answer what it was, while someone else pauses it through the API.
    const stale = await plan();
    const hold = (route: Route) =>
      route.request().method() === 'GET' ? route.fulfill({ json: stale }) : route.fallback();
    await page.route(`**/environments/${ENV}/rollout?*`, hold);
    const paused = await t.request('POST', `/api/v1/rollouts/${planId}/pause`, {
      reason: 'looking at the numbers',
    });
    expect(paused.status).toBe(200);
    await controls().getByRole('button', { name: 'Pause' }).click();
    const conflict = page.getByTestId('state-conflict');
    await eventually(() => conflict.textContent()).toContain('is not active');
    await page.unroute(`**/environments/${ENV}/rollout?*`, hold);
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await eventually(() => view().getAttribute('data-status')).toBe('paused');
    expect(await page.getByTestId('rollout-meaning').textContent()).toContain('looking at the numbers');

    await controls().getByRole('button', { name: 'Resume' }).click();
    await eventually(() => view().getAttribute('data-status')).toBe('active');
    expect(await controls().getByRole('button', { name: 'Resume' }).count()).toBe(0);
    await controls().getByRole('button', { name: 'Pause' }).click();
    await eventually(() => view().getAttribute('data-status')).toBe('paused');
    expect(await controls().getByRole('button', { name: 'Pause' }).count()).toBe(0);
    await controls().getByRole('button', { name: 'Resume' }).click();
    await eventually(() => view().getAttribute('data-status')).toBe('active');
    expect((await plan()).status).toBe('active');
  });

  it('rolls back from the keyboard with a reason: the control serves everyone, audited', async () => {
    const rollBack = controls().getByRole('button', { name: 'Roll back: serve control to everyone' });
    await rollBack.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Roll back ${FLAG} in ${ENV}?` });
    await dialog.waitFor();
    // The reason takes the focus (Enter there is a new line): a key press alone never rolls back.
    expect(await page.evaluate<string>('document.activeElement?.tagName')).toBe('TEXTAREA');
    await dialog.getByRole('button', { name: 'Roll back now' }).click();
    await eventually(() => dialog.locator('[data-field="body.reason"]').textContent()).toContain('say why');
    expect((await plan()).status).toBe('active');
    await dialog.getByLabel('Reason').fill(REASON);
    await shot('rollout-rollback-dialog');
    await dialog.getByRole('button', { name: 'Roll back now' }).click();
    await eventually(() => view().getAttribute('data-status')).toBe('rolled-back');
    expect(await controls().count()).toBe(0);

    expect(await plan()).toMatchObject({ status: 'rolled-back', reason: REASON, stageIndex: 1 });
    expect(await fallthrough()).toEqual({ variant: 'control' });
    const audit = (await t.request('GET', `/api/v1/audit?flag=${FLAG}&limit=100`)).body.items as {
      action: string;
      resourceKey: string;
      actor: string;
    }[];
    const actions = audit.filter((a) => a.resourceKey === planId).map((a) => a.action);
    for (const action of [
      'rollout.create',
      'rollout.advance',
      'rollout.pause',
      'rollout.resume',
      'rollout.rollback',
    ])
      expect(actions, action).toContain(action);
    expect(audit.filter((a) => a.action === 'flag.environment.rollout').length).toBeGreaterThanOrEqual(2);
    // The tab offers a new rollout once none is live.
    await page.getByRole('button', { name: 'Review and start…' }).waitFor();
  });

  it('lists the plan, filters by state, and shows every decision newest first on its page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rollouts' }).click();
    const row = page.locator(`tr[data-plan="${planId}"]`);
    await row.waitFor();
    expect(await row.locator('[data-status]').textContent()).toBe('Rolled back');
    expect(await row.getByTestId('current-stage').textContent()).toBe('25% (2 of 4)');
    expect(await row.locator('td[data-label="Change type"]').textContent()).toBe('Prompt');
    await page.getByLabel('State').selectOption('active');
    await eventually(() => page.getByTestId('rollouts-empty').textContent()).toContain('No rollout matches');
    expect(new URL(page.url()).searchParams.get('status')).toBe('active');
    await page.getByLabel('State').selectOption('rolled-back');
    await row.waitFor();
    await shot('rollouts-list');

    await row.getByRole('link', { name: FLAG }).click();
    await view().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/rollouts/${planId}`);
    const timeline = page.getByTestId('timeline').locator('li');
    await eventually(() => timeline.count()).toBe(8);
    const actions: (string | null)[] = [];
    for (let i = 0; i < (await timeline.count()); i++)
      actions.push(await timeline.nth(i).getAttribute('data-action'));
    expect(actions).toEqual([
      'rolled-back',
      'resumed',
      'paused',
      'resumed',
      'paused',
      'advanced',
      'held',
      'created',
    ]);
    expect(await timeline.first().getByTestId('timeline-reason').textContent()).toContain(REASON);
    const api = (await t.request('GET', `/api/v1/rollouts/${planId}/timeline`)).body.items as {
      reason: string;
    }[];
    expect(await timeline.getByTestId('timeline-reason').allTextContents()).toEqual(
      api.map((e) => e.reason).reverse(),
    );
    expect(await currentStep().textContent()).toBe('25%');
    await shot('rollout-plan');
  });

  it('has no horizontal overflow at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      await view().waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('phone-rollout-plan');
      await page.goto(`${base}/rollouts`);
      await page.locator(`tr[data-plan="${planId}"]`).waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('phone-rollouts-list');
      // A new plan on the flag: its tab with the controls, at phone width.
      const again = await t.request('POST', `/api/v1/flags/${FLAG}/environments/${ENV}/rollout`, {
        candidate: 'candidate',
      });
      expect(again.status).toBe(201);
      await page.goto(`${base}/flags/${FLAG}?env=${ENV}&view=rollout`);
      await controls().waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('phone-rollout-tab');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('logged no console error or warning', () => {
    expect(problems).toEqual([]);
  });
});
