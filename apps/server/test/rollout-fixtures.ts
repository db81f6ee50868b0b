import { expect } from 'vitest';
import type { TestApp } from './harness.js';

export const HOUR_MS = 3_600_000;

/** A seeded generator of uniform numbers in [0, 1) (mulberry32): the same seed, the same run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A settable clock for `startTestApp(..., { clock })`. */
export class TestClock {
  constructor(private ms: number) {}
  readonly now = (): Date => new Date(this.ms);
  set(at: Date | number): void {
    this.ms = typeof at === 'number' ? at : at.getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** How one arm behaves in generated traffic. */
export interface ArmBehaviour {
  units: number;
  errorRate?: number;
  latencyMs?: number;
  /** Share of thumbs up; no feedback when undefined. */
  upRate?: number;
  /** Share of generations served by a fallback; none when undefined. */
  fallbackRate?: number;
}

/** A server key for the environment, to post events with. */
export async function serverKeyOf(t: TestApp, environment = 'production'): Promise<string> {
  const key = await t.request('POST', '/api/v1/keys', {
    name: `sdk-${environment}`,
    kind: 'server',
    environment,
  });
  expect(key.status).toBe(201);
  return key.body.key;
}

let batches = 0;

/**
 * Posts one exposure, one generation and (with `upRate`) one feedback per unit of each arm, stamped
 * `ts`, as the SDK would. Unit ids are `<prefix>-<variant>-<n>`.
 */
export async function postArms(
  t: TestApp,
  serverKey: string,
  flag: string,
  ts: Date,
  arms: Record<string, ArmBehaviour>,
  options: { prefix?: string; seed?: number } = {},
): Promise<void> {
  const next = seeded(options.seed ?? 1);
  const events: unknown[] = [];
  for (const [variant, arm] of Object.entries(arms)) {
    for (let u = 0; u < arm.units; u++) {
      const unit = `${options.prefix ?? 'u'}-${variant}-${u}`;
      const at = ts.toISOString();
      events.push({ kind: 'exposure', flag, variant, unit, ts: at });
      events.push({
        kind: 'generation',
        flag,
        variant,
        unit,
        provider: 'openai',
        model: 'gpt-4o',
        latencyMs: Math.round((arm.latencyMs ?? 500) * (0.8 + 0.4 * next())),
        inputTokens: 500,
        outputTokens: 100,
        ts: at,
        ...(next() < (arm.errorRate ?? 0) ? { error: 'server' } : {}),
        // Drawn only when asked for, so arms without it see the same sequence as before.
        ...(arm.fallbackRate !== undefined && next() < arm.fallbackRate ? { fallbackUsed: true } : {}),
      });
      if (arm.upRate !== undefined)
        events.push({
          kind: 'feedback',
          flag,
          variant,
          unit,
          thumbs: next() < arm.upRate ? 'up' : 'down',
          ts: at,
        });
    }
  }
  for (let i = 0; i < events.length; i += 2_000) {
    batches += 1;
    const response = await t.request(
      'POST',
      '/api/v1/events',
      { events: events.slice(i, i + 2_000) },
      { authorization: `Bearer ${serverKey}`, 'idempotency-key': `rollout-fixture-${batches}-${Date.now()}` },
    );
    expect(response.status).toBe(200);
    expect(response.body.rejected).toEqual([]);
  }
}

/** An ai-config flag with a control and a candidate, on at 100% control in `environment`. */
export async function newAiFlag(
  t: TestApp,
  key: string,
  options: { environment?: string; changeType?: string } = {},
): Promise<void> {
  const created = await t.request('POST', '/api/v1/flags', {
    key,
    kind: 'ai-config',
    changeType: options.changeType ?? 'prompt',
    variants: [
      { key: 'control', value: { provider: 'openai', model: 'gpt-4o' } },
      { key: 'candidate', value: { provider: 'openai', model: 'gpt-4o-mini' } },
    ],
  });
  expect(created.status).toBe(201);
  const configured = await t.request(
    'PATCH',
    `/api/v1/flags/${key}/environments/${options.environment ?? 'production'}`,
    {
      version: 0,
      enabled: true,
      fallthrough: { variant: 'control' },
    },
  );
  expect(configured.status).toBe(200);
}
