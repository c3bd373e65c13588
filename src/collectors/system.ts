// Pure parsers for /proc/stat, /proc/meminfo, /proc/loadavg, /proc/uptime
// and the reader of a SystemSample (raw counters only; percentages and
// rates are computed by the model from two samples).
import { readFileFast } from './procfs.js';

export interface CpuTimes {
  user: number; nice: number; system: number; idle: number; iowait: number;
  irq: number; softirq: number; steal: number; guest: number; guestNice: number;
}

export interface ProcStat {
  total: CpuTimes;
  cpus: CpuTimes[];
  /** cpuN lines (online CPUs; offline ones are holes in `cpus`). */
  cpusOnline: number;
  ctxt: number;
  btime: number;
  processes: number;
  procsRunning: number;
  procsBlocked: number;
  intr: number;
}

export interface SystemSample {
  stat: ProcStat;
  mem: Record<string, number>;
  /** meminfo keys whose line was malformed (see parseMeminfoChecked). */
  memMalformed: string[];
  load: [number, number, number];
  /** Running/total scheduling entities from loadavg. */
  loadRunning: number;
  loadTotal: number;
  uptimeSec: number;
}

function cpuTimes(f: string[]): CpuTimes {
  const n = (i: number) => Number(f[i]) || 0;
  return { user: n(1), nice: n(2), system: n(3), idle: n(4), iowait: n(5), irq: n(6), softirq: n(7), steal: n(8), guest: n(9), guestNice: n(10) };
}

export function parseProcStat(text: string): ProcStat {
  const out: ProcStat = { total: cpuTimes([]), cpus: [], cpusOnline: 0, ctxt: 0, btime: 0, processes: 0, procsRunning: 0, procsBlocked: 0, intr: 0 };
  for (const line of text.split('\n')) {
    const f = line.split(/\s+/);
    const k = f[0];
    if (k === 'cpu') out.total = cpuTimes(f);
    else if (k.startsWith('cpu')) {
      const i = Number(k.slice(3));
      if (Number.isInteger(i) && i >= 0 && i < 65536 && k === `cpu${i}`) {
        if (!out.cpus[i]) out.cpusOnline++;
        out.cpus[i] = cpuTimes(f);
      }
    } else if (k === 'ctxt') out.ctxt = Number(f[1]) || 0;
    else if (k === 'btime') out.btime = Number(f[1]) || 0;
    else if (k === 'processes') out.processes = Number(f[1]) || 0;
    else if (k === 'procs_running') out.procsRunning = Number(f[1]) || 0;
    else if (k === 'procs_blocked') out.procsBlocked = Number(f[1]) || 0;
    else if (k === 'intr') out.intr = Number(f[1]) || 0;
  }
  // Offline CPUs leave holes: keep indexes, fill with zeros.
  for (let i = 0; i < out.cpus.length; i++) if (!out.cpus[i]) out.cpus[i] = cpuTimes([]);
  return out;
}

export interface MeminfoParse {
  /** kB by key (HugePages_* counts are kept as plain numbers). */
  values: Record<string, number>;
  /** Keys whose line was not "Key: <unsigned number>[ kB]" (left out of values). */
  malformed: string[];
}

/**
 * Parse /proc/meminfo strictly: a value is an unsigned decimal number,
 * optionally followed by "kB". A line that is not is left out and its key
 * listed in `malformed` (the models say which of their inputs were bad);
 * lines without a key are ignored.
 */
export function parseMeminfoChecked(text: string): MeminfoParse {
  const values: Record<string, number> = {};
  const malformed: string[] = [];
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const m = /^\s*(\d+)(?:\s+kB)?\s*$/.exec(line.slice(i + 1));
    const v = m ? Number(m[1]) : NaN;
    if (Number.isSafeInteger(v)) {
      if (!(key in values)) values[key] = v;
    } else malformed.push(key);
  }
  return { values, malformed };
}

/** meminfo values in kB (HugePages_* counts are kept as plain numbers); malformed lines are left out. */
export function parseMeminfo(text: string): Record<string, number> {
  return parseMeminfoChecked(text).values;
}

export function parseLoadavg(text: string): { load: [number, number, number]; running: number; total: number } {
  const f = text.trim().split(/\s+/);
  const [r, t] = (f[3] ?? '0/0').split('/').map(Number);
  return { load: [Number(f[0]) || 0, Number(f[1]) || 0, Number(f[2]) || 0], running: r || 0, total: t || 0 };
}

export function parseUptime(text: string): number {
  return Number(text.trim().split(/\s+/)[0]) || 0;
}

export function readSystem(procRoot = '/proc'): SystemSample {
  const stat = parseProcStat(readFileFast(procRoot + '/stat') ?? '');
  const mi = parseMeminfoChecked(readFileFast(procRoot + '/meminfo') ?? '');
  const la = parseLoadavg(readFileFast(procRoot + '/loadavg') ?? '');
  return { stat, mem: mi.values, memMalformed: mi.malformed, load: la.load, loadRunning: la.running, loadTotal: la.total, uptimeSec: parseUptime(readFileFast(procRoot + '/uptime') ?? '') };
}
