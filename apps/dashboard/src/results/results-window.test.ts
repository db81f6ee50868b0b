import { describe, expect, it } from 'vitest';
import { isoOfLocalInput, localInputOf, rangeOf, windowOf, windowQuery } from './results-window.js';

const NOW = Date.parse('2026-06-01T12:30:00.000Z');

describe('results windows', () => {
  it('reads the window from the page query, all data by default', () => {
    expect(windowOf(new URLSearchParams(''))).toEqual({ name: 'all' });
    expect(windowOf(new URLSearchParams('window=nonsense'))).toEqual({ name: 'all' });
    expect(windowOf(new URLSearchParams('window=7d'))).toEqual({ name: '7d' });
    expect(windowOf(new URLSearchParams('window=custom&from=2026-05-01T00:00:00Z&to=not-a-date'))).toEqual({
      name: 'custom',
      from: '2026-05-01T00:00:00.000Z',
    });
  });

  it('writes it back, leaving the default out', () => {
    expect(windowQuery({ name: 'all' })).toEqual({});
    expect(windowQuery({ name: '24h' })).toEqual({ window: '24h' });
    const custom = { name: 'custom' as const, from: '2026-05-01T00:00:00.000Z' };
    expect(windowOf(new URLSearchParams(windowQuery(custom) as Record<string, string>))).toEqual(custom);
  });

  it('counts the last hours back from now, and passes a custom range as it is', () => {
    expect(rangeOf({ name: 'all' }, NOW)).toEqual({});
    expect(rangeOf({ name: '24h' }, NOW)).toEqual({ from: '2026-05-31T12:30:00.000Z' });
    expect(rangeOf({ name: '7d' }, NOW)).toEqual({ from: '2026-05-25T12:30:00.000Z' });
    expect(rangeOf({ name: 'custom', to: '2026-05-02T00:00:00.000Z' }, NOW)).toEqual({
      to: '2026-05-02T00:00:00.000Z',
    });
  });

  it('converts datetime-local values in the local time zone, both ways', () => {
    const iso = isoOfLocalInput('2026-03-01T10:15');
    expect(iso).toBe(new Date(2026, 2, 1, 10, 15).toISOString());
    expect(localInputOf(iso)).toBe('2026-03-01T10:15');
    expect(isoOfLocalInput('')).toBeUndefined();
    expect(isoOfLocalInput('tomorrow')).toBeUndefined();
    expect(localInputOf(undefined)).toBe('');
  });
});
