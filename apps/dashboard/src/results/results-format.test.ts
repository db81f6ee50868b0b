import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatInterval,
  formatMs,
  formatNumber,
  formatP,
  formatPercent,
  formatPoints,
  formatPValue,
  formatScore,
  formatUsd,
} from './results-format.js';

describe('results formatting', () => {
  it('writes unknown figures as a dash', () => {
    for (const format of [formatCount, formatPercent, formatMs, formatUsd, formatScore, formatPValue]) {
      expect(format(null)).toBe('—');
      expect(format(undefined)).toBe('—');
      expect(format(Number.NaN)).toBe('—');
    }
  });

  it('groups counts and keeps small shares readable', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatPercent(0.5186)).toBe('51.9%');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatPercent(0.0271)).toBe('2.71%');
    expect(formatPercent(0.000535618)).toBe('0.0536%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(-0.123, { sign: true })).toBe('−12.3%');
    expect(formatPercent(0.2, { sign: true })).toBe('+20%');
  });

  it('writes differences of rates in percentage points, with a sign', () => {
    expect(formatPoints(0.0041)).toBe('+0.41 pp');
    expect(formatPoints(-0.00235597)).toBe('−0.236 pp');
    expect(formatPoints(0)).toBe('0 pp');
  });

  it('writes latency, cost and scores in their units', () => {
    expect(formatMs(3197.8)).toBe('3,198 ms');
    expect(formatMs(41.26)).toBe('41.3 ms');
    expect(formatMs(-1800.4, { sign: true })).toBe('−1,800 ms');
    expect(formatUsd(2.8139)).toBe('$2.81');
    expect(formatUsd(0.0019467)).toBe('$0.00195');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(-0.00176, { sign: true })).toBe('−$0.00176');
    expect(formatUsd(0)).toBe('$0');
    expect(formatScore(0.84094)).toBe('0.841');
    expect(formatScore(-0.0356, { sign: true })).toBe('−0.036');
    expect(formatScore(0.0041, { sign: true })).toBe('+0.0041');
    expect(formatNumber(0.87)).toBe('0.87');
    expect(formatNumber(12345.6)).toBe('12,346');
  });

  it('writes p-values with their name, never as 0', () => {
    expect(formatPValue(0.0277)).toBe('0.028');
    expect(formatPValue(0.333)).toBe('0.33');
    expect(formatPValue(1e-9)).toBe('< 0.001');
    expect(formatP(0.0277)).toBe('p = 0.028');
    expect(formatP(0)).toBe('p < 0.001');
  });

  it('writes durations to their two largest units, and intervals', () => {
    expect(formatDuration(108_722_098)).toBe('1 d 6 h');
    expect(formatDuration(90_000)).toBe('1 min 30 s');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(86_400_000 + 5 * 60_000)).toBe('1 d');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatInterval([-0.067, 0.016], (v) => formatScore(v, { sign: true }))).toBe('[−0.067, +0.016]');
  });
});
