import { describe, expect, it } from 'vitest';
import { isFullStressRun, recordStressFigures } from './stress-results.js';
import { runSustainedScenario } from './sustained-scenario.js';

/**
 * The bound on growth after warm-up: 30 MB of RSS and of used heap, medians of the first and last fifth
 * of the samples (so one GC cycle's sawtooth does not count). At ~660 requests/s for 3 minutes
 * (~120,000 requests and ~3,600 stream connections), a leak of 250 bytes per request would pass it;
 * anything that grows with traffic fails it, while V8's heap sizing steps (a few MB) do not.
 */
const MAX_GROWTH_MB = 30;

describe('sustained mixed load on one server process (embedded store)', () => {
  it('answers every evaluation, event batch, edit and stream for 3.5 minutes with flat memory', async () => {
    const result = await runSustainedScenario({
      durationMs: 210_000,
      warmupMs: 30_000,
      sampleEveryMs: 5_000,
      scale: 1,
      log: console.log,
    });
    if (isFullStressRun()) recordStressFigures('sustained-load', { ...result, growthBoundMb: MAX_GROWTH_MB });
    expect(result.loops.flatMap((loop) => loop.samples)).toEqual([]);
    expect(result.failures).toBe(0);
    expect(result.rssGrowthMb).toBeLessThan(MAX_GROWTH_MB);
    expect(result.heapGrowthMb).toBeLessThan(MAX_GROWTH_MB);
  });
});
