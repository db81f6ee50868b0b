import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test/harness.js';
import { runCrashScenario } from './crash-scenario.js';

/**
 * The crash scenario reduced for `npm test`: 3 SIGKILLs per store under a short burst of writes and
 * event batches. The full run (crash.stress.test.ts, `npm run test:stress`) kills 20+ times per store.
 */
describe.each(DIALECTS)('a server process SIGKILLed under load, on %s (reduced)', (dialect) => {
  it('keeps every acknowledged write with its audit entry and counts every batch once', async () => {
    const figures = await runCrashScenario({
      dialect,
      kills: 3,
      killAfterMs: [150, 600],
      flagWriters: 3,
      eventSenders: 2,
      batchEvents: 50,
      seed: dialect === 'sqlite' ? 11 : 12,
    });
    console.info(`crash (reduced), ${dialect}:`, { ...figures, problems: figures.problems.length });
    expect(figures.problems).toEqual([]);
    expect(figures).toMatchObject({
      runs: 3,
      lost: 0,
      duplicateBatches: 0,
      halfApplied: 0,
      partialBatches: 0,
    });
    expect(figures.acknowledgedWrites).toBeGreaterThan(0);
    expect(figures.acknowledgedBatches).toBeGreaterThan(0);
  }, 90_000);
});
