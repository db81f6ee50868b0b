import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchConsole } from '../../apps/dashboard/test/browser.js';
import { type DocsServer, startDocsServer } from '../../docs/test/docs-server.js';
import { type ExampleProcess, startExample } from '../example-process.js';

// The example as a user runs it (`npm run example:browser` beside a running server), opened in Chromium.
describe('examples/browser-page', () => {
  let server: DocsServer;
  let example: ExampleProcess;
  let browser: Browser;
  let pageUrl: string;

  beforeAll(async () => {
    server = await startDocsServer({ demo: false });
    const started = await startExample(
      'example:browser',
      {
        SWITCHBOARD_URL: server.env.SWITCHBOARD_URL ?? '',
        SWITCHBOARD_DATA_DIR: server.env.SWITCHBOARD_DATA_DIR ?? '',
        PORT: '0',
      },
      /browser page at (http:\/\/127\.0\.0\.1:\d+\/)/,
    );
    example = started.example;
    pageUrl = started.match[1] ?? '';
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await example?.stop();
    await server?.close();
  });

  it("shows the flag's value, and the new one within moments of a change, without a reload", async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await page.goto(pageUrl);
    const banner = page.getByTestId('banner');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toBe('Meet your new AI assistant');
    expect(await page.getByTestId('details').textContent()).toBe(
      'welcome-banner: variant assistant, reason DEFAULT',
    );

    const flagUrl = `${server.env.SWITCHBOARD_URL}/api/v1/flags/welcome-banner/environments/production`;
    const headers = {
      authorization: `Bearer ${server.env.SWITCHBOARD_ADMIN_KEY}`,
      'content-type': 'application/json',
    };
    const { version } = (await (await fetch(flagUrl, { headers })).json()) as { version: number };
    const killed = await fetch(`${flagUrl}/disable`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ version }),
    });
    expect(killed.status).toBe(200);

    await expect.poll(() => banner.textContent(), { timeout: 5_000 }).toBe('Welcome back!');
    expect(await page.getByTestId('details').textContent()).toBe(
      'welcome-banner: variant classic, reason DISABLED',
    );
    expect(problems).toEqual([]);
    await page.close();
  });
});
