// System memory with free(1)'s definitions, as procps-ng 4 computes them
// (library/meminfo.c, meminfo_read_failed; free.c prints these):
//   available  MemAvailable; MemFree when it is 0 or absent (kernels before
//              3.14), or larger than MemTotal (containers showing the host's)
//   used       MemTotal - available; MemTotal - MemFree if that is negative
//   free       MemFree          shared  Shmem          buffers  Buffers
//   cache      Cached + SReclaimable (free's "cache"; buff/cache = Buffers + cache)
//   swap used  SwapTotal - SwapFree when SwapFree < SwapTotal, else 0
// procps 3.3 and earlier used used = total - free - buffers - cache; ostop
// follows procps 4 everywhere (top header, dumps, vmstat view).
//
// Invariant: pure; every value is kB as /proc/meminfo gives it; a malformed
// input line is named in `problem`, never turned into NaN.

export interface FreeMemory {
  totalKb: number;
  usedKb: number;
  freeKb: number;
  sharedKb: number;
  buffersKb: number;
  /** Cached + SReclaimable. */
  cacheKb: number;
  availableKb: number;
  swapTotalKb: number;
  swapUsedKb: number;
  swapFreeKb: number;
  /** What was wrong with /proc/meminfo (missing MemTotal, malformed lines the numbers depend on), or null. */
  problem: string | null;
}

/** The meminfo keys the numbers above are made of. */
export const FREE_KEYS = ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SReclaimable', 'Shmem', 'SwapTotal', 'SwapFree'] as const;

/** free(1) (procps-ng 4) numbers from parsed /proc/meminfo (kB by key); `malformed` lists keys whose line could not be read. */
export function freeMemory(mem: Readonly<Record<string, number>>, malformed: readonly string[] = []): FreeMemory {
  const v = (k: string) => mem[k] ?? 0;
  const total = v('MemTotal');
  const free = v('MemFree');
  let avail = v('MemAvailable');
  if (avail === 0) avail = free;
  if (avail > total) avail = free;
  let used = total - avail;
  if (used < 0) used = total - free;
  const swapTotal = v('SwapTotal');
  const swapFree = v('SwapFree');
  const bad = malformed.filter((k) => (FREE_KEYS as readonly string[]).includes(k));
  const problems: string[] = [];
  if (!(mem.MemTotal > 0) && !bad.includes('MemTotal')) problems.push('/proc/meminfo has no MemTotal');
  if (bad.length) problems.push(`/proc/meminfo: malformed ${[...new Set(bad)].join(', ')} (counted as 0)`);
  return {
    totalKb: total,
    usedKb: Math.max(0, used),
    freeKb: free,
    sharedKb: v('Shmem'),
    buffersKb: v('Buffers'),
    cacheKb: v('Cached') + v('SReclaimable'),
    availableKb: avail,
    swapTotalKb: swapTotal,
    swapUsedKb: swapFree < swapTotal ? swapTotal - swapFree : 0,
    swapFreeKb: swapFree,
    problem: problems.length ? problems.join('; ') : null,
  };
}
