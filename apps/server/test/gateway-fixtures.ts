import type { FakeProvider } from '@switchboard/llm/testing';
import { expect } from 'vitest';
import { type ProviderSettings, Secret } from '../src/features/gateway/provider-settings.js';
import type { TestApp } from './harness.js';

/** The key the fake provider wants: the gateway's own, never the caller's Switchboard key. */
export const UPSTREAM_KEY = 'sk-upstream-secret';

/**
 * Providers pointing at the fake, one name per scenario: a provider's breaker and Retry-After hold are
 * shared by every request of the app, so each scenario that trips them gets its own.
 */
export function fakeProviders(fake: FakeProvider): ProviderSettings[] {
  const openAi = (name: string, key = UPSTREAM_KEY): ProviderSettings => ({
    name,
    protocol: 'openai',
    baseUrl: `${fake.url}/v1`,
    apiKey: new Secret(key),
  });
  return [
    openAi('openai'),
    { name: 'anthropic', protocol: 'anthropic', baseUrl: fake.url, apiKey: new Secret(UPSTREAM_KEY) },
    ...['limited', 'throttled', 'failing', 'broken', 'brittle', 'sluggish', 'garbled', 'torn'].map((name) =>
      openAi(name),
    ),
    openAi('wrong-key', 'sk-not-the-one'),
  ];
}

/** An AI config variant value as the API takes it. */
export type AiValue = Record<string, unknown> & { provider: string; model: string };

/**
 * Creates an ai-config flag and configures it in production (enabled unless told otherwise). Each
 * variant is targeted at the unit `u-<variant>`; others get `fallthrough` (the first variant unless told).
 */
export async function createAiFlag(
  t: TestApp,
  key: string,
  variants: Record<string, AiValue>,
  environment: Record<string, unknown> = {},
): Promise<void> {
  const names = Object.keys(variants);
  const created = await t.request('POST', '/api/v1/flags', {
    key,
    kind: 'ai-config',
    variants: names.map((name) => ({ key: name, value: variants[name] })),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await configure(t, key, {
    enabled: true,
    targets: names.map((name) => ({ variant: name, values: [`u-${name}`] })),
    fallthrough: { variant: names[0] },
    ...environment,
  });
}

/** Changes a flag's production configuration (reading its version first). */
export async function configure(t: TestApp, key: string, patch: Record<string, unknown>): Promise<void> {
  const current = await t.request('GET', `/api/v1/flags/${key}/environments/production`);
  expect(current.status, JSON.stringify(current.body)).toBe(200);
  const changed = await t.request('PATCH', `/api/v1/flags/${key}/environments/production`, {
    ...patch,
    version: current.body.version,
  });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
}

/** A key of a kind for production. */
export async function createKey(t: TestApp, kind: 'server' | 'client'): Promise<string> {
  const { status, body } = await t.request('POST', '/api/v1/keys', {
    name: `gateway ${kind}`,
    kind,
    environment: 'production',
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return body.key;
}

/** The generations recorded for a flag, as exported (after the recorder has written them). */
export async function generationsOf(t: TestApp, flag: string): Promise<Record<string, unknown>[]> {
  await t.services.gateway.flush();
  const ref = await t.services.snapshots.resolve('default', 'production');
  const lines: string[] = [];
  for await (const chunk of t.services.events.exportEvents({
    environment: { ...ref, environmentKey: 'production' },
    kind: 'generation',
    flag,
  })) {
    lines.push(...chunk.trim().split('\n'));
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Reads a server-sent event stream to its end: each event's name (if any) and parsed data. */
export async function readEvents(response: Response): Promise<{ event?: string; data: string }[]> {
  const text = await response.text();
  return text
    .split(/\n\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return event === undefined ? { data } : { event, data };
    });
}
