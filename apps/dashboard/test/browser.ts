import { type Browser, type ConsoleMessage, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Chromium reports every 4xx answer to fetch as a console error. These are the answers the tests
 * provoke on purpose (a refused key, the local key not offered, a validation error, a version
 * conflict), and only from the API.
 */
function expected(message: ConsoleMessage): boolean {
  return (
    /^Failed to load resource: the server responded with a status of (400|401|404|409) /.test(
      message.text(),
    ) && new URL(message.location().url).pathname.startsWith('/api/v1/')
  );
}

/** Collects console errors and warnings, and uncaught page errors, for a final assertion. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if ((message.type() === 'error' || message.type() === 'warning') && !expected(message)) {
      problems.push(`${message.type()}: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}
