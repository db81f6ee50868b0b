import { describe, expect, it } from 'vitest';
import { expectOneSchedulerActed, runReplicaScenario } from './replica-scenario.js';
import { isFullStressRun, recordStressFigures } from './stress-results.js';

/**
 * Three replicas, in full (`npm run test:stress`): 20 SDKs per replica, 30 changes, three rounds of a
 * SIGKILL and a SIGTERM with 10 changes during each outage. Figures go to bench/results/stress.json
 * (`replicas`).
 */
describe('three server processes on one PostgreSQL and one Redis', () => {
  it('keeps every SDK in step through changes, a rollout, events and six replica restarts', async () => {
    const figures = await runReplicaScenario({
      sdksPerReplica: 20,
      changes: 30,
      outageChanges: 10,
      batchesPerReplica: 10,
      restartRounds: 3,
    });
    console.info('replicas:', JSON.stringify(figures, null, 2));
    if (isFullStressRun()) {
      const restarts = figures.restarts;
      recordStressFigures('replicas', {
        replicas: figures.replicas,
        sdks: figures.sdks,
        changes: figures.changes,
        deliveryMs: figures.deliveryMs,
        versionDisagreements: figures.versionDisagreements,
        rollout: figures.rollout,
        results: figures.results,
        restarts: restarts.length,
        reconnectMsMax: Math.max(...restarts.map((r) => r.reconnectMs.max)),
        reconnectMsMedianOfMedians: restarts.map((r) => r.reconnectMs.median).sort((a, b) => a - b)[
          Math.floor(restarts.length / 2)
        ],
        allChangesMsMax: Math.max(...restarts.map((r) => r.allChangesMs)),
        changesMissed: restarts.reduce((n, r) => n + r.changesMissed, 0),
        returnedHomeMsMax: Math.max(...restarts.map((r) => r.returnedHomeMs.max)),
        sigtermExitMsMax: Math.max(...restarts.flatMap((r) => (r.exit === undefined ? [] : [r.exit.ms]))),
        perRestart: restarts,
        problems: figures.problems.length,
      });
    }
    expect(figures.problems).toEqual([]);
    expect(figures.versionDisagreements).toBe(0);
    expect(figures.rollout.stageOnEveryReplica).toEqual([1, 1, 1]);
    expectOneSchedulerActed(figures);
    expect(figures.results.identical).toBe(true);
    expect(figures.results.exposuresPerReplica).toEqual([3_000, 3_000, 3_000]);
    expect(figures.restarts).toHaveLength(6);
    for (const restart of figures.restarts) {
      // Each replica holds its own 20 again once restarted (they come home), so each stop moves 20.
      expect(restart.movedSdks).toBe(20);
      expect(restart.returnedHomeMs.max).toBeLessThan(10_000);
      expect(restart.changesMissed).toBe(0);
      if (restart.signal === 'SIGTERM') expect(restart.exit).toMatchObject({ code: 0 });
    }
  });
});
