import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_JSON_DEPTH } from '../src/http/storable.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';
import {
  badIfMatch,
  bodyValidator,
  CATEGORIES,
  type Category,
  describeRequest,
  isMalformed,
  type JsonSchema,
  type MalformedRequest,
  malformedRequests,
  singleCorruptions,
  type WriteRoute,
} from './malformed-requests.js';
import { dumpStore } from './store-dump.js';

/**
 * Random requests per write route, after the systematic ones on SQLite; PostgreSQL gets only random
 * ones, fewer (each costs a round trip per table for the dump). 76 routes make this the longest file of
 * `npm test`: CI runs 100 per route on SQLite; `SWITCHBOARD_FUZZ_RUNS` asks for more (the hostile-route
 * stress run of `npm run test:stress` covers headers and query strings at length).
 */
const SQLITE_RUNS = Number(process.env.SWITCHBOARD_FUZZ_RUNS ?? 100);
const RUNS_PER_ROUTE = { sqlite: SQLITE_RUNS, postgres: Math.max(20, Math.round(SQLITE_RUNS / 5)) } as const;
const IF_MATCH_RUNS_PER_ROUTE = {
  sqlite: Math.max(30, Math.round(SQLITE_RUNS / 3)),
  postgres: 15,
} as const;

const SEEDED_FLAG = 'checkout-v2';
const SEEDED_SEGMENT = 'beta-users';
/** A well-formed id that names no key: a DELETE that got through would find nothing to revoke. */
const ABSENT_ID = '00000000-0000-4000-8000-000000000000';
/** A fixed clock, so that the `last used` bookkeeping of the admin key writes the same value every time. */
const NOW = new Date('2026-06-01T00:00:00.000Z');
/** No resource here gets anywhere near this version. */
const STALE_VERSION = 999;

/**
 * Valid bodies of the routes we know, which the generators break; other routes get one built from
 * their schema. Their versions are stale, so that a body the generators failed to break changes nothing.
 */
const VALID_BODIES: Record<string, unknown> = {
  'POST /api/v1/flags': {
    key: 'new-flag',
    // JSON variants take any value, so corrupted values reach the service instead of the kind check.
    kind: 'json',
    name: 'New flag',
    description: 'A flag',
    variants: [
      { key: 'on', value: true, name: 'On' },
      { key: 'off', value: false },
    ],
    tags: ['llm'],
    changeType: 'prompt',
  },
  'PATCH /api/v1/flags/{key}': {
    name: 'Renamed',
    description: 'Edited',
    variants: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    tags: ['llm', 'chat'],
    changeType: 'other',
    version: STALE_VERSION,
  },
  'PATCH /api/v1/flags/{key}/environments/{env}': {
    enabled: true,
    offVariant: 'off',
    targets: [{ variant: 'on', values: ['staff-1'] }],
    rules: [
      {
        id: 'pro',
        clauses: [{ attribute: 'plan', op: 'in', values: ['pro', 'team'] }],
        serve: { split: [{ variant: 'on', weight: 100_000 }], bucketBy: 'orgId' },
      },
    ],
    fallthrough: { variant: 'off' },
    prerequisites: [],
    retryAfterSeconds: 60,
    version: STALE_VERSION,
  },
  'POST /api/v1/projects': { key: 'new-project', name: 'New project', environments: ['dev', 'prod'] },
  'POST /api/v1/projects/{project}/environments': { key: 'qa', name: 'QA' },
  'POST /api/v1/keys': { name: 'worker', kind: 'server', project: 'default', environment: 'production' },
  'POST /api/v1/segments': {
    key: 'new-segment',
    name: 'New segment',
    description: 'Some users',
    included: ['u1'],
    excluded: ['u2'],
    clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }],
  },
  'PATCH /api/v1/segments/{key}': { name: 'Renamed', included: [], clauses: [], version: STALE_VERSION },
  // Sent with the seeded server key (see headersFor): a batch the schema allows would be recorded.
  'POST /api/v1/events': {
    events: [
      { kind: 'exposure', flag: SEEDED_FLAG, variant: 'on', unit: 'u1' },
      { kind: 'metric', name: 'conversion', value: 1, flag: SEEDED_FLAG, variant: 'on', unit: 'u1' },
    ],
  },
  'PUT /api/v1/settings/prices/{provider}/{model}': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'PUT /api/v1/flags/{key}/environments/{env}/policy': {
    control: 'off',
    policy: { qualityDelta: 0.05, maxCostPerRequestUsd: null, sequential: true },
    version: STALE_VERSION,
  },
  'POST /api/v1/webhooks': {
    name: 'Ops channel',
    url: 'https://hooks.example.com/services/T000/B000',
    events: ['flag.*', 'alert.fired'],
    flag: SEEDED_FLAG,
    environment: 'production',
    format: 'slack',
    enabled: true,
  },
  'PATCH /api/v1/webhooks/{id}': {
    name: 'Renamed',
    url: 'https://hooks.example.com/other',
    events: ['*'],
    flag: null,
    environment: null,
    format: 'json',
    enabled: false,
    version: STALE_VERSION,
  },
  'POST /api/v1/flags/{key}/environments/{env}/alerts': {
    name: 'Errors',
    metric: 'error_rate',
    threshold: 0.05,
    windowMinutes: 60,
    forMinutes: 5,
    minSample: 100,
    variant: 'on',
    action: 'rollback',
    enabled: true,
  },
  'PATCH /api/v1/alerts/{id}': {
    name: 'Renamed',
    threshold: 0.1,
    variant: null,
    enabled: false,
    version: STALE_VERSION,
  },
  'POST /api/v1/flags/{key}/environments/{env}/schedules': {
    action: 'fallthrough',
    at: '2026-07-01T00:00:00Z',
    fallthrough: {
      split: [
        { variant: 'on', weight: 50_000 },
        { variant: 'off', weight: 50_000 },
      ],
      bucketBy: 'orgId',
    },
  },
  // Sent with the seeded server key (see headersFor); the flag is disabled, so nothing goes upstream.
  'POST /v1/chat/completions': {
    model: 'flag:llm-model',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
    ],
    user: 'u1',
    temperature: 0.5,
    max_tokens: 100,
    stream: false,
  },
  'POST /v1/messages': {
    model: 'flag:llm-model',
    max_tokens: 100,
    system: 'Be brief.',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    metadata: { user_id: 'u1' },
    stream: false,
  },
};

