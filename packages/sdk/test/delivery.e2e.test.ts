import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../apps/server/test/harness.js';
import { createClient, type SwitchboardClient } from '../src/index.js';

let server: TestApp;
let url: string;
let serverKey: string;
let dir: string;
const clients: SwitchboardClient[] = [];

function client(options: Partial<Parameters<typeof createClient>[0]> = {}): SwitchboardClient {
  const c = createClient({ url, sdkKey: serverKey, ...options });
  clients.push(c);
  return c;
}

/** Resolves with the keys of the next `change` event. */
function nextChange(c: SwitchboardClient): Promise<string[]> {
  return new Promise((resolve) => c.once('change', resolve));
}

async function configure(flag: string, patch: Record<string, unknown>, env = 'production') {
  const current = await server.request('GET', `/api/v1/flags/${flag}/environments/${env}`);
  const response = await server.request('PATCH', `/api/v1/flags/${flag}/environments/${env}`, {
    ...patch,
    version: current.body.version,
  });
  expect(response.status).toBe(200);
  return response.body;
}

beforeAll(async () => {
  server = await startTestApp('sqlite');
  url = await server.http.listen({ port: 0, host: '127.0.0.1' });
  dir = await mkdtemp(join(tmpdir(), 'switchboard-sdk-'));
  serverKey = (
    await server.request('POST', '/api/v1/keys', { name: 'sdk', kind: 'server', environment: 'production' })
  ).body.key;
  await server.request('POST', '/api/v1/flags', {
    key: 'ai-agent',
    kind: 'boolean',
    variants: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
  });
  await configure('ai-agent', { enabled: true, retryAfterSeconds: 120 });
  await server.request('POST', '/api/v1/flags', {
    key: 'llm-model',
    kind: 'string',
    variants: [
      { key: 'control', value: 'gpt-4o' },
      { key: 'candidate', value: 'claude-sonnet' },
    ],
  });
  await configure('llm-model', {
    enabled: true,
    rules: [
      {
        id: 'beta',
        clauses: [{ attribute: 'beta', op: 'equals', values: [true] }],
        serve: { variant: 'candidate' },
      },
    ],
    fallthrough: {
      split: [
        { variant: 'candidate', weight: 50_000 },
        { variant: 'control', weight: 50_000 },
      ],
    },
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.destroy();
});

describe('the SDK against a running server', () => {
  it('loads the snapshot, evaluates locally, and reports where it came from', async () => {
    const c = client();
    expect(await c.ready({ timeoutMs: 5_000 })).toMatchObject({ source: 'server' });
    expect(c.evaluate('llm-model', { targetingKey: 'u1', beta: true })).toMatchObject({
      value: 'claude-sonnet',
      variant: 'candidate',
      reason: 'TARGETING_MATCH',
      ruleId: 'beta',
    });
    expect(c.evaluate('llm-model', { targetingKey: 'u1', beta: true }).isOn()).toBe(true);
    expect(c.getStringValue('llm-model', { targetingKey: 'u1', beta: true }, 'fallback')).toBe(
      'claude-sonnet',
    );
    expect(c.getNumberValue('llm-model', { targetingKey: 'u1' }, 7)).toBe(7);
    expect(c.getBooleanValue('ai-agent', { targetingKey: 'u1' }, false)).toBe(true);
    expect(c.evaluate('nope', {}, 'x')).toMatchObject({
      value: 'x',
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(Object.keys(c.allFlags({ targetingKey: 'u1' })).sort()).toEqual(['ai-agent', 'llm-model']);
    expect(c.killSwitch('ai-agent')).toBeNull();
  });

  it('counts its stream in the server metrics while connected', async () => {
    const streams = async () =>
      Number(
        /^switchboard_sdk_streams\{kind="server"\} (\d+)$/m.exec(
          (await server.request('GET', '/metrics')).body,
        )?.[1],
      );
    const before = await streams();
    const c = client();
    await c.ready();
    await new Promise<void>((resolve) => {
      const check = async () => ((await streams()) === before + 1 ? resolve() : setTimeout(check, 20));
      void check();
    });
    await c.close();
    await new Promise<void>((resolve) => {
      const check = async () => ((await streams()) === before ? resolve() : setTimeout(check, 20));
      void check();
    });
    expect(await streams()).toBe(before);
  });

  it('applies a kill switch pushed by the server, with the retry-after the flag sets', async () => {
    const c = client();
    await c.ready();
    const changed = nextChange(c);
    const started = performance.now();
    await server.request('POST', '/api/v1/flags/ai-agent/environments/production/disable', undefined, {
      'if-match': String(
        (await server.request('GET', '/api/v1/flags/ai-agent/environments/production')).body.version,
      ),
    });
    expect(await changed).toEqual(['ai-agent']);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(c.killSwitch('ai-agent', { targetingKey: 'u1' })).toEqual({
      error: 'Feature temporarily disabled',
      retryAfterSeconds: 120,
    });
    expect(c.evaluate('ai-agent').reason).toBe('DISABLED');
    await configure('ai-agent', { enabled: true });
  });

  it('writes the cache file atomically and starts from it when the server is away', async () => {
    const cacheFile = join(dir, 'cache.json');
    const first = client({ cacheFile });
    await first.ready();
    await first.close();
    const cached = JSON.parse(await readFile(cacheFile, 'utf8'));
    expect(cached.snapshot.flags.map((f: { key: string }) => f.key).sort()).toEqual([
      'ai-agent',
      'llm-model',
    ]);
    const offline = client({ url: 'http://127.0.0.1:9', cacheFile, stream: false });
    const state = await offline.ready({ timeoutMs: 300 });
    expect(state.source).toBe('cache');
    expect(state.error).toMatch(/unreachable/);
    expect(offline.evaluate('llm-model', { targetingKey: 'u2', beta: true }).value).toBe('claude-sonnet');
  });

  it('reports and ignores a corrupted cache file', async () => {
    const cacheFile = join(dir, 'corrupt.json');
    await writeFile(cacheFile, '{"version": 3, "snapshot": ');
    const errors: Error[] = [];
    const c = client({ cacheFile });
    c.on('error', (e: Error) => errors.push(e));
    expect((await c.ready()).source).toBe('server');
    expect(errors.some((e) => /cache file was ignored/.test(e.message))).toBe(true);
  });

  it('stops on a refused key and says so, without waiting out the timeout', async () => {
    const c = client({
      sdkKey: 'sb_server_revokedorwrong0000000000000000',
      bootstrap: { flags: [], segments: [] },
    });
    const started = performance.now();
    const state = await c.ready({ timeoutMs: 10_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(state).toMatchObject({ source: 'bootstrap' });
    expect(state.error).toMatch(/401/);
  });

  it('serves the bootstrap while the server is down, then catches up when it appears', async () => {
    const late = await startTestApp('sqlite');
    const key = (
      await late.request('POST', '/api/v1/keys', { name: 'sdk', kind: 'server', environment: 'production' })
    ).body.key;
    await late.request('POST', '/api/v1/flags', {
      key: 'greeting',
      kind: 'string',
      variants: [{ key: 'hi', value: 'hello' }],
    });
    const got = await late.request('GET', '/api/v1/flags/greeting/environments/production');
    await late.request('POST', '/api/v1/flags/greeting/environments/production/enable', {
      version: got.body.version,
    });
    // Reserve a port, then start the server on it only after the client has given up its first try.
    const probe = await late.http.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(probe).port);
    await late.http.server.close();
    const c = client({
      url: `http://127.0.0.1:${port}`,
      sdkKey: key,
      bootstrap: {
        flags: [
          {
            key: 'greeting',
            kind: 'string',
            variants: [{ key: 'b', value: 'bootstrapped' }],
            salt: 's',
            enabled: true,
            targets: [],
            rules: [],
            fallthrough: { variant: 'b' },
            prerequisites: [],
            version: 1,
          },
        ],
        segments: [],
      },
    });
    expect((await c.ready({ timeoutMs: 200 })).source).toBe('bootstrap');
    expect(c.evaluate('greeting').value).toBe('bootstrapped');
    const caughtUp = nextChange(c);
    await new Promise<void>((resolve) => late.http.server.listen(port, '127.0.0.1', resolve));
    expect(await caughtUp).toContain('greeting');
    expect(c.evaluate('greeting').value).toBe('hello');
    expect(c.state().source).toBe('server');
    await c.close();
    await late.destroy();
  }, 40_000);
});
