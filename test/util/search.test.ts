import { describe, expect, it } from 'vitest';
import { lastAtOrBelow } from '../../src/util/search.js';

describe('lastAtOrBelow', () => {
  it('finds the last element at or below x, -1 below the first', () => {
    const a = [10, 20, 20, 30];
    expect([5, 10, 15, 20, 25, 30, 99].map((x) => lastAtOrBelow(a, x))).toEqual([-1, 0, 0, 2, 2, 3, 3]);
    expect(lastAtOrBelow([], 1)).toBe(-1);
    expect(lastAtOrBelow(new Float64Array([1.5, 2.5]), 2)).toBe(0);
  });
});