/** The write routes of the OpenAPI document, so that new ones are covered without editing this file. */
async function discoverWriteRoutes(): Promise<WriteRoute[]> {
  const t = await startTestApp('sqlite');
  try {
    const { body } = await t.request('GET', '/docs/json');
    type Content = { content?: Record<string, { schema?: JsonSchema }> };
    const paths = body.paths as Record<
      string,
      Record<string, { tags?: string[]; requestBody?: Content; responses?: Record<string, Content> }>
    >;
    const routes: WriteRoute[] = [];
    for (const [template, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const upper = method.toUpperCase();
        if (upper !== 'POST' && upper !== 'PUT' && upper !== 'PATCH' && upper !== 'DELETE') continue;
        const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
        const errorBodies = new Map<number, ValidateFunction>();
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          const schema = response.content?.['application/json']?.schema;
          if (/^4\d\d$/.test(status) && schema !== undefined)
            errorBodies.set(Number(status), bodyValidator(schema));
        }
        routes.push({
          method: upper,
          readOnly: (operation.tags ?? []).some((tag) => EVALUATION_TAGS.includes(tag)),
          template,
          bodySchema,
          validate: bodySchema === undefined ? undefined : bodyValidator(bodySchema),
          errorBodies,
        });
      }
    }
    return routes;
  } finally {
    await t.destroy();
  }
}

/** Tags of routes that take a body but only evaluate. */
const EVALUATION_TAGS = ['evaluation', 'ofrep', 'sdk'];

const WRITE_ROUTES = await discoverWriteRoutes();
const routeName = (route: WriteRoute) => `${route.method} ${route.template}`;

/** A valid-looking body built from a schema, for routes without one in {@link VALID_BODIES}. */
function sampleOf(schema: JsonSchema | undefined): unknown {
  if (schema === undefined) return {};
  const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (variant !== undefined) return sampleOf(variant);
  if (schema.enum !== undefined) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, sampleOf(s)]));
    case 'array':
      return (schema.minItems ?? 0) > 0 ? [sampleOf(schema.items)] : [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    default:
      return 'x';
  }
}

function urlOf(route: WriteRoute): string {
  return route.template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'key') return route.template.startsWith('/api/v1/segments') ? SEEDED_SEGMENT : SEEDED_FLAG;
    if (name === 'env') return 'production';
    if (name === 'project') return 'default';
    if (name === 'id') return ABSENT_ID;
    return 'x';
  });
}

