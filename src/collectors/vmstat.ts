// System-wide counters behind the vmstat view: /proc/stat, /proc/meminfo,
// /proc/vmstat. Pure parsers (text -> partial Sample) plus one reader.
// Invariant: a VmstatSample holds raw kernel counters only (jiffies, pages,
// kB, totals since boot); every rate and percent is made in
// src/model/vmstat.ts from two Samples, so live, pause and replay agree.
import * as fs from 'node:fs';
import { parseMeminfoChecked } from './system.js';

export interface CpuTimes {
  user: number; nice: number; system: number; idle: number; iowait: number;
  irq: number; softirq: number; steal: number; guest: number; guestNice: number;
}

export interface StatSample {
  cpu: CpuTimes;
  /** Total interrupts since boot (first number of the "intr" line). */
  intr: number;
  ctxt: number;
  /** Forks since boot ("processes"). */
  processes: number;
  procsRunning: number;
  procsBlocked: number;
  btime: number;
}

export interface VmstatSample {
  /** ms since epoch when taken (monotonic enough for rates: we use `mono`). */
  time: number;
  /** Monotonic seconds (process.hrtime) at read time; rates divide by its difference. */
  mono: number;
  stat: StatSample;
  /** /proc/meminfo in kB, by key (MemTotal, MemFree, Buffers, Cached, SReclaimable, SwapTotal, SwapFree, MemAvailable...). */
  mem: Record<string, number>;
  /** meminfo keys whose line was malformed (left out of `mem`). */
  memMalformed?: string[];
  /** /proc/vmstat counters by name (pgpgin, pgpgout, pswpin, pswpout, pgfault, pgmajfault...). */
  vm: Record<string, number>;
  /** Page size in bytes (for pswpin/pswpout -> kB). */
  pageSize: number;
}

const ZERO_CPU: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0 };

/** Parse /proc/stat. Missing trailing cpu fields (old kernels: 4, 7 or 8 columns) read as 0. */
export function parseStat(text: string): StatSample {
  const s: StatSample = { cpu: { ...ZERO_CPU }, intr: 0, ctxt: 0, processes: 0, procsRunning: 0, procsBlocked: 0, btime: 0 };
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const key = line.slice(0, sp);
    if (key === 'cpu') {
      const v = line.slice(sp).trim().split(/\s+/).map(Number);
      const c = s.cpu;
      [c.user, c.nice, c.system, c.idle, c.iowait, c.irq, c.softirq, c.steal, c.guest, c.guestNice] = Array.from({ length: 10 }, (_, i) => (Number.isFinite(v[i]) ? v[i] : 0));
    } else if (key === 'intr') {
      const rest = line.slice(sp + 1);
      const e = rest.indexOf(' ');
      s.intr = Number(e < 0 ? rest : rest.slice(0, e));
    } else if (key === 'ctxt') s.ctxt = Number(line.slice(sp + 1));
    else if (key === 'processes') s.processes = Number(line.slice(sp + 1));
    else if (key === 'procs_running') s.procsRunning = Number(line.slice(sp + 1));
    else if (key === 'procs_blocked') s.procsBlocked = Number(line.slice(sp + 1));
    else if (key === 'btime') s.btime = Number(line.slice(sp + 1));
  }
  return s;
}

/** /proc/meminfo in kB by key: one strict parser for every view (src/collectors/system.ts). */
export { parseMeminfo, parseMeminfoChecked } from './system.js';

/** Parse "name value" lines (/proc/vmstat). */
export function parseKeyValues(text: string): Record<string, number> {
  const m: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v)) m[line.slice(0, sp)] = v;
  }
  return m;
}

function monoSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

export function readVmstatSample(procRoot = '/proc', pageSize = detectPageSize()): VmstatSample {
  const read = (p: string) => fs.readFileSync(`${procRoot}/${p}`, 'latin1');
  const mono = monoSeconds();
  const mi = parseMeminfoChecked(read('meminfo'));
  return {
    time: Date.now(),
    mono,
    stat: parseStat(read('stat')),
    mem: mi.values,
    memMalformed: mi.malformed,
    vm: parseKeyValues(read('vmstat')),
    pageSize,
  };
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
