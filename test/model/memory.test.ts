// free(1)'s memory numbers as procps-ng 4 computes them (library/meminfo.c):
// the fallbacks for a missing or impossible MemAvailable, swap used, and
// hostile /proc/meminfo text (malformed lines named, never NaN).
import { describe, expect, it } from 'vitest';
import { freeMemory } from '../../src/model/memory.js';
import { parseMeminfoChecked } from '../../src/collectors/procfs/meminfo.js';
import { memModel } from '../../src/model/process-model.js';
import { buildVmstatModel } from '../../src/model/vmstat.js';
import type { VmstatSample } from '../../src/collectors/vmstat.js';
import { parseProcStat } from '../../src/collectors/procfs/stat.js';

const base = { MemTotal: 8000, MemFree: 1000, MemAvailable: 5000, Buffers: 200, Cached: 2500, SReclaimable: 300, Shmem: 100, SwapTotal: 400, SwapFree: 100 };

describe('freeMemory (procps-ng 4)', () => {
  it('used = total - available; buff/cache and shared as free prints them', () => {
    expect(freeMemory(base)).toEqual({
      totalKb: 8000, usedKb: 3000, freeKb: 1000, sharedKb: 100, buffersKb: 200, cacheKb: 2800, availableKb: 5000,
      swapTotalKb: 400, swapUsedKb: 300, swapFreeKb: 100, problem: null,
    });
  });

  it('MemAvailable absent (kernel < 3.14) or 0: available = MemFree', () => {
    const { MemAvailable: _, ...old } = base;
    expect(freeMemory(old)).toMatchObject({ availableKb: 1000, usedKb: 7000 });
    expect(freeMemory({ ...base, MemAvailable: 0 })).toMatchObject({ availableKb: 1000, usedKb: 7000 });
  });

  it('MemAvailable above MemTotal (a container showing the host\'s): available = MemFree', () => {
    expect(freeMemory({ ...base, MemAvailable: 9000 })).toMatchObject({ availableKb: 1000, usedKb: 7000 });
  });

  it('MemFree above MemTotal as well: used is never negative', () => {
    expect(freeMemory({ ...base, MemFree: 9000, MemAvailable: 0 }).usedKb).toBe(0);
  });

  it('swap used is 0 when SwapFree >= SwapTotal', () => {
    expect(freeMemory({ ...base, SwapFree: 500 }).swapUsedKb).toBe(0);
  });

  it('hostile meminfo: malformed lines are named, left out, never NaN', () => {
    const text = [
      'MemTotal:        8000 kB', 'MemFree:   -12 kB', 'MemAvailable:    12abc kB', 'Buffers: 200 kB', 'Cached:', 'SReclaimable: 99999999999999999999 kB',
      'garbage line without colon', 'HugePages_Total:       0', 'Shmem: 100 kB\u001b[2J', '',
    ].join('\n');
    const p = parseMeminfoChecked(text);
    expect(p.values).toEqual({ MemTotal: 8000, Buffers: 200, HugePages_Total: 0 });
    expect(p.malformed).toEqual(['MemFree', 'MemAvailable', 'Cached', 'SReclaimable', 'Shmem']);
    const f = freeMemory(p.values, p.malformed);
    for (const v of Object.values(f)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    expect(f.problem).toBe('/proc/meminfo: malformed MemFree, MemAvailable, Cached, SReclaimable, Shmem (counted as 0)');
    expect(memModel(p.values, p.malformed).problem).toBe(f.problem);
    expect(freeMemory({}).problem).toBe('/proc/meminfo has no MemTotal');
    // a malformed key none of free's numbers use is not a problem for them
    expect(freeMemory({ ...base }, ['HugePages_Total']).problem).toBeNull();
  });

  it('the vmstat model carries used, avail and the problem', () => {
    const stat = parseProcStat('cpu 1 0 1 10 0 0 0 0 0 0\nctxt 1\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n');
    const s = (mono: number, mem: Record<string, number>, memMalformed: string[] = []): VmstatSample => ({ time: mono * 1000, mono, stat, mem, memMalformed, vm: {}, pageSize: 4096 });
    const m = buildVmstatModel(s(0, base), s(1, { ...base, MemAvailable: 4000 }));
    expect(m).toMatchObject({ used: 4000, avail: 4000, free: 1000, memProblem: null });
    expect(buildVmstatModel(s(0, base), s(1, { MemTotal: 8000 }, ['MemFree'])).memProblem).toMatch(/malformed MemFree/);
  });
});
