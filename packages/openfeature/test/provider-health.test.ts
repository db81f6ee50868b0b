import { describe, expect, it } from 'vitest';
import { type Health, type HealthInputs, HealthMonitor, healthOf } from '../src/provider-health.js';

const good: HealthInputs = { refused: false, hasValues: true, authoritative: true };

describe('healthOf', () => {
  it.each([
    [{ ...good, refused: true, problem: 'the server refused the SDK key (401)' }, 0, 'ERROR'],
    [{ ...good, hasValues: false }, 0, 'ERROR'],
    [{ ...good, refused: true, hasValues: false }, 0, 'ERROR'],
    [{ ...good, authoritative: false }, 0, 'STALE'],
    [good, 999, 'READY'],
    [good, 1_000, 'STALE'],
    [good, 0, 'READY'],
  ] as const)('%o with the stream down %i ms → %s', (inputs, downMs, status) => {
    expect(healthOf(inputs, downMs, 1_000).status).toBe(status);
  });

  it('says why', () => {
    expect(healthOf({ ...good, refused: true, problem: 'refused (401)' }, 0, 1_000)).toEqual({
      status: 'ERROR',
      message: 'refused (401)',
    });
    expect(healthOf(good, 61_000, 60_000).message).toBe('the stream has been down for 61 s');
  });
});

describe('HealthMonitor', () => {
  function monitor(inputs: { current: HealthInputs }, now: { ms: number }) {
    const reported: Health[] = [];
    const m = new HealthMonitor({
      staleAfterMs: 100,
      inputs: () => inputs.current,
      report: (h) => reported.push(h),
      now: () => now.ms,
    });
    return { m, reported };
  }

  it('reports nothing until OpenFeature holds a status, then each change once', () => {
    const inputs = { current: good };
    const now = { ms: 0 };
    const { m, reported } = monitor(inputs, now);
    m.streamChanged(false);
    now.ms = 500;
    m.check();
    expect(reported).toEqual([]);
    m.settled('READY');
    m.check();
    m.check();
    expect(reported.map((h) => h.status)).toEqual(['STALE']);
    m.streamChanged(true);
    m.streamChanged(false);
    now.ms = 550;
    m.check();
    expect(reported.map((h) => h.status)).toEqual(['STALE', 'READY']);
    inputs.current = { ...good, refused: true };
    m.check();
    m.suspend();
    inputs.current = good;
    m.check();
    m.stop();
    expect(reported.map((h) => h.status)).toEqual(['STALE', 'READY', 'ERROR']);
  });

  it('keeps the time the stream first dropped across reconnection attempts', () => {
    const now = { ms: 0 };
    const { m, reported } = monitor({ current: good }, now);
    m.settled('READY');
    m.streamChanged(false);
    now.ms = 60;
    m.streamChanged(false);
    now.ms = 110;
    m.streamChanged(false);
    m.stop();
    expect(reported.map((h) => h.status)).toEqual(['STALE']);
  });
});
