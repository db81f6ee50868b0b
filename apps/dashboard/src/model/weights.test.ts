import { describe, expect, it } from 'vitest';
import { evenSplit, percentOf, setWeight, totalOf, WEIGHT_TOTAL } from './weights.js';

describe('split weights', () => {
  it('formats weights as percentages', () => {
    expect(percentOf(10_000)).toBe('10%');
    expect(percentOf(33_333)).toBe('33.333%');
    expect(percentOf(0)).toBe('0%');
    expect(percentOf(100_000)).toBe('100%');
  });

  it('splits evenly, to the unit', () => {
    expect(evenSplit(['a', 'b', 'c'])).toEqual([
      { variant: 'a', weight: 33_334 },
      { variant: 'b', weight: 33_333 },
      { variant: 'c', weight: 33_333 },
    ]);
  });

  it('keeps the total at 100% when one weight moves', () => {
    const two = setWeight(evenSplit(['treatment', 'control']), 0, 10_000);
    expect(two).toEqual([
      { variant: 'treatment', weight: 10_000 },
      { variant: 'control', weight: 90_000 },
    ]);
    const three = setWeight(
      [
        { variant: 'a', weight: 20_000 },
        { variant: 'b', weight: 60_000 },
        { variant: 'c', weight: 20_000 },
      ],
      1,
      40_000,
    );
    expect(three.map((e) => e.weight)).toEqual([30_000, 40_000, 30_000]);
    for (let w = 0; w <= WEIGHT_TOTAL; w += 7_919) {
      expect(totalOf(setWeight(evenSplit(['a', 'b', 'c', 'd']), 2, w))).toBe(WEIGHT_TOTAL);
    }
  });

  it('shares evenly when the others are all at zero, and clamps', () => {
    const next = setWeight(
      [
        { variant: 'a', weight: 100_000 },
        { variant: 'b', weight: 0 },
        { variant: 'c', weight: 0 },
      ],
      0,
      40_001,
    );
    expect(next.map((e) => e.weight)).toEqual([40_001, 30_000, 29_999]);
    expect(setWeight(evenSplit(['a', 'b']), 0, 250_000).map((e) => e.weight)).toEqual([100_000, 0]);
    expect(setWeight(evenSplit(['a', 'b']), 1, -5).map((e) => e.weight)).toEqual([100_000, 0]);
  });
});
