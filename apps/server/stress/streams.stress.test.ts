import { describe, expect, it } from 'vitest';
import { runStreamsScenario } from './streams-scenario.js';
import { isFullStressRun, recordStressFigures } from './stress-results.js';

describe('10,000 SDK streams on one server process (embedded store)', () => {
  it('holds them with bounded memory, beats every one on time, and reaches all of them with a change', async () => {
    const result = await runStreamsScenario({
      streams: 10_000,
      helpers: 4,
      sdkClients: 20,
      heartbeatMs: 2_000,
      heartbeatPeriods: 3,
      changes: 10,
      missAfterMs: 10_000,
      settleMs: 3_000,
      log: console.log,
    });
    if (isFullStressRun()) recordStressFigures('streams-10k', { ...result });
    expect(result.droppedStreams).toBe(0);
    expect(result.missed).toBe(0);
    expect(result.heartbeatsMin).toBeGreaterThanOrEqual(result.heartbeatsExpected - 1);
    expect(result.lateStreams).toBe(0);
    // 10,000 streams in well under 1 GB: each costs kilobytes, not megabytes.
    expect(result.rssPerStreamKb).toBeLessThan(100);
    expect(result.propagationP99Ms).toBeLessThan(2_000);
  });
});
