import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli.js';
import { type CliRun, type RunningServer, runCli, startServerProcess } from './cli-process.js';

/** A port nothing listens on: bound, read and released (fetch refuses some low ports outright). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function json(run: CliRun) {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(EXIT.ok);
  return JSON.parse(run.stdout);
}

describe('switchboard CLI against a real server process (SQLite)', () => {
  let server: RunningServer;
  let cli: (...args: string[]) => Promise<CliRun>;

  beforeAll(async () => {
    server = await startServerProcess();
    // The key comes from the admin-key file in the data directory, as on a developer's machine.
    cli = (...args) => runCli(args, { SWITCHBOARD_URL: server.url, SWITCHBOARD_DATA_DIR: server.dataDir });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  describe('keys', () => {
    let clientKey: { id: string; key: string };

    it('creates a client key for an environment and prints it once', async () => {
      const run = await cli('keys', 'create', '--name', 'web', '--kind', 'client', '--env', 'production');
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout).toMatch(/Created client key "web" \(id [0-9a-f-]{36}\) for default\/production/);
      expect(run.stdout).toMatch(/^ {2}sb_client_[0-9A-Za-z]{32}$/m);
      clientKey = json(
        await cli('keys', 'create', '--name', 'web2', '--kind', 'client', '--env', 'production', '--json'),
      );
      expect(clientKey).toMatchObject({ kind: 'client', environment: 'production', project: 'default' });
      expect(clientKey.key).toMatch(/^sb_client_/);
    });

    it('lists keys as a table and as JSON, never with the keys themselves', async () => {
      const run = await cli('keys', 'list');
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout.split('\n')[0]).toMatch(
        /^ID\s+NAME\s+KIND\s+SCOPE\s+PREFIX\s+CREATED\s+LAST USED\s+STATUS$/,
      );
      expect(run.stdout).toMatch(/local admin\s+admin\s+all projects/);
      expect(run.stdout).not.toContain(clientKey.key);
      const { items } = json(await cli('keys', 'list', '--json'));
      expect(items.map((k: { name: string }) => k.name).sort()).toEqual(['local admin', 'web', 'web2']);
      expect(items.find((k: { name: string }) => k.name === 'web2')).not.toHaveProperty('key');
    });

    it('revokes a key, which then stops working (exit 6)', async () => {
      // An admin key: revoking an environment-bound key hangs the SQLite store (ApiKeyService.revoke
      // reads outside its transaction on the one connection), reported to the api-keys slice.
      const ops = json(await cli('keys', 'create', '--name', 'ops', '--kind', 'admin', '--json'));
      expect(ops).toMatchObject({ kind: 'admin', project: null, environment: null });
      expect((await cli('flags', 'list', '--key', ops.key)).code).toBe(EXIT.ok);
      const run = await cli('keys', 'revoke', ops.id);
      expect(run).toMatchObject({ code: EXIT.ok, stdout: `Revoked admin key "ops" (id ${ops.id}).\n` });
      const listed = json(await cli('keys', 'list', '--json')).items.find(
        (k: { id: string }) => k.id === ops.id,
      );
      expect(listed.revokedAt).not.toBeNull();
      expect((await cli('keys', 'list')).stdout).toMatch(
        /ops\s+admin\s+all projects\s+\S+\s+[\d-]+ [\d:]+\s+[\d-]+ [\d:]+\s+revoked /,
      );
      const denied = await cli('flags', 'list', '--key', ops.key);
      expect(denied.code).toBe(EXIT.denied);
      expect(denied.stderr).toBe('error: the API key is unknown or revoked\n');
    });

    it('refuses a server or client key without --env as a usage error', async () => {
      const run = await cli('keys', 'create', '--name', 'x', '--kind', 'server');
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toMatch(/--env is required for a server key/);
    });

    it('revoking an unknown id exits 4', async () => {
      const run = await cli('keys', 'revoke', '00000000-0000-4000-8000-000000000000');
      expect(run.code).toBe(EXIT.notFound);
      expect(run.stderr).toMatch(/not found/);
    });
  });

  describe('flags', () => {
    it('creates a boolean flag with on/off variants by default', async () => {
      const run = await cli('flags', 'create', 'dark-mode', '--kind', 'boolean', '--tag', 'ui', 'web');
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout).toContain(
        'Created boolean flag dark-mode in project default with variants on, off.',
      );
      const flag = json(await cli('flags', 'get', 'dark-mode', '--json'));
      expect(flag.variants).toEqual([
        { key: 'on', value: true },
        { key: 'off', value: false },
      ]);
      expect(flag.tags).toEqual(['ui', 'web']);
    });

    it('creates a string flag from --variants given as an object, with a description', async () => {
      const variants = JSON.stringify({
        'gpt-4o': 'gpt-4o',
        'claude-sonnet': 'claude-sonnet',
        candidate: 'o3',
      });
      const flag = json(
        await cli(
          'flags',
          'create',
          'llm-model',
          '--kind',
          'string',
          '--variants',
          variants,
          '--description',
          'Which model answers chat',
          '--tag',
          'llm',
          '--json',
        ),
      );
      expect(flag).toMatchObject({
        key: 'llm-model',
        kind: 'string',
        description: 'Which model answers chat',
      });
      expect(flag.variants.map((v: { key: string }) => v.key)).toEqual([
        'gpt-4o',
        'claude-sonnet',
        'candidate',
      ]);
      expect(flag.environments.production).toMatchObject({
        enabled: false,
        offVariant: 'gpt-4o',
        version: 0,
      });
    });

    it('refuses a duplicate key with exit 5 and the server message', async () => {
      const run = await cli('flags', 'create', 'dark-mode', '--kind', 'boolean');
      expect(run.code).toBe(EXIT.conflict);
      expect(run.stderr).toBe('error: flag "dark-mode" already exists\n');
    });

    it('refuses bad --variants before calling the server (exit 2), and bad values with the server message (exit 1)', async () => {
      const notJson = await cli('flags', 'create', 'x', '--kind', 'string', '--variants', '{oops');
      expect(notJson.code).toBe(EXIT.usage);
      expect(notJson.stderr).toMatch(/--variants: not JSON/);
      const missing = await cli('flags', 'create', 'x', '--kind', 'number');
      expect(missing.code).toBe(EXIT.usage);
      expect(missing.stderr).toMatch(/--variants is required for a number flag/);
      const wrongKind = await cli('flags', 'create', 'x', '--kind', 'number', '--variants', '{"a":"one"}');
      expect(wrongKind.code).toBe(EXIT.failed);
      expect(wrongKind.stderr).toMatch(/body\.variants\.0\.value: must be a finite number/);
    });

    it('lists flags with their state per environment, filtered by tag and text', async () => {
      const run = await cli('flags', 'list');
      expect(run.code).toBe(EXIT.ok);
      const lines = run.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^KEY\s+KIND\s+DEVELOPMENT\s+STAGING\s+PRODUCTION\s+TAGS\s+DESCRIPTION$/);
      expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(['dark-mode', 'llm-model']);
      const byTag = json(await cli('flags', 'list', '--tag', 'ui', '--json'));
      expect(byTag.items.map((f: { key: string }) => f.key)).toEqual(['dark-mode']);
      const byText = json(await cli('flags', 'list', '--q', 'answers chat', '--json'));
      expect(byText.items.map((f: { key: string }) => f.key)).toEqual(['llm-model']);
      expect((await cli('flags', 'list', '--tag', 'nothing')).stdout).toBe('No flags.\n');
    });

    it('enables and disables a flag in one environment', async () => {
      const on = await cli('flags', 'enable', 'dark-mode', '--env', 'production');
      expect(on).toMatchObject({
        code: EXIT.ok,
        stdout: 'dark-mode is now on in production (version 0 → 1).\n',
      });
      const again = await cli('flags', 'enable', 'dark-mode', '--env', 'production');
      expect(again.stdout).toMatch(/already on in production \(version 1\); nothing changed/);
      expect(await server.api('GET', '/api/v1/flags/dark-mode/environments/production')).toMatchObject({
        enabled: true,
        version: 1,
      });
      const off = json(await cli('flags', 'disable', 'dark-mode', '--env', 'production', '--json'));
      expect(off).toMatchObject({ enabled: false, version: 2 });
      const list = (await cli('flags', 'list')).stdout;
      expect(list).toMatch(/^dark-mode\s+boolean\s+off\s+off\s+off\s+ui,web/m);
    });

    it('set-rollout puts the candidate first, weight = percent × 1000, control = the off variant', async () => {
      const run = await cli(
        'flags',
        'set-rollout',
        'llm-model',
        '--env',
        'production',
        '--variant',
        'candidate',
        '--percent',
        '2.5',
      );
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout).toContain(
        'fallthrough now serves split candidate 2.5% / gpt-4o 97.5% (version 0 → 1)',
      );
      expect(run.stdout).toContain('It is off in production');
      const config = await server.api('GET', '/api/v1/flags/llm-model/environments/production');
      expect(config.fallthrough).toEqual({
        split: [
          { variant: 'candidate', weight: 2500 },
          { variant: 'gpt-4o', weight: 97500 },
        ],
      });
      const ramp = json(
        await cli(
          'flags',
          'set-rollout',
          'llm-model',
          '--env',
          'production',
          '--variant',
          'candidate',
          '--percent',
          '33.333',
          '--control',
          'claude-sonnet',
          '--json',
        ),
      );
      expect(ramp.fallthrough.split).toEqual([
        { variant: 'candidate', weight: 33333 },
        { variant: 'claude-sonnet', weight: 66667 },
      ]);
      expect(ramp.version).toBe(2);
    });

    it('set-rollout refuses an unknown variant and a bad percentage (exit 2)', async () => {
      const unknown = await cli(
        'flags',
        'set-rollout',
        'llm-model',
        '--env',
        'production',
        '--variant',
        'nope',
        '--percent',
        '5',
      );
      expect(unknown.code).toBe(EXIT.usage);
      expect(unknown.stderr).toMatch(/--variant: flag llm-model has no variant "nope"/);
      const percent = await cli(
        'flags',
        'set-rollout',
        'llm-model',
        '--env',
        'production',
        '--variant',
        'candidate',
        '--percent',
        '101',
      );
      expect(percent.code).toBe(EXIT.usage);
      expect(percent.stderr).toMatch(/--percent/);
    });

    it('set-shadow names the variant run in shadow and its rate, and --off removes it', async () => {
      const variants = JSON.stringify({
        control: { provider: 'openai', model: 'gpt-4o' },
        candidate: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      });
      expect(
        (await cli('flags', 'create', 'support-bot', '--kind', 'ai-config', '--variants', variants)).code,
      ).toBe(EXIT.ok);
      const run = await cli(
        'flags',
        'set-shadow',
        'support-bot',
        '--env',
        'production',
        '--variant',
        'candidate',
        '--rate',
        '0.05',
      );
      expect(run.code, run.stderr).toBe(EXIT.ok);
      expect(run.stdout).toContain('candidate runs in shadow on 5% of requests (version 0 → 1)');
      expect(await server.api('GET', '/api/v1/flags/support-bot/environments/production')).toMatchObject({
        shadow: { variant: 'candidate', sampleRate: 0.05 },
      });
      const off = json(
        await cli('flags', 'set-shadow', 'support-bot', '--env', 'production', '--off', '--json'),
      );
      expect(off).toMatchObject({ shadow: null, version: 2 });
      const unknown = await cli(
        'flags',
        'set-shadow',
        'support-bot',
        '--env',
        'production',
        '--variant',
        'nope',
        '--rate',
        '1',
      );
      expect(unknown.code).toBe(EXIT.usage);
      expect(unknown.stderr).toMatch(/--variant: flag support-bot has no variant "nope"/);
      const rate = await cli(
        'flags',
        'set-shadow',
        'support-bot',
        '--env',
        'production',
        '--variant',
        'candidate',
        '--rate',
        '5',
      );
      expect(rate.code).toBe(EXIT.usage);
      expect(rate.stderr).toMatch(/--rate/);
      const neither = await cli('flags', 'set-shadow', 'support-bot', '--env', 'production');
      expect(neither.code).toBe(EXIT.usage);
    });

    it('shows a flag with its variants and what each environment serves', async () => {
      const run = await cli('flags', 'get', 'llm-model');
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout).toContain('llm-model (string), version 1: Which model answers chat');
      expect(run.stdout).toMatch(
        /^production\s+off\s+2\s+split candidate 33\.333% \/ claude-sonnet 66\.667%\s+0\s+0\s+gpt-4o$/m,
      );
      expect(run.stdout).toMatch(/^candidate\s+"o3"$/m);
    });

    it('a stale --if-version is a conflict (exit 5) and changes nothing', async () => {
      const run = await cli('flags', 'enable', 'llm-model', '--env', 'production', '--if-version', '1');
      expect(run.code).toBe(EXIT.conflict);
      expect(run.stderr).toMatch(/is at version 2, not 1/);
      expect(await server.api('GET', '/api/v1/flags/llm-model/environments/production')).toMatchObject({
        enabled: false,
        version: 2,
      });
      const current = await cli('flags', 'enable', 'llm-model', '--env', 'production', '--if-version', '2');
      expect(current.stdout).toBe('llm-model is now on in production (version 2 → 3).\n');
    });

    it('an unknown flag or environment exits 4 with the server message', async () => {
      const flag = await cli('flags', 'get', 'no-such-flag');
      expect(flag).toMatchObject({
        code: EXIT.notFound,
        stdout: '',
        stderr: 'error: flag "no-such-flag" not found\n',
      });
      expect((await cli('flags', 'enable', 'no-such-flag', '--env', 'production')).code).toBe(EXIT.notFound);
      const env = await cli('flags', 'enable', 'llm-model', '--env', 'moon');
      expect(env.code).toBe(EXIT.notFound);
      expect(env.stderr).toMatch(/moon/);
    });
  });

  describe('kill', () => {
    it('disables the flag now and says what everyone is served', async () => {
      const run = await cli('kill', 'llm-model', '--env', 'production');
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout).toBe(
        'Killed llm-model in production: disabled at version 4 (was 3).\n' +
          'Everyone in production is now served "gpt-4o".\n',
      );
      expect(await server.api('GET', '/api/v1/flags/llm-model/environments/production')).toMatchObject({
        enabled: false,
        version: 4,
      });
      const again = await cli('kill', 'llm-model', '--env', 'production', '--json');
      expect(json(again)).toMatchObject({ enabled: false, version: 4 });
    });

    it('kills an unknown flag with exit 4, and needs --env (exit 2)', async () => {
      expect((await cli('kill', 'no-such-flag', '--env', 'production')).code).toBe(EXIT.notFound);
      const run = await cli('kill', 'llm-model');
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toMatch(/required option '--env <env>'/);
    });
  });

  describe('failures', () => {
    it('an unreachable server exits 3 and says where it looked', async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const run = await cli('flags', 'list', '--url', url);
      expect(run.code).toBe(EXIT.unreachable);
      expect(run.stderr).toContain(`cannot reach the Switchboard server at ${url} (ECONNREFUSED)`);
    });

    it('a bad key exits 6; a client key on an admin endpoint exits 6', async () => {
      const bad = await cli('flags', 'list', '--key', 'sb_admin_not-a-real-key');
      expect(bad).toMatchObject({ code: EXIT.denied, stderr: 'error: the API key is unknown or revoked\n' });
      const { key } = json(
        await cli('keys', 'create', '--name', 'browser', '--kind', 'client', '--env', 'staging', '--json'),
      );
      const forbidden = await runCli(['flags', 'list'], {
        SWITCHBOARD_URL: server.url,
        SWITCHBOARD_API_KEY: key,
      });
      expect(forbidden.code).toBe(EXIT.denied);
      expect(forbidden.stderr).toMatch(/needs a admin key; this is a client key/);
    });

    it('no key anywhere is a usage error naming the ways to give one', async () => {
      const empty = await mkdtemp(join(tmpdir(), 'switchboard-cli-nokey-'));
      try {
        const run = await runCli(['flags', 'list'], {
          SWITCHBOARD_URL: server.url,
          SWITCHBOARD_DATA_DIR: empty,
        });
        expect(run.code).toBe(EXIT.usage);
        expect(run.stderr).toMatch(/no API key: pass --key, set SWITCHBOARD_API_KEY/);
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    });

    // Independent of each other and of the server's state: run side by side.
    it.concurrent.each([
      [['flags', 'create', 'x'], /required option '--kind <kind>'/],
      [['flags', 'create', 'x', '--kind', 'colour'], /argument 'colour' is invalid/],
      [['keys', 'create', '--name', 'x', '--kind', 'root'], /Allowed choices are admin, server, client/],
      [['flags', 'frobnicate'], /unknown command 'frobnicate'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['flags', 'enable', 'x', '--env', 'production', '--if-version', 'two'], /--if-version/],
      [['flags', 'list', '--url', 'not a url'], /--url: not an http\(s\) URL/],
    ])('usage error %j exits 2', async (args, message) => {
      const run = await cli(...args);
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toMatch(message);
    });

    it('--help says what each command does and lists the exit codes', async () => {
      const run = await runCli(['--help'], {});
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout).toMatch(/kill \[options\] <flag>\s+Kill switch/);
      expect(run.stdout).toContain('3 server unreachable, 4 not found');
      const rollout = await runCli(['flags', 'set-rollout', '--help'], {});
      expect(rollout.stdout.replace(/\s+/g, ' ')).toContain('raising the percentage never moves anyone out');
    });
  });
});

describe('switchboard start and migrate', () => {
  it('start refuses an invalid configuration with exit 2 and a message naming the variable', async () => {
    const run = await runCli(['start'], { PORT: 'abc', SWITCHBOARD_DATA_DIR: join(tmpdir(), 'unused') });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/invalid configuration:\n {2}PORT \(--port\): .*\(got "abc"\)/);
  });

  it('start refuses a bad event retention, given as a flag or a variable, with exit 2', async () => {
    const dataDir = join(tmpdir(), 'unused');
    const flag = await runCli(['start', '--event-retention-days', '0'], { SWITCHBOARD_DATA_DIR: dataDir });
    expect(flag.code).toBe(EXIT.usage);
    expect(flag.stderr).toMatch(/SWITCHBOARD_EVENT_RETENTION_DAYS \(--event-retention-days\): .*\(got "0"\)/);
    const variable = await runCli(['start'], {
      SWITCHBOARD_EVENT_RETENTION_DAYS: 'x',
      SWITCHBOARD_DATA_DIR: dataDir,
    });
    expect(variable.code).toBe(EXIT.usage);
    expect(variable.stderr).toContain('SWITCHBOARD_EVENT_RETENTION_DAYS (--event-retention-days)');
  });

  it('migrate creates the embedded store in a fresh data directory, then finds it up to date', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-cli-migrate-'));
    try {
      const first = await runCli(['migrate', '--data-dir', dataDir], {});
      expect(first.code).toBe(EXIT.ok);
      expect(first.stdout).toMatch(new RegExp(`^${join(dataDir, 'switchboard.db')}: applied \\S+`));
      const second = await runCli(['migrate'], { SWITCHBOARD_DATA_DIR: dataDir });
      expect(second).toMatchObject({
        code: EXIT.ok,
        stdout: `${join(dataDir, 'switchboard.db')}: up to date\n`,
      });
      // Migrating does not create an admin key: only `start` on an empty store does.
      await expect(readFile(join(dataDir, 'admin-key'), 'utf8')).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
