// The VmstatSample behind the vmstat view and the top view's strip:
// /proc/stat, /proc/meminfo and /proc/vmstat of one tick, from the
// MachineSampler (each file read at most once per tick; parsers in
// src/collectors/procfs/). Invariant: a VmstatSample holds raw kernel
// counters only (jiffies, pages, kB, totals since boot); every rate and
// percent is made in src/model/vmstat.ts from two Samples, so live, pause
// and replay agree.
import * as fs from 'node:fs';
import { MachineSampler } from './machine.js';
import type { ProcStat } from './procfs/stat.js';

export interface VmstatSample {
  /** ms since epoch when taken (monotonic enough for rates: we use `mono`). */
  time: number;
  /** Monotonic seconds (process.hrtime) at read time; rates divide by its difference. */
  mono: number;
  stat: ProcStat;
  /** /proc/meminfo in kB, by key (MemTotal, MemFree, Buffers, Cached, SReclaimable, SwapTotal, SwapFree, MemAvailable...). */
  mem: Record<string, number>;
  /** meminfo keys whose line was malformed (left out of `mem`). */
  memMalformed?: string[];
  /** /proc/vmstat counters by name (pgpgin, pgpgout, pswpin, pswpout, pgfault, pgmajfault...). */
  vm: Record<string, number>;
  /** Page size in bytes (for pswpin/pswpout -> kB). */
  pageSize: number;
}

/** The VmstatSample of `tick`, read through `machine` (shared with the other readers of this tick). */
export function vmstatSample(machine: MachineSampler, tick: number, pageSize = detectPageSize()): VmstatSample {
  const s = machine.sample(tick, ['stat', 'meminfo', 'vmstat']);
  return { time: s.time, mono: s.mono, stat: s.stat!, mem: s.meminfo!.values, memMalformed: s.meminfo!.malformed, vm: s.vmstat!, pageSize };
}

/** One VmstatSample now, read on its own (dumps, tests). */
export function readVmstatSample(procRoot = '/proc', pageSize = detectPageSize()): VmstatSample {
  return vmstatSample(new MachineSampler({ procRoot }), 0, pageSize);
}

let pageSizeCache: number | undefined;

/** The kernel page size, from /proc/self/smaps (KernelPageSize of the first mapping); 4096 if unreadable. */
export function detectPageSize(procRoot = '/proc'): number {
  if (pageSizeCache !== undefined) return pageSizeCache;
  pageSizeCache = 4096;
  try {
    const fd = fs.openSync(`${procRoot}/self/smaps`, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      const m = /KernelPageSize:\s+(\d+) kB/.exec(buf.toString('latin1', 0, n));
      if (m) pageSizeCache = Number(m[1]) * 1024;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // keep 4096
  }
  return pageSizeCache;
}
