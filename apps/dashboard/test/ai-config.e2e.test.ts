import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../server/test/harness.js';
import type { ExperimentResults } from '../src/api/api-types.js';
import {
  formatCount,
  formatInterval,
  formatMs,
  formatP,
  formatPercent,
  formatScore,
  formatUsd,
} from '../src/results/results-format.js';
import { launchBrowser, watchConsole } from './browser.js';
import { DASHBOARD_DIR, ensureDashboardBuilt } from './dashboard-build.js';

const FLAG = 'support-bot';
const SCREENSHOTS = join(DASHBOARD_DIR, 'e2e', 'screenshots');

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5_000 });

/** What the structured editor is given, as the server must store it (defaults included). */
const CONTROL = {
  provider: 'openai',
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'You help {{customer}} with {{product}}.' },
    { role: 'user', content: '{{question}}' },
  ],
  params: { temperature: 0.3, maxTokens: 512, stop: ['\n\nUser:'] },
  tools: [
    {
      name: 'search_docs',
      mode: 'observe',
      description: 'Searches the product docs',
      parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
    },
  ],
  fallbacks: [
    { provider: 'local-vllm', model: 'llama-3.1-8b' },
    { provider: 'anthropic', model: 'claude-haiku-4-5' },
  ],
};
const CANDIDATE = {
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  messages: [{ role: 'system', content: 'Answer {{question}} for {{customer}}.' }],
  params: { temperature: 1.2 },
  tools: [],
  fallbacks: [],
  pricing: { inputPerMillion: 3, outputPerMillion: 15 },
};

/** JSON nested deeper than the server stores (64 levels): only the server knows that rule. */
const TOO_DEEP = `${'{"a":'.repeat(70)}1${'}'.repeat(70)}`;

/**
 * The AI config editor, shadow mode and the shadow figures of the results, in Chromium against the
 * real server on the embedded store.
 */
