import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

const llmModel = {
  key: 'llm-model',
  kind: 'ai-config',
  tags: ['llm', 'chat'],
  changeType: 'model-swap',
  description: 'Which model answers chat',
  variants: [
    {
      key: 'control',
      value: {
        provider: 'openai',
        model: 'gpt-4o',
        messages: [{ role: 'system', content: 'You are {{persona}}' }],
      },
    },
    {
      key: 'candidate',
      value: { provider: 'anthropic', model: 'claude-sonnet', params: { temperature: 0.2 } },
    },
  ],
};

describe.each(DIALECTS)('flags over HTTP on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t.destroy();
  });

  it('has the default project with development, staging and production, in that order', async () => {
    const { status, body } = await t.request('GET', '/api/v1/projects/default/environments');
    expect(status).toBe(200);
    expect(body.items.map((e: { key: string }) => e.key)).toEqual(['development', 'staging', 'production']);
  });

  it('creates a flag disabled everywhere, with a 15-character salt and defaults filled in', async () => {
    const { status, body, headers } = await t.request('POST', '/api/v1/flags', llmModel);
    expect(status).toBe(201);
    expect(headers.etag).toBe('"1"');
    expect(body).toMatchObject({
      key: 'llm-model',
      kind: 'ai-config',
      version: 1,
      archived: false,
      tags: ['llm', 'chat'],
    });
    expect(body.salt).toMatch(/^[a-z0-9]{15}$/);
    expect(body.variants[0].value).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      messages: [{ role: 'system', content: 'You are {{persona}}' }],
      params: {},
      tools: [],
      fallbacks: [],
    });
    expect(body.environments.production).toMatchObject({ enabled: false, offVariant: 'control', version: 0 });
  });

  it('refuses a duplicate key with 409 and keeps the original', async () => {
    const { status, body } = await t.request('POST', '/api/v1/flags', { ...llmModel, description: 'other' });
    expect(status).toBe(409);
    expect(body.error).toBe('ALREADY_EXISTS');
    expect((await t.request('GET', '/api/v1/flags/llm-model')).body.description).toBe(
      'Which model answers chat',
    );
  });

  it.each([
    [{ ...llmModel, key: 'Not A Slug' }, 'body.key'],
    [{ ...llmModel, key: 'x', kind: 'colour' }, 'body.kind'],
    [{ key: 'b', kind: 'boolean', variants: [{ key: 'on', value: 'yes' }] }, 'body.variants.0.value'],
    [
      {
        key: 'n',
        kind: 'number',
        variants: [
          { key: 'a', value: 1 },
          { key: 'a', value: 2 },
        ],
      },
      'body.variants.1.key',
    ],
    [
      { key: 'a', kind: 'ai-config', variants: [{ key: 'c', value: { provider: 'openai' } }] },
      'body.variants.0.value.model',
    ],
    [
      {
        key: 'a',
        kind: 'ai-config',
        variants: [{ key: 'c', value: { provider: 'openai', model: 'm', params: { temperature: 9 } } }],
      },
      'body.variants.0.value.params.temperature',
    ],
    [{ key: 'e', kind: 'string', variants: [] }, 'body.variants'],
  ])('refuses a bad flag with 400 naming the field (%#)', async (body, field) => {
    const response = await t.request('POST', '/api/v1/flags', body);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe(field);
    expect(response.body.message).toContain(field);
  });

  it('lists with search, tags and kind, paginated by key', async () => {
    await t.request('POST', '/api/v1/flags', {
      key: 'prompt-v2',
      kind: 'boolean',
      tags: ['llm'],
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    await t.request('POST', '/api/v1/flags', {
      key: 'agent-tools',
      kind: 'json',
      name: 'Agent 50% tools',
      variants: [{ key: 'a', value: [1] }],
    });
    const all = await t.request('GET', '/api/v1/flags');
    expect(all.body.items.map((f: { key: string }) => f.key)).toEqual([
      'agent-tools',
      'llm-model',
      'prompt-v2',
    ]);
    expect(
      (await t.request('GET', '/api/v1/flags?tag=llm')).body.items.map((f: { key: string }) => f.key),
    ).toEqual(['llm-model', 'prompt-v2']);
    expect(
      (await t.request('GET', '/api/v1/flags?tag=llm&tag=chat')).body.items.map(
        (f: { key: string }) => f.key,
      ),
    ).toEqual(['llm-model']);
    expect((await t.request('GET', '/api/v1/flags?kind=boolean')).body.items).toHaveLength(1);
    expect(
      (await t.request('GET', '/api/v1/flags?q=MODEL')).body.items.map((f: { key: string }) => f.key),
    ).toEqual(['llm-model']);
    // LIKE wildcards in a search are literal.
    expect(
      (await t.request('GET', '/api/v1/flags?q=50%25')).body.items.map((f: { key: string }) => f.key),
    ).toEqual(['agent-tools']);
    const page = await t.request('GET', '/api/v1/flags?limit=2');
    expect(page.body.items).toHaveLength(2);
    const next = await t.request('GET', `/api/v1/flags?limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items.map((f: { key: string }) => f.key)).toEqual(['prompt-v2']);
    expect(next.body.nextCursor).toBeUndefined();
  });

  it('edits with the version read, refuses a stale one with the current version, and requires one', async () => {
    const before = (await t.request('GET', '/api/v1/flags/llm-model')).body;
    const ok = await t.request('PATCH', '/api/v1/flags/llm-model', {
      description: 'v2',
      version: before.version,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(before.version + 1);
    expect(ok.body.salt).toBe(before.salt);
    const stale = await t.request('PATCH', '/api/v1/flags/llm-model', {
      description: 'v3',
      version: before.version,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'VERSION_CONFLICT', currentVersion: before.version + 1 });
    const viaHeader = await t.request(
      'PATCH',
      '/api/v1/flags/llm-model',
      { description: 'v3' },
      { 'if-match': `"${before.version + 1}"` },
    );
    expect(viaHeader.status).toBe(200);
    const missing = await t.request('PATCH', '/api/v1/flags/llm-model', { description: 'v4' });
    expect(missing.status).toBe(428);
    expect((await t.request('GET', '/api/v1/flags/llm-model')).body.description).toBe('v3');
  });

  it('lets exactly one of many concurrent edits of the same version win', async () => {
    const { version } = (await t.request('GET', '/api/v1/flags/prompt-v2')).body;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.request('PATCH', '/api/v1/flags/prompt-v2', { description: `edit ${i}`, version }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    const winner = results.find((r) => r.status === 200)?.body.description;
    expect((await t.request('GET', '/api/v1/flags/prompt-v2')).body).toMatchObject({
      description: winner,
      version: version + 1,
    });
  });

  it('configures an environment: rules, a split, targets, and enable/disable as the kill switch', async () => {
    const patch = {
      version: 0,
      targets: [{ variant: 'candidate', values: ['staff-1'] }],
      rules: [
        {
          id: 'enterprise',
          clauses: [
            { attribute: 'tier', op: 'equals', values: ['enterprise'] },
            { attribute: 'region', op: 'in', values: ['eu', 'us'] },
            { attribute: 'email', op: 'matches', values: ['@example\\.com$'] },
          ],
          serve: { variant: 'candidate' },
        },
      ],
      fallthrough: {
        split: [
          { variant: 'candidate', weight: 10_000 },
          { variant: 'control', weight: 90_000 },
        ],
      },
      retryAfterSeconds: 120,
    };
    const put = await t.request('PATCH', '/api/v1/flags/llm-model/environments/production', patch);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: 1, enabled: false, retryAfterSeconds: 120 });
    const on = await t.request('POST', '/api/v1/flags/llm-model/environments/production/enable', {
      version: 1,
    });
    expect(on.body).toMatchObject({ enabled: true, version: 2 });
    const off = await t.request(
      'POST',
      '/api/v1/flags/llm-model/environments/production/disable',
      undefined,
      { 'if-match': '2' },
    );
    expect(off.body).toMatchObject({ enabled: false, version: 3 });
    // Other environments are untouched.
    expect((await t.request('GET', '/api/v1/flags/llm-model/environments/staging')).body.version).toBe(0);
  });

  it.each([
    [{ fallthrough: { variant: 'nope' } }, 'body.fallthrough.variant'],
    [{ fallthrough: { split: [{ variant: 'control', weight: 99_999 }] } }, 'body.fallthrough.split'],
    [{ offVariant: 'ghost' }, 'body.offVariant'],
    [{ targets: [{ variant: 'ghost', values: ['u'] }] }, 'body.targets.0.variant'],
    [
      {
        rules: [
          {
            clauses: [{ attribute: 'email', op: 'matches', values: ['(a+)+$'] }],
            serve: { variant: 'control' },
          },
        ],
      },
      'body.rules.0.clauses.0.values.0',
    ],
    [
      {
        rules: [
          { clauses: [{ attribute: 'age', op: 'lt', values: ['ten'] }], serve: { variant: 'control' } },
        ],
      },
      'body.rules.0.clauses.0.values.0',
    ],
    [
      {
        rules: [
          { clauses: [{ op: 'inSegment', values: ['no-such-segment'] }], serve: { variant: 'control' } },
        ],
      },
      'body.rules.0.clauses.0.values.0',
    ],
    [
      {
        rules: [
          { clauses: [{ attribute: 'tier', op: 'like', values: ['x'] }], serve: { variant: 'control' } },
        ],
      },
      'body.rules.0.clauses.0.op',
    ],
    [{ prerequisites: [{ flag: 'missing-flag', variant: 'on' }] }, 'body.prerequisites.0.flag'],
    [{ prerequisites: [{ flag: 'prompt-v2', variant: 'maybe' }] }, 'body.prerequisites.0.variant'],
    [{ unknownField: true }, 'body'],
  ])(
    'refuses a bad environment configuration with 400 naming the field (%#) and changes nothing',
    async (patch, field) => {
      const before = (await t.request('GET', '/api/v1/flags/llm-model/environments/production')).body;
      const response = await t.request('PATCH', '/api/v1/flags/llm-model/environments/production', {
        ...patch,
        version: before.version,
      });
      expect(response.status).toBe(400);
      expect(response.body.field ?? response.body.message).toContain(field);
      expect((await t.request('GET', '/api/v1/flags/llm-model/environments/production')).body).toEqual(
        before,
      );
    },
  );

  it('refuses a prerequisite cycle, which the evaluator would serve as an error', async () => {
    const a = await t.request('PATCH', '/api/v1/flags/prompt-v2/environments/staging', {
      version: 0,
      prerequisites: [{ flag: 'llm-model', variant: 'candidate' }],
    });
    expect(a.status).toBe(200);
    const b = await t.request('PATCH', '/api/v1/flags/llm-model/environments/staging', {
      version: 0,
      prerequisites: [{ flag: 'prompt-v2', variant: 'on' }],
    });
    expect(b.status).toBe(400);
    expect(b.body.message).toContain('prerequisite cycle');
  });

  it('edits variants, refusing to drop one another flag requires or a configuration names', async () => {
    const flag = (await t.request('GET', '/api/v1/flags/llm-model')).body;
    const added = await t.request('PATCH', '/api/v1/flags/llm-model', {
      version: flag.version,
      variants: [...flag.variants, { key: 'shadow', value: { provider: 'openai', model: 'gpt-4o-mini' } }],
    });
    expect(added.status).toBe(200);
    expect(added.body.variants.map((v: { key: string }) => v.key)).toEqual([
      'control',
      'candidate',
      'shadow',
    ]);
    // prompt-v2 requires llm-model's "candidate" in staging; production's rules serve it too.
    const dropped = await t.request('PATCH', '/api/v1/flags/llm-model', {
      version: added.body.version,
      variants: added.body.variants.filter((v: { key: string }) => v.key !== 'candidate'),
    });
    expect([400, 409]).toContain(dropped.status);
    expect((await t.request('GET', '/api/v1/flags/llm-model')).body.variants).toHaveLength(3);
  });

  it('refuses a version outside the stored range with 400, not a server error', async () => {
    const huge = await t.request(
      'PATCH',
      '/api/v1/flags/prompt-v2',
      { description: 'x' },
      { 'if-match': '"2147483648"' },
    );
    expect(huge.status).toBe(400);
    expect(huge.body.field).toBe('headers.if-match');
    const inBody = await t.request('PATCH', '/api/v1/flags/prompt-v2', {
      description: 'x',
      version: 2 ** 40,
    });
    expect(inBody.status).toBe(400);
  });

  it('archives (refused while another flag depends on it) and restores', async () => {
    const flag = (await t.request('GET', '/api/v1/flags/llm-model')).body;
    const refused = await t.request('POST', '/api/v1/flags/llm-model/archive', { version: flag.version });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('prompt-v2');
    const agent = (await t.request('GET', '/api/v1/flags/agent-tools')).body;
    const archived = await t.request('POST', '/api/v1/flags/agent-tools/archive', { version: agent.version });
    expect(archived.body).toMatchObject({ archived: true, version: agent.version + 1 });
    expect(
      (await t.request('GET', '/api/v1/flags')).body.items.map((f: { key: string }) => f.key),
    ).not.toContain('agent-tools');
    expect(
      (await t.request('GET', '/api/v1/flags?archived=true')).body.items.map((f: { key: string }) => f.key),
    ).toEqual(['agent-tools']);
    const restored = await t.request('POST', '/api/v1/flags/agent-tools/restore', {
      version: agent.version + 1,
    });
    expect(restored.body.archived).toBe(false);
  });

  it('writes an audit entry for every change, with before and after, filterable by flag and actor', async () => {
    const { body } = await t.request('GET', '/api/v1/audit?flag=llm-model&limit=100');
    const actions = body.items.map((e: { action: string }) => e.action);
    expect(actions).toContain('flag.create');
    expect(actions).toContain('flag.update');
    expect(actions).toContain('flag.environment.enable');
    expect(actions).toContain('flag.environment.disable');
    // Refused changes leave no entry.
    expect(actions.filter((a: string) => a === 'flag.create')).toHaveLength(1);
    const disable = body.items.find((e: { action: string }) => e.action === 'flag.environment.disable');
    expect(disable).toMatchObject({
      environment: 'production',
      before: { enabled: true },
      after: { enabled: false },
    });
    expect(disable.actor).toMatch(/^key:local admin#/);
    const byOther = await t.request('GET', '/api/v1/audit?actor=someone-else');
    expect(byOther.body.items).toEqual([]);
    const page = await t.request('GET', '/api/v1/audit?limit=2');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0].id).toBeGreaterThan(page.body.items[1].id);
    const next = await t.request('GET', `/api/v1/audit?limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items[0].id).toBeLessThan(page.body.items[1].id);
    const future = await t.request('GET', '/api/v1/audit?from=2999-01-01T00:00:00Z');
    expect(future.body.items).toEqual([]);
  });

  it('keeps the audit log append-only in the database itself', async () => {
    await expect(t.database.db.updateTable('audit_log').set({ actor: 'forged' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(t.database.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    if (dialect === 'postgres') {
      await expect(sql`truncate audit_log`.execute(t.database.db)).rejects.toThrow(/append-only/);
    }
  });

  it('answers 401 without a key or with an unknown one, and 403 to a client key on admin routes', async () => {
    expect((await t.request('GET', '/api/v1/flags', undefined, { authorization: '' })).status).toBe(401);
    expect(
      (await t.request('GET', '/api/v1/flags', undefined, { authorization: 'Bearer sb_admin_nope' })).status,
    ).toBe(401);
    const created = await t.request('POST', '/api/v1/keys', {
      name: 'web',
      kind: 'client',
      environment: 'production',
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sb_client_[0-9A-Za-z]{32}$/);
    const asClient = await t.request('GET', '/api/v1/flags', undefined, {
      authorization: `Bearer ${created.body.key}`,
    });
    expect(asClient.status).toBe(403);
    const listed = await t.request('GET', '/api/v1/keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect(JSON.stringify(listed.body)).not.toContain('hash');
  });

  it('revokes an environment-bound key (a server key) and stops it at once', async () => {
    const { body } = await t.request('POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'staging',
    });
    const asIt = () =>
      t.request('GET', '/api/v1/sdk/snapshot', undefined, { authorization: `Bearer ${body.key}` });
    expect((await asIt()).status).toBe(200);
    const revoked = await t.request('DELETE', `/api/v1/keys/${body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ environment: 'staging', project: 'default' });
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await asIt()).status).toBe(401);
    const audit = await t.request('GET', '/api/v1/audit?action=api-key.revoke');
    expect(audit.body.items[0]).toMatchObject({ resourceKey: body.id, environment: 'staging' });
  });

  it('stops a revoked key at once', async () => {
    const { body } = await t.request('POST', '/api/v1/keys', { name: 'ci', kind: 'admin' });
    const asIt = () =>
      t.request('GET', '/api/v1/projects', undefined, { authorization: `Bearer ${body.key}` });
    expect((await asIt()).status).toBe(200);
    const revoked = await t.request('DELETE', `/api/v1/keys/${body.id}`);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await asIt()).status).toBe(401);
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    const doc = await t.request('GET', '/docs/json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/flags/{key}/environments/{env}');
    expect((await t.request('GET', '/docs/')).status).toBe(200);
    expect((await t.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await t.request('GET', '/readyz')).body).toEqual({ status: 'ready', store: dialect });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.body).toContain('switchboard_http_requests_total');
  });
});
