import { describe, expect, it } from 'vitest';
import { Ring } from '../../src/store/ring.js';
import { collected } from './gc.js';

describe('Ring', () => {
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new Ring(0)).toThrow(RangeError);
    expect(() => new Ring(2.5)).toThrow(RangeError);
  });

  it('iterates oldest -> newest before and after wrapping around', () => {
    const r = new Ring<number>(4);
    r.push(1); r.push(2);
    expect([...r]).toEqual([1, 2]);
    expect(r.full).toBe(false);
    for (let i = 3; i <= 7; i++) r.push(i);
    expect(r.size).toBe(4);
    expect(r.full).toBe(true);
    expect([...r]).toEqual([4, 5, 6, 7]);
    expect(r.toArray()).toEqual([4, 5, 6, 7]);
    expect(r.oldest()).toBe(4);
    expect(r.newest()).toBe(7);
    expect(r.at(1)).toBe(5);
    expect(r.at(-2)).toBe(6);
    expect(r.at(4)).toBeUndefined();
    expect(r.at(-5)).toBeUndefined();
  });

  it('push returns the item it evicts', () => {
    const r = new Ring<string>(2);
    expect(r.push('a')).toBeUndefined();
    expect(r.push('b')).toBeUndefined();
    expect(r.push('c')).toBe('a');
    expect(r.push('d')).toBe('b');
  });

  it('pop and shift take from either end across the wrap', () => {
    const r = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) r.push(i); // 3 4 5, head in the middle of the buffer
    expect(r.pop()).toBe(5);
    expect(r.shift()).toBe(3);
    expect([...r]).toEqual([4]);
    r.push(6); r.push(7); r.push(8);
    expect([...r]).toEqual([6, 7, 8]);
    expect(r.shift()).toBe(6);
    expect(r.shift()).toBe(7);
    expect(r.shift()).toBe(8);
    expect(r.shift()).toBeUndefined();
    expect(r.pop()).toBeUndefined();
    expect(r.size).toBe(0);
  });

  it('last(count, pred): the newest matches, oldest first (the trace panes tail)', () => {
    const r = new Ring<number>(1000);
    for (let i = 0; i < 5000; i++) r.push(i);
    expect(r.size).toBe(1000);
    expect(r.last(3)).toEqual([4997, 4998, 4999]);
    expect(r.last(2, (x) => x % 2 === 0)).toEqual([4996, 4998]);
    expect(r.last(5, (x) => x < 4002)).toEqual([4000, 4001]); // visits only what it holds
    expect(new Ring<number>(3).last(2)).toEqual([]);
  });

  it('clear empties and the ring is usable again', () => {
    const r = new Ring<number>(3);
    for (let i = 0; i < 5; i++) r.push(i);
    r.clear();
    expect(r.size).toBe(0);
    expect([...r]).toEqual([]);
    r.push(9);
    expect([...r]).toEqual([9]);
  });

  it('memory is bounded: evicted, popped and cleared items are not kept', async () => {
    const r = new Ring<object>(8);
    let first: object | undefined = { big: new Array(1000).fill(1) };
    const evicted = new WeakRef(first);
    r.push(first);
    first = undefined;
    for (let i = 0; i < 100_000; i++) r.push({ i });
    expect(r.size).toBe(8);
    expect(await collected(evicted)).toBe(true);

    let p: object | undefined = {};
    const popped = new WeakRef(p);
    r.push(p);
    p = undefined;
    r.pop();
    expect(await collected(popped)).toBe(true);

    let c: object | undefined = {};
    const cleared = new WeakRef(c);
    r.push(c);
    c = undefined;
    r.clear();
    expect(await collected(cleared)).toBe(true);
  });

  it('the checker sees an object still held (the memory test can fail)', async () => {
    const r = new Ring<object>(8);
    let o: object | undefined = {};
    const held = new WeakRef(o);
    r.push(o);
    o = undefined;
    expect(await collected(held)).toBe(false);
    expect(r.size).toBe(1);
  });
});

describe('Ring slots', () => {
  it('a large ring holding few items allocates only those (and stays a fast array)', async () => {
    const { getHeapStatistics } = await import('node:v8');
    const before = getHeapStatistics().used_heap_size;
    const rings = Array.from({ length: 200 }, () => new Ring<number>(1_000_000));
    for (const r of rings) { r.push(1); r.push(2); }
    const grown = getHeapStatistics().used_heap_size - before;
    expect(grown).toBeLessThan(50 * 1024 * 1024); // 200 preallocated rings of 1M slots would take 1.6 GB
    expect(rings[0].toArray()).toEqual([1, 2]);
    // shift then push reuses slots without holes
    const r = new Ring<number>(4);
    r.push(1); r.push(2); r.shift(); r.push(3); r.push(4); r.push(5); r.push(6);
    expect([...r]).toEqual([3, 4, 5, 6]);
  });
});
