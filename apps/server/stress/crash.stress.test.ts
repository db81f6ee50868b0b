import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test/harness.js';
import { runCrashScenario } from './crash-scenario.js';
import { isFullStressRun, recordStressFigures } from './stress-results.js';

/**
 * Crash safety, in full (`npm run test:stress`): 20 SIGKILLs in a row per store, at random moments of
 * a load of flag writes and event batches, each followed by a restart and the checks. Figures go to
 * bench/results/stress.json (`crash-sqlite`, `crash-postgres`).
 */
describe.each(DIALECTS)('a server process SIGKILLed under load, 20 times, on %s', (dialect) => {
  it('keeps every acknowledged write with its audit entry and counts every batch once', async () => {
    const startedAt = performance.now();
    const figures = await runCrashScenario({
      dialect,
      kills: 20,
      killAfterMs: [200, 3_000],
      flagWriters: 4,
      eventSenders: 3,
      batchEvents: 100,
      seed: dialect === 'sqlite' ? 21 : 22,
    });
    console.info(`crash, ${dialect}:`, figures);
    if (isFullStressRun()) {
      recordStressFigures(`crash-${dialect}`, {
        ...figures,
        problems: figures.problems.length,
        wallSeconds: Math.round((performance.now() - startedAt) / 1000),
      });
    }
    expect(figures.problems).toEqual([]);
    expect(figures).toMatchObject({
      runs: 20,
      lost: 0,
      duplicateBatches: 0,
      halfApplied: 0,
      partialBatches: 0,
    });
    expect(figures.acknowledgedWrites).toBeGreaterThan(0);
    expect(figures.resentBatches).toBeGreaterThan(0);
  });
});
