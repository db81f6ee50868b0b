import { describe, expect, it } from 'vitest';
import { compareSemver, parseDate, parseSemver, patternProblem } from '../src/index.js';

describe('parseSemver and compareSemver', () => {
  const order = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.2',
    '2',
  ];

  it('orders versions by Semantic Versioning 2.0.0 precedence (the spec example)', () => {
    for (let i = 1; i < order.length; i++) {
      const a = parseSemver(order[i - 1] as string);
      const b = parseSemver(order[i] as string);
      if (a === undefined || b === undefined) throw new Error(`unparsed ${order[i]}`);
      expect(compareSemver(a, b)).toBeLessThan(0);
      expect(compareSemver(b, a)).toBeGreaterThan(0);
    }
  });

  it('fills missing parts with 0 and ignores build metadata', () => {
    expect(parseSemver('1.2')).toEqual({ major: 1, minor: 2, patch: 0, prerelease: [] });
    const a = parseSemver('1.2.3+build.5');
    const b = parseSemver('1.2.3');
    if (a === undefined || b === undefined) throw new Error('unparsed');
    expect(compareSemver(a, b)).toBe(0);
  });

  it.each(['v1.2.3', '01.2.3', '1.2.3-01', '1.2.3-', '1..2', '', 'latest', '1.2.3.4'])(
    'rejects %j',
    (text) => {
      expect(parseSemver(text)).toBeUndefined();
    },
  );
});

describe('parseDate', () => {
  it('reads RFC 3339 strings as UTC unless an offset is given', () => {
    expect(parseDate('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
    expect(parseDate('2026-01-31T12:00:00Z')).toBe(Date.UTC(2026, 0, 31, 12));
    expect(parseDate('2026-01-31T12:00:00')).toBe(Date.UTC(2026, 0, 31, 12));
    expect(parseDate('2026-01-31T12:00:00.5+02:00')).toBe(Date.UTC(2026, 0, 31, 10, 0, 0, 500));
    expect(parseDate('2026-01-31T12:00-01:30')).toBe(Date.UTC(2026, 0, 31, 13, 30));
  });

  it('takes finite numbers as epoch milliseconds', () => {
    expect(parseDate(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseDate(Number.NaN)).toBeUndefined();
  });

  it.each(['2026-02-30', '2026-13-01', '2026-01-31T24:00:00Z', 'Jan 31 2026', '31/01/2026', '', '2026-1-31'])(
    'rejects %j',
    (text) => {
      expect(parseDate(text)).toBeUndefined();
    },
  );
});

describe('patternProblem', () => {
  it.each(['^gpt-4', 'beta|canary', '^[a-z0-9._%+-]+@example\\.com$', '(ab)?c', '(?:eu|us)-\\d+', '[(a+)+]'])(
    'accepts %j',
    (p) => {
      expect(patternProblem(p)).toBeUndefined();
    },
  );

  it.each([
    ['(', 'invalid'],
    ['(a+)+$', 'repeated group'],
    ['(a*)*', 'repeated group'],
    ['(a|aa)+', 'repeated group'],
    ['((a+))+', 'repeated group'],
    ['(\\d+\\.){2,}', 'repeated group'],
    ['(a)\\1', 'backreference'],
    ['(?<x>a)\\k<x>', 'backreference'],
    ['a'.repeat(513), 'longer than'],
  ])('rejects %j', (p, why) => {
    expect(patternProblem(p)).toContain(why);
  });

  it('keeps a catastrophic pattern from stalling evaluation', () => {
    // (a+)+$ on 30 a's and a b takes minutes in a backtracking engine; rejected, it takes nothing.
    expect(patternProblem('(a+)+$')).toBeDefined();
  });
});
