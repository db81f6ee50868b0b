import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signatureHeader,
  verifyWebhookSignature,
  WebhookReplayGuard,
} from '../src/features/webhooks/webhook-signature.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';
import {
  API_KEY_PATTERN,
  type DocumentedRoute,
  documentedRoutes,
  isClientRoute,
  routeName,
  takesBody,
  urlOf,
} from './security-routes.js';

// What the threat model of docs (DESIGN §7) promises, route by route: client keys (public, in
// browsers) evaluate and nothing else; server keys read their environment and send events, never
// write; a revoked key stops at once; keys never reach the log; the audit log is append-only; webhook
// signatures refuse tampering and replays; the admin API cannot be driven cross-site.

const FLAG = 'pricing-page';
const SEGMENT = 'hidden-segment';
/** Strings that only rules, targets, segments or another environment hold: no client answer may carry one. */
const SECRETS = ['vip-user-7781', 'secret-corp.example', SEGMENT, 'segment-member-42', 'staging-only-value'];
const PRODUCTION_VALUE = 'production-value';

interface Seeded {
  clientKey: string;
  serverKey: string;
  clientKeyId: string;
  serverKeyId: string;
  salt: string;
  values: Record<string, string>;
}

async function expectStatus(t: TestApp, method: string, url: string, body: unknown, status: number) {
  const response = await t.request(method, url, body);
  expect(response.status, `${method} ${url}: ${JSON.stringify(response.body).slice(0, 300)}`).toBe(status);
  return response.body;
}

/** A flag whose production rules, targets and segment hold {@link SECRETS}; staging serves another value. */
async function seed(t: TestApp): Promise<Seeded> {
  await expectStatus(t, 'POST', '/api/v1/segments', { key: SEGMENT, included: ['segment-member-42'] }, 201);
  const flag = await expectStatus(
    t,
    'POST',
    '/api/v1/flags',
    {
      key: FLAG,
      kind: 'string',
      variants: [
        { key: 'prod', value: PRODUCTION_VALUE },
        { key: 'vip', value: 'vip-value' },
        { key: 'stage', value: 'staging-only-value' },
      ],
    },
    201,
  );
  await expectStatus(
    t,
    'PATCH',
    `/api/v1/flags/${FLAG}/environments/production`,
    {
      version: 0,
      enabled: true,
      targets: [{ variant: 'vip', values: ['vip-user-7781'] }],
      rules: [
        {
          clauses: [{ attribute: 'email', op: 'endsWith', values: ['@secret-corp.example'] }],
          serve: { variant: 'vip' },
        },
        { clauses: [{ op: 'inSegment', values: [SEGMENT] }], serve: { variant: 'vip' } },
      ],
      fallthrough: { variant: 'prod' },
    },
    200,
  );
  await expectStatus(
    t,
    'PATCH',
    `/api/v1/flags/${FLAG}/environments/staging`,
    { version: 0, enabled: true, fallthrough: { variant: 'stage' } },
    200,
  );
  const client = await expectStatus(
    t,
    'POST',
    '/api/v1/keys',
    { name: 'browser', kind: 'client', environment: 'production' },
    201,
  );
  const server = await expectStatus(
    t,
    'POST',
    '/api/v1/keys',
    { name: 'backend', kind: 'server', environment: 'production' },
    201,
  );
  return {
    clientKey: client.key,
    serverKey: server.key,
    clientKeyId: client.id,
    serverKeyId: server.id,
    salt: flag.salt,
    values: { key: FLAG, env: 'production', project: 'default', provider: 'openai', model: 'gpt-4o' },
  };
}

async function inject(t: TestApp, route: DocumentedRoute, url: string, headers: Record<string, string>) {
  return t.http.inject({
    method: route.method,
    url,
    headers: takesBody(route) ? { 'content-type': 'application/json', ...headers } : headers,
    ...(takesBody(route) ? { payload: '{}' } : {}),
  });
}

/** Reads a stream's first event (or nothing when it ends), then leaves the response to the caller. */
async function firstChunk(response: Response): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  return new TextDecoder().decode(value ?? new Uint8Array());
}

/** Resolves when the stream ends (the server closed it); rejects after `ms`. */
async function endOf(response: Response, ms: number): Promise<void> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const deadline = Date.now() + ms;
  for (;;) {
    const read = await Promise.race([
      reader.read(),
      new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()))),
    ]);
    if (read === 'late') throw new Error(`the stream was still open after ${ms} ms`);
    if (read.done) return;
  }
}

