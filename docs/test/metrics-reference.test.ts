import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../../apps/server/test/harness.js';
import { missingFromPage } from './code-spans.js';
import { REPO_ROOT } from './sample-runner.js';

const PAGE = join(REPO_ROOT, 'docs/operations/metrics.md');
/** prom-client's default process and Node.js metrics, documented as families rather than one by one. */
const DEFAULT_METRIC = /^switchboard_(process|nodejs)_/;

describe('docs/operations/metrics.md', () => {
  it('documents every metric a running server exports', async () => {
    const app = await startTestApp('sqlite');
    try {
      const scrape = await app.http.inject({ method: 'GET', url: '/metrics' });
      const exported = [...scrape.body.matchAll(/^# HELP (switchboard_\w+) /gm)]
        .map((match) => match[1] as string)
        .filter((name) => !DEFAULT_METRIC.test(name));
      expect(exported).toContain('switchboard_http_requests_total');
      expect(missingFromPage(readFileSync(PAGE, 'utf8'), exported)).toEqual([]);
    } finally {
      await app.destroy();
    }
  });
});
