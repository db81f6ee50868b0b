import type { AddressInfo } from 'node:net';
import type { SwitchboardClient } from '@switchboard/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RolloutNotification } from '../src/features/rollouts/notifier.js';
import { SCENARIOS } from '../src/features/rollouts/simulation-scenarios.js';
import { DIALECTS, type TestApp } from './harness.js';
import { HOUR_MS, newAiFlag, serverKeyOf, TestClock } from './rollout-fixtures.js';
import {
  fakeDate,
  type HourStep,
  reopenableStore,
  SimulatedUsers,
  sdkClients,
  simulate,
  startAppOn,
} from './rollout-simulation.js';

const START = Date.UTC(2026, 5, 1);
const FLAG = 'support-model';

/** The server's injected clock and the SDK's (faked) Date, moved together. */
function simulatedTime() {
  const clock = new TestClock(START);
  const setDate = fakeDate(START);
  return {
    clock,
    set(ms: number) {
      clock.set(ms);
      setDate(ms);
    },
  };
}

function summary(steps: readonly HourStep[]): string {
  return steps
    .filter((s) => s.decision !== undefined && s.decision.action !== 'held')
    .map((s) => {
      const d = s.decision;
      const c = d?.arms?.candidate;
      return `h${s.hour + 1} ${d?.action} at ${d?.stage.kind === 'percentage' ? `${d.stage.percent}%` : d?.stage.kind} (candidate units ${c?.units}, requests ${c?.requests}, error rate ${c?.errorRate?.toFixed(3)}, p95 ${c?.latencyP95Ms?.toFixed(0)} ms)`;
    })
    .join('; ');
}