describe.each(DIALECTS)('keys and routes on %s', (dialect) => {
  let t: TestApp;
  let base: string;
  let s: Seeded;
  let routes: DocumentedRoute[];

  beforeAll(async () => {
    t = await startTestApp(dialect);
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    s = await seed(t);
    routes = await documentedRoutes(t);
    expect(routes.length).toBeGreaterThan(40);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('a client key gets 401 or 403 from every secured route but the client ones', async () => {
    const reached: string[] = [];
    for (const route of routes.filter((r) => r.secured && !isClientRoute(r))) {
      const response = await inject(t, route, urlOf(route, s.values), {
        authorization: `Bearer ${s.clientKey}`,
      });
      expect(
        [401, 403],
        `${routeName(route)}: ${response.statusCode} ${response.body.slice(0, 200)}`,
      ).toContain(response.statusCode);
      for (const secret of [...SECRETS, s.salt]) expect(response.body).not.toContain(secret);
      reached.push(routeName(route));
    }
    expect(reached).toEqual(
      expect.arrayContaining([
        'GET /api/v1/flags',
        'GET /api/v1/segments',
        'GET /api/v1/sdk/snapshot',
        'GET /api/v1/sdk/stream',
        'GET /api/v1/audit',
        'POST /api/v1/evaluate',
        'POST /api/v1/events',
      ]),
    );
  });

  it('the client routes answer a client key with values only: no rule, target, segment, salt or other environment', async () => {
    const auth = { authorization: `Bearer ${s.clientKey}`, 'content-type': 'application/json' };
    const contexts = [
      { targetingKey: 'anon-1' },
      { targetingKey: 'vip-user-7781' },
      { targetingKey: 'segment-member-42', email: 'x@secret-corp.example' },
    ];
    const answers: string[] = [];
    for (const context of contexts) {
      for (const url of [
        '/api/v1/client/evaluate',
        '/api/v1/client/evaluate?environment=staging',
        '/api/v1/client/evaluate?project=default&environment=staging',
        '/ofrep/v1/evaluate/flags',
        `/ofrep/v1/evaluate/flags/${FLAG}`,
      ]) {
        const response = await t.http.inject({ method: 'POST', url, headers: auth, payload: { context } });
        expect(response.statusCode, `${url}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
        answers.push(response.body);
        for (const secret of [...SECRETS.filter((x) => !JSON.stringify(context).includes(x)), s.salt]) {
          expect(response.body, `${url} for ${JSON.stringify(context)}`).not.toContain(secret);
        }
        expect(response.body).not.toContain('"rules"');
        expect(response.body).not.toContain('"targets"');
      }
    }
    // They do answer: the production value reaches the browser, and the staging one never does.
    expect(answers.some((a) => a.includes(PRODUCTION_VALUE))).toBe(true);
    expect(answers.join('\n')).not.toContain('staging-only-value');

    const stream = await fetch(`${base}/api/v1/client/stream`, {
      headers: { authorization: `Bearer ${s.clientKey}` },
    });
    expect(stream.status).toBe(200);
    const event = await firstChunk(stream);
    expect(event).toMatch(/^event: change/);
    for (const secret of [...SECRETS, s.salt, PRODUCTION_VALUE]) expect(event).not.toContain(secret);
    await stream.body?.cancel();
  });

  it('the routes open without a key (health, metrics, docs, the dashboard) leak no rule, target or segment', async () => {
    const documented = routes
      // The local admin key is offered to loopback connections by design (see local-admin-key-routes.ts),
      // and an injected request is one.
      .filter((r) => !r.secured && r.method === 'GET' && r.template !== '/api/v1/local-admin-key')
      .map((r) => urlOf(r, s.values));
    // Not in the API document: health, metrics, the document itself and the dashboard.
    for (const url of [...documented, '/healthz', '/metrics', '/docs/json', '/', '/flags']) {
      const response = await t.http.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${s.clientKey}` },
      });
      expect(response.statusCode, url).toBeLessThan(500);
      for (const secret of [...SECRETS, s.salt]) expect(response.body, url).not.toContain(secret);
      expect(response.body, url).not.toMatch(API_KEY_PATTERN);
    }
  });

  it('a server key gets 403 from every write route but event ingestion and the gateway', async () => {
    const before = await t.database.db
      .selectFrom('audit_log')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirst();
    const refused: string[] = [];
    for (const route of routes.filter((r) => r.secured && r.method !== 'GET')) {
      if (route.template === '/api/v1/events' || route.template.startsWith('/v1/')) continue;
      const response = await inject(t, route, urlOf(route, s.values), {
        authorization: `Bearer ${s.serverKey}`,
      });
      expect(response.statusCode, `${routeName(route)}: ${response.body.slice(0, 200)}`).toBe(403);
      refused.push(routeName(route));
    }
    expect(refused).toEqual(
      expect.arrayContaining([
        'POST /api/v1/flags',
        'PATCH /api/v1/flags/{key}/environments/{env}',
        'POST /api/v1/keys',
      ]),
    );
    const after = await t.database.db
      .selectFrom('audit_log')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirst();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });

  it('no route takes a key from a cookie or the query string', async () => {
    for (const route of routes.filter((r) => r.secured)) {
      const response = await inject(
        t,
        route,
        `${urlOf(route, s.values)}?key=${t.adminKey}&api_key=${t.adminKey}`,
        {
          cookie: `authorization=Bearer ${t.adminKey}; key=${t.adminKey}; sb_session=${t.adminKey}`,
        },
      );
      expect(response.statusCode, routeName(route)).toBe(401);
    }
  });

  it('audit entries cannot be changed through any route, nor by SQL', async () => {
    const rows = async () =>
      (await t.database.db.selectFrom('audit_log').selectAll().orderBy('id').execute()).map((r) =>
        JSON.stringify(r),
      );
    const before = await rows();
    expect(before.length).toBeGreaterThan(3);
    const id = String(JSON.parse(before[0] as string).id);
    // Every documented route, with the admin key and an empty body, naming an audit entry where a route takes an id.
    for (const route of routes.filter((r) => r.method !== 'GET')) {
      await inject(t, route, urlOf(route, { ...s.values, id, key: 'another-flag' }), {
        authorization: `Bearer ${t.adminKey}`,
      });
    }
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      for (const url of ['/api/v1/audit', `/api/v1/audit/${id}`]) {
        const response = await t.http.inject({
          method,
          url,
          headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
          payload: '{"action":"nothing happened"}',
        });
        expect(response.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
      }
    }
    // New entries may have been appended; the earlier ones are as they were.
    expect((await rows()).slice(0, before.length)).toEqual(before);
    await expect(
      sql`update audit_log set action = 'forged' where id = ${id}`.execute(t.database.db),
    ).rejects.toThrow(/append-only|audit/i);
    await expect(sql`delete from audit_log where id = ${id}`.execute(t.database.db)).rejects.toThrow(
      /append-only|audit/i,
    );
    expect((await rows()).slice(0, before.length)).toEqual(before);
  });

  it('a revoked key fails at once on every route it could use, and its open streams are closed', async () => {
    const client = await expectStatus(
      t,
      'POST',
      '/api/v1/keys',
      { name: 'tab', kind: 'client', environment: 'production' },
      201,
    );
    const server = await expectStatus(
      t,
      'POST',
      '/api/v1/keys',
      { name: 'worker', kind: 'server', environment: 'production' },
      201,
    );
    const uses: [string, string, string, unknown][] = [
      [client.key, 'POST', '/api/v1/client/evaluate', { context: { targetingKey: 'u' } }],
      [client.key, 'POST', '/ofrep/v1/evaluate/flags', { context: { targetingKey: 'u' } }],
      [client.key, 'POST', `/ofrep/v1/evaluate/flags/${FLAG}`, { context: { targetingKey: 'u' } }],
      [server.key, 'GET', '/api/v1/sdk/snapshot', undefined],
      [
        server.key,
        'POST',
        '/api/v1/events',
        { events: [{ kind: 'exposure', flag: FLAG, variant: 'prod', unit: 'u' }] },
      ],
    ];
    for (const [key, method, url, body] of uses) {
      const response = await t.request(method, url, body, {
        authorization: `Bearer ${key}`,
        'idempotency-key': `${url}-1`,
      });
      expect(response.status, `${method} ${url} before revoking`).toBeLessThan(300);
    }
    const clientStream = await fetch(`${base}/api/v1/client/stream`, {
      headers: { authorization: `Bearer ${client.key}` },
    });
    const serverStream = await fetch(`${base}/api/v1/sdk/stream`, {
      headers: { authorization: `Bearer ${server.key}` },
    });
    expect([clientStream.status, serverStream.status]).toEqual([200, 200]);
    await firstChunk(clientStream);
    await firstChunk(serverStream);

    await expectStatus(t, 'DELETE', `/api/v1/keys/${client.id}`, undefined, 200);
    await expectStatus(t, 'DELETE', `/api/v1/keys/${server.id}`, undefined, 200);
    await Promise.all([endOf(clientStream, 2_000), endOf(serverStream, 2_000)]);
    for (const [key, method, url, body] of uses) {
      const response = await t.request(method, url, body, {
        authorization: `Bearer ${key}`,
        'idempotency-key': `${url}-2`,
      });
      expect(response.status, `${method} ${url} after revoking`).toBe(401);
    }
    for (const [key, path] of [
      [client.key, '/api/v1/client/stream'],
      [server.key, '/api/v1/sdk/stream'],
    ] as const) {
      const again = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
      expect(again.status, path).toBe(401);
    }
    // The key that was not revoked still works.
    expect(
      (await t.request('GET', '/api/v1/sdk/snapshot', undefined, { authorization: `Bearer ${s.serverKey}` }))
        .status,
    ).toBe(200);
  });
});

describe('keys never reach the log', () => {
  const lines: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      'sqlite',
      { logLevel: 'trace' },
      { logStream: { write: (line) => void lines.push(line) } },
    );
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('not from headers, query strings, bodies or errors', async () => {
    const created = await t.request('POST', '/api/v1/keys', {
      name: 'backend',
      kind: 'server',
      environment: 'production',
    });
    const serverKey: string = created.body.key;
    expect(serverKey).toMatch(API_KEY_PATTERN);
    const keys = [t.adminKey, serverKey];
    for (const key of keys) {
      await t.http.inject({
        method: 'GET',
        url: '/api/v1/flags',
        headers: { authorization: `Bearer ${key}` },
      });
      await t.http.inject({ method: 'GET', url: '/api/v1/flags', headers: { 'x-api-key': key } });
      await t.http.inject({
        method: 'GET',
        url: `/api/v1/flags?key=${key}&token=${encodeURIComponent(key)}`,
      });
      await t.http.inject({
        method: 'GET',
        url: `/api/v1/flags/${key}`,
        headers: { authorization: `Bearer ${t.adminKey}` },
      });
      await t.http.inject({
        method: 'GET',
        url: '/api/v1/flags',
        headers: { authorization: `Basic ${key}`, cookie: `k=${key}` },
      });
      await t.http.inject({
        method: 'GET',
        url: '/api/v1/flags',
        headers: { authorization: `Bearer ${key}x` },
      });
      await t.http.inject({
        method: 'POST',
        url: '/api/v1/flags',
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ key, kind: 'boolean', description: key, variants: [] }),
      });
      await t.http.inject({
        method: 'POST',
        url: '/api/v1/flags',
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
        payload: `{"key":"${key}",`,
      });
      await t.http.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: {
          authorization: `Bearer ${serverKey}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        payload: JSON.stringify({ events: [{ kind: 'metric', name: key, value: 'x' }] }),
      });
    }
    const log = lines.join('');
    // The requests were logged (at trace level every request is), so the absence below means something.
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('/api/v1/flags');
    expect(log).toContain('sb_admin_[redacted]');
    for (const key of keys) expect(log).not.toContain(key);
    expect(log).not.toMatch(API_KEY_PATTERN);
  });
});

describe('webhook signatures', () => {
  const secret = 'whsec_test_secret';
  const body = JSON.stringify({ event: 'flag.updated', flag: FLAG });
  const sentAt = new Date('2026-06-01T12:00:00Z');

  it('verify a delivery as sent', () => {
    expect(
      verifyWebhookSignature(body, signatureHeader(body, secret, sentAt), secret, { now: sentAt }).ok,
    ).toBe(true);
  });

  it('refuse a tampered body, a wrong secret and an old timestamp', () => {
    const header = signatureHeader(body, secret, sentAt);
    expect(
      verifyWebhookSignature(body.replace('updated', 'deleted'), header, secret, { now: sentAt }),
    ).toMatchObject({
      ok: false,
      problem: 'signature-mismatch',
    });
    expect(verifyWebhookSignature(body, header, 'another-secret', { now: sentAt })).toMatchObject({
      ok: false,
    });
    const later = new Date(sentAt.getTime() + 10 * 60_000);
    expect(verifyWebhookSignature(body, header, secret, { now: later })).toMatchObject({
      ok: false,
      problem: 'timestamp-outside-tolerance',
    });
    // Re-signing the old body under a new timestamp needs the secret.
    const moved = header.replace(/t=\d+/, `t=${Math.floor(later.getTime() / 1000)}`);
    expect(verifyWebhookSignature(body, moved, secret, { now: later })).toMatchObject({
      problem: 'signature-mismatch',
    });
  });

  it('refuse a delivery replayed within the tolerance, given a replay guard', () => {
    const guard = new WebhookReplayGuard();
    const header = signatureHeader(body, secret, sentAt);
    const soon = new Date(sentAt.getTime() + 30_000);
    expect(verifyWebhookSignature(body, header, secret, { now: sentAt, replayGuard: guard }).ok).toBe(true);
    expect(verifyWebhookSignature(body, header, secret, { now: soon, replayGuard: guard })).toMatchObject({
      ok: false,
      problem: 'replayed',
    });
    const next = signatureHeader(body, secret, soon);
    expect(verifyWebhookSignature(body, next, secret, { now: soon, replayGuard: guard }).ok).toBe(true);
  });
});

describe('cross-site use of the API', () => {
  let t: TestApp;
  let restricted: TestApp;
  let base: string;
  let clientKey: string;
  const foreign = 'https://evil.example';
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    restricted = await startTestApp('sqlite', { corsOrigins: ['https://app.example.com'] });
    clientKey = (
      await t.request('POST', '/api/v1/keys', { name: 'web', kind: 'client', environment: 'production' })
    ).body.key;
  });
  afterAll(async () => {
    await t?.destroy();
    await restricted?.destroy();
  });

  const allowOrigin = (headers: Record<string, unknown>) => headers['access-control-allow-origin'];

  it('the admin API sends no CORS headers to other origins and refuses their preflights', async () => {
    for (const url of ['/api/v1/flags', '/api/v1/keys', '/api/v1/sdk/snapshot', '/api/v1/audit']) {
      const read = await t.request('GET', url, undefined, { origin: foreign });
      expect(allowOrigin(read.headers), url).toBeUndefined();
      const preflight = await t.http.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin: foreign,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(allowOrigin(preflight.headers), url).toBeUndefined();
      expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
    }
  });

  it('the client routes allow any origin by default, without credentials', async () => {
    for (const url of ['/api/v1/client/evaluate', '/ofrep/v1/evaluate/flags']) {
      const preflight = await t.http.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin: foreign,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(preflight.statusCode, url).toBe(204);
      expect(allowOrigin(preflight.headers)).toBe('*');
      expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/authorization/);
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
      const post = await t.request(
        'POST',
        url,
        { context: { targetingKey: 'u' } },
        { origin: foreign, authorization: `Bearer ${clientKey}` },
      );
      expect(post.status).toBe(200);
      expect(allowOrigin(post.headers)).toBe('*');
      // A refusal is readable too, so a browser can tell a bad key from a network failure.
      const refused = await t.request('POST', url, { context: {} }, { origin: foreign, authorization: '' });
      expect(refused.status).toBe(401);
      expect(allowOrigin(refused.headers)).toBe('*');
    }
    const stream = await fetch(`${base}/api/v1/client/stream`, {
      headers: { authorization: `Bearer ${clientKey}`, origin: foreign },
    });
    expect(stream.headers.get('access-control-allow-origin')).toBe('*');
    await stream.body?.cancel();
  });

  it('with SWITCHBOARD_CORS_ORIGINS set, the client routes allow only those origins', async () => {
    const ask = (origin: string) =>
      restricted.http.inject({
        method: 'OPTIONS',
        url: '/api/v1/client/evaluate',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect(allowOrigin((await ask('https://app.example.com')).headers)).toBe('https://app.example.com');
    expect(allowOrigin((await ask(foreign)).headers)).toBeUndefined();
  });

  it('a cross-site form post carries no key and is refused with 401 before its body is read', async () => {
    for (const [url, payload] of [
      ['/api/v1/flags', 'key=pwned&kind=boolean'],
      ['/api/v1/keys', 'name=pwned&kind=admin'],
      ['/api/v1/flags/any/environments/production/disable', ''],
    ] as const) {
      const response = await t.http.inject({
        method: 'POST',
        url,
        headers: {
          origin: foreign,
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `session=${t.adminKey}`,
        },
        payload,
      });
      expect(response.statusCode, url).toBe(401);
      expect(allowOrigin(response.headers)).toBeUndefined();
    }
    expect((await t.request('GET', '/api/v1/flags/pwned')).status).toBe(404);
  });
});
