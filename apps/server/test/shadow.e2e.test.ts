import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

const FLAG = 'support-bot';
const ENV = `/api/v1/flags/${FLAG}/environments/production`;

const supportBot = {
  key: FLAG,
  kind: 'ai-config',
  variants: [
    { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
    { key: 'candidate', value: { provider: 'anthropic', model: 'claude-sonnet-4-5' } },
    { key: 'safe', value: { provider: 'openai', model: 'gpt-4o-mini' } },
  ],
};

describe.each(DIALECTS)('shadow mode configuration on %s', (dialect) => {
  let t: TestApp;
  let serverKey = '';
  let batch = 0;

  const environment = async () => (await t.request('GET', ENV)).body;
  const patch = async (body: Record<string, unknown>) =>
    t.request('PATCH', ENV, { ...body, version: (await environment()).version });
  const snapshotFlag = async () => {
    const { body } = await t.request('GET', '/api/v1/sdk/snapshot', undefined, {
      authorization: `Bearer ${serverKey}`,
    });
    return (body.flags as { key: string; shadow?: unknown }[]).find((f) => f.key === FLAG);
  };
  const post = async (events: unknown[]) => {
    batch += 1;
    return t.request(
      'POST',
      '/api/v1/events',
      { events },
      { authorization: `Bearer ${serverKey}`, 'idempotency-key': `shadow-${batch}` },
    );
  };

  beforeAll(async () => {
    t = await startTestApp(dialect);
    expect((await t.request('POST', '/api/v1/flags', supportBot)).status).toBe(201);
    expect(
      (
        await t.request('POST', '/api/v1/flags', {
          key: 'plain',
          kind: 'boolean',
          variants: [
            { key: 'on', value: true },
            { key: 'off', value: false },
          ],
        })
      ).status,
    ).toBe(201);
    serverKey = (
      await t.request('POST', '/api/v1/keys', { name: 'sdk', kind: 'server', environment: 'production' })
    ).body.key;
  });
  afterAll(async () => {
    await t.destroy();
  });

  it('has no shadow until one is set', async () => {
    expect(await environment()).toMatchObject({ version: 0, shadow: null });
    const flag = (await t.request('GET', `/api/v1/flags/${FLAG}`)).body;
    expect(flag.environments.production.shadow).toBeNull();
  });

  it('stores a shadow, serves it in the snapshot, audits it, and removes it with null', async () => {
    const set = await patch({
      enabled: true,
      fallthrough: { variant: 'control' },
      shadow: { variant: 'candidate', sampleRate: 0.25 },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ version: 1, shadow: { variant: 'candidate', sampleRate: 0.25 } });
    expect(await environment()).toMatchObject({ shadow: { variant: 'candidate', sampleRate: 0.25 } });
    expect((await snapshotFlag())?.shadow).toEqual({ variant: 'candidate', sampleRate: 0.25 });

    // Other edits keep it.
    const other = await patch({ retryAfterSeconds: 30 });
    expect(other.body.shadow).toEqual({ variant: 'candidate', sampleRate: 0.25 });

    const audit = await t.request('GET', `/api/v1/audit?flag=${FLAG}&limit=10`);
    const entry = audit.body.items.find(
      (e: { action: string; before: { version: number } }) =>
        e.action === 'flag.environment.update' && e.before.version === 0,
    );
    expect(entry.before.shadow).toBeNull();
    expect(entry.after.shadow).toEqual({ variant: 'candidate', sampleRate: 0.25 });

    const cleared = await patch({ shadow: null });
    expect(cleared.body.shadow).toBeNull();
    expect(await snapshotFlag()).not.toHaveProperty('shadow');
  });

  it('never changes what the flag serves', async () => {
    const evaluate = async () =>
      (
        await t.request('POST', '/api/v1/evaluate', {
          environment: 'production',
          flag: FLAG,
          context: { targetingKey: 'u1' },
        })
      ).body.result;
    const before = await evaluate();
    await patch({ shadow: { variant: 'candidate', sampleRate: 1 } });
    expect(await evaluate()).toEqual(before);
    expect(before).toMatchObject({ variant: 'control', reason: 'DEFAULT' });
  });

  it.each([
    [{ shadow: { variant: 'ghost', sampleRate: 0.5 } }, 'body.shadow.variant'],
    [{ shadow: { variant: 'candidate', sampleRate: 1.5 } }, 'body.shadow.sampleRate'],
    [{ shadow: { variant: 'candidate', sampleRate: -0.1 } }, 'body.shadow.sampleRate'],
    [{ shadow: { variant: 'candidate' } }, 'body.shadow.sampleRate'],
    [{ shadow: { variant: 'candidate', sampleRate: 0.5, model: 'x' } }, 'body.shadow'],
    [{ shadow: 'candidate' }, 'body.shadow'],
  ])('refuses a bad shadow with 400 naming the field (%#) and changes nothing', async (body, field) => {
    const before = await environment();
    const response = await t.request('PATCH', ENV, { ...body, version: before.version });
    expect(response.status).toBe(400);
    expect(response.body.field ?? response.body.message).toContain(field);
    expect(await environment()).toEqual(before);
  });

  it('refuses a shadow on a flag that is not an ai-config', async () => {
    const response = await t.request('PATCH', '/api/v1/flags/plain/environments/production', {
      version: 0,
      shadow: { variant: 'on', sampleRate: 0.5 },
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('body.shadow');
  });

  it('refuses to remove the variant a shadow names', async () => {
    await patch({ shadow: { variant: 'safe', sampleRate: 0.1 } });
    const flag = (await t.request('GET', `/api/v1/flags/${FLAG}`)).body;
    const response = await t.request('PATCH', `/api/v1/flags/${FLAG}`, {
      version: flag.version,
      variants: supportBot.variants.filter((v) => v.key !== 'safe'),
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('environments.production.shadow.variant');
    await patch({ shadow: { variant: 'candidate', sampleRate: 1 } });
  });

  it('reads a configuration stored before shadows existed as having none', async () => {
    const before = await environment();
    // As the store held it before this change: a JSON document without `shadow`.
    const { shadow: _shadow, version: _version, ...older } = before;
    await sql`update flag_environments set config = ${JSON.stringify(older)}`.execute(t.database.db);
    expect(await environment()).toEqual({ ...before, shadow: null });
    expect(await snapshotFlag()).not.toHaveProperty('shadow');
    const edited = await patch({ shadow: { variant: 'candidate', sampleRate: 1 } });
    expect(edited.body.shadow).toEqual({ variant: 'candidate', sampleRate: 1 });
  });

  it('keeps shadow judgements apart and gives the paired judge difference in the results', async () => {
    const ts = new Date().toISOString();
    const events: unknown[] = [];
    // Served by control; the candidate ran in shadow. servedScore − shadowScore: −0.2, −0.1, 0.
    const pairs = [
      [0.6, 0.8],
      [0.7, 0.8],
      [0.5, 0.5],
    ] as const;
    pairs.forEach(([served, shadow], i) => {
      const unit = `unit-${i}`;
      events.push(
        {
          kind: 'generation',
          ts,
          flag: FLAG,
          variant: 'control',
          unit,
          generationId: `g-${i}`,
          provider: 'openai',
          model: 'gpt-4o',
          latencyMs: 800,
        },
        {
          kind: 'generation',
          ts,
          flag: FLAG,
          variant: 'candidate',
          unit,
          generationId: `s-${i}`,
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          latencyMs: 1_200,
          shadow: true,
        },
        {
          kind: 'feedback',
          ts,
          flag: FLAG,
          variant: 'control',
          unit,
          generationId: `g-${i}`,
          score: served,
          source: 'judge',
          pairId: `p-${i}`,
        },
        {
          kind: 'feedback',
          ts,
          flag: FLAG,
          variant: 'candidate',
          unit,
          generationId: `s-${i}`,
          score: shadow,
          source: 'judge',
          pairId: `p-${i}`,
          shadow: true,
          servedScore: served,
        },
      );
    });
    // A judgement without pairing fields, as before: still valid.
    events.push({ kind: 'feedback', ts, flag: FLAG, variant: 'control', unit: 'unit-0', thumbs: 'up' });
    const accepted = await post(events);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ accepted: events.length, rejected: [] });

    const refused = await post([
      { kind: 'feedback', flag: FLAG, variant: 'control', unit: 'u', score: 0.5, servedScore: 0.4 },
      {
        kind: 'feedback',
        flag: FLAG,
        variant: 'control',
        unit: 'u',
        score: 0.5,
        shadow: true,
        servedScore: 2,
      },
    ]);
    expect(refused.body.rejected.map((r: { field: string }) => r.field)).toEqual([
      'servedScore',
      'servedScore',
    ]);

    const { status, body } = await t.request('GET', `/api/v1/flags/${FLAG}/results?env=production`);
    expect(status).toBe(200);
    const byVariant = Object.fromEntries(body.variants.map((v: { variant: string }) => [v.variant, v]));
    expect(byVariant.control).toMatchObject({
      requests: 3,
      judgeQuality: { n: 3, mean: expect.closeTo(0.6, 10) },
      quality: { n: 1, mean: 1 },
      shadow: { requests: 0 },
    });
    expect(byVariant.candidate).toMatchObject({
      requests: 0,
      units: 0,
      judgeQuality: { n: 0, mean: null },
      shadow: {
        requests: 3,
        judgeQuality: { n: 3, mean: expect.closeTo(0.7, 10) },
        pairedJudgeDifference: { n: 3, mean: expect.closeTo(-0.1, 10) },
      },
    });
    expect(byVariant.candidate.shadow.latencyMs.p50).toBeGreaterThan(1_000);
    expect(byVariant.candidate.shadow.pairedJudgeDifference.effect.ci[1]).toBeGreaterThan(-0.1);
  });
});
