import { describe, expect, it } from 'vitest';
import { PidMap, TickMap } from '../../src/store/pid-map.js';

describe('PidMap / TickMap', () => {
  it('drops the entries not touched during the last tick', () => {
    const m = new PidMap<{ n: number }>(100);
    m.touch(1, () => ({ n: 1 }));
    m.touch(2, () => ({ n: 2 }));
    m.set(3, { n: 3 });
    expect(m.endTick()).toBe(0);
    // next tick: 1 and 3 still exist, 2 exited
    m.touch(1, () => ({ n: -1 })).n += 10;
    m.set(3, { n: 30 });
    expect(m.get(2)).toEqual({ n: 2 }); // get does not mark it seen
    expect(m.endTick()).toBe(1);
    expect([...m.keys()]).toEqual([1, 3]);
    expect(m.get(1)).toEqual({ n: 11 }); // touch kept the value, init not called
    expect(m.get(3)).toEqual({ n: 30 });
    expect(m.has(2)).toBe(false);
    // a tick that touches nothing empties it
    expect(m.endTick()).toBe(2);
    expect(m.size).toBe(0);
  });

  it('the hard cap evicts the oldest entry inserted', () => {
    const m = new TickMap<string, number>(3);
    m.set('a', 1); m.set('b', 2); m.set('c', 3);
    m.touch('a', () => 0);
    m.set('d', 4);
    expect(m.size).toBe(3);
    expect([...m]).toEqual([['b', 2], ['c', 3], ['d', 4]]);
    expect([...m.values()]).toEqual([2, 3, 4]);
    expect(m.delete('c')).toBe(true);
    m.set('e', 5);
    expect([...m.keys()]).toEqual(['b', 'd', 'e']);
  });

  it('memory is bounded: a fork storm inside one tick, then the storm over', () => {
    const m = new PidMap<number>(1000);
    for (let pid = 1; pid <= 100_000; pid++) m.touch(pid, () => pid);
    expect(m.size).toBe(1000);
    expect(m.get(100_000)).toBe(100_000);
    expect(m.get(99_000)).toBeUndefined();
    m.endTick();
    m.touch(100_000, () => 0);
    m.endTick();
    expect(m.size).toBe(1);
    m.clear();
    expect(m.size).toBe(0);
  });

  it('rejects a bad cap', () => {
    expect(() => new PidMap(0)).toThrow(RangeError);
  });
});

describe('TickMap as a Map', () => {
  it('is a Map a screen can read, and Map methods keep the bookkeeping', () => {
    const m = new TickMap<string, number>(2);
    const asMap: ReadonlyMap<string, number> = m;
    m.set('eth0', 1);
    expect(m).toBeInstanceOf(Map);
    expect(asMap.get('eth0')).toBe(1);
    let seen = 0;
    asMap.forEach(() => seen++);
    expect(seen).toBe(1);
    m.delete('eth0');
    expect(m.endTick()).toBe(0); // a deleted key is not dropped twice
    m.set('a', 1); m.set('b', 2); m.set('c', 3); // cap 2: a evicted
    expect([...m.keys()]).toEqual(['b', 'c']);
    m.clear();
    expect(m.endTick()).toBe(0);
    expect(m.size).toBe(0);
  });
});
