// The VmstatSample behind the vmstat view and the top view's strip:
// /proc/stat, /proc/meminfo and /proc/vmstat of one tick, from the
// MachineSampler (each file read at most once per tick; parsers in
// src/collectors/procfs/). Invariant: a VmstatSample holds raw kernel
// counters only (jiffies, pages, kB, totals since boot); every rate and
// percent is made in src/model/vmstat.ts from two Samples, so live, pause
// and replay agree.
import { MachineSampler } from './machine.js';
import { pageSize as detectPageSize } from './page-size.js';
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