describe.each(DIALECTS)('proof by simulation, SDK traffic through the real server, on %s', (dialect) => {
  const clients: SwitchboardClient[] = [];
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(apps.splice(0).map((a) => a.destroy()));
    vi.useRealTimers();
  });

  it('(a, d) a better candidate passes every stage of its preset to 100%, and a restart mid-plan resumes its stage', async () => {
    const store = await reopenableStore(dialect);
    const time = simulatedTime();
    const notifications: RolloutNotification[] = [];
    const notifier = { notify: (n: RolloutNotification) => notifications.push(n) };
    let t = await startAppOn(store, { clock: time.clock.now, notifier });
    apps.push(t);
    const port = (t.http.server.address() as AddressInfo).port;
    await newAiFlag(t, FLAG, { changeType: 'prompt' });
    const serverKey = await serverKeyOf(t);
    const created = await t.request('POST', `/api/v1/flags/${FLAG}/environments/production/rollout`, {
      candidate: 'candidate',
    });
    expect(created.body.stages.map((s: { percent: number }) => s.percent)).toEqual([10, 25, 50, 100]);
    clients.push(...(await sdkClients(t, serverKey, 2)));
    let users = new SimulatedUsers(clients, FLAG, 2_000, 1, SCENARIOS.improve);
    const run = (firstHour: number, until: (step: HourStep) => boolean) =>
      simulate({
        t,
        serverKey,
        clients,
        users,
        start: START,
        firstHour,
        requestsPerHour: 300,
        maxHours: 200,
        setTime: time.set,
        flag: FLAG,
        until,
      });

    // Up to the first advance, then three hours into the second stage.
    const first = await run(0, (s) => s.decision?.action === 'advanced');
    const advancedAt = (first.at(-1) as HourStep).hour;
    const into = await run(advancedAt + 1, (s) => s.hour >= advancedAt + 3);
    const before = (await t.request('GET', `/api/v1/flags/${FLAG}/environments/production/rollout`)).body;
    expect(before).toMatchObject({ status: 'active', stageIndex: 1 });

    // (d) The server goes away mid-stage; another starts on the same store (and port).
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await t.destroy();
    apps.splice(0);
    t = await startAppOn(store, { clock: time.clock.now, adminKey: t.adminKey, port, notifier });
    apps.push(t);
    const after = (await t.request('GET', `/api/v1/flags/${FLAG}/environments/production/rollout`)).body;
    expect(after).toMatchObject({
      status: 'active',
      stageIndex: 1,
      stageStartedAt: before.stageStartedAt,
      version: before.version,
    });
    clients.push(...(await sdkClients(t, serverKey, 2)));
    users = new SimulatedUsers(clients, FLAG, 2_000, 2, SCENARIOS.improve);
    const rest = await run(advancedAt + 4, (s) => s.decision?.action === 'completed');
    const steps = [...first, ...into, ...rest];

    const moves = steps.filter((s) => s.decision !== undefined && s.decision.action !== 'held');
    expect(moves.map((s) => `${s.decision?.action}@${describeStage(s)}`)).toEqual([
      'advanced@10%',
      'advanced@25%',
      'completed@50%',
    ]);
    for (const move of moves) expect(move.decision?.verdict?.decision).toBe('promote');
    // Each stage held at least its 24 h.
    const hoursBetween = moves.map((s, i) => s.hour - (i === 0 ? -1 : (moves[i - 1] as HourStep).hour));
    for (const hours of hoursBetween) expect(hours).toBeGreaterThanOrEqual(24);
    // Everyone is served the candidate now.
    await expect
      .poll(() => clients.every((c) => c.evaluate(FLAG, { targetingKey: 'user-7' }).variant === 'candidate'))
      .toBe(true);
    const timeline = (
      await t.request('GET', `/api/v1/flags/${FLAG}/environments/production/rollout/timeline`)
    ).body.items as { action: string }[];
    expect(timeline.filter((e) => e.action !== 'held').map((e) => e.action)).toEqual([
      'created',
      'advanced',
      'advanced',
      'completed',
    ]);
    expect(notifications.map((n) => n.type).filter((type) => type !== 'rollout.held')).toEqual([
      'rollout.advanced',
      'rollout.advanced',
      'rollout.completed',
    ]);
    console.log(`[simulation a/d ${dialect}] ${summary(steps)}; restarted at h${advancedAt + 4}`);
    await store.drop();
  });

  it.each([
    ['regress', 'model-swap', 20_000, 2_000],
    ['regress-latency', 'prompt', 2_000, 300],
  ] as const)(
    '(b) a %s candidate (%s preset) is rolled back automatically, and nobody is served it after',
    async (scenario, preset, pool, perHour) => {
      const store = await reopenableStore(dialect);
      const time = simulatedTime();
      const t = await startAppOn(store, { clock: time.clock.now });
      apps.push(t);
      await newAiFlag(t, FLAG, { changeType: preset });
      const serverKey = await serverKeyOf(t);
      await t.request('POST', `/api/v1/flags/${FLAG}/environments/production/rollout`, {
        candidate: 'candidate',
      });
      clients.push(...(await sdkClients(t, serverKey, 2)));
      const users = new SimulatedUsers(clients, FLAG, pool, 3, SCENARIOS[scenario]);
      const steps = await simulate({
        t,
        serverKey,
        clients,
        users,
        start: START,
        requestsPerHour: perHour,
        maxHours: 96,
        setTime: time.set,
        flag: FLAG,
        until: (s) => s.decision?.action === 'rolled-back',
      });
      const last = steps.at(-1) as HourStep;
      expect(last.decision?.action).toBe('rolled-back');
      expect(last.decision?.stageIndex).toBe(0);
      const broken = scenario === 'regress' ? 'error-rate' : 'p95-latency';
      expect(last.decision?.reason).toContain(`guardrail broken (${broken})`);
      // Bounded: the candidate served a few hundred requests before it was pulled.
      const candidateRequests = users.served.candidate ?? 0;
      expect(candidateRequests).toBeLessThan(1_000);

      // The rollback reached the SDKs (simulate waits for it): from now on nobody gets the candidate.
      const servedBefore = { ...users.served };
      const afterHour = last.hour + 1;
      time.set(START + afterHour * HOUR_MS + HOUR_MS / 2);
      const later = users.requests(perHour);
      expect(later.candidate ?? 0).toBe(0);
      expect(later.control).toBe(perHour);
      const plan = (await t.request('GET', `/api/v1/flags/${FLAG}/environments/production/rollout`)).body;
      expect(plan.status).toBe('rolled-back');
      console.log(
        `[simulation b ${scenario} ${dialect}] rolled back at h${last.hour + 1}, ${describeStage(last)}, after ${candidateRequests} candidate requests of ${Object.values(servedBefore).reduce((a, b) => a + b, 0)}: ${last.decision?.reason}`,
      );
      await store.drop();
    },
  );
});

function describeStage(step: HourStep): string {
  const stage = step.decision?.stage;
  return stage?.kind === 'percentage' ? `${stage.percent}%` : String(stage?.kind);
}
