import { bucketOf } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientEvaluateResponse,
  MAX_CONTEXT_DEPTH,
  ofrepBulkSuccess,
  ofrepSuccess,
  snapshotSchema,
} from '../src/features/evaluation/evaluation-schemas.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
/** `[[[...]]]`, `depth` arrays deep. */
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
/** Stands for JSON nested too deep to stringify: {@link rawPost} writes it out. */
const DEEP = '<deep>';
const onOff = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

/** Strings that describe targeting: none of them may reach a client. */
const SECRETS = [
  'rule-enterprise-secret',
  'rule-beta-secret',
  'vip-user-7',
  'tester-1',
  'beta-testers',
  'orgId',
];

/**
 * The flags of these tests, in production: a target, two rules (one on a segment) and a 50/50 split;
 * a plain boolean; a disabled one; one whose prerequisite fails; one disabled without an off variant
 * (the caller's default applies); one splitting by an attribute the contexts lack.
 */
async function seed(t: TestApp): Promise<void> {
  const ok = async (method: string, url: string, body: unknown) => {
    const response = await t.request(method, url, body);
    if (response.status >= 300) throw new Error(`${method} ${url}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  await ok('POST', '/api/v1/segments', { key: 'beta-testers', included: ['tester-1'] });
  await ok('POST', '/api/v1/flags', {
    key: 'checkout',
    kind: 'string',
    variants: [
      { key: 'control', value: 'classic' },
      { key: 'treatment', value: 'one-page' },
    ],
  });
  await ok('PATCH', '/api/v1/flags/checkout/environments/production', {
    version: 0,
    enabled: true,
    targets: [{ variant: 'treatment', values: ['vip-user-7'] }],
    rules: [
      {
        id: 'rule-enterprise-secret',
        clauses: [{ attribute: 'tier', op: 'equals', values: ['enterprise'] }],
        serve: { variant: 'treatment' },
      },
      {
        id: 'rule-beta-secret',
        clauses: [{ op: 'inSegment', values: ['beta-testers'] }],
        serve: { variant: 'treatment' },
      },
    ],
    fallthrough: {
      split: [
        { variant: 'treatment', weight: 50_000 },
        { variant: 'control', weight: 50_000 },
      ],
    },
  });
  for (const key of ['dark-mode', 'beta-banner', 'new-nav']) {
    await ok('POST', '/api/v1/flags', { key, kind: 'boolean', variants: onOff });
  }
  await ok('POST', '/api/v1/flags/dark-mode/environments/production/enable', { version: 0 });
  await ok('PATCH', '/api/v1/flags/new-nav/environments/production', {
    version: 0,
    enabled: true,
    prerequisites: [{ flag: 'beta-banner', variant: 'on' }],
  });
  await ok('POST', '/api/v1/flags', {
    key: 'code-default',
    kind: 'string',
    variants: [{ key: 'a', value: 'A' }],
  });
  await ok('PATCH', '/api/v1/flags/code-default/environments/production', { version: 0, offVariant: null });
  await ok('POST', '/api/v1/flags', {
    key: 'by-org',
    kind: 'string',
    variants: [
      { key: 'x', value: 'X' },
      { key: 'y', value: 'Y' },
    ],
  });
  await ok('PATCH', '/api/v1/flags/by-org/environments/production', {
    version: 0,
    enabled: true,
    fallthrough: {
      split: [
        { variant: 'x', weight: 50_000 },
        { variant: 'y', weight: 50_000 },
      ],
      bucketBy: 'orgId',
    },
  });
}

async function createKey(t: TestApp, kind: string, environment?: string): Promise<string> {
  const { status, body } = await t.request('POST', '/api/v1/keys', {
    name: `${kind} ${environment ?? ''}`,
    kind,
    ...(environment === undefined ? {} : { environment }),
  });
  if (status !== 201) throw new Error(JSON.stringify(body));
  return body.key;
}

describe.each(DIALECTS)('evaluation over HTTP on %s', (dialect) => {
  let t: TestApp;
  const keys: Record<'server' | 'serverStaging' | 'client' | 'clientStaging', string> = {
    server: '',
    serverStaging: '',
    client: '',
    clientStaging: '',
  };
  beforeAll(async () => {
    t = await startTestApp(dialect);
    await seed(t);
    keys.server = await createKey(t, 'server', 'production');
    keys.serverStaging = await createKey(t, 'server', 'staging');
    keys.client = await createKey(t, 'client', 'production');
    keys.clientStaging = await createKey(t, 'client', 'staging');
  });
  afterAll(async () => {
    await t.destroy();
  });

  const snapshotAs = (key: string, headers: Record<string, string> = {}, query = '') =>
    t.request('GET', `/api/v1/sdk/snapshot${query}`, undefined, { ...bearer(key), ...headers });
  const clientEvaluate = (key: string, context: unknown, query = '') =>
    t.request('POST', `/api/v1/client/evaluate${query}`, { context }, bearer(key));
  const ofrep = (key: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    t.request('POST', `/ofrep/v1/evaluate/flags${path}`, body, {
      authorization: '',
      'x-api-key': key,
      ...headers,
    });

  /** Posts JSON written by hand, with {@link DEEP} as 10,000 nested arrays (beyond JSON.stringify). */
  const rawPost = (key: string, url: string, body: unknown) =>
    t.http.inject({
      method: 'POST',
      url,
      headers: { ...bearer(key), 'content-type': 'application/json' },
      payload: JSON.stringify(body).replace(`"${DEEP}"`, `${'['.repeat(10_000)}${']'.repeat(10_000)}`),
    });

  describe('GET /api/v1/sdk/snapshot', () => {
    it("serves a server key its own environment's snapshot, with an ETag, and 304 while it is current", async () => {
      const { status, body, headers } = await snapshotAs(keys.server);
      expect(status).toBe(200);
      expect(headers['content-type']).toMatch(/^application\/json/);
      expect(headers['cache-control']).toBe('no-cache');
      expect(headers.etag).toBe(`"${body.version}"`);
      expect(snapshotSchema.parse(body)).toEqual(body);
      expect(body.environment).toBe('production');
      expect(body.flags.map((f: { key: string }) => f.key)).toEqual([
        'beta-banner',
        'by-org',
        'checkout',
        'code-default',
        'dark-mode',
        'new-nav',
      ]);
      const checkout = body.flags.find((f: { key: string }) => f.key === 'checkout');
      expect(checkout).toMatchObject({
        enabled: true,
        targets: [{ variant: 'treatment', values: ['vip-user-7'] }],
      });
      expect(checkout.rules.map((r: { id: string }) => r.id)).toEqual([
        'rule-enterprise-secret',
        'rule-beta-secret',
      ]);
      expect(checkout.salt).toMatch(/^[a-z0-9]{15}$/);
      expect(body.segments).toEqual([
        expect.objectContaining({ key: 'beta-testers', included: ['tester-1'], excluded: [], clauses: [] }),
      ]);

      const same = await snapshotAs(keys.server, { 'if-none-match': headers.etag as string });
      expect(same.status).toBe(304);
      expect(same.body).toBe('');
      // A 304 announcing a body it does not send leaves HTTP clients waiting for it.
      expect(same.headers['content-length'] ?? '0').toBe('0');
      expect(same.headers.etag).toBe(headers.etag);
      expect((await snapshotAs(keys.server, { 'if-none-match': `"0", W/${headers.etag}` })).status).toBe(304);
      expect((await snapshotAs(keys.server, { 'if-none-match': '"0"' })).status).toBe(200);
    });

    it('gives each server key its own environment, and refuses to name another', async () => {
      const staging = await snapshotAs(keys.serverStaging);
      expect(staging.body.environment).toBe('staging');
      expect(staging.body.flags.find((f: { key: string }) => f.key === 'checkout')).toMatchObject({
        enabled: false,
        rules: [],
      });
      expect((await snapshotAs(keys.server, {}, '?environment=production')).status).toBe(200);
      const other = await snapshotAs(keys.server, {}, '?environment=staging');
      expect(other.status).toBe(403);
      expect(other.body.error).toBe('FORBIDDEN');
      expect((await snapshotAs(keys.server, {}, '?project=elsewhere')).status).toBe(403);
    });

    it('refuses client keys (403) and missing keys (401); an admin key names the environment', async () => {
      expect((await snapshotAs(keys.client)).status).toBe(403);
      expect((await t.request('GET', '/api/v1/sdk/snapshot', undefined, { authorization: '' })).status).toBe(
        401,
      );
      const unnamed = await t.request('GET', '/api/v1/sdk/snapshot');
      expect(unnamed.status).toBe(400);
      expect(unnamed.body.field).toBe('querystring.environment');
      const admin = await t.request('GET', '/api/v1/sdk/snapshot?project=default&environment=staging');
      expect(admin.status).toBe(200);
      expect(admin.body.environment).toBe('staging');
      expect((await t.request('GET', '/api/v1/sdk/snapshot?environment=nowhere')).status).toBe(404);
    });

    it('reflects a change on the very next request, with a higher version, in that environment only', async () => {
      const before = await snapshotAs(keys.server);
      const stagingBefore = await snapshotAs(keys.serverStaging);
      const { version } = (await t.request('GET', '/api/v1/flags/dark-mode/environments/production')).body;
      expect(
        (await t.request('POST', '/api/v1/flags/dark-mode/environments/production/disable', { version }))
          .status,
      ).toBe(200);

      const after = await snapshotAs(keys.server, { 'if-none-match': before.headers.etag as string });
      expect(after.status).toBe(200);
      expect(after.body.version).toBeGreaterThan(before.body.version);
      expect(after.body.flags.find((f: { key: string }) => f.key === 'dark-mode').enabled).toBe(false);
      expect(
        (await snapshotAs(keys.serverStaging, { 'if-none-match': stagingBefore.headers.etag as string }))
          .status,
      ).toBe(304);

      // A segment change moves every environment of the project.
      const segment = (await t.request('GET', '/api/v1/segments/beta-testers')).body;
      await t.request('PATCH', '/api/v1/segments/beta-testers', {
        version: segment.version,
        included: ['tester-1', 'tester-2'],
      });
      const stagingAfter = await snapshotAs(keys.serverStaging);
      expect(stagingAfter.body.version).toBeGreaterThan(stagingBefore.body.version);
      expect(stagingAfter.body.segments[0].included).toEqual(['tester-1', 'tester-2']);

      await t.request('POST', '/api/v1/flags/dark-mode/environments/production/enable', {
        version: version + 1,
      });
      expect(
        (await snapshotAs(keys.server)).body.flags.find((f: { key: string }) => f.key === 'dark-mode')
          .enabled,
      ).toBe(true);
    });

    it('drops archived flags from the snapshot', async () => {
      await t.request('POST', '/api/v1/flags', { key: 'old-flag', kind: 'boolean', variants: onOff });
      expect((await snapshotAs(keys.server)).body.flags.map((f: { key: string }) => f.key)).toContain(
        'old-flag',
      );
      await t.request('POST', '/api/v1/flags/old-flag/archive', { version: 1 });
      expect((await snapshotAs(keys.server)).body.flags.map((f: { key: string }) => f.key)).not.toContain(
        'old-flag',
      );
    });
  });

  describe('POST /api/v1/evaluate', () => {
    it('explains one stored flag: the result, the rule that decided, and each clause', async () => {
      const { status, body } = await t.request('POST', '/api/v1/evaluate', {
        environment: 'production',
        flag: 'checkout',
        context: { targetingKey: 'u-1', tier: 'enterprise' },
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        flag: 'checkout',
        result: {
          value: 'one-page',
          variant: 'treatment',
          reason: 'TARGETING_MATCH',
          ruleId: 'rule-enterprise-secret',
        },
        decidedBy: 'rule',
        prerequisites: [],
        rules: [
          {
            ruleId: 'rule-enterprise-secret',
            matched: true,
            clauses: [
              { attribute: 'tier', op: 'equals', actual: 'enterprise', comparison: 'holds', matched: true },
            ],
          },
        ],
      });
    });

    it('explains a split with its bucket, which is the bucket of DESIGN.md §3', async () => {
      const { body } = await t.request('POST', '/api/v1/evaluate', {
        environment: 'production',
        flag: 'checkout',
        context: { targetingKey: 'u-1' },
      });
      const { salt } = (await t.request('GET', '/api/v1/flags/checkout')).body;
      const bucket = bucketOf(salt, 'u-1');
      expect(body).toMatchObject({
        decidedBy: 'fallthrough',
        unitId: 'u-1',
        bucketBy: 'targetingKey',
        bucket,
      });
      expect(body.result).toEqual({
        value: bucket < 50_000 ? 'one-page' : 'classic',
        variant: bucket < 50_000 ? 'treatment' : 'control',
        reason: 'SPLIT',
      });
      expect(body.rules.map((r: { matched: boolean }) => r.matched)).toEqual([false, false]);
    });

    it('explains every flag when no flag is named, with the version evaluated', async () => {
      const { body } = await t.request('POST', '/api/v1/evaluate', {
        environment: 'production',
        context: { targetingKey: 'tester-1' },
      });
      const byKey = Object.fromEntries(body.flags.map((e: { flag: string }) => [e.flag, e]));
      expect(body.version).toBe((await snapshotAs(keys.server)).body.version);
      expect(byKey.checkout).toMatchObject({ decidedBy: 'rule', result: { ruleId: 'rule-beta-secret' } });
      expect(byKey['new-nav']).toMatchObject({
        decidedBy: 'prerequisite',
        result: { reason: 'PREREQUISITE_FAILED', variant: 'off' },
        prerequisites: [
          {
            flag: 'beta-banner',
            requiredVariant: 'on',
            servedVariant: 'off',
            reason: 'DISABLED',
            met: false,
          },
        ],
      });
      expect(byKey['dark-mode'].result).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
    });

    it("passes the caller's default through, as core serves it", async () => {
      const { body } = await t.request('POST', '/api/v1/evaluate', {
        environment: 'production',
        flag: 'dark-mode',
        default: 'yes',
      });
      expect(body).toMatchObject({
        decidedBy: 'type-mismatch',
        result: {
          value: 'yes',
          reason: 'ERROR',
          errorCode: 'TYPE_MISMATCH',
          errorMessage: expect.any(String),
        },
      });
    });

    it('evaluates an inline snapshot (a draft) without changing what is stored', async () => {
      const stored = (await snapshotAs(keys.server)).body;
      const draft = {
        ...stored,
        flags: stored.flags.map((f: { key: string }) =>
          f.key === 'dark-mode' ? { ...f, enabled: false } : f,
        ),
      };
      const whatIf = await t.request('POST', '/api/v1/evaluate', {
        snapshot: draft,
        flag: 'dark-mode',
        context: {},
      });
      expect(whatIf.body.result).toEqual({ value: false, variant: 'off', reason: 'DISABLED' });
      const real = await t.request('POST', '/api/v1/evaluate', {
        environment: 'production',
        flag: 'dark-mode',
      });
      expect(real.body.result).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
    });

    it('takes exactly one of environment and snapshot, from admin keys only', async () => {
      const neither = await t.request('POST', '/api/v1/evaluate', { context: {} });
      expect(neither.status).toBe(400);
      expect(neither.body.message).toContain('exactly one of environment or snapshot');
      const both = await t.request('POST', '/api/v1/evaluate', {
        environment: 'production',
        snapshot: { flags: [], segments: [] },
      });
      expect(both.status).toBe(400);
      const notASnapshot = await t.request('POST', '/api/v1/evaluate', { snapshot: { flags: 'x' } });
      expect(notASnapshot.body.field).toBe('body.snapshot.flags');
      expect(
        (await t.request('POST', '/api/v1/evaluate', { environment: 'production', typo: 1 })).status,
      ).toBe(400);
      expect((await t.request('POST', '/api/v1/evaluate', { environment: 'nowhere' })).status).toBe(404);
      const deep = await rawPost(t.adminKey, '/api/v1/evaluate', {
        environment: 'production',
        context: DEEP,
      });
      expect(JSON.parse(deep.body).field).toBe('body.context');
      const asClient = await t.request(
        'POST',
        '/api/v1/evaluate',
        { environment: 'production' },
        bearer(keys.client),
      );
      expect(asClient.status).toBe(403);
    });
  });

  describe('POST /api/v1/client/evaluate', () => {
    it('returns values only: no rule ids, clauses, targeted ids, salts or evaluator messages', async () => {
      const salts = (await snapshotAs(keys.server)).body.flags.map((f: { salt: string }) => f.salt);
      for (const context of [
        { targetingKey: 'vip-user-7' },
        { targetingKey: 'u-2', tier: 'enterprise' },
        { targetingKey: 'tester-1' },
      ]) {
        const response = await t.http.inject({
          method: 'POST',
          url: '/api/v1/client/evaluate',
          headers: bearer(keys.client),
          payload: { context },
        });
        expect(response.statusCode).toBe(200);
        const text = response.body;
        for (const secret of [...SECRETS, ...salts, 'ruleId', 'errorMessage', 'clauses', 'tier']) {
          expect(text).not.toContain(secret);
        }
        const body = JSON.parse(text);
        expect(clientEvaluateResponse.parse(body)).toEqual(body);
        expect(body.flags.checkout).toEqual({
          value: 'one-page',
          variant: 'treatment',
          reason: 'TARGETING_MATCH',
        });
      }
    });

    it('serves every flag with its reason, and leaves the value out where the caller default applies', async () => {
      const { status, body, headers } = await clientEvaluate(keys.client, { targetingKey: 'u-3' });
      expect(status).toBe(200);
      expect(headers['cache-control']).toBe('private, no-store');
      expect(body.flags['dark-mode']).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
      expect(body.flags['beta-banner']).toEqual({ value: false, variant: 'off', reason: 'DISABLED' });
      expect(body.flags['new-nav']).toEqual({ value: false, variant: 'off', reason: 'PREREQUISITE_FAILED' });
      expect(body.flags['code-default']).toEqual({ reason: 'DISABLED' });
      expect(body.flags['by-org']).toEqual({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
      expect(body.flags.checkout.reason).toBe('SPLIT');
      expect(Object.keys(body.flags)).toEqual([
        'beta-banner',
        'by-org',
        'checkout',
        'code-default',
        'dark-mode',
        'new-nav',
      ]);
    });

    it('restricts to ?flags=, reporting unknown keys as FLAG_NOT_FOUND', async () => {
      const { body } = await clientEvaluate(
        keys.client,
        { targetingKey: 'u-3' },
        '?flags=dark-mode,%20nope,dark-mode',
      );
      expect(body.flags).toEqual({
        'dark-mode': { value: true, variant: 'on', reason: 'DEFAULT' },
        nope: { reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
      });
    });

    it("evaluates in the key's own environment; server keys and other environments are refused", async () => {
      const staging = await clientEvaluate(keys.clientStaging, { targetingKey: 'vip-user-7' });
      expect(staging.body.flags.checkout).toEqual({
        value: 'classic',
        variant: 'control',
        reason: 'DISABLED',
      });
      expect((await clientEvaluate(keys.client, {}, '?environment=staging')).status).toBe(403);
      expect((await clientEvaluate(keys.server, {})).status).toBe(403);
      expect((await clientEvaluate(t.adminKey, {})).status).toBe(400);
      const admin = await clientEvaluate(
        t.adminKey,
        { targetingKey: 'vip-user-7' },
        '?environment=production',
      );
      expect(admin.body.flags.checkout.variant).toBe('treatment');
    });

    it('refuses a context that is not an object, or nests absurdly deep', async () => {
      const { status, body } = await clientEvaluate(keys.client, ['targetingKey']);
      expect(status).toBe(400);
      expect(body.field).toBe('body.context');
      const deep = await clientEvaluate(keys.client, { targetingKey: 'u', a: nested(MAX_CONTEXT_DEPTH) });
      expect(deep.status).toBe(400);
      expect(deep.body.message).toContain('nests deeper than');
      const fine = await clientEvaluate(keys.client, { targetingKey: 'u', a: nested(MAX_CONTEXT_DEPTH - 2) });
      expect(fine.status).toBe(200);
    });

    it('counts evaluations by endpoint', async () => {
      const count = async () => {
        const text: string = (await t.request('GET', '/metrics')).body;
        return Number(/switchboard_evaluations_total\{endpoint="client"\} (\d+)/.exec(text)?.[1] ?? 0);
      };
      const before = await count();
      await clientEvaluate(keys.client, {}, '?flags=dark-mode,checkout');
      expect(await count()).toBe(before + 2);
    });
  });

  describe('OFREP', () => {
    it('evaluates one flag: 200 with key, reason, variant, value and metadata', async () => {
      const { status, body } = await ofrep(keys.client, '/checkout', {
        context: { targetingKey: 'u-9', tier: 'enterprise' },
      });
      expect(status).toBe(200);
      expect(body).toEqual({
        key: 'checkout',
        reason: 'TARGETING_MATCH',
        variant: 'treatment',
        value: 'one-page',
        metadata: {},
      });
      expect(ofrepSuccess.parse(body)).toEqual(body);
      const prerequisite = await ofrep(keys.client, '/new-nav', { context: { targetingKey: 'u-9' } });
      expect(prerequisite.body).toMatchObject({
        reason: 'PREREQUISITE_FAILED',
        variant: 'off',
        value: false,
      });
      // OFREP's codeDefaultFlag: no value, so the provider returns the code's default.
      const codeDefault = await ofrep(keys.client, '/code-default', {});
      expect(codeDefault.status).toBe(200);
      expect(codeDefault.body).toEqual({ key: 'code-default', reason: 'DISABLED', metadata: {} });
    });

    it('answers 404 FLAG_NOT_FOUND and 400 with OFREP error codes, without revealing targeting', async () => {
      const missing = await ofrep(keys.client, '/no-such-flag', { context: {} });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        key: 'no-such-flag',
        errorCode: 'FLAG_NOT_FOUND',
        errorDetails: expect.any(String),
      });
      const noOrg = await ofrep(keys.client, '/by-org', { context: { targetingKey: 'u-9' } });
      expect(noOrg.status).toBe(400);
      expect(noOrg.body).toEqual({
        key: 'by-org',
        errorCode: 'TARGETING_KEY_MISSING',
        errorDetails: expect.any(String),
      });
      expect(JSON.stringify(noOrg.body)).not.toContain('orgId');
      const badContext = await ofrep(keys.client, '/checkout', { context: 'u-9' });
      expect(badContext.status).toBe(400);
      expect(badContext.body).toMatchObject({ key: 'checkout', errorCode: 'INVALID_CONTEXT' });
      const deepContext = await rawPost(keys.client, '/ofrep/v1/evaluate/flags/checkout', {
        context: { a: DEEP },
      });
      expect(JSON.parse(deepContext.body)).toMatchObject({ key: 'checkout', errorCode: 'INVALID_CONTEXT' });
      const notJson = await t.http.inject({
        method: 'POST',
        url: '/ofrep/v1/evaluate/flags/checkout',
        headers: { 'x-api-key': keys.client, 'content-type': 'application/json' },
        payload: '{"context":',
      });
      expect(notJson.statusCode).toBe(400);
      expect(JSON.parse(notJson.body)).toMatchObject({ key: 'checkout', errorCode: 'PARSE_ERROR' });
    });

    it('accepts no body, and JSON sent as text/plain (as fetch sends a string without a Content-Type)', async () => {
      const empty = await t.http.inject({
        method: 'POST',
        url: '/ofrep/v1/evaluate/flags/dark-mode',
        headers: { 'x-api-key': keys.client },
      });
      expect(JSON.parse(empty.body)).toMatchObject({ key: 'dark-mode', value: true });
      const plain = await t.http.inject({
        method: 'POST',
        url: '/ofrep/v1/evaluate/flags/checkout',
        headers: { 'x-api-key': keys.client, 'content-type': 'text/plain;charset=UTF-8' },
        payload: JSON.stringify({ context: { targetingKey: 'vip-user-7' } }),
      });
      expect(plain.statusCode).toBe(200);
      expect(JSON.parse(plain.body)).toMatchObject({ variant: 'treatment', reason: 'TARGETING_MATCH' });
    });

    it('evaluates every flag in bulk, with an ETag covering the flags and the context', async () => {
      const context = { targetingKey: 'u-9' };
      const first = await ofrep(keys.client, '', { context });
      expect(first.status).toBe(200);
      expect(ofrepBulkSuccess.parse(first.body)).toEqual(first.body);
      const byKey = Object.fromEntries(first.body.flags.map((f: { key: string }) => [f.key, f]));
      expect(Object.keys(byKey)).toEqual([
        'beta-banner',
        'by-org',
        'checkout',
        'code-default',
        'dark-mode',
        'new-nav',
      ]);
      expect(byKey['dark-mode']).toEqual({
        key: 'dark-mode',
        reason: 'DEFAULT',
        variant: 'on',
        value: true,
        metadata: {},
      });
      expect(byKey['by-org']).toEqual({
        key: 'by-org',
        errorCode: 'TARGETING_KEY_MISSING',
        errorDetails: expect.any(String),
      });
      expect(byKey['code-default']).toEqual({ key: 'code-default', reason: 'DISABLED', metadata: {} });
      for (const secret of SECRETS) expect(JSON.stringify(first.body)).not.toContain(secret);

      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"\d+-[\w-]+"$/);
      const unchanged = await ofrep(keys.client, '', { context }, { 'if-none-match': etag });
      expect(unchanged.status).toBe(304);
      expect(unchanged.body).toBe('');
      const otherContext = await ofrep(
        keys.client,
        '',
        { context: { targetingKey: 'u-10' } },
        { 'if-none-match': etag },
      );
      expect(otherContext.status).toBe(200);
      expect(otherContext.headers.etag).not.toBe(etag);

      const { version } = (await t.request('GET', '/api/v1/flags/beta-banner/environments/production')).body;
      await t.request('POST', '/api/v1/flags/beta-banner/environments/production/enable', { version });
      const changed = await ofrep(keys.client, '', { context }, { 'if-none-match': etag });
      expect(changed.status).toBe(200);
      expect(changed.body.flags.find((f: { key: string }) => f.key === 'beta-banner')).toMatchObject({
        value: true,
        reason: 'DEFAULT',
      });
      await t.request('POST', '/api/v1/flags/beta-banner/environments/production/disable', {
        version: version + 1,
      });
    });

    it('answers a bulk request with an unusable context with 400 INVALID_CONTEXT', async () => {
      const { status, body } = await ofrep(keys.client, '', { context: [1] });
      expect(status).toBe(400);
      expect(body).toEqual({ errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String) });
    });

    it('takes the key as Bearer or X-API-Key: 401 without one, 403 for a server key', async () => {
      expect(
        (await t.request('POST', '/ofrep/v1/evaluate/flags/dark-mode', {}, bearer(keys.client))).status,
      ).toBe(200);
      expect((await ofrep('', '/dark-mode', {})).status).toBe(401);
      expect((await ofrep('sb_client_unknown', '/dark-mode', {})).status).toBe(401);
      expect((await ofrep(keys.server, '/dark-mode', {})).status).toBe(403);
      expect((await ofrep(keys.server, '', {})).status).toBe(403);
    });
  });

  it('documents the evaluation routes in the OpenAPI document', async () => {
    const paths = Object.keys((await t.request('GET', '/docs/json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/sdk/snapshot',
        '/api/v1/evaluate',
        '/api/v1/client/evaluate',
        '/ofrep/v1/evaluate/flags/{key}',
        '/ofrep/v1/evaluate/flags',
      ]),
    );
  });
});

describe.each(DIALECTS)('client rate limit on %s', (dialect) => {
  const LIMIT = 3;
  let t: TestApp;
  let clientA: string;
  let clientB: string;
  let server: string;
  beforeAll(async () => {
    t = await startTestApp(dialect, { clientRateLimitPerMinute: LIMIT });
    await t.request('POST', '/api/v1/flags', { key: 'dark-mode', kind: 'boolean', variants: onOff });
    clientA = await createKey(t, 'client', 'production');
    clientB = await createKey(t, 'client', 'production');
    server = await createKey(t, 'server', 'production');
  });
  afterAll(async () => {
    await t.destroy();
  });

  const call = (key: string, url: string, remoteAddress = '127.0.0.1') =>
    t.http.inject({ method: 'POST', url, headers: bearer(key), payload: { context: {} }, remoteAddress });

  it('answers 429 with Retry-After past the limit, per key and caller IP, on client and OFREP routes only', async () => {
    // One budget per key and IP, shared by the client and OFREP endpoints.
    expect((await call(clientA, '/api/v1/client/evaluate')).statusCode).toBe(200);
    expect((await call(clientA, '/ofrep/v1/evaluate/flags/dark-mode')).statusCode).toBe(200);
    expect((await call(clientA, '/ofrep/v1/evaluate/flags')).statusCode).toBe(200);
    const limited = await call(clientA, '/api/v1/client/evaluate');
    expect(limited.statusCode).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(JSON.parse(limited.body)).toEqual({
      error: 'RATE_LIMITED',
      message: expect.stringContaining('too many requests'),
      retryAfterSeconds: retryAfter,
    });
    expect((await call(clientA, '/ofrep/v1/evaluate/flags/dark-mode')).statusCode).toBe(429);

    // Another key, and the same key from another address, are still served.
    expect((await call(clientB, '/api/v1/client/evaluate')).statusCode).toBe(200);
    expect((await call(clientA, '/api/v1/client/evaluate', '10.0.0.2')).statusCode).toBe(200);
    // Other routes are not limited.
    for (let i = 0; i <= LIMIT; i++) {
      const snapshot = await t.http.inject({
        method: 'GET',
        url: '/api/v1/sdk/snapshot',
        headers: bearer(server),
      });
      expect(snapshot.statusCode).toBe(200);
      expect((await t.request('GET', '/api/v1/flags')).status).toBe(200);
    }
  });

  it('counts by the TCP peer, whatever X-Forwarded-For says, unless the proxy is trusted', async () => {
    const viaProxy = (app: TestApp, key: string, forwardedFor: string) =>
      app.http.inject({
        method: 'POST',
        url: '/api/v1/client/evaluate',
        headers: { ...bearer(key), 'x-forwarded-for': forwardedFor },
        payload: { context: {} },
        remoteAddress: '10.1.1.1',
      });
    // Untrusted (the default): a caller cannot buy a new budget by writing the header.
    for (let i = 0; i < LIMIT; i++)
      expect((await viaProxy(t, clientB, `203.0.113.${i}`)).statusCode).toBe(200);
    expect((await viaProxy(t, clientB, '203.0.113.99')).statusCode).toBe(429);
    // Behind a trusted load balancer, each browser has its own budget.
    const behind = await startTestApp(dialect, {
      clientRateLimitPerMinute: LIMIT,
      trustProxy: ['10.0.0.0/8'],
    });
    try {
      await behind.request('POST', '/api/v1/flags', { key: 'dark-mode', kind: 'boolean', variants: onOff });
      const key = await createKey(behind, 'client', 'production');
      for (let i = 0; i < LIMIT; i++)
        expect((await viaProxy(behind, key, '198.51.100.1')).statusCode).toBe(200);
      expect((await viaProxy(behind, key, '198.51.100.1')).statusCode).toBe(429);
      expect((await viaProxy(behind, key, '198.51.100.2')).statusCode).toBe(200);
    } finally {
      await behind.destroy();
    }
  });
});