describe('AI configs in the dashboard', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const variant = (i: number, scope: Page | Locator = page) =>
    scope.locator(`fieldset[data-variant-index="${i}"]`);
  const fieldError = (path: string) => page.locator(`[data-field="${path}"]`);
  const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  const stored = async () => (await t.request('GET', `/api/v1/flags/${FLAG}`)).body;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await startTestApp('sqlite');
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(5_000);
    problems = watchConsole(page);
    await page.goto(`${base}/flags/new`);
    await page.getByRole('button', { name: 'Sign in with the local admin key' }).click();
    await page.getByRole('heading', { name: 'New flag' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.destroy();
  });

  it('creates an AI config flag in the form, showing its own and the server’s errors at their fields', async () => {
    await page.locator('.form-grid').getByLabel('Key', { exact: true }).fill(FLAG);
    await page.getByLabel('Kind').selectOption('ai-config');

    const control = variant(0);
    await control.getByLabel('Model', { exact: true }).fill(CONTROL.model);
    await control.getByLabel('Content of message 1').fill('You help {{customer}} with {{product}}.');
    await control.getByRole('button', { name: 'Add message' }).click();
    expect(await control.getByLabel('Role of message 2').inputValue()).toBe('user');
    await control.getByLabel('Content of message 2').fill('{{question}}');
    await eventually(() => control.getByTestId('prompt-variables').locator('li').allTextContents()).toEqual([
      'customer',
      'product',
      'question',
    ]);
    await control.getByLabel('Temperature').fill('0.3');
    await control.getByLabel('Max tokens').fill('512');
    await control.getByRole('button', { name: 'Add stop sequence' }).click();
    await control.getByLabel('Stop sequence 1').fill('\\n\\nUser:');
    await control.getByRole('button', { name: 'Add tool' }).click();
    await control.getByLabel('Name of tool 1').fill('search_docs');
    await control.getByLabel('Mode of tool 1').selectOption('observe');
    await control.getByLabel('Description of tool 1 (optional)').fill('Searches the product docs');
    const toolParameters = control.getByLabel('Parameters of tool 1 (JSON Schema, optional)');
    await toolParameters.fill('{"type": "object", "properties": {');
    // The chain is written in one order, then reordered.
    await control.getByRole('button', { name: 'Add fallback' }).click();
    await control.getByLabel('Fallback 1 provider', { exact: true }).selectOption('anthropic');
    await control.getByLabel('Fallback 1 model').fill('claude-haiku-4-5');
    await control.getByRole('button', { name: 'Add fallback' }).click();
    await control.getByLabel('Fallback 2 provider', { exact: true }).selectOption('');
    await control.getByLabel('Fallback 2 provider name').fill('local-vllm');
    await control.getByLabel('Fallback 2 model').fill('llama-3.1-8b');
    await control.getByRole('button', { name: 'Move fallback 2 up' }).click();
    expect(await control.getByLabel('Fallback 1 provider name').inputValue()).toBe('local-vllm');

    const candidate = variant(1);
    await candidate.getByLabel('Key').fill('candidate');
    await candidate.getByLabel('Provider', { exact: true }).selectOption('anthropic');
    await candidate.getByLabel('Model', { exact: true }).fill(CANDIDATE.model);
    await candidate.getByLabel('Content of message 1').fill('Answer {{question}} for {{customer}}.');
    await candidate.getByLabel('Temperature').fill('2.5');
    await candidate.getByRole('button', { name: 'Add fallback' }).click();
    await candidate.getByLabel('Fallback 1 model').fill('gpt-4o-mini');
    await candidate.getByRole('button', { name: 'Remove fallback 1' }).click();
    await candidate.getByLabel('Set prices').check();
    await candidate.getByLabel('Input, USD per million tokens').fill('3');
    await candidate.getByLabel('Output, USD per million tokens').fill('15');

    // Found before sending: the server's bounds, and parameters that are not JSON.
    await page.getByRole('button', { name: 'Create flag' }).click();
    const temperatureError = fieldError('body.variants.1.value.params.temperature');
    await eventually(() => temperatureError.textContent()).toBe('must be at most 2');
    expect(await candidate.getByLabel('Temperature').getAttribute('aria-invalid')).toBe('true');
    expect(await fieldError('body.variants.0.value.tools.0.parameters').textContent()).toMatch(
      /^is not valid JSON: /,
    );
    expect(await toolParameters.getAttribute('aria-invalid')).toBe('true');
    expect((await t.request('GET', `/api/v1/flags/${FLAG}`)).status).toBe(404);
    await shot('ai-config-validation');

    // Found by the server only: it names the value, and the message shows there.
    await candidate.getByLabel('Temperature').fill('1.2');
    await toolParameters.fill(TOO_DEEP);
    await page.getByRole('button', { name: 'Create flag' }).click();
    await eventually(() => fieldError('body.variants.0.value').textContent()).toContain(
      'nest deeper than 64',
    );
    expect(await page.getByRole('alert').textContent()).toContain('the server refused a field');
    expect((await t.request('GET', `/api/v1/flags/${FLAG}`)).status).toBe(404);

    await toolParameters.fill(JSON.stringify(CONTROL.tools[0]?.parameters, null, 2));
    await page.getByRole('button', { name: 'Create flag' }).click();
    await page.waitForURL(`${base}/flags/${FLAG}`);
    const flag = await stored();
    expect(flag.kind).toBe('ai-config');
    expect(flag.variants).toEqual([
      { key: 'control', value: CONTROL },
      { key: 'candidate', value: CANDIDATE },
    ]);
  });

  it('shows a variant as JSON and back without changing it, and saves an edit made in the JSON', async () => {
    const definition = page.locator('form.definition');
    const control = variant(0, definition);
    await control.getByLabel('Model', { exact: true }).waitFor();
    await control.getByRole('button', { name: 'JSON' }).click();
    const json = control.getByLabel('AI config (JSON)');
    expect(JSON.parse(await json.inputValue())).toEqual(CONTROL);
    await control.getByRole('button', { name: 'Form' }).click();
    expect(await control.getByLabel('Temperature').inputValue()).toBe('0.3');
    expect(await control.getByLabel('Stop sequence 1').inputValue()).toBe('\\n\\nUser:');
    expect(await definition.getByRole('button', { name: 'Save definition' }).isDisabled()).toBe(true);

    // JSON the form could not show exactly stays JSON, saying why.
    await control.getByRole('button', { name: 'JSON' }).click();
    const edited = {
      ...CONTROL,
      model: 'gpt-4o-2024-11-20',
      params: { ...CONTROL.params, temperature: 'warm' },
    };
    await json.fill(JSON.stringify(edited, null, 2));
    await control.getByRole('button', { name: 'Form' }).click();
    await eventually(() => control.getByRole('status').textContent()).toContain(
      'params.temperature must be a number',
    );
    await json.fill(JSON.stringify({ ...edited, params: CONTROL.params }, null, 2));
    await control.getByRole('button', { name: 'Form' }).click();
    expect(await control.getByLabel('Model', { exact: true }).inputValue()).toBe('gpt-4o-2024-11-20');
    await definition.getByRole('button', { name: 'Save definition' }).click();
    await eventually(async () => (await stored()).variants[0].value.model).toBe('gpt-4o-2024-11-20');
    expect((await stored()).variants[0].value).toEqual({ ...CONTROL, model: 'gpt-4o-2024-11-20' });
  });

  it('sets a shadow variant and its sample rate, with errors at the field', async () => {
    await page.goto(`${base}/flags/${FLAG}?env=production`);
    const shadow = page.locator('form.shadow-editor');
    const select = shadow.getByLabel('Shadow variant');
    // The control is served (the default and the off variant): only the candidate can be shadowed.
    await eventually(() => select.locator('option').allTextContents()).toEqual([
      'Off — no shadow',
      'candidate — anthropic / claude-sonnet-4-5',
    ]);
    await select.selectOption('candidate');
    const rate = shadow.getByLabel('Sample rate (% of requests)');
    await rate.fill('150');
    await shadow.getByRole('button', { name: 'Save shadow' }).click();
    await eventually(() => fieldError('body.shadow.sampleRate').textContent()).toBe(
      'must be a percentage from 0 to 100',
    );
    expect(await rate.getAttribute('aria-invalid')).toBe('true');
    await rate.fill('25');
    await shadow.getByRole('button', { name: 'Save shadow' }).click();
    await eventually(() => shadow.getByTestId('shadow-status').textContent()).toBe(
      'candidate runs in shadow on 25% of requests.',
    );
    const environment = await t.request('GET', `/api/v1/flags/${FLAG}/environments/production`);
    expect(environment.body).toMatchObject({
      version: 1,
      shadow: { variant: 'candidate', sampleRate: 0.25 },
    });
    await shot('ai-config-shadow');
    await shadow.screenshot({ path: join(SCREENSHOTS, 'ai-config-shadow-editor.png') });
  });

  it('shows the shadow figures beside the served ones, and the paired judge difference, as the API gives them', async () => {
    const key = await t.request('POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    const ts = new Date().toISOString();
    const pairs = [
      [0.6, 0.8],
      [0.7, 0.8],
      [0.5, 0.5],
      [0.4, 0.9],
    ] as const;
    const events = pairs.flatMap(([served, shadow], i) => [
      {
        kind: 'generation',
        ts,
        flag: FLAG,
        variant: 'control',
        unit: `unit-${i}`,
        generationId: `g-${i}`,
        provider: 'openai',
        model: 'gpt-4o',
        latencyMs: 700 + i * 100,
        costUsd: 0.002,
      },
      {
        kind: 'generation',
        ts,
        flag: FLAG,
        variant: 'candidate',
        unit: `unit-${i}`,
        generationId: `s-${i}`,
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        latencyMs: 1_200 + i * 100,
        costUsd: 0.004,
        shadow: true,
        ...(i === 3 ? { error: 'rate_limit' } : {}),
      },
      {
        kind: 'feedback',
        ts,
        flag: FLAG,
        variant: 'control',
        unit: `unit-${i}`,
        generationId: `g-${i}`,
        score: served,
        source: 'judge',
        pairId: `p-${i}`,
      },
      {
        kind: 'feedback',
        ts,
        flag: FLAG,
        variant: 'candidate',
        unit: `unit-${i}`,
        generationId: `s-${i}`,
        score: shadow,
        source: 'judge',
        pairId: `p-${i}`,
        shadow: true,
        servedScore: served,
      },
    ]);
    const sent = await t.request(
      'POST',
      '/api/v1/events',
      { events },
      {
        authorization: `Bearer ${key.body.key}`,
        'idempotency-key': 'ai-config-shadow',
      },
    );
    expect(sent.body).toMatchObject({ accepted: events.length, rejected: [] });

    const api = (await t.request('GET', `/api/v1/flags/${FLAG}/results?env=production`))
      .body as ExperimentResults;
    const served = api.variants.find((v) => v.variant === 'control');
    const shadowed = api.variants.find((v) => v.variant === 'candidate');
    if (served === undefined || shadowed === undefined)
      throw new Error('a variant is missing from the results');
    expect(shadowed.shadow).toMatchObject({ requests: 4, errors: 1, judgeQuality: { n: 4 } });
    expect(shadowed.shadow.pairedJudgeDifference.n).toBe(4);

    await page
      .getByRole('navigation', { name: 'production: views' })
      .getByRole('link', { name: 'Results' })
      .click();
    const section = page.getByTestId('shadow-section').locator('[data-shadow-variant="candidate"]');
    const cell = (metric: string, side: 'shadow' | 'served') =>
      section.locator(`tr[data-metric="${metric}"] td[data-metric="${side}"]`);
    await eventually(() => cell('requests', 'shadow').getAttribute('data-value')).toBe('4');
    const expected: [string, number | null, string, number | null, string][] = [
      ['requests', 4, formatCount(4), served.requests, formatCount(served.requests)],
      ['errorRate', 0.25, formatPercent(0.25), served.errorRate, formatPercent(served.errorRate)],
      [
        'latencyP95',
        shadowed.shadow.latencyMs.p95,
        formatMs(shadowed.shadow.latencyMs.p95),
        served.latencyMs.p95,
        formatMs(served.latencyMs.p95),
      ],
      [
        'cost',
        shadowed.shadow.costUsd / 4,
        formatUsd(shadowed.shadow.costUsd / 4),
        served.cost.perRequestUsd,
        formatUsd(served.cost.perRequestUsd),
      ],
      [
        'judgeQuality',
        shadowed.shadow.judgeQuality.mean,
        formatScore(shadowed.shadow.judgeQuality.mean),
        served.judgeQuality.mean,
        formatScore(served.judgeQuality.mean),
      ],
    ];
    for (const [metric, shadowValue, shadowText, servedValue, servedText] of expected) {
      expect(await cell(metric, 'shadow').getAttribute('data-value'), metric).toBe(String(shadowValue ?? ''));
      expect(await cell(metric, 'shadow').locator('.figure').textContent(), metric).toBe(shadowText);
      expect(await cell(metric, 'served').getAttribute('data-value'), metric).toBe(String(servedValue ?? ''));
      expect(await cell(metric, 'served').locator('.figure').textContent(), metric).toBe(servedText);
    }
    // The API gives served − shadow; the page shows the candidate (shadow) minus the control.
    const paired = shadowed.shadow.pairedJudgeDifference;
    if (paired.mean === null || paired.effect === null) throw new Error('no paired difference');
    const signed = (x: number) => formatScore(x, { sign: true });
    const pairedLine = section.getByTestId('paired-judge');
    expect(Number(await pairedLine.getAttribute('data-value'))).toBeCloseTo(-paired.mean, 12);
    expect(await pairedLine.getByTestId('paired-estimate').textContent()).toBe(signed(-paired.mean));
    expect(await pairedLine.getByTestId('paired-interval').textContent()).toBe(
      `${formatInterval([-paired.effect.ci[1], -paired.effect.ci[0]], signed)} · ${formatP(paired.effect.pValue)} over 4 pairs`,
    );
    // Served figures are intent-to-treat: shadow calls are not among them.
    expect(
      await page
        .locator('table.variant-table tr[data-variant="candidate"] td[data-metric="requests"]')
        .getAttribute('data-value'),
    ).toBe('0');

    await section.getByRole('button', { name: 'About the paired judge difference' }).hover();
    await eventually(() => page.getByRole('tooltip').textContent()).toContain('shadow score − served score');
    await page.mouse.move(0, 0);
    await shot('ai-config-results-shadow');
    await page
      .getByTestId('shadow-section')
      .screenshot({ path: join(SCREENSHOTS, 'ai-config-shadow-section.png') });
  });

  it('fits a phone, and logs nothing to the console', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.getByTestId('shadow-section').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('ai-config-results-phone');
      await page
        .getByTestId('shadow-section')
        .screenshot({ path: join(SCREENSHOTS, 'ai-config-shadow-section-phone.png') });
      await page
        .getByRole('navigation', { name: 'production: views' })
        .getByRole('link', { name: 'Targeting' })
        .click();
      await variant(0, page.locator('form.definition')).getByLabel('Content of message 1').waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await shot('ai-config-phone');
      await variant(0, page.locator('form.definition')).screenshot({
        path: join(SCREENSHOTS, 'ai-config-variant-phone.png'),
      });
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    expect(problems).toEqual([]);
  });
});
