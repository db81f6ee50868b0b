import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../apps/server/test/harness.js';
import { type BrowserClient, createBrowserClient } from '../src/browser/index.js';

let server: TestApp;
let url: string;
let clientKey: string;
const clients: BrowserClient[] = [];

function browser(options: Partial<Parameters<typeof createBrowserClient>[0]> = {}): BrowserClient {
  const c = createBrowserClient({ url, clientKey, context: { targetingKey: 'u1' }, ...options });
  clients.push(c);
  return c;
}

function nextChange(c: BrowserClient): Promise<string[]> {
  return new Promise((resolve) => {
    const off = c.on('change', (keys) => {
      off();
      resolve(keys);
    });
  });
}

async function configure(flag: string, patch: Record<string, unknown>) {
  const current = await server.request('GET', `/api/v1/flags/${flag}/environments/production`);
  const response = await server.request('PATCH', `/api/v1/flags/${flag}/environments/production`, {
    ...patch,
    version: current.body.version,
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  server = await startTestApp('sqlite');
  url = await server.http.listen({ port: 0, host: '127.0.0.1' });
  clientKey = (
    await server.request('POST', '/api/v1/keys', { name: 'web', kind: 'client', environment: 'production' })
  ).body.key;
  await server.request('POST', '/api/v1/flags', {
    key: 'new-checkout',
    kind: 'boolean',
    variants: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
  });
  await configure('new-checkout', {
    enabled: true,
    rules: [
      {
        id: 'pro',
        clauses: [{ attribute: 'plan', op: 'equals', values: ['pro'] }],
        serve: { variant: 'on' },
      },
    ],
    fallthrough: { variant: 'off' },
  });
  await server.request('POST', '/api/v1/flags', {
    key: 'llm-model',
    kind: 'string',
    variants: [
      { key: 'control', value: 'gpt-4o' },
      { key: 'candidate', value: 'claude-sonnet' },
    ],
  });
  await configure('llm-model', { enabled: true });
  await server.request('POST', '/api/v1/flags', {
    key: 'layout',
    kind: 'json',
    variants: [{ key: 'grid', value: { columns: 3 } }],
  });
  await configure('layout', { enabled: true });
  await server.request('POST', '/api/v1/flags', {
    key: 'dormant',
    kind: 'string',
    variants: [{ key: 'a', value: 'a' }],
  });
  await configure('dormant', { enabled: false, offVariant: null });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.destroy();
});

describe('the browser client against a running server', () => {
  it('fetches the values for its context and serves them synchronously', async () => {
    const c = browser({ context: { targetingKey: 'u1', plan: 'pro' } });
    expect(await c.ready()).toEqual({ loaded: true, refused: false });
    expect(c.evaluate('new-checkout', false)).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
    });
    expect(c.evaluate('new-checkout', false).isOn()).toBe(true);
    expect(c.evaluate('llm-model', 'fallback').getValue()).toBe('gpt-4o');
    expect(c.getBooleanValue('new-checkout', false)).toBe(true);
    expect(c.getStringValue('llm-model', 'x')).toBe('gpt-4o');
    expect(c.getJsonValue('layout', {})).toEqual({ columns: 3 });
    expect(c.allFlags()).toEqual({
      'new-checkout': true,
      'llm-model': 'gpt-4o',
      layout: { columns: 3 },
      dormant: undefined,
    });
  });

  it('serves defaults with the reason when no value can be served', async () => {
    const c = browser();
    await c.ready();
    expect(c.evaluate('nope', 'x')).toMatchObject({
      value: 'x',
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(c.evaluate('llm-model', 7)).toMatchObject({
      value: 7,
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
    });
    expect(c.getNumberValue('llm-model', 7)).toBe(7);
    expect(c.evaluate('layout', 'flat')).toMatchObject({ value: 'flat', errorCode: 'TYPE_MISMATCH' });
    expect(c.evaluate('dormant', 'off')).toMatchObject({ value: 'off', reason: 'DISABLED' });
    expect(c.evaluate('dormant', 'off').variant).toBeUndefined();
    expect(c.evaluate('dormant', 'off').isOn()).toBe(false);
  });

  it('serves defaults before the values arrive', () => {
    const c = browser();
    expect(c.state().loaded).toBe(false);
    expect(c.evaluate('new-checkout', false)).toMatchObject({
      value: false,
      reason: 'ERROR',
      errorCode: 'GENERAL',
    });
  });

  it('fetches again for a new context and reports the keys whose value changed', async () => {
    const c = browser();
    await c.ready();
    expect(c.getBooleanValue('new-checkout', true)).toBe(false);
    const changed = nextChange(c);
    const state = await c.setContext({ targetingKey: 'u2', plan: 'pro' });
    expect(state).toEqual({ loaded: true, refused: false });
    expect(await changed).toEqual(['new-checkout']);
    expect(c.getBooleanValue('new-checkout', false)).toBe(true);
    expect(c.context).toEqual({ targetingKey: 'u2', plan: 'pro' });
  });

  it('refreshes when the stream signals a change', async () => {
    const c = browser();
    const connected = new Promise<void>((resolve) => c.on('stream', (s) => s.connected && resolve()));
    await c.ready();
    await connected;
    const changed = nextChange(c);
    await configure('llm-model', { fallthrough: { variant: 'candidate' } });
    expect(await changed).toEqual(['llm-model']);
    expect(c.getStringValue('llm-model', 'x')).toBe('claude-sonnet');
    await configure('llm-model', { fallthrough: { variant: 'control' } });
  });

  it('stops on a refused key, says so at once, and serves defaults', async () => {
    const errors: Error[] = [];
    const c = browser({ clientKey: 'sb_client_revokedorwrong00000000000000000' });
    c.on('error', (e) => errors.push(e));
    const started = performance.now();
    const state = await c.ready({ timeoutMs: 10_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(state).toMatchObject({ loaded: false, refused: true, error: expect.stringMatching(/refused/) });
    expect(errors.length).toBeGreaterThan(0);
    expect(c.getBooleanValue('new-checkout', true)).toBe(true);
    expect(await c.setContext({ targetingKey: 'u3' })).toMatchObject({ refused: true });
  });

  it('refuses server keys: they belong to SDKs that evaluate locally', async () => {
    const serverKey = (
      await server.request('POST', '/api/v1/keys', { name: 'sdk', kind: 'server', environment: 'production' })
    ).body.key;
    const c = browser({ clientKey: serverKey, stream: false });
    expect(await c.ready()).toMatchObject({ refused: true });
  });
});
