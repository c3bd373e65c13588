import { describe, expect, it } from 'vitest';
import { SERIES_LEN, Series } from '../../src/store/series.js';

describe('Series', () => {
  it('is bounded: the newest capacity values, oldest first', () => {
    const h = new Series(5);
    for (let i = 0; i < 20; i++) h.push(i);
    expect(h.values()).toEqual([15, 16, 17, 18, 19]);
    expect(h.length).toBe(5);
    expect(new Series().capacity).toBe(SERIES_LEN);
  });

  it('last(n) is what a sparkline n cells wide shows, before and after wrapping', () => {
    const h = new Series(4);
    expect(h.last(3)).toEqual([]);
    h.push(1); h.push(2);
    expect(h.last(3)).toEqual([1, 2]);
    expect(h.last(1)).toEqual([2]);
    for (let i = 3; i <= 9; i++) h.push(i);
    expect(h.last(3)).toEqual([7, 8, 9]);
    expect(h.last(10)).toEqual([6, 7, 8, 9]);
    expect(h.last(0)).toEqual([]);
    expect(h.latest()).toBe(9);
  });

  it('stores a value that is not a finite number as 0', () => {
    const h = new Series(4);
    h.push(NaN); h.push(Infinity); h.push(-Infinity); h.push(2);
    expect(h.values()).toEqual([0, 0, 0, 2]);
  });

  it('min, max and mean over a window of the newest values', () => {
    const h = new Series(5);
    expect(h.min()).toBeUndefined();
    expect(h.max()).toBeUndefined();
    expect(h.mean()).toBeUndefined();
    expect(h.latest()).toBeUndefined();
    for (const v of [9, 1, 4, 6, 2, 8, 3]) h.push(v); // keeps 4 6 2 8 3
    expect(h.min()).toBe(2);
    expect(h.max()).toBe(8);
    expect(h.mean()).toBeCloseTo(23 / 5);
    expect(h.min(2)).toBe(3);
    expect(h.max(2)).toBe(8);
    expect(h.mean(2)).toBeCloseTo(5.5);
    expect(h.max(100)).toBe(8);
    expect(h.mean(0)).toBeUndefined();
  });

  it('clear, toJSON and from round-trip', () => {
    const h = Series.from([1, 2, 3, 4, 5, 6], 4);
    expect(h.values()).toEqual([3, 4, 5, 6]);
    const back = Series.from(JSON.parse(JSON.stringify(h)) as number[], 4);
    expect(back.values()).toEqual([3, 4, 5, 6]);
    h.clear();
    expect(h.length).toBe(0);
    expect(h.values()).toEqual([]);
    h.push(7);
    expect(h.values()).toEqual([7]);
  });

  it('memory is bounded: a day of one-second samples keeps capacity values', () => {
    const h = new Series(300);
    for (let i = 0; i < 86_400; i++) h.push(i);
    expect(h.length).toBe(300);
    expect(h.values()[0]).toBe(86_100);
    expect(h.latest()).toBe(86_399);
  });
});
