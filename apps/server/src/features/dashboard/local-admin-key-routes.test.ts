import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.js';
import { ADMIN_KEY_FILE } from '../api-keys/api-key-service.js';
import { isLoopbackAddress, isLoopbackHost } from './local-admin-key-routes.js';

const URL = '/api/v1/local-admin-key';

describe('isLoopbackAddress and isLoopbackHost', () => {
  it('know loopback from the rest', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '0.0.0.0', '128.0.0.1', '', undefined, '127.0.0.1.evil'])
      expect(isLoopbackAddress(a), String(a)).toBe(false);
    for (const h of ['localhost', 'localhost:7400', '127.0.0.1:7400', '[::1]:7400', '[::1]'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [
      'evil.example',
      'evil.example:7400',
      '127.0.0.1.nip.io',
      'localhost.evil.example',
      undefined,
    ])
      expect(isLoopbackHost(h), String(h)).toBe(false);
  });
});

describe('GET /api/v1/local-admin-key', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp('sqlite');
  });
  afterEach(async () => t.destroy());

  /** Without the admin key: the endpoint is for a browser that has none yet. */
  const ask = (options: { remoteAddress?: string; headers?: Record<string, string> } = {}) =>
    t.http.inject({
      method: 'GET',
      url: URL,
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      headers: { host: '127.0.0.1:7400', ...options.headers },
    });

  it('gives the key of a fresh install to a loopback connection, uncached', async () => {
    const response = await ask();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ key: t.adminKey });
    expect(response.headers['cache-control']).toBe('no-store');
    expect((await ask({ remoteAddress: '::1', headers: { host: 'localhost:7400' } })).statusCode).toBe(200);
  });

  it('gives it over a real loopback socket', async () => {
    const address = await t.http.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${address}${URL}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ key: t.adminKey });
  });

  it('refuses other machines, whatever X-Forwarded-For says', async () => {
    for (const remoteAddress of ['10.0.0.7', '192.168.1.20', '::ffff:10.0.0.7']) {
      const response = await ask({ remoteAddress, headers: { 'x-forwarded-for': '127.0.0.1' } });
      expect(response.statusCode, remoteAddress).toBe(404);
      expect(response.body).not.toContain(t.adminKey);
    }
  });

  it('refuses requests through a proxy on this machine, and pages of other sites (DNS rebinding)', async () => {
    const cases: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.9' },
      { forwarded: 'for=203.0.113.9' },
      { 'x-real-ip': '203.0.113.9' },
      { host: 'evil.example:7400' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of cases) {
      const response = await ask({ headers });
      expect(response.statusCode, JSON.stringify(headers)).toBe(404);
      expect(response.body).not.toContain(t.adminKey);
    }
  });

  it('stops offering the key once the file is deleted', async () => {
    await rm(join(t.dataDir, ADMIN_KEY_FILE));
    const response = await ask();
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('stops offering the key once it is revoked', async () => {
    const keys = await t.request('GET', '/api/v1/keys');
    const local = keys.body.items.find((k: { name: string }) => k.name === 'local admin');
    expect((await t.request('DELETE', `/api/v1/keys/${local.id}`)).status).toBe(200);
    const response = await ask();
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(t.adminKey);
  });
});
