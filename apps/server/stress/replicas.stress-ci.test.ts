import { describe, expect, it } from 'vitest';
import { expectOneSchedulerActed, runReplicaScenario } from './replica-scenario.js';

/**
 * The three-replica scenario reduced for `npm test`: 2 SDKs per replica, a few changes. The full run
 * (replicas.stress.test.ts, `npm run test:stress`) has many SDKs and changes.
 */
describe('three server processes on one PostgreSQL and one Redis (reduced)', () => {
  it('keeps every SDK in step through changes, a rollout, events and two replica restarts', async () => {
    const figures = await runReplicaScenario({
      sdksPerReplica: 2,
      changes: 6,
      outageChanges: 3,
      batchesPerReplica: 2,
      restartRounds: 1,
    });
    console.info('replicas (reduced):', JSON.stringify(figures));
    expect(figures.problems).toEqual([]);
    expect(figures.versionDisagreements).toBe(0);
    expect(figures.rollout.stageOnEveryReplica).toEqual([1, 1, 1]);
    expectOneSchedulerActed(figures);
    expect(figures.results).toEqual({
      eventsPosted: 600,
      exposuresPerReplica: [600, 600, 600],
      identical: true,
    });
    expect(figures.restarts.map((r) => [r.signal, r.changesMissed])).toEqual([
      ['SIGKILL', 0],
      ['SIGTERM', 0],
    ]);
    // All three hold 2 streams; a restarted replica gets its own 2 back (their home), so each stop moves 2.
    expect(figures.restarts.map((r) => r.movedSdks)).toEqual([2, 2]);
    for (const restart of figures.restarts) expect(restart.returnedHomeMs.max).toBeLessThan(10_000);
    expect(figures.restarts[1]?.exit?.code).toBe(0);
    expect(figures.restarts[1]?.exit?.ms).toBeLessThan(5_000);
  }, 150_000);
});
