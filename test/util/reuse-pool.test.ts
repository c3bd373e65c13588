// src/util/reuse-pool.ts: per-key objects kept from one pass to the next.
import { describe, expect, it } from 'vitest';
import { ReusePool } from '../../src/util/reuse-pool.js';

describe('ReusePool', () => {
  it('take() returns what was kept and marks the key seen; end() forgets the keys a pass did not see', () => {
    const pool = new ReusePool<number, { v: number }>();
    pool.begin();
    const a = { v: 1 };
    const b = { v: 2 };
    pool.put(1, a);
    pool.put(2, b);
    pool.end();
    expect(pool.size).toBe(2);
    pool.begin();
    expect(pool.take(1)).toBe(a);
    expect(pool.take(3)).toBeUndefined();
    pool.put(3, { v: 3 }); // 2 is not seen this pass
    pool.end();
    expect(pool.size).toBe(2);
    pool.begin();
    expect(pool.take(2)).toBeUndefined();
    expect(pool.take(1)).toBe(a);
    expect(pool.take(3)?.v).toBe(3);
  });

  it('a key put again with another object keeps the new one; a pass that puts nothing empties the pool', () => {
    const pool = new ReusePool<string, object>();
    pool.begin();
    pool.put('x', {});
    pool.end();
    const fresh = {};
    pool.begin();
    pool.put('x', fresh);
    pool.end();
    pool.begin();
    expect(pool.take('x')).toBe(fresh);
    pool.end();
    expect(pool.size).toBe(1);
    pool.begin();
    pool.end();
    expect(pool.size).toBe(0);
  });
});
