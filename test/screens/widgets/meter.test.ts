// The Mem meter: free(1)'s used first, then buffers and cache in what is
// neither used nor free; the segments never add up to more than the total
// (shared memory and the cache were stacked on top of used before, which
// counted Shmem twice and filled the bar on a busy machine).
import { describe, expect, it } from 'vitest';
import { bar, memSegments } from '../../../screens/widgets/meter.js';
import { makeTheme } from '../../../src/app/theme.js';

const GiB = 2 ** 30;

describe('memSegments', () => {
  it('a busy machine: used + buffers + cache fill exactly total - free, never more', () => {
    // total 16, available 4 (used 12), free 1, buffers 1, cache 6 (of which shared 3)
    const m = { totalBytes: 16 * GiB, usedBytes: 12 * GiB, freeBytes: 1 * GiB, buffersBytes: 1 * GiB, cacheBytes: 6 * GiB };
    const segs = memSegments(m);
    expect(segs.map((s) => s.value / GiB)).toEqual([12, 1, 2]);
    expect(segs.reduce((a, s) => a + s.value, 0)).toBe(m.totalBytes - m.freeBytes);
    // Drawn: 12/16 of the bar is used, the rest up to 15/16 buffers and cache, then blank.
    const line = bar(makeTheme(true), segs, m.totalBytes, 66, '');
    const inner = line.replace(/\{[^}]*\}/g, '').slice(1, -1);
    expect(inner.trimEnd().length).toBe(Math.round((15 / 16) * 64));
  });

  it('an idle machine keeps its numbers as they are', () => {
    const m = { totalBytes: 16 * GiB, usedBytes: 2 * GiB, freeBytes: 10 * GiB, buffersBytes: 1 * GiB, cacheBytes: 3 * GiB };
    expect(memSegments(m).map((s) => s.value / GiB)).toEqual([2, 1, 3]);
  });

  it('nonsense from a malformed meminfo never overflows', () => {
    const m = { totalBytes: 8 * GiB, usedBytes: 9 * GiB, freeBytes: -1, buffersBytes: 5 * GiB, cacheBytes: 5 * GiB };
    const segs = memSegments(m);
    expect(segs.reduce((a, s) => a + s.value, 0)).toBeLessThanOrEqual(m.totalBytes);
  });
});
