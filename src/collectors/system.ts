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
  const out: ProcStat = { total: cpuTimes([]), cpus: [], ctxt: 0, btime: 0, processes: 0, procsRunning: 0, procsBlocked: 0, intr: 0 };
  for (const line of text.split('\n')) {
    const f = line.split(/\s+/);
    const k = f[0];
    if (k === 'cpu') out.total = cpuTimes(f);
    else if (k.startsWith('cpu')) {
      const i = Number(k.slice(3));
      if (Number.isInteger(i)) out.cpus[i] = cpuTimes(f);
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

/** meminfo values in kB (HugePages_* counts are kept as plain numbers). */
export function parseMeminfo(text: string): Record<string, number> {
  const o: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const v = parseInt(line.slice(i + 1), 10);
    if (Number.isFinite(v)) o[line.slice(0, i)] = v;
  }
  return o;
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
  const mem = parseMeminfo(readFileFast(procRoot + '/meminfo') ?? '');
  const la = parseLoadavg(readFileFast(procRoot + '/loadavg') ?? '');
  return { stat, mem, load: la.load, loadRunning: la.running, loadTotal: la.total, uptimeSec: parseUptime(readFileFast(procRoot + '/uptime') ?? '') };
}