/** A few flags, a configuration, a segment, keys and a project, created through the API; the server key. */
async function seed(t: TestApp): Promise<string> {
  const expectStatus = async (method: string, url: string, body: unknown, status: number) => {
    const response = await t.request(method, url, body);
    expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBe(status);
    return response.body;
  };
  await expectStatus(
    'POST',
    '/api/v1/flags',
    {
      key: SEEDED_FLAG,
      kind: 'json',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    },
    201,
  );
  await expectStatus(
    'POST',
    '/api/v1/flags',
    {
      key: 'llm-model',
      kind: 'ai-config',
      variants: [{ key: 'control', value: { provider: 'openai', model: 'gpt-4o' } }],
    },
    201,
  );
  await expectStatus(
    'PATCH',
    `/api/v1/flags/${SEEDED_FLAG}/environments/production`,
    { version: 0, enabled: true, targets: [{ variant: 'on', values: ['staff-1'] }] },
    200,
  );
  if (WRITE_ROUTES.some((r) => r.method === 'POST' && r.template === '/api/v1/segments')) {
    await expectStatus(
      'POST',
      '/api/v1/segments',
      { key: SEEDED_SEGMENT, name: 'Beta users', included: ['u1'] },
      201,
    );
  }
  const { key: serverKey } = await expectStatus(
    'POST',
    '/api/v1/keys',
    { name: 'backend', kind: 'server', environment: 'production' },
    201,
  );
  await expectStatus('POST', '/api/v1/projects', { key: 'shop', environments: ['dev', 'prod'] }, 201);
  return serverKey;
}

let idempotencyKeys = 0;

/**
 * Who sends: the admin key, except to event ingestion, which is sent as an SDK would, with the server
 * key and a fresh idempotency key, and to the gateway, which takes server keys, so that only the body
 * decides whether it is refused.
 */
function headersFor(route: WriteRoute, adminKey: string, serverKey: string): Record<string, string> {
  if (route.template.startsWith('/v1/')) return { authorization: `Bearer ${serverKey}` };
  if (routeName(route) !== 'POST /api/v1/events') return { authorization: `Bearer ${adminKey}` };
  idempotencyKeys += 1;
  return { authorization: `Bearer ${serverKey}`, 'idempotency-key': `malformed-${idempotencyKeys}` };
}

/**
 * Sends the request; fails unless the answer is a 4xx with a JSON error body: the one the route
 * documents for that status (OFREP has its own), else `{ error, message }` with text in both.
 */
async function sendAndExpectRefusal(
  t: TestApp,
  route: WriteRoute,
  request: MalformedRequest,
  serverKey: string,
): Promise<void> {
  const headers = headersFor(route, t.adminKey, serverKey);
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  if (request.ifMatch !== undefined) headers['if-match'] = request.ifMatch;
  const response = await t.http.inject({
    method: route.method,
    url: urlOf(route),
    headers,
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
  const context = `${routeName(route)} answered ${response.statusCode} ${response.body.slice(0, 300)}`;
  expect(response.statusCode, context).toBeLessThan(500);
  if (route.readOnly && response.statusCode < 400) return;
  expect(response.statusCode, context).toBeGreaterThanOrEqual(400);
  expect(String(response.headers['content-type']), context).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { error?: unknown; message?: unknown };
  const documented = route.errorBodies.get(response.statusCode);
  if (documented !== undefined) {
    expect(documented(body), `${context}: ${JSON.stringify(documented.errors)}`).toBe(true);
  } else {
    expect(typeof body.message, context).toBe('string');
    expect(typeof body.error, context).toBe('string');
  }
}

describe('the write routes found in the OpenAPI document', () => {
  it('include every write route of flags, projects, environments and keys', () => {
    expect(WRITE_ROUTES.map(routeName)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/flags',
        'PATCH /api/v1/flags/{key}',
        'POST /api/v1/flags/{key}/archive',
        'POST /api/v1/flags/{key}/restore',
        'PATCH /api/v1/flags/{key}/environments/{env}',
        'POST /api/v1/flags/{key}/environments/{env}/enable',
        'POST /api/v1/flags/{key}/environments/{env}/disable',
        'POST /api/v1/projects',
        'POST /api/v1/projects/{project}/environments',
        'POST /api/v1/keys',
        'DELETE /api/v1/keys/{id}',
        'POST /api/v1/events',
        'PUT /api/v1/settings/prices/{provider}/{model}',
        'DELETE /api/v1/settings/prices/{provider}/{model}',
        'PUT /api/v1/flags/{key}/environments/{env}/policy',
        'POST /v1/chat/completions',
        'POST /v1/messages',
      ]),
    );
  });
});

