import { describe, expect, it } from 'vitest';
import { runSustainedScenario } from './sustained-scenario.js';

// The reduced run of sustained.stress.test.ts (same scenario, 15 s at half the rates) that `npm test` runs.
describe('sustained mixed load (reduced)', () => {
  it('answers every evaluation, event batch, edit and stream without an error', async () => {
    const result = await runSustainedScenario({
      durationMs: 15_000,
      warmupMs: 5_000,
      sampleEveryMs: 1_000,
      scale: 0.5,
      log: () => {},
    });
    expect(result.loops.flatMap((loop) => loop.samples)).toEqual([]);
    expect(result.failures).toBe(0);
    for (const loop of result.loops) expect(loop.requests, loop.name).toBeGreaterThan(0);
    // Too short to tell a leak from warm-up: this only catches memory that runs away.
    expect(result.rssGrowthMb).toBeLessThan(100);
  }, 60_000);
});
