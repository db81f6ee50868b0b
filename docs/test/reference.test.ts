import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_REFERENCE_FILE, renderCliReference } from '../../scripts/cli-reference.js';
import {
  HTTP_API_REFERENCE_FILE,
  readHttpRoutes,
  renderHttpApiReference,
} from '../../scripts/http-api-reference.js';
import { REPO_ROOT } from './sample-runner.js';

// The generated references are committed so they read on GitHub; these fail when they drift.
describe('generated reference pages', () => {
  it(`${CLI_REFERENCE_FILE} is what \`npm run docs:cli\` generates`, async () => {
    const committed = await readFile(join(REPO_ROOT, CLI_REFERENCE_FILE), 'utf8');
    expect(committed, 'the CLI changed: run `npm run docs:cli` and commit the page').toBe(
      renderCliReference(),
    );
  });

  it('documents every command, option and exit code of the CLI', () => {
    const page = renderCliReference();
    for (const heading of [
      '## `switchboard flags create`',
      '## `switchboard kill`',
      '## `switchboard keys create`',
    ]) {
      expect(page).toContain(heading);
    }
    expect(page).toContain('| `--env <env>` | the environment, e.g. production (required) |');
    expect(page).toContain('| 5 | `conflict` | conflict (stale version or already exists) |');
  });

  it(`${HTTP_API_REFERENCE_FILE} is what \`npm run docs:http-api\` generates`, async () => {
    const { document, routes } = await readHttpRoutes();
    const committed = await readFile(join(REPO_ROOT, HTTP_API_REFERENCE_FILE), 'utf8');
    expect(committed, 'the HTTP API changed: run `npm run docs:http-api` and commit the page').toBe(
      renderHttpApiReference(document, routes),
    );
    const keysOf = (method: string, path: string) =>
      routes.find((route) => route.method === method && route.path === path)?.keys;
    expect(keysOf('POST', '/api/v1/flags')).toEqual(['admin']);
    expect(keysOf('GET', '/api/v1/sdk/snapshot')).toEqual(['admin', 'server']);
    expect(keysOf('POST', '/api/v1/client/evaluate')).toEqual(['admin', 'client']);
  });
});