describe.each(DIALECTS)('malformed requests to every write route on %s', (dialect) => {
  let t: TestApp;
  let serverKey = '';
  let baseline: Record<string, string[]>;
  const sent = new Map<string, Map<Category, number>>();

  beforeAll(async () => {
    t = await startTestApp(dialect, {}, { clock: () => NOW });
    serverKey = await seed(t);
    // The first authenticated request records when the admin key was last used, off the request path;
    // so does the server key's (event ingestion is sent with it).
    const snapshot = await t.request('GET', '/api/v1/sdk/snapshot', undefined, {
      authorization: `Bearer ${serverKey}`,
    });
    expect(snapshot.status).toBe(200);
    await vi.waitFor(async () => {
      const keys = await t.database.db
        .selectFrom('api_keys')
        .select(['name', 'last_used_at'])
        .where('name', 'in', ['local admin', 'backend'])
        .execute();
      expect(keys.map((k) => k.last_used_at)).toEqual([NOW.toISOString(), NOW.toISOString()]);
    });
    baseline = await dumpStore(t.database);
    expect(Object.keys(baseline)).toEqual(
      expect.arrayContaining([
        'projects',
        'environments',
        'flags',
        'flag_environments',
        'segments',
        'api_keys',
        'audit_log',
      ]),
    );
    expect(baseline.flags).toHaveLength(2);
  });

  afterAll(async () => {
    await t?.destroy();
  });

  for (const route of WRITE_ROUTES) {
    const title = route.readOnly
      ? 'answers every malformed body without a 5xx and changes nothing'
      : 'refuses every malformed body with a 4xx and changes nothing';
    it(`${routeName(route)}: ${title}`, async () => {
      const counts = new Map(CATEGORIES.map((c) => [c, 0]));
      sent.set(routeName(route), counts);
      const known = VALID_BODIES[routeName(route)];
      if (known !== undefined && route.validate !== undefined) {
        // Otherwise the generators would break something already broken.
        expect(route.validate(known), JSON.stringify(route.validate.errors)).toBe(true);
      }
      const validBody = known ?? sampleOf(route.bodySchema);
      // Run first, as examples; those the schema would accept are skipped like any other.
      const systematic =
        dialect === 'sqlite' && route.bodySchema !== undefined ? singleCorruptions(validBody) : [];
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(malformedRequests(route, validBody, t.config.bodyLimitBytes), async (request) => {
          fc.pre(isMalformed(route, request));
          counts.set(request.category, (counts.get(request.category) ?? 0) + 1);
          accepted += 1;
          await sendAndExpectRefusal(t, route, request, serverKey);
          expect(await dumpStore(t.database), `the store changed after ${describeRequest(request)}`).toEqual(
            baseline,
          );
        }),
        {
          numRuns: systematic.length + RUNS_PER_ROUTE[dialect],
          examples: systematic.map((request) => [request]),
          endOnFailure: true,
        },
      );
      expect(accepted).toBeGreaterThanOrEqual(RUNS_PER_ROUTE[dialect]);
    });
  }

  const versioned = WRITE_ROUTES.filter((route) => {
    const schema = route.bodySchema;
    return schema?.properties?.version !== undefined || schema?.anyOf?.some((s) => s.properties?.version);
  });
  for (const route of versioned) {
    it(`${routeName(route)}: refuses a change without a valid version, whatever the If-Match header says`, async () => {
      await fc.assert(
        fc.asyncProperty(badIfMatch, fc.constantFrom(undefined, 'null', '{}'), async (ifMatch, payload) => {
          const request: MalformedRequest = {
            category: 'empty-body',
            payload,
            contentType: payload === undefined ? undefined : 'application/json',
            ifMatch,
          };
          await sendAndExpectRefusal(t, route, request, serverKey);
          expect(await dumpStore(t.database), `the store changed after ${describeRequest(request)}`).toEqual(
            baseline,
          );
        }),
        { numRuns: IF_MATCH_RUNS_PER_ROUTE[dialect], endOnFailure: true },
      );
    });
  }

  it('sent requests of every category to every route', () => {
    expect([...sent.keys()]).toEqual(WRITE_ROUTES.map(routeName));
    const byCategory = new Map(CATEGORIES.map((c) => [c, 0]));
    for (const counts of sent.values())
      for (const [c, n] of counts) byCategory.set(c, (byCategory.get(c) ?? 0) + n);
    for (const [category, n] of byCategory) expect(n, category).toBeGreaterThan(0);
  });
});

