// VmstatModel: two VmstatSamples -> the numbers procps vmstat prints, with
// vmstat's definitions (procps-ng 4.0):
//   r, b      procs_running, procs_blocked from /proc/stat (gauges; r counts ostop itself when it runs)
//   swpd      SwapTotal - SwapFree (kB)      free  MemFree      buff  Buffers
//   cache     Cached + SReclaimable (kB)
// Not in vmstat, from free(1) (procps-ng 4, src/model/memory.ts):
//   avail     available: MemAvailable (MemFree when absent or above MemTotal)
//   used      MemTotal - available
//   si, so    pswpin/pswpout deltas * page size / 1024 / seconds (kB/s)
//   bi, bo    pgpgin/pgpgout deltas / seconds (1 kB blocks/s)
//   in, cs    intr total / ctxt deltas / seconds
//   us = user+nice, sy = system+irq+softirq, id = idle, wa = iowait, st = steal,
//   each as a percent of the sum of those (guest time is already inside user).
// Plus: minflt/s (pgfault - pgmajfault), majflt/s, forks/s ("processes"), PSI.
// Invariant: pure function of its inputs; rates use the monotonic time
// between the two samples, never the nominal delay.
import type { VmstatSample } from '../collectors/vmstat.js';
import type { CpuTimes } from '../collectors/procfs/stat.js';
import type { PsiResource, PsiSample } from '../collectors/psi.js';
import { freeMemory } from './memory.js';

export interface PsiModelLine { some10: number; some60: number; some300: number; full10?: number; full60?: number; full300?: number }

export interface VmstatModel {
  time: number;
  interval: number;
  r: number; b: number;
  swpd: number; free: number; buff: number; cache: number; avail: number;
  /** free(1)'s used (procps 4): MemTotal - available. */
  used: number;
  memTotal: number; swapTotal: number;
  /** What was wrong with /proc/meminfo, or null. */
  memProblem: string | null;
  si: number; so: number;
  bi: number; bo: number;
  in: number; cs: number;
  us: number; sy: number; id: number; wa: number; st: number;
  /** Per CPU (by cpuN index; an offline CPU reads 0): busy % of its ticks, everything but idle and iowait (the graphs). */
  cpus: number[];
  minflt: number; majflt: number; forks: number;
  psi: { available: boolean; reason?: string; res: Partial<Record<PsiResource, PsiModelLine>> };
}

function d(cur: number | undefined, prev: number | undefined): number {
  if (cur === undefined || prev === undefined) return 0;
  return cur >= prev ? cur - prev : 0;
}

export function psiModel(p: PsiSample | undefined): VmstatModel['psi'] {
  if (!p) return { available: false, reason: 'PSI not read', res: {} };
  const res: VmstatModel['psi']['res'] = {};
  for (const [k, v] of Object.entries(p.res)) {
    if (!v?.some) continue;
    res[k as PsiResource] = {
      some10: v.some.avg10, some60: v.some.avg60, some300: v.some.avg300,
      full10: v.full?.avg10, full60: v.full?.avg60, full300: v.full?.avg300,
    };
  }
  return { available: p.available, reason: p.reason, res };
}

/** Busy % of one CPU's ticks between two samples: all but idle and iowait (htop's and btop's CPU%). */
export function cpuBusyPercent(prev: CpuTimes | undefined, cur: CpuTimes | undefined): number {
  if (!prev || !cur) return 0;
  const idle = d(cur.idle, prev.idle) + d(cur.iowait, prev.iowait);
  const busy = d(cur.user, prev.user) + d(cur.nice, prev.nice) + d(cur.system, prev.system) + d(cur.irq, prev.irq) + d(cur.softirq, prev.softirq) + d(cur.steal, prev.steal);
  const tot = idle + busy;
  return tot > 0 ? (busy * 100) / tot : 0;
}

export function buildVmstatModel(prev: VmstatSample, cur: VmstatSample, psi?: PsiSample): VmstatModel {
  const sec = Math.max(1e-6, cur.mono - prev.mono);
  const pc = prev.stat.total, cc = cur.stat.total;
  const us = d(cc.user, pc.user) + d(cc.nice, pc.nice);
  const sy = d(cc.system, pc.system) + d(cc.irq, pc.irq) + d(cc.softirq, pc.softirq);
  const id = d(cc.idle, pc.idle);
  const wa = d(cc.iowait, pc.iowait);
  const st = d(cc.steal, pc.steal);
  const tot = us + sy + id + wa + st;
  const pct = (x: number) => (tot > 0 ? (x * 100) / tot : 0);
  const m = cur.mem;
  const f = freeMemory(m, cur.memMalformed);
  const kbPerPage = cur.pageSize / 1024;
  const rate = (k: string) => d(cur.vm[k], prev.vm[k]) / sec;
  const pgfault = d(cur.vm.pgfault, prev.vm.pgfault);
  const pgmaj = d(cur.vm.pgmajfault, prev.vm.pgmajfault);
  return {
    time: cur.time,
    interval: sec,
    r: cur.stat.procsRunning, b: cur.stat.procsBlocked,
    swpd: (m.SwapTotal ?? 0) - (m.SwapFree ?? 0),
    free: m.MemFree ?? 0,
    buff: m.Buffers ?? 0,
    cache: (m.Cached ?? 0) + (m.SReclaimable ?? 0),
    avail: f.availableKb,
    used: f.usedKb,
    memTotal: m.MemTotal ?? 0, swapTotal: m.SwapTotal ?? 0,
    memProblem: f.problem,
    si: rate('pswpin') * kbPerPage, so: rate('pswpout') * kbPerPage,
    bi: rate('pgpgin'), bo: rate('pgpgout'),
    in: d(cur.stat.intr, prev.stat.intr) / sec,
    cs: d(cur.stat.ctxt, prev.stat.ctxt) / sec,
    us: pct(us), sy: pct(sy), id: pct(id), wa: pct(wa), st: pct(st),
    cpus: Array.from(cur.stat.cpus, (c, i) => cpuBusyPercent(prev.stat.cpus[i], c)),
    minflt: Math.max(0, pgfault - pgmaj) / sec, majflt: pgmaj / sec,
    forks: d(cur.stat.processes, prev.stat.processes) / sec,
    psi: psiModel(psi),
  };
}
