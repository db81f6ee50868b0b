import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../src/change-bus.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

const keysOf = (items: { key: string }[]) => items.map((s) => s.key);
const inSegment = (...values: string[]) => [{ op: 'inSegment', values }];

describe.each(DIALECTS)('segments over HTTP on %s', (dialect) => {
  let t: TestApp;
  const changes: Change[] = [];
  beforeAll(async () => {
    t = await startTestApp(dialect);
    t.bus.subscribe((change) => changes.push(change));
  });
  afterAll(async () => {
    await t.destroy();
  });

  /** Environment snapshot versions of the default project, by environment key. */
  const environmentVersions = async (): Promise<Record<string, number>> => {
    const { body } = await t.request('GET', '/api/v1/projects/default/environments');
    return Object.fromEntries(body.items.map((e: { key: string; version: number }) => [e.key, e.version]));
  };
  const version = async (key: string): Promise<number> =>
    (await t.request('GET', `/api/v1/segments/${key}`)).body.version;

  it('creates a segment with defaults filled in and duplicate unit ids dropped', async () => {
    const { status, body, headers } = await t.request('POST', '/api/v1/segments', {
      key: 'beta-users',
      included: ['u1', 'u2', 'u1'],
      excluded: ['u3', 'u3'],
      clauses: [{ attribute: 'plan', op: 'in', values: ['pro', 'team'] }],
    });
    expect(status).toBe(201);
    expect(headers.etag).toBe('"1"');
    expect(body).toMatchObject({
      project: 'default',
      key: 'beta-users',
      name: 'beta-users',
      description: '',
      included: ['u1', 'u2'],
      excluded: ['u3'],
      clauses: [{ attribute: 'plan', op: 'in', values: ['pro', 'team'] }],
      version: 1,
    });
    expect(body.createdAt).toBe(body.updatedAt);
    expect(body).not.toHaveProperty('id');
    const read = await t.request('GET', '/api/v1/segments/beta-users');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(body);
  });

  it('lists by key, per project', async () => {
    const enterprise = await t.request('POST', '/api/v1/segments', {
      key: 'enterprise',
      name: 'Enterprise',
      description: 'Paying customers on the enterprise plan',
      clauses: [{ attribute: 'tier', op: 'equals', values: ['enterprise'] }],
    });
    expect(enterprise.status).toBe(201);
    expect((await t.request('POST', '/api/v1/segments', { key: 'alpha-testers' })).status).toBe(201);
    const { status, body } = await t.request('GET', '/api/v1/segments');
    expect(status).toBe(200);
    expect(keysOf(body.items)).toEqual(['alpha-testers', 'beta-users', 'enterprise']);
    expect((await t.request('POST', '/api/v1/projects', { key: 'other' })).status).toBe(201);
    expect((await t.request('GET', '/api/v1/segments?project=other')).body.items).toEqual([]);
    const same = await t.request('POST', '/api/v1/segments?project=other', { key: 'beta-users' });
    expect(same.status).toBe(201);
    expect(same.body.project).toBe('other');
    expect((await t.request('GET', '/api/v1/segments?project=nope')).status).toBe(404);
    expect((await t.request('GET', '/api/v1/segments/no-such-segment')).status).toBe(404);
  });

  it('refuses a duplicate key with 409 and keeps the original', async () => {
    const { status, body } = await t.request('POST', '/api/v1/segments', { key: 'beta-users' });
    expect(status).toBe(409);
    expect(body.error).toBe('ALREADY_EXISTS');
    expect((await t.request('GET', '/api/v1/segments/beta-users')).body.included).toEqual(['u1', 'u2']);
  });

  it.each([
    [{ key: 'Not A Slug' }, 'body.key'],
    [{ key: 's', extra: true }, 'body'],
    [{ key: 's', included: ['u1', ''] }, 'body.included.1'],
    [{ key: 's', excluded: ['x'.repeat(513)] }, 'body.excluded.0'],
    [{ key: 's', clauses: [{ attribute: 'tier', op: 'like', values: ['x'] }] }, 'body.clauses.0.op'],
    [{ key: 's', clauses: [{ attribute: 'age', op: 'lt', values: [18, 'ten'] }] }, 'body.clauses.0.values.1'],
    [
      { key: 's', clauses: [{ attribute: 'email', op: 'matches', values: ['(a+)+$'] }] },
      'body.clauses.0.values.0',
    ],
    [{ key: 's', clauses: [{ attribute: 'v', op: 'semverGt', values: ['1.x'] }] }, 'body.clauses.0.values.0'],
    [{ key: 's', clauses: [{ op: 'equals', values: ['x'] }] }, 'body.clauses.0.attribute'],
    [{ key: 's', clauses: [{ attribute: 'a', op: 'in', values: [] }] }, 'body.clauses.0.values'],
    [
      { key: 's', clauses: [{ attribute: 'a', op: 'in', values: Array(1001).fill('x') }] },
      'body.clauses.0.values',
    ],
    [{ key: 's', clauses: Array(51).fill({ attribute: 'a', op: 'exists', values: [] }) }, 'body.clauses'],
    [{ key: 's', clauses: inSegment('enterprise', 'no-such-segment') }, 'body.clauses.0.values.1'],
    [{ key: 's', clauses: inSegment('s') }, 'body.clauses.0.values.0'],
  ])('refuses a bad segment with 400 naming the field (%#) and stores nothing', async (body, field) => {
    const before = await environmentVersions();
    const response = await t.request('POST', '/api/v1/segments', body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
    expect(response.body.message).toContain(field);
    expect((await t.request('GET', '/api/v1/segments/s')).status).toBe(404);
    expect(await environmentVersions()).toEqual(before);
  });

  it('takes up to 100,000 unit ids per list and refuses more', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `${i}`);
    const big = await t.request('POST', '/api/v1/segments', { key: 'big', excluded: ids });
    expect(big.status).toBe(201);
    expect(big.body.excluded).toHaveLength(100_000);
    const tooMany = await t.request('PATCH', '/api/v1/segments/big', {
      included: [...ids, 'one-more'],
      version: 1,
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.field).toBe('body.included');
    expect((await t.request('GET', '/api/v1/segments/big')).body).toMatchObject({ version: 1, included: [] });
  });

  it('edits with the version read, refuses a stale one with the current version, and requires one', async () => {
    const before = (await t.request('GET', '/api/v1/segments/beta-users')).body;
    const ok = await t.request('PATCH', '/api/v1/segments/beta-users', {
      name: 'Beta users',
      included: ['u9', 'u9', 'u8'],
      version: before.version,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe(`"${before.version + 1}"`);
    expect(ok.body).toMatchObject({
      name: 'Beta users',
      included: ['u9', 'u8'],
      excluded: ['u3'],
      clauses: before.clauses,
      version: before.version + 1,
      createdAt: before.createdAt,
    });
    const stale = await t.request('PATCH', '/api/v1/segments/beta-users', {
      description: 'stale',
      version: before.version,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'VERSION_CONFLICT', currentVersion: before.version + 1 });
    const viaHeader = await t.request(
      'PATCH',
      '/api/v1/segments/beta-users',
      { description: 'via If-Match' },
      { 'if-match': `W/"${before.version + 1}"` },
    );
    expect(viaHeader.status).toBe(200);
    const missing = await t.request('PATCH', '/api/v1/segments/beta-users', { description: 'no version' });
    expect(missing.status).toBe(428);
    expect(missing.body.error).toBe('VERSION_REQUIRED');
    const invalid = await t.request('PATCH', '/api/v1/segments/beta-users', {
      clauses: [{ attribute: 'age', op: 'gt', values: ['old'] }],
      version: before.version + 2,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.field).toBe('body.clauses.0.values.0');
    expect((await t.request('GET', '/api/v1/segments/beta-users')).body).toMatchObject({
      description: 'via If-Match',
      clauses: before.clauses,
      version: before.version + 2,
    });
    expect((await t.request('PATCH', '/api/v1/segments/ghost', { version: 1 })).status).toBe(404);
  });

  it('lets exactly one of many concurrent edits of the same version win', async () => {
    const current = await version('enterprise');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.request('PATCH', '/api/v1/segments/enterprise', { description: `edit ${i}`, version: current }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const conflicts = results.filter((r) => r.status === 409);
    expect(conflicts).toHaveLength(7);
    for (const c of conflicts) expect(c.body.currentVersion).toBe(current + 1);
    const winner = results.find((r) => r.status === 200)?.body.description;
    expect((await t.request('GET', '/api/v1/segments/enterprise')).body).toMatchObject({
      description: winner,
      version: current + 1,
    });
  });

  it('lets a segment use other segments, and refuses a cycle however long', async () => {
    const vip = await t.request('POST', '/api/v1/segments', { key: 'vip', clauses: inSegment('enterprise') });
    expect(vip.status).toBe(201);
    const inner = await t.request('POST', '/api/v1/segments', { key: 'inner', clauses: inSegment('vip') });
    expect(inner.status).toBe(201);
    // enterprise → inner → vip → enterprise
    const cycle = await t.request('PATCH', '/api/v1/segments/enterprise', {
      clauses: [
        { attribute: 'tier', op: 'equals', values: ['enterprise'] },
        ...inSegment('beta-users', 'inner'),
      ],
      version: await version('enterprise'),
    });
    expect(cycle.status).toBe(400);
    expect(cycle.body.field).toBe('body.clauses.1.values.1');
    expect(cycle.body.message).toContain('"enterprise" → "inner" → "vip" → "enterprise"');
    const self = await t.request('PATCH', '/api/v1/segments/vip', {
      clauses: inSegment('vip'),
      version: await version('vip'),
    });
    expect(self.status).toBe(400);
    expect(self.body.field).toBe('body.clauses.0.values.0');
    expect((await t.request('GET', '/api/v1/segments/enterprise')).body.clauses).toHaveLength(1);
    // Using the same segment twice through different paths is no cycle.
    const diamond = await t.request('PATCH', '/api/v1/segments/alpha-testers', {
      clauses: inSegment('vip', 'inner', 'enterprise'),
      version: await version('alpha-testers'),
    });
    expect(diamond.status).toBe(200);
  });

  it('refuses to delete a segment another segment uses, naming it', async () => {
    const { status, body } = await t.request('DELETE', '/api/v1/segments/vip', {
      version: await version('vip'),
    });
    expect(status).toBe(409);
    expect(body).toMatchObject({ error: 'CONFLICT', flags: [], segments: ['alpha-testers', 'inner'] });
    expect(body.message).toContain('segment "inner"');
    expect((await t.request('GET', '/api/v1/segments/vip')).status).toBe(200);
  });

  it('refuses to delete a segment a flag rule uses until the rule is gone', async () => {
    const flag = await t.request('POST', '/api/v1/flags', {
      key: 'new-checkout',
      kind: 'boolean',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    expect(flag.status).toBe(201);
    const rule = { id: 'betas', clauses: inSegment('beta-users'), serve: { variant: 'on' } };
    for (const env of ['staging', 'production']) {
      const put = await t.request('PATCH', `/api/v1/flags/new-checkout/environments/${env}`, {
        rules: [rule],
        version: 0,
      });
      expect(put.status).toBe(200);
    }
    const current = await version('beta-users');
    const refused = await t.request('DELETE', '/api/v1/segments/beta-users', { version: current });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'CONFLICT', flags: ['new-checkout'], segments: [] });
    expect(refused.body.message).toContain('flag "new-checkout" (staging, production)');
    // Archiving the flag is not enough: it could be restored with the rule.
    const archive = await t.request('POST', '/api/v1/flags/new-checkout/archive', { version: 1 });
    expect(archive.status).toBe(200);
    expect((await t.request('DELETE', '/api/v1/segments/beta-users', { version: current })).status).toBe(409);
    expect((await t.request('POST', '/api/v1/flags/new-checkout/restore', { version: 2 })).status).toBe(200);
    for (const env of ['staging', 'production']) {
      const cleared = await t.request('PATCH', `/api/v1/flags/new-checkout/environments/${env}`, {
        rules: [],
        version: 1,
      });
      expect(cleared.status).toBe(200);
    }
    expect((await t.request('DELETE', '/api/v1/segments/beta-users')).status).toBe(428);
    const stale = await t.request('DELETE', '/api/v1/segments/beta-users', { version: current - 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'VERSION_CONFLICT', currentVersion: current });
    const deleted = await t.request('DELETE', '/api/v1/segments/beta-users', undefined, {
      'if-match': `"${current}"`,
    });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect((await t.request('GET', '/api/v1/segments/beta-users')).status).toBe(404);
    expect((await t.request('DELETE', '/api/v1/segments/beta-users', { version: current })).status).toBe(404);
    // A flag rule can no longer name it.
    const dangling = await t.request('PATCH', '/api/v1/flags/new-checkout/environments/staging', {
      rules: [rule],
      version: 2,
    });
    expect(dangling.status).toBe(400);
  });

  it('never lets a flag rule keep a deleted segment, however the requests interleave', async () => {
    for (let round = 0; round < 10; round++) {
      const key = `race-${round}`;
      await t.request('POST', '/api/v1/segments', { key });
      const config = (await t.request('GET', '/api/v1/flags/new-checkout/environments/development')).body;
      const [deleted, referenced] = await Promise.all([
        t.request('DELETE', `/api/v1/segments/${key}`, { version: 1 }),
        t.request('PATCH', '/api/v1/flags/new-checkout/environments/development', {
          rules: [{ id: 'race', clauses: inSegment(key), serve: { variant: 'on' } }],
          version: config.version,
        }),
      ]);
      // Either the delete went first and the rule is refused, or the rule did and the delete is.
      const outcome = [deleted.status, referenced.status];
      expect([
        [204, 400],
        [409, 200],
      ]).toContainEqual(outcome);
    }
  });

  it('writes an audit entry for every change with before and after', async () => {
    const { body } = await t.request('GET', '/api/v1/audit?project=default&limit=500');
    const entries = body.items.filter((e: { resourceType: string }) => e.resourceType === 'segment');
    const of = (action: string, key: string) =>
      entries.filter(
        (e: { action: string; resourceKey: string }) => e.action === action && e.resourceKey === key,
      );
    expect(of('segment.create', 'beta-users')).toHaveLength(1);
    expect(of('segment.create', 'beta-users')[0]).toMatchObject({
      project: 'default',
      environment: null,
      before: null,
      after: { key: 'beta-users', included: ['u1', 'u2'], version: 1 },
    });
    const renamed = of('segment.update', 'beta-users').find(
      (e: { after: { version: number } }) => e.after.version === 2,
    );
    expect(renamed).toMatchObject({
      before: { name: 'beta-users', included: ['u1', 'u2'], version: 1 },
      after: { name: 'Beta users', included: ['u9', 'u8'], version: 2 },
    });
    expect(renamed.actor).toMatch(/^key:local admin#/);
    const deleted = of('segment.delete', 'beta-users');
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ before: { key: 'beta-users', version: 3 }, after: null });
    // Refused changes leave no entry: enterprise had one create and one winning concurrent edit only.
    expect(of('segment.update', 'enterprise')).toHaveLength(1);
    expect(of('segment.create', 's')).toEqual([]);
    const byAction = await t.request('GET', '/api/v1/audit?action=segment.delete&limit=500');
    expect(byAction.body.items.every((e: { action: string }) => e.action === 'segment.delete')).toBe(true);
  });

  it('moves every environment snapshot forward on each change and publishes it after commit', async () => {
    const before = await environmentVersions();
    changes.length = 0;
    const created = await t.request('POST', '/api/v1/segments', { key: 'snapshot-check' });
    expect(created.status).toBe(201);
    const afterCreate = await environmentVersions();
    for (const env of Object.keys(before)) expect(afterCreate[env]).toBe((before[env] ?? 0) + 1);
    const patched = await t.request('PATCH', '/api/v1/segments/snapshot-check', {
      included: ['u1'],
      version: 1,
    });
    expect(patched.status).toBe(200);
    expect((await t.request('DELETE', '/api/v1/segments/snapshot-check', { version: 2 })).status).toBe(204);
    const afterDelete = await environmentVersions();
    for (const env of Object.keys(before)) expect(afterDelete[env]).toBe((before[env] ?? 0) + 3);
    expect(changes.map((c) => [c.resource, c.key])).toEqual([
      ['segment', 'snapshot-check'],
      ['segment', 'snapshot-check'],
      ['segment', 'snapshot-check'],
    ]);
    const last = changes[2];
    const ascending = (a: number, b: number) => a - b;
    expect(Object.values(last?.environmentVersions ?? {}).sort(ascending)).toEqual(
      Object.values(afterDelete).sort(ascending),
    );
  });

  it('answers 401 without a key and 403 to a client key', async () => {
    expect((await t.request('GET', '/api/v1/segments', undefined, { authorization: '' })).status).toBe(401);
    const client = await t.request('POST', '/api/v1/keys', {
      name: 'web',
      kind: 'client',
      environment: 'production',
    });
    const asClient = await t.request(
      'POST',
      '/api/v1/segments',
      { key: 'sneaky' },
      {
        authorization: `Bearer ${client.body.key}`,
      },
    );
    expect(asClient.status).toBe(403);
    expect((await t.request('GET', '/api/v1/segments/sneaky')).status).toBe(404);
  });

  it('documents the routes under the segments tag', async () => {
    const doc = (await t.request('GET', '/docs/json')).body;
    expect(Object.keys(doc.paths['/api/v1/segments/{key}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/api/v1/segments'].post.tags).toEqual(['segments']);
    expect(doc.paths['/api/v1/segments'].post.security).toEqual([{ apiKey: [] }]);
  });
});
