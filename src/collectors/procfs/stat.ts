// /proc/stat: CPU times (USER_HZ ticks) in total and per CPU, interrupts,
// context switches, forks, running/blocked tasks, boot time. One parser for
// the top view's header, the vmstat view, the dumps and the drill-in.
// Missing trailing cpu fields (old kernels: 4, 7 or 8 columns) read as 0;
// a malformed number reads as 0.

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
