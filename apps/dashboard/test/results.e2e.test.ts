import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHistory } from '../../server/src/features/demo/demo-history.js';
import { seedDemo } from '../../server/src/features/demo/demo-seeder.js';
import { startTestApp, type TestApp } from '../../server/test/harness.js';
import type { ExperimentResults, VariantResult } from '../src/api/api-types.js';
import {
  formatCount,
  formatInterval,
  formatMs,
  formatP,
  formatPercent,
  formatScore,
  formatUsd,
} from '../src/results/results-format.js';
import { shortfallText } from '../src/results/verdict-words.js';
import { launchBrowser, watchConsole } from './browser.js';
import { DASHBOARD_DIR, ensureDashboardBuilt } from './dashboard-build.js';

const FLAG = 'llm-model';
const SCREENSHOTS = join(DASHBOARD_DIR, 'e2e', 'screenshots');
/** Hours of simulated traffic written before the tests: more than a day, so the windows differ. */
const HISTORY_HOURS = 30;

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5_000 });

/** The figures of the variant table: what each cell shows, from the variant's results. */
const CELLS: readonly [string, (v: VariantResult) => number | null, (v: VariantResult) => string][] = [
  ['units', (v) => v.units, (v) => formatCount(v.units)],
  ['requests', (v) => v.requests, (v) => formatCount(v.requests)],
  ['quality', (v) => v.quality.mean, (v) => formatScore(v.quality.mean)],
  ['latencyP95', (v) => v.latencyMs.p95, (v) => formatMs(v.latencyMs.p95)],
  ['costPerRequest', (v) => v.cost.perRequestUsd, (v) => formatUsd(v.cost.perRequestUsd)],
  ['costPerDay', (v) => v.cost.perDayUsd, (v) => formatUsd(v.cost.perDayUsd)],
  ['errorRate', (v) => v.errorRate, (v) => formatPercent(v.errorRate)],
  ['fallbackRate', (v) => v.fallbackRate, (v) => formatPercent(v.fallbackRate)],
];

/** Per chart canvas, how many of its pixels are painted (not transparent). Run in the page. */
const INKED_PIXELS = `[...document.querySelectorAll('figure.chart canvas')].map((canvas) => {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
})`;
/** Where the rightmost chart canvas ends, in px from the viewport's left. Run in the page. */
const CHARTS_RIGHT = `Math.max(...[...document.querySelectorAll('figure.chart canvas')].map((c) => c.getBoundingClientRect().right))`;

/**
 * The Results view of a flag, on data from the demo's simulated traffic: 30 hours of history written
 * through the event service (deterministic for its seed), then read by the dashboard over HTTP.
 */
