import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.js';
import { registerErrorHandler } from '../../http/error-handler.js';
import { DASHBOARD_SECURITY_HEADERS, registerDashboardRoutes } from './dashboard-routes.js';

const INDEX = '<!doctype html><title>Switchboard</title><div id="root"></div>';

async function appServing(dir: string): Promise<FastifyInstance> {
  const app = Fastify();
  registerErrorHandler(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/api/v1/flags', async () => ({ items: [] }));
  await registerDashboardRoutes(app, { dir });
  await app.ready();
  return app;
}

describe('the dashboard at /', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-dashboard-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), INDEX);
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1);');
    await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = await appServing(dir);
  });

  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with its security headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toBe(INDEX);
    expect(response.headers['cache-control']).toBe('no-cache');
    for (const [name, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) {
      expect(response.headers[name]).toBe(value);
    }
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe');
  });

  it('serves index.html for client-side routes, keys with dots included', async () => {
    for (const url of ['/flags', '/flags/checkout.v2?env=production', '/audit', '/index.html']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(INDEX);
    }
  });

  it('serves built files, hashed assets as immutable', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
  });

  it('answers a missing asset with a 404, not the page', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/gone-000.js' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'NOT_FOUND' });
  });

  it("leaves the server's own paths to their routes and the API's JSON 404", async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const api = await app.inject({ method: 'GET', url: '/api/v1/flags' });
    expect(api.json()).toEqual({ items: [] });
    expect(api.headers['content-security-policy']).toBeUndefined();
    for (const url of ['/api/v1/nothing', '/api', '/docs/nothing', '/ofrep/v1/x', '/metrics', '/readyz']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: 'NOT_FOUND' });
    }
  });

  it('never reads outside the build', async () => {
    const response = await app.inject({ method: 'GET', url: '/../../../etc/passwd' });
    expect(response.body).not.toContain('root:');
  });

  it('says how to build it when it is not built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'switchboard-no-dashboard-'));
    const bare = await appServing(empty);
    try {
      const response = await bare.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.body).toContain('npm run build');
      expect((await bare.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('the dashboard in the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t.destroy());

  it('leaves the API as it was: no CORS headers, no dashboard headers, JSON errors', async () => {
    const flags = await t.request('GET', '/api/v1/flags', undefined, { origin: 'https://elsewhere.example' });
    expect(flags.status).toBe(200);
    const unknown = await t.request('GET', '/api/v1/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'NOT_FOUND' });
    for (const response of [flags, unknown]) {
      expect(Object.keys(response.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      expect(response.headers['content-security-policy']).toBeUndefined();
    }
    expect((await t.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const docs = await t.request('GET', '/docs/json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toContain('/api/v1/local-admin-key');
    expect((await t.http.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('answers / with the dashboard or how to build it', async () => {
    const response = await t.http.inject({ method: 'GET', url: '/' });
    if (response.statusCode === 200) expect(response.body).toContain('<div id="root">');
    else expect(response.body).toContain('npm run build');
  });
});
