import { expect } from 'vitest';
import { startTestApp, type TestApp } from '../../../apps/server/test/harness.js';

/** A running server with the flags the provider tests read, and its keys. */
export interface FlagServer {
  app: TestApp;
  url: string;
  serverKey: string;
  clientKey: string;
  /** Changes a flag's configuration in production through the admin API. */
  configure(flag: string, patch: Record<string, unknown>): Promise<void>;
}

const onOff = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

/**
 * Flags: `new-checkout` (boolean, rule `pro` on plan), `llm-model` (string, rule `beta`), `max-tokens`
 * (number), `layout` (json), `rollout` (boolean, a split all on), `gated` (prerequisite: new-checkout on),
 * `merged` (rule `all` on region, tier and device), `launch` (rule `early` on signedUpAt before a date),
 * `dormant` (string, disabled, no off variant).
 */
export async function startFlagServer(): Promise<FlagServer> {
  const app = await startTestApp('sqlite');
  const url = await app.http.listen({ port: 0, host: '127.0.0.1' });
  const key = async (kind: string) =>
    (await app.request('POST', '/api/v1/keys', { name: kind, kind, environment: 'production' })).body
      .key as string;
  const configure = async (flag: string, patch: Record<string, unknown>) => {
    const current = await app.request('GET', `/api/v1/flags/${flag}/environments/production`);
    const response = await app.request('PATCH', `/api/v1/flags/${flag}/environments/production`, {
      ...patch,
      version: current.body.version,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  };
  const create = async (flag: Record<string, unknown>, patch: Record<string, unknown>) => {
    expect((await app.request('POST', '/api/v1/flags', flag)).status).toBe(201);
    await configure(flag.key as string, { enabled: true, ...patch });
  };
  const rule = (id: string, clauses: unknown[], variant: string) => ({ id, clauses, serve: { variant } });
  await create(
    { key: 'new-checkout', kind: 'boolean', variants: onOff },
    {
      rules: [rule('pro', [{ attribute: 'plan', op: 'equals', values: ['pro'] }], 'on')],
      fallthrough: { variant: 'off' },
    },
  );
  await create(
    {
      key: 'llm-model',
      kind: 'string',
      variants: [
        { key: 'control', value: 'gpt-4o' },
        { key: 'candidate', value: 'claude-sonnet' },
      ],
    },
    {
      rules: [rule('beta', [{ attribute: 'beta', op: 'equals', values: [true] }], 'candidate')],
      fallthrough: { variant: 'control' },
    },
  );
  await create(
    {
      key: 'max-tokens',
      kind: 'number',
      variants: [
        { key: 'short', value: 1024 },
        { key: 'long', value: 4096 },
      ],
    },
    { fallthrough: { variant: 'long' } },
  );
  await create(
    { key: 'layout', kind: 'json', variants: [{ key: 'grid', value: { columns: 3 } }] },
    { fallthrough: { variant: 'grid' } },
  );
  await create(
    { key: 'rollout', kind: 'boolean', variants: onOff },
    {
      fallthrough: {
        split: [
          { variant: 'on', weight: 100_000 },
          { variant: 'off', weight: 0 },
        ],
      },
    },
  );
  await create({ key: 'gated', kind: 'boolean', variants: onOff }, {});
  await configure('gated', { prerequisites: [{ flag: 'new-checkout', variant: 'on' }] });
  await create(
    { key: 'merged', kind: 'boolean', variants: onOff },
    {
      rules: [
        rule(
          'all',
          [
            { attribute: 'region', op: 'equals', values: ['eu'] },
            { attribute: 'tier', op: 'equals', values: ['team'] },
            { attribute: 'device', op: 'equals', values: ['mobile'] },
          ],
          'on',
        ),
      ],
      fallthrough: { variant: 'off' },
    },
  );
  await create(
    { key: 'launch', kind: 'boolean', variants: onOff },
    {
      rules: [rule('early', [{ attribute: 'signedUpAt', op: 'before', values: ['2026-01-01'] }], 'on')],
      fallthrough: { variant: 'off' },
    },
  );
  await create({ key: 'dormant', kind: 'string', variants: [{ key: 'a', value: 'a' }] }, {});
  await configure('dormant', { enabled: false, offVariant: null });
  return { app, url, serverKey: await key('server'), clientKey: await key('client'), configure };
}

/**
 * A fetch that can go offline: going offline cuts every open request and stream, and fails new ones
 * until it comes back, like a network cable pulled and plugged in again.
 */
export function switchableFetch() {
  let online = true;
  const open = new Set<AbortController>();
  const impl: typeof fetch = async (input, init) => {
    if (!online) throw new TypeError('fetch failed: offline');
    const cut = new AbortController();
    const outer = init?.signal;
    outer?.addEventListener('abort', () => cut.abort(outer.reason), { once: true });
    open.add(cut);
    return fetch(input, { ...init, signal: cut.signal });
  };
  return {
    fetch: impl,
    offline() {
      online = false;
      for (const cut of open) cut.abort(new Error('offline'));
      open.clear();
    },
    online() {
      online = true;
    },
  };
}
