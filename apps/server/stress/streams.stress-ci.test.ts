import { describe, expect, it } from 'vitest';
import { runStreamsScenario } from './streams-scenario.js';

// The reduced run of streams.stress.test.ts (same scenario, 500 streams) that `npm test` runs.
describe('500 SDK streams on one server process (reduced)', () => {
  it('beats every stream on time and reaches all of them with each change', async () => {
    const result = await runStreamsScenario({
      streams: 500,
      helpers: 1,
      sdkClients: 2,
      // 1 s, not less: on a loaded CI machine a timer may run a few hundred ms late, and a stream
      // counts as late past 1.5 periods of silence.
      heartbeatMs: 1_000,
      heartbeatPeriods: 2,
      changes: 2,
      missAfterMs: 5_000,
      settleMs: 500,
      log: () => {},
    });
    expect(result.droppedStreams).toBe(0);
    expect(result.missed).toBe(0);
    expect(result.heartbeatsMin).toBeGreaterThanOrEqual(result.heartbeatsExpected - 1);
    expect(result.lateStreams).toBe(0);
    expect(result.propagationP99Ms).toBeLessThan(2_000);
    expect(result.sdkPropagationMaxMs).toBeLessThan(2_000);
  }, 60_000);
});
