import { describe, expect, it } from 'vitest';
import { checkName, formatFigure, shortfallText, statusOf } from './verdict-words.js';

describe('the verdict in words', () => {
  it('names checks and their outcome without relying on colour', () => {
    expect(checkName('p95-latency')).toBe('p95 latency');
    expect(checkName('new-check')).toBe('new-check');
    expect(statusOf({ status: 'pass', blocksPromotion: false }).label).toBe('Passed');
    expect(statusOf({ status: 'fail', blocksPromotion: true }).label).toBe('Failed');
    expect(statusOf({ status: 'insufficient', blocksPromotion: true }).label).toBe('Waiting');
    expect(statusOf({ status: 'insufficient', blocksPromotion: false }).label).toBe('Not judged');
  });

  it('writes each figure in its unit', () => {
    expect(formatFigure('duration', 'elapsedMs', 108_722_098)).toBe('1 d 6 h');
    expect(formatFigure('p95-latency', 'increaseMs', -3501.66)).toBe('−3,502 ms');
    expect(formatFigure('error-rate', 'ciUpper', 0.0024388)).toBe('+0.244 pp');
    expect(formatFigure('error-rate', 'controlRate', 0.000535)).toBe('0.0535%');
    expect(formatFigure('quality', 'controlMean', 0.84094)).toBe('0.841');
    expect(formatFigure('quality', 'controlFeedback', 745)).toBe('745');
    expect(formatFigure('cost', 'maxCostPerRequestUsd', null)).toBe('none');
    expect(formatFigure('cost', 'increaseRatio', -0.912)).toBe('−91.2%');
    expect(formatFigure('sample-ratio', 'pValue', 0.92)).toBe('0.92');
  });

  it('says what a hold waits for', () => {
    expect(
      shortfallText({ check: 'sample-size', arm: 'candidate', what: 'units', have: 40, need: 100 }),
    ).toBe('Sample size: the candidate needs 60 more units (40 of 100)');
    expect(
      shortfallText({ check: 'duration', arm: null, what: 'duration-ms', have: 3_600_000, need: 86_400_000 }),
    ).toBe('Duration: needs to run 23 h more (1 h of 1 d)');
    expect(
      shortfallText({ check: 'p95-latency', arm: 'control', what: 'figure', have: null, need: null }),
    ).toBe('p95 latency: a figure is missing for the control');
    expect(
      shortfallText({ check: 'quality', arm: null, what: 'evidence', have: null, need: null }),
    ).toContain('the interval still straddles the limit');
  });
});