describe.each(DIALECTS)('well-formed JSON that the stores cannot hold, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
    await seed(t);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const flag = (overrides: Record<string, unknown>) => ({
    key: 'another-flag',
    kind: 'json',
    variants: [{ key: 'a', value: 1 }],
    ...overrides,
  });
  /** JSON arrays nested `depth` levels deep, as text (JSON.stringify could not write 10,000 levels). */
  const nestedText = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const nestedArrays = (depth: number): unknown => JSON.parse(nestedText(depth));

  it.each([
    ['POST', '/api/v1/flags', flag({ name: 'a\u0000b' }), 'body.name'],
    ['POST', '/api/v1/flags', flag({ description: 'lone \ud800 surrogate' }), 'body.description'],
    ['PATCH', `/api/v1/flags/${SEEDED_FLAG}`, { name: 'nul\u0000', version: 1 }, 'body.name'],
    ['PATCH', `/api/v1/flags/${SEEDED_FLAG}`, { description: 'x\udc00y', version: 1 }, 'body.description'],
    ['POST', '/api/v1/projects', { key: 'another-project', name: '\u0000' }, 'body.name'],
    ['POST', '/api/v1/projects/default/environments', { key: 'qa', name: 'q\ud800' }, 'body.name'],
    ['POST', '/api/v1/keys', { name: 'ci\u0000', kind: 'admin' }, 'body.name'],
    [
      'POST',
      '/api/v1/flags',
      `{"key":"another-flag","kind":"json","variants":[{"key":"a","value":${nestedText(10_000)}}]}`,
      'body.variants.0.value',
    ],
    [
      'PATCH',
      `/api/v1/flags/${SEEDED_FLAG}`,
      { variants: [{ key: 'on', value: nestedArrays(MAX_JSON_DEPTH + 1) }], version: 1 },
      'body.variants.0.value',
    ],
    [
      'POST',
      '/api/v1/flags',
      flag({
        kind: 'ai-config',
        variants: [
          {
            key: 'a',
            value: {
              provider: 'openai',
              model: 'm',
              tools: [{ name: 't', mode: 'off', parameters: { deep: nestedArrays(100) } }],
            },
          },
        ],
      }),
      'body.variants.0.value',
    ],
    ['PATCH', `/api/v1/flags/${SEEDED_FLAG}`, { description: 'x', version: 2 ** 31 }, 'body.version'],
  ])('refuses %s %s with 400 naming the field (%#) and changes nothing', async (method, url, body, field) => {
    const before = await dumpStore(t.database);
    const response = await t.request(method, url, body, { 'content-type': 'application/json' });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body).toMatchObject({ error: 'VALIDATION_FAILED', field });
    expect(response.body.message).toContain(field);
    expect(await dumpStore(t.database)).toEqual(before);
  });

  it('refuses an If-Match beyond any version a store can hold with 400, not a database error', async () => {
    const before = await dumpStore(t.database);
    for (const ifMatch of ['"2147483648"', '9007199254740993', '99999999999999999999999']) {
      const response = await t.request('POST', `/api/v1/flags/${SEEDED_FLAG}/archive`, undefined, {
        'if-match': ifMatch,
      });
      expect(response.status, ifMatch).toBe(400);
      expect(response.body.field).toBe('headers.if-match');
    }
    expect(await dumpStore(t.database)).toEqual(before);
  });

  it('keeps text that is Unicode, however unusual, exactly as sent', async () => {
    const name = 'ci 💥 \ufffd \u202e ü\u0301 \t tab';
    const created = await t.request('POST', '/api/v1/keys', { name, kind: 'admin' });
    expect(created.status).toBe(201);
    const listed = await t.request('GET', '/api/v1/keys');
    expect(listed.body.items.find((k: { id: string }) => k.id === created.body.id)?.name).toBe(name);
  });

  it(`accepts a variant value nested ${MAX_JSON_DEPTH} levels deep and serves it back`, async () => {
    const value = nestedArrays(MAX_JSON_DEPTH);
    const created = await t.request(
      'POST',
      '/api/v1/flags',
      flag({ key: 'deep-flag', variants: [{ key: 'a', value }] }),
    );
    expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(201);
    expect((await t.request('GET', '/api/v1/flags/deep-flag')).body.variants[0].value).toEqual(value);
  });

  it('edits the variants of a flag (on SQLite this used to wait forever for its own transaction)', async () => {
    const edited = await Promise.race([
      t.request('PATCH', '/api/v1/flags/llm-model', {
        variants: [
          { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
          { key: 'candidate', value: { provider: 'anthropic', model: 'claude-sonnet' } },
        ],
        version: 1,
      }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000)),
    ]);
    expect(edited.status, JSON.stringify(edited.body).slice(0, 300)).toBe(200);
    expect(edited.body.variants.map((v: { key: string }) => v.key)).toEqual(['control', 'candidate']);
  });
});
