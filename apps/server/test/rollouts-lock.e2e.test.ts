import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './harness.js';
import { HOUR_MS, newAiFlag, TestClock } from './rollout-fixtures.js';
import { type ReopenableStore, reopenableStore, startAppOn } from './rollout-simulation.js';

const START = Date.UTC(2026, 5, 1);
const PLANS = 20;

/** Two replicas (two apps, each with its own connection pool) on one PostgreSQL store. */
describe('the rollout scheduler with two replicas on one PostgreSQL', () => {
  let store: ReopenableStore;
  let other: ReopenableStore;
  let a: TestApp;
  let b: TestApp;
  let elsewhere: TestApp;
  const clock = new TestClock(START);

  beforeAll(async () => {
    store = await reopenableStore('postgres');
    other = await reopenableStore('postgres');
    a = await startAppOn(store, { clock: clock.now });
    b = await startAppOn(store, { clock: clock.now, adminKey: a.adminKey });
    elsewhere = await startAppOn(other, { clock: clock.now });
    for (let i = 0; i < PLANS; i++) {
      await newAiFlag(a, `flag-${i}`);
      const created = await a.request('POST', `/api/v1/flags/flag-${i}/environments/production/rollout`, {
        candidate: 'candidate',
        stages: [
          { kind: 'percentage', percent: 10, minDurationMs: HOUR_MS, minUnitsPerArm: 100 },
          { kind: 'percentage', percent: 100, minDurationMs: 0, minUnitsPerArm: 100 },
        ],
      });
      expect(created.status).toBe(201);
    }
    await newAiFlag(elsewhere, 'flag-0');
    await elsewhere.request('POST', '/api/v1/flags/flag-0/environments/production/rollout', {
      candidate: 'candidate',
    });
  });
  afterAll(async () => {
    for (const app of [a, b, elsewhere]) await app?.destroy();
    await store?.drop();
    await other?.drop();
  });

  it('skips the tick on a replica while another holds the lock, and acts once it is free', async () => {
    const held = await a.services.rolloutScheduler.leadership.run(async () => {
      const skipped = await b.services.rolloutScheduler.tick();
      expect(skipped).toEqual({ leader: false, decisions: [], failures: [] });
      // Another store's scheduler (another schema) is not held up by this one's lock.
      const unrelated = await elsewhere.services.rolloutScheduler.tick();
      expect(unrelated.leader).toBe(true);
      expect(unrelated.decisions).toHaveLength(1);
      return 'held';
    });
    expect(held).toEqual({ leader: true, value: 'held' });
    const after = await b.services.rolloutScheduler.tick();
    expect(after.leader).toBe(true);
    expect(after.decisions).toHaveLength(PLANS);
  });

  it('lets exactly one of two replicas act when both tick at once, round after round', async () => {
    const leaders: number[] = [];
    for (let round = 0; round < 5; round++) {
      clock.advance(10 * 60_000);
      const ticks = await Promise.all([
        a.services.rolloutScheduler.tick(),
        b.services.rolloutScheduler.tick(),
      ]);
      leaders.push(ticks.filter((tick) => tick.leader).length);
      const decided = ticks.flatMap((tick) => tick.decisions);
      expect(decided).toHaveLength(PLANS);
      expect(new Set(decided.map((d) => d.planId)).size).toBe(PLANS);
    }
    expect(leaders).toEqual([1, 1, 1, 1, 1]);
    // Every plan has one timeline, without decisions taken twice.
    const timeline = await a.request('GET', '/api/v1/flags/flag-3/environments/production/rollout/timeline');
    const holds = timeline.body.items.filter((e: { action: string }) => e.action === 'held');
    expect(holds).toHaveLength(1);
    expect(holds[0].repeats).toBe(6);
  });
});