describe('the results page in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  /** The next answer of the results endpoint (what the page shows), once `act` has run. */
  const resultsAfter = async (
    act: () => Promise<unknown>,
  ): Promise<{ url: URL; body: ExperimentResults }> => {
    const answer = page.waitForResponse(
      (r: Response) => new URL(r.url()).pathname === `/api/v1/flags/${FLAG}/results` && r.status() === 200,
    );
    await act();
    const response = await answer;
    return { url: new URL(response.url()), body: (await response.json()) as ExperimentResults };
  };
  const row = (variant: string) => page.locator(`table.variant-table tr[data-variant="${variant}"]`);

  /** Every figure of the variant table is the API's, written as the page writes it. */
  async function expectTable(results: ExperimentResults): Promise<void> {
    for (const variant of results.variants) {
      for (const [metric, value, text] of CELLS) {
        const cell = row(variant.variant).locator(`td[data-metric="${metric}"]`);
        await eventually(() => cell.getAttribute('data-value')).toBe(String(value(variant) ?? ''));
        expect(await cell.locator('.figure').textContent(), `${variant.variant} ${metric}`).toBe(
          text(variant),
        );
      }
      expect(await row(variant.variant).locator('.pill-control').count()).toBe(variant.control ? 1 : 0);
    }
  }

  /** The verdict shown for a candidate is the API's: decision, summary, each check and what is missing. */
  async function expectVerdict(results: ExperimentResults, candidate: string): Promise<void> {
    const comparison = results.comparisons.find((c) => c.variant === candidate);
    if (comparison === undefined) throw new Error(`no comparison for ${candidate}`);
    const card = page.locator(`section.comparison[data-candidate="${candidate}"]`);
    const verdict = card.getByTestId('verdict');
    await eventually(() => verdict.getAttribute('data-decision')).toBe(comparison.verdict.decision);
    expect(await verdict.getByTestId('verdict-summary').textContent()).toBe(comparison.verdict.summary);
    for (const check of comparison.verdict.checks) {
      const item = verdict.locator(`li[data-check="${check.name}"]`);
      expect(await item.locator('[data-status]').getAttribute('data-status'), check.name).toBe(check.status);
      expect(await item.getByTestId('check-detail').textContent()).toBe(check.detail);
    }
    if (comparison.verdict.missing.length > 0) {
      const missing = await verdict.getByTestId('verdict-missing').textContent();
      for (const m of comparison.verdict.missing) expect(missing).toContain(shortfallText(m));
    }
    const quality = card.locator('.effect[data-metric="quality"]');
    const fixed = comparison.quality.absolute;
    const sequential = comparison.quality.sequential.absolute;
    if (fixed !== null && sequential !== null) {
      const signed = (v: number) => formatScore(v, { sign: true });
      expect(await quality.getByTestId('fixed-figures').textContent()).toBe(
        `${formatInterval(fixed.ci, signed)} · ${formatP(fixed.pValue)}`,
      );
      expect(await quality.getByTestId('sequential-figures').textContent()).toBe(
        `${formatInterval(sequential.ci, signed)} · ${formatP(sequential.pValue)}`,
      );
    }
  }

  beforeAll(async () => {
    await ensureDashboardBuilt();
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await startTestApp('sqlite');
    await seedDemo(t.services);
    const environment = await t.services.snapshots.resolve('default', 'production');
    const history = await writeHistory(
      { events: t.services.events, snapshots: t.services.snapshots, environment },
      {
        seed: 'dashboard',
        hours: HISTORY_HOURS,
        retentionDays: t.config.eventRetentionDays,
        nowMs: Date.now(),
      },
    );
    expect(history).toMatchObject({ rejected: 0, dropped: 0, crashed: 0 });
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(5_000);
    problems = watchConsole(page);
    await page.goto(`${base}/flags/${FLAG}?env=production`);
    await page.getByRole('button', { name: 'Sign in with the local admin key' }).click();
    await page.getByTestId('kill-switch').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.destroy();
  });

  it("shows each variant's figures as the API computes them, and the verdict with its reasons", async () => {
    const { url, body } = await resultsAfter(() =>
      page
        .getByRole('navigation', { name: 'production: views' })
        .getByRole('link', { name: 'Results' })
        .click(),
    );
    expect(url.searchParams.get('env')).toBe('production');
    expect(url.searchParams.has('from')).toBe(false);
    expect(new URL(page.url()).searchParams.get('view')).toBe('results');
    // The same figures as a reader of the API gets (units and requests do not move with the clock).
    const api = (await t.request('GET', `/api/v1/flags/${FLAG}/results?env=production`))
      .body as ExperimentResults;
    expect(body.variants.map((v) => [v.variant, v.units, v.requests])).toEqual(
      api.variants.map((v) => [v.variant, v.units, v.requests]),
    );
    expect(body.control).toBe('control');
    expect(body.variants.every((v) => v.units > 100 && v.requests > 0)).toBe(true);

    await expectTable(body);
    expect(await page.getByTestId('adoption').textContent()).toContain(
      formatPercent(body.adoption.requestShare),
    );
    await expectVerdict(body, 'candidate');
    const headline = page.getByTestId('verdict-headline').locator('[data-candidate="candidate"]');
    expect(await headline.textContent()).toContain(body.comparisons[0]?.verdict.summary);

    // The split is 50/50 and the simulated units land as it says.
    const srm = page.getByTestId('sample-ratio');
    expect(await srm.getAttribute('data-mismatch')).toBe('false');
    expect(await srm.getByTestId('expected-share').allTextContents()).toEqual(['50%', '50%']);
    expect(await srm.textContent()).toContain(formatP(body.sampleRatio?.pValue));
    await shot('results');
  });

  it('lists shadow calls apart from the served figures, once Refresh reads them', async () => {
    const key = await t.request('POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    const shadowCall = (latencyMs: number) => ({
      kind: 'generation',
      flag: FLAG,
      variant: 'candidate',
      unit: 'user-shadow',
      provider: 'simulated',
      model: 'gpt-4o-mini',
      shadow: true,
      latencyMs,
      costUsd: 0.001,
    });
    const sent = await fetch(`${base}/api/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key.body.key}`,
        'content-type': 'application/json',
        'idempotency-key': 'dashboard-shadow-calls',
      },
      body: JSON.stringify({ events: [shadowCall(900), shadowCall(1_100), shadowCall(1_300)] }),
    });
    expect(sent.status, await sent.clone().text()).toBeLessThan(300);
    const requests = await row('candidate').locator('td[data-metric="requests"]').getAttribute('data-value');
    const { body } = await resultsAfter(() => page.getByRole('button', { name: 'Refresh' }).click());
    const candidate = body.variants.find((v) => v.variant === 'candidate');
    expect(candidate?.shadow.requests).toBe(3);
    expect(String(candidate?.requests)).toBe(requests);
    const shadowCalls = page
      .getByTestId('shadow-section')
      .locator('[data-shadow-variant="candidate"] tr[data-metric="requests"] td[data-metric="shadow"]');
    await eventually(() => shadowCalls.getAttribute('data-value')).toBe('3');
  });

  it('explains a statistic in a tip, on hover and from the keyboard', async () => {
    const about = page.getByRole('button', { name: 'About always-valid intervals' }).first();
    await about.hover();
    await eventually(() => page.getByRole('tooltip').textContent()).toContain(
      'however often it is looked at',
    );
    await page.mouse.move(0, 0);
    await page.getByRole('tooltip').waitFor({ state: 'detached' });
    await about.focus();
    await page.getByRole('tooltip').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('tooltip').waitFor({ state: 'detached' });
  });

  it('compares against another control: the slower model then breaks the latency guardrail', async () => {
    const { url, body } = await resultsAfter(() =>
      page.getByLabel('Compare against').selectOption('candidate'),
    );
    expect(url.searchParams.get('control')).toBe('candidate');
    expect(new URL(page.url()).searchParams.get('control')).toBe('candidate');
    expect(body.control).toBe('candidate');
    await expectTable(body);
    await expectVerdict(body, 'control');
    // gpt-4o against gpt-4o-mini: its p95 is seconds longer, over the 500 ms allowed.
    expect(body.comparisons[0]?.verdict.decision).toBe('regress');
    expect(await page.getByTestId('verdict-broken').textContent()).toContain('p95 latency');
    await shot('results-regress');

    const back = await resultsAfter(() =>
      page.getByRole('button', { name: 'Back to the policy’s control' }).click(),
    );
    expect(back.url.searchParams.has('control')).toBe(false);
    expect(new URL(page.url()).searchParams.has('control')).toBe(false);
    await expectVerdict(back.body, 'candidate');
  });

  it('reads the last 24 hours, a custom window, and explains an empty one', async () => {
    const all = (await t.request('GET', `/api/v1/flags/${FLAG}/results?env=production`))
      .body as ExperimentResults;
    const { url, body } = await resultsAfter(() => page.getByText('Last 24 hours', { exact: true }).click());
    const from = Date.parse(url.searchParams.get('from') ?? '');
    expect(Math.abs(Date.now() - 24 * 3_600_000 - from)).toBeLessThan(60_000);
    expect(new URL(page.url()).searchParams.get('window')).toBe('24h');
    await expectTable(body);
    const requests = (r: ExperimentResults) => r.variants.reduce((n, v) => n + v.requests, 0);
    expect(requests(body)).toBeLessThan(requests(all));
    expect(requests(body)).toBeGreaterThan(0);
    // The same request through the API gives the same figures.
    const again = (await t.request('GET', `${url.pathname}${url.search}`)).body as ExperimentResults;
    expect(again.variants.map((v) => v.units)).toEqual(body.variants.map((v) => v.units));

    await page.getByText('Custom', { exact: true }).click();
    const custom = page.getByRole('form', { name: 'Custom time window' });
    await custom.getByLabel('From').fill('2026-03-02T10:00');
    await custom.getByLabel('To (empty: now)').fill('2026-03-01T10:00');
    await custom.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => custom.locator('[data-field="querystring.to"]').textContent()).toBe(
      'must be after the start',
    );
    expect(await custom.getByLabel('To (empty: now)').getAttribute('aria-invalid')).toBe('true');

    const past = await resultsAfter(async () => {
      await custom.getByLabel('From').fill('2020-01-01T00:00');
      await custom.getByLabel('To (empty: now)').fill('2020-01-02T00:00');
      await custom.getByRole('button', { name: 'Apply' }).click();
    });
    expect(past.url.searchParams.get('from')).toBe(new Date('2020-01-01T00:00').toISOString());
    expect(past.body.variants.every((v) => v.units === 0)).toBe(true);
    await eventually(() => page.getByTestId('results-empty').textContent()).toContain(
      'No data in this window',
    );

    await resultsAfter(() => page.getByRole('button', { name: 'Show all data' }).click());
    await row('control').waitFor();
    expect(new URL(page.url()).searchParams.has('window')).toBe(false);
  });

  it('draws each metric per variant by hour, and follows the width of the page', async () => {
    const charts = page.locator('figure.chart');
    await eventually(() => charts.count()).toBe(6);
    await eventually(() => page.locator('figure.chart canvas').count()).toBe(6);
    // Every canvas has lines drawn on it (pixels that are not blank).
    const inked = () => page.evaluate<number[]>(INKED_PIXELS);
    for (const painted of await inked()) expect(painted).toBeGreaterThan(500);
    const legend = await page.locator('figure.chart').first().locator('.u-legend').textContent();
    expect(legend).toContain('control');
    expect(legend).toContain('candidate');

    const width = async () => (await page.locator('figure.chart canvas').first().boundingBox())?.width ?? 0;
    const wide = await width();
    // One chart a row at 600 px, narrower than two a row at 1280.
    await page.setViewportSize({ width: 600, height: 900 });
    try {
      await eventually(width).toBeLessThan(wide);
      expect(await page.evaluate<number>(CHARTS_RIGHT)).toBeLessThanOrEqual(600);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await eventually(width).toBe(wide);
  });

  it('edits the promotion policy: a refused field, a save the verdict follows, a conflict', async () => {
    const editor = page.locator('form.policy-editor');
    await eventually(() => editor.getByTestId('policy-status').textContent()).toBe(
      'Never set: the defaults are in force',
    );
    const minUnits = editor.getByLabel('Minimum units per arm');
    expect(await minUnits.getAttribute('placeholder')).toBe('100 (default)');
    await minUnits.fill('50');
    await editor.getByRole('button', { name: 'Save policy' }).click();
    const error = editor.locator('[data-field="body.policy.minUnitsPerArm"]');
    await eventually(() => error.textContent()).toContain('100');
    expect(await minUnits.getAttribute('aria-invalid')).toBe('true');
    await shot('results-policy-validation');

    // Many more units than the arms have: the verdict holds and says how many are missing.
    await minUnits.fill('5000');
    await editor.getByLabel('Control variant').selectOption('control');
    await editor.getByLabel('Judge with always-valid intervals').selectOption('no');
    const { body } = await resultsAfter(() => editor.getByRole('button', { name: 'Save policy' }).click());
    await eventually(() => editor.getByTestId('policy-status').textContent()).toMatch(/^Saved · version 1/);
    const stored = (await t.request('GET', `/api/v1/flags/${FLAG}/environments/production/policy`)).body;
    expect(stored).toMatchObject({
      version: 1,
      control: 'control',
      settings: { minUnitsPerArm: 5000, sequential: false },
    });
    expect(body.policy).toMatchObject({ minUnitsPerArm: 5000, sequential: false });
    expect(body.comparisons[0]?.verdict.decision).toBe('hold');
    await expectVerdict(body, 'candidate');
    const card = page.locator('section.comparison[data-candidate="candidate"]');
    expect(await card.locator('li[data-check="sample-size"] [data-status]').getAttribute('data-status')).toBe(
      'insufficient',
    );
    expect(await card.getByTestId('verdict-missing').textContent()).toContain('more units');
    // Judged by fixed-horizon intervals now: the badge moved.
    expect(
      await card.locator('.effect[data-metric="quality"] [data-interval="fixed"] .pill-judged').count(),
    ).toBe(1);

    // Someone else saves meanwhile: this save is refused, and the page offers to reload.
    const other = await t.request('PUT', `/api/v1/flags/${FLAG}/environments/production/policy`, {
      version: 1,
      control: 'control',
      policy: { minUnitsPerArm: 200 },
    });
    expect(other.status).toBe(200);
    await editor.getByLabel('Allowed quality drop').fill('0.05');
    await editor.getByRole('button', { name: 'Save policy' }).click();
    const conflict = editor.getByTestId('version-conflict');
    await eventually(() => conflict.textContent()).toContain('Someone else changed this');
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await eventually(() => editor.getByTestId('policy-status').textContent()).toMatch(/^Saved · version 2/);
    expect(await minUnits.inputValue()).toBe('200');
    expect(await editor.getByLabel('Allowed quality drop').inputValue()).toBe('');
    await shot('results-policy');
  });

  it('warns of a sample-ratio mismatch when the split no longer matches the exposures', async () => {
    // Units landed 50/50; the split now says 90/10, so the recorded exposures no longer fit it.
    const { version } = (await t.request('GET', `/api/v1/flags/${FLAG}/environments/production`)).body;
    const changed = await t.request('PATCH', `/api/v1/flags/${FLAG}/environments/production`, {
      version,
      fallthrough: {
        split: [
          { variant: 'candidate', weight: 10_000 },
          { variant: 'control', weight: 90_000 },
        ],
      },
    });
    expect(changed.status).toBe(200);
    // The page follows the environment's stream, and reads the results again.
    const srm = page.getByTestId('sample-ratio');
    await eventually(() => srm.getAttribute('data-mismatch')).toBe('true');
    expect(await srm.getByTestId('srm-warning').textContent()).toContain('Sample-ratio mismatch');
    expect(await srm.getByTestId('expected-share').allTextContents()).toEqual(['10%', '90%']);
    const card = page.locator('section.comparison[data-candidate="candidate"]');
    expect(
      await card.locator('li[data-check="sample-ratio"] [data-status]').getAttribute('data-status'),
    ).toBe('fail');
    await shot('results-sample-ratio-mismatch');
  });

  it('explains a flag without data and without a split', async () => {
    await page.goto(`${base}/flags/ai-agent?env=production&view=results`);
    await eventually(() => page.getByTestId('results-empty').textContent()).toContain('No data yet');
    expect(await page.getByTestId('results-empty').textContent()).toContain('/api/v1/events');
    expect(await page.getByTestId('notice-no-split').textContent()).toContain('No split in production');
    await shot('results-empty');

    // The example it gives is accepted as it is, and the page then has data to show.
    const example = (await page.getByTestId('results-empty').locator('pre code').textContent()) ?? '';
    const body = example.slice(example.indexOf("-d '") + 4, example.lastIndexOf("'"));
    const key = await t.request('POST', '/api/v1/keys', {
      name: 'curl',
      kind: 'server',
      environment: 'production',
    });
    const sent = await fetch(`${base}/api/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key.body.key}`,
        'content-type': 'application/json',
        'idempotency-key': /idempotency-key: (\S+)"/.exec(example)?.[1] ?? '',
      },
      body,
    });
    expect(sent.status, await sent.clone().text()).toBeLessThan(300);
    expect(((await sent.json()) as { rejected: unknown[] }).rejected).toEqual([]);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('table.variant-table tr[data-variant="on"]').waitFor();
    expect(await page.getByTestId('results-empty').count()).toBe(0);
  });

  it('has no horizontal overflow at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${base}/flags/${FLAG}?env=production&view=results`);
      await row('control').waitFor();
      await eventually(() => page.locator('figure.chart canvas').count()).toBe(6);
      const overflow = () => page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      expect(await overflow()).toBeLessThanOrEqual(0);
      expect(await page.evaluate<number>(CHARTS_RIGHT)).toBeLessThanOrEqual(390);
      await page.getByRole('button', { name: 'About always-valid intervals' }).first().click();
      await page.getByRole('tooltip').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('phone-results');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('logged no console error or warning', () => {
    expect(problems).toEqual([]);
  });
});
