import type { AddressInfo } from 'node:net';
import { createClient, GenerationDrainedError, type SwitchboardClient } from '@switchboard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloutNotification } from '../src/features/rollouts/notifier.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';
import { HOUR_MS, newAiFlag, postArms, serverKeyOf, TestClock } from './rollout-fixtures.js';

// Near the real time: the SDK stamps its own exposures with it, and they must be accepted.
const START = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
const STAGES = [
  { kind: 'percentage', percent: 25, minDurationMs: 2 * HOUR_MS, minUnitsPerArm: 100 },
  { kind: 'percentage', percent: 100, minDurationMs: 0, minUnitsPerArm: 100 },
];

/** A tracked call of the flag for `unit`: a slow generation (10 s) that only a drain cuts short. */
function slowGeneration(client: SwitchboardClient, unit: string) {
  const config = client.aiConfig('support-model', { targetingKey: unit });
  const outcome = config.tracker
    .track(
      (signal) =>
        new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => resolve('answered'), 10_000);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        }),
    )
    .then(
      (answer) => answer,
      (error: unknown) => error,
    );
  return { variant: config.variant, outcome };
}

describe.each(DIALECTS)('the rollback sequence end to end on %s', (dialect) => {
  let t: TestApp;
  let url: string;
  let serverKey: string;
  const clock = new TestClock(START);
  const notifications: RolloutNotification[] = [];
  const clients: SwitchboardClient[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      dialect,
      { rolloutIntervalMs: 0 },
      { clock: clock.now, rolloutNotifier: { notify: (event) => notifications.push(event) } },
    );
    await t.http.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.http.server.address() as AddressInfo).port}`;
    serverKey = await serverKeyOf(t);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await t.destroy();
  });

  it('serves the control, drains the candidate generation in flight on every SDK, records and notifies', async () => {
    await newAiFlag(t, 'support-model');
    const created = await t.request('POST', '/api/v1/flags/support-model/environments/production/rollout', {
      candidate: 'candidate',
      stages: STAGES,
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const client = createClient({ url, sdkKey: serverKey, events: { flushIntervalMs: 60_000 } });
      clients.push(client);
      await client.ready({ timeoutMs: 5_000 });
    }
    // Both streams attached: a drain reaches the streams open when it is sent.
    await expect.poll(() => t.services.streams.count().server).toBe(2);
    const [first, second] = clients as [SwitchboardClient, SwitchboardClient];
    // Units the 25% split gives the candidate and the control.
    const units = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const onCandidate = units.filter(
      (u) => first.evaluate('support-model', { targetingKey: u }).variant === 'candidate',
    );
    const onControl = units.filter(
      (u) => first.evaluate('support-model', { targetingKey: u }).variant === 'control',
    );
    expect(onCandidate.length).toBeGreaterThan(20);

    const inFlight = [
      slowGeneration(first, onCandidate[0] as string),
      slowGeneration(second, onCandidate[1] as string),
      slowGeneration(first, onControl[0] as string),
    ];
    expect(inFlight.map((c) => c.variant)).toEqual(['candidate', 'candidate', 'control']);
    expect(first.inFlight('support-model')).toBe(2);
    const changed = Promise.all(clients.map((c) => new Promise((resolve) => c.once('change', resolve))));
    const drained = Promise.all(clients.map((c) => new Promise((resolve) => c.once('drain', resolve))));

    // The candidate errs a lot: the scheduler's next look rolls it back.
    clock.set(START + HOUR_MS);
    await postArms(t, serverKey, 'support-model', new Date(START + 10 * 60_000), {
      control: { units: 300, errorRate: 0.01, fallbackRate: 0.1 },
      candidate: { units: 120, errorRate: 0.4, fallbackRate: 0 },
    });
    const tick = await t.services.rolloutScheduler.tick();
    expect(tick.decisions[0]).toMatchObject({ action: 'rolled-back', flag: 'support-model' });

    // 1. The split reaches every SDK: nobody is served the candidate any more.
    await changed;
    for (const client of clients) {
      expect(
        units.every((u) => client.evaluate('support-model', { targetingKey: u }).variant === 'control'),
      ).toBe(true);
    }
    // 2. The drain reaches every SDK after it: the candidate's generations are aborted, the control's runs on.
    expect(await drained).toEqual([
      { flag: 'support-model', trigger: 'requested', finished: 0, aborted: 1 },
      { flag: 'support-model', trigger: 'requested', finished: 0, aborted: 1 },
    ]);
    for (const call of inFlight.slice(0, 2)) {
      const error = await call.outcome;
      expect(error).toBeInstanceOf(GenerationDrainedError);
    }
    expect(first.inFlight('support-model')).toBe(1);
    expect(first.eventStats().drained).toBe(1);
    // 3. The fallback: what a caller retrying now gets is the control's configuration.
    const retried = first.aiConfig('support-model', { targetingKey: onCandidate[0] as string });
    expect(retried).toMatchObject({ variant: 'control', model: 'gpt-4o' });

    // 4. The reason is recorded, with the figures.
    const plan = (await t.request('GET', '/api/v1/flags/support-model/environments/production/rollout')).body;
    expect(plan.status).toBe('rolled-back');
    expect(plan.reason).toMatch(/regress: guardrail broken \(error-rate\)/);
    const timeline = (await t.request('GET', `/api/v1/rollouts/${plan.id}/timeline`)).body.items;
    const last = timeline.at(-1);
    expect(last).toMatchObject({ action: 'rolled-back', verdict: 'regress', actor: 'rollout-scheduler' });
    expect(last.figures.arms.candidate.errorRate).toBeGreaterThan(0.2);
    // Each arm's fallback rate is kept beside it (the control's is only measured, never a guardrail).
    expect(last.figures.arms.control.fallbackRate).toBeGreaterThan(0.03);
    expect(last.figures.arms.candidate.fallbackRate).toBe(0);
    expect(last.figures.fallback).toEqual({ served: 'control', fallthrough: 'control' });
    // 5. Notified.
    const rolledBack = notifications.find((n) => n.type === 'rollout.rolled_back');
    expect(rolledBack).toMatchObject({
      project: 'default',
      environment: 'production',
      flag: 'support-model',
    });
    expect(rolledBack?.data.reason).toMatch(/error-rate/);
    expect(rolledBack?.at).toBe(new Date(START + HOUR_MS).toISOString());
  });
});
