// ProcessTableSample x previous ProcessTableSample -> ProcessTableModel.
// All rates and percentages are derived here from two raw samples, so the
// live view, pause and `dump` share one path. CPU% follows top/htop: 100% is
// one fully busy CPU over the interval. Tasks are matched across samples by
// (pid, starttime), so a reused PID never inherits another's counters.
import { CLK_TCK, ttyName, type ProcSample } from '../collectors/proc-pid.js';
import { pageSize, type ProcessTableSample, type SystemTaskCounts } from '../collectors/processes.js';
import type { CpuTimes, ProcStat } from '../collectors/system.js';
import { freeMemory } from './memory.js';
import { ReusePool } from '../util/reuse-pool.js';

export interface ProcRow {
  pid: number;
  ppid: number;
  tgid: number;
  uid: number;
  user: string;
  comm: string;
  /** Full command line, or "[comm]" for kernel threads and "comm" when empty. */
  command: string;
  state: string;
  priority: number;
  nice: number;
  virtBytes: number;
  rssBytes: number;
  shrBytes: number;
  cpuPercent: number;
  memPercent: number;
  /** Total CPU time in seconds (utime + stime). */
  cpuTimeSec: number;
  threads: number;
  /** Start time, seconds since the epoch. */
  startTime: number;
  tty: string;
  processor: number;
  ioReadRate?: number;
  ioWriteRate?: number;
  majfltRate: number;
  minfltRate: number;
  majflt: number;
  oomScore?: number;
  cgroup?: string;
  swapBytes?: number;
  isThread: boolean;
  isKernelThread: boolean;
  /** Per-process rates from the eBPF tracers that run (opens/s, syscalls/s, disk latency): the eBPF-fed columns' values. */
  ebpf?: PerPidRates;
}

/**
 * What the tracers measured for one process over the last rate window (about
 * a second): the values of the eBPF-fed columns (opens_rate, syscalls_rate,
 * disk_lat). Undefined when the tracer behind it is not running.
 */
export interface PerPidRates {
  opensPerSec?: number;
  syscallsPerSec?: number;
  /** Mean block I/O latency (ms) of the requests completed in the window. */
  diskLatMs?: number;
}

export interface CpuModel {
  /** Percent of the interval, each 0..100: user includes nice? No: kept apart like htop. */
  user: number; nice: number; system: number; iowait: number; steal: number; irq: number; idle: number; guest: number;
  /** 100 - idle - iowait (what "busy" means for a bar). */
  busy: number;
}

/** Bytes, with free(1)'s definitions as procps-ng 4 computes them (src/model/memory.ts). */
export interface MemModel {
  totalBytes: number;
  /** MemTotal - available (procps 4; not procps 3's total - free - buffers - cache). */
  usedBytes: number;
  /** MemFree. */
  freeBytes: number;
  buffersBytes: number;
  cacheBytes: number;
  sharedBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  /** What was wrong with /proc/meminfo, or null. */
  problem: string | null;
}

/**
 * The header's "Tasks:" line, counted as htop (3.3 and later) counts them,
 * over the whole system whatever -p, -u or the filter text show:
 * "Tasks: total, threads thr, kernelThreads kthr; running running".
 */
export interface TaskCounts {
  /** Processes, kernel threads not included (htop's first number). */
  total: number;
  /** htop's "running": runnable tasks (procs_running in /proc/stat: threads and kernel threads too), at most the number of online CPUs. */
  running: number;
  /** procs_running itself (not capped). */
  runnable: number;
  /** Processes (as in total) whose main thread is sleeping (S, D, I...), stopped (T, t), zombie (Z, X). */
  sleeping: number;
  stopped: number;
  zombie: number;
  /** User threads: threads beyond the main thread of every process (htop's "thr"). */
  threads: number;
  /** Kernel threads (htop's "kthr"). */
  kernelThreads: number;
}

/** TaskCounts from the collector's system-wide counts and /proc/stat. */
export function taskCounts(c: SystemTaskCounts, stat: ProcStat): TaskCounts {
  const online = Math.max(1, stat.cpusOnline);
  return {
    total: c.processes, running: Math.min(stat.procsRunning, online), runnable: stat.procsRunning,
    sleeping: c.sleeping, stopped: c.stopped, zombie: c.zombie, threads: c.userThreads, kernelThreads: c.kernelThreads,
  };
}

export interface ProcessTableModel {
  time: number;
  intervalSec: number;
  rows: ProcRow[];
  cpuTotal: CpuModel;
  cpus: CpuModel[];
  mem: MemModel;
  tasks: TaskCounts;
  load: [number, number, number];
  uptimeSec: number;
  bootTime: number;
}

const ZERO_CPU: CpuModel = { user: 0, nice: 0, system: 0, iowait: 0, steal: 0, irq: 0, idle: 100, guest: 0, busy: 0 };

const dpos = (a: number, b: number) => Math.max(0, a - b);

export function cpuModel(prev: CpuTimes | undefined, cur: CpuTimes): CpuModel {
  if (!prev) return { ...ZERO_CPU };
  // guest time is already counted in user (and guest_nice in nice).
  // (field by field, not a closure over a key: this runs per CPU per tick)
  const dUser = dpos(cur.user, prev.user), dNice = dpos(cur.nice, prev.nice), dSystem = dpos(cur.system, prev.system);
  const dIdle = dpos(cur.idle, prev.idle), dIowait = dpos(cur.iowait, prev.iowait), dIrq = dpos(cur.irq, prev.irq);
  const dSoftirq = dpos(cur.softirq, prev.softirq), dSteal = dpos(cur.steal, prev.steal);
  const dGuest = dpos(cur.guest, prev.guest), dGuestNice = dpos(cur.guestNice, prev.guestNice);
  const total = dUser + dNice + dSystem + dIdle + dIowait + dIrq + dSoftirq + dSteal;
  if (total <= 0) return { ...ZERO_CPU };
  const m: CpuModel = {
    user: (Math.max(0, dUser - dGuest) * 100) / total, nice: (Math.max(0, dNice - dGuestNice) * 100) / total,
    system: (dSystem * 100) / total, iowait: (dIowait * 100) / total, steal: (dSteal * 100) / total,
    irq: ((dIrq + dSoftirq) * 100) / total, idle: (dIdle * 100) / total, guest: ((dGuest + dGuestNice) * 100) / total, busy: 0,
  };
  m.busy = Math.max(0, 100 - m.idle - m.iowait);
  return m;
}

export function memModel(mem: Record<string, number>, malformed: readonly string[] = []): MemModel {
  const f = freeMemory(mem, malformed);
  return {
    totalBytes: f.totalKb * 1024, usedBytes: f.usedKb * 1024, freeBytes: f.freeKb * 1024, buffersBytes: f.buffersKb * 1024,
    cacheBytes: f.cacheKb * 1024, sharedBytes: f.sharedKb * 1024, availableBytes: f.availableKb * 1024,
    swapTotalBytes: f.swapTotalKb * 1024, swapUsedBytes: f.swapUsedKb * 1024, problem: f.problem,
  };
}

/** Per-second rate of a cumulative counter between two samples (0 without a previous one). */
function rateOf(a: number | undefined, b: number | undefined, intervalSec: number, hasPrev: boolean): number {
  return hasPrev && intervalSec > 0 && a !== undefined && b !== undefined ? Math.max(0, a - b) / intervalSec : 0;
}

export type UserLookup = (uid: number) => string;

/**
 * The rows of the last model built, per pid, for the next build to overwrite
 * in place (see ReusePool): a row of the same task (pid, start time, thread
 * or not) is the same object from tick to tick, holding the newest values;
 * another task under a reused pid gets a new object.
 */
export type RowPool = ReusePool<number, ProcRow>;

export function newRowPool(): RowPool {
  return new ReusePool<number, ProcRow>();
}

/** A row with every field present (one object shape for every row). */
function blankRow(): ProcRow {
  return {
    pid: 0, ppid: 0, tgid: 0, uid: 0, user: '', comm: '', command: '', state: '', priority: 0, nice: 0, virtBytes: 0, rssBytes: 0,
    shrBytes: 0, cpuPercent: 0, memPercent: 0, cpuTimeSec: 0, threads: 0, startTime: 0, tty: '', processor: 0, ioReadRate: undefined,
    ioWriteRate: undefined, majfltRate: 0, minfltRate: 0, majflt: 0, oomScore: undefined, cgroup: undefined, swapBytes: undefined,
    isThread: false, isKernelThread: false, ebpf: undefined,
  };
}

/** "[comm]" of kernel threads, made once per name (not per kernel thread per tick). */
const bracketed = new Map<string, string>();
function kernelCommand(comm: string): string {
  let b = bracketed.get(comm);
  if (b === undefined) {
    if (bracketed.size >= 4096) bracketed.clear();
    b = `[${comm}]`;
    bracketed.set(comm, b);
  }
  return b;
}

/**
 * `tracerRates`: the eBPF tracers' per-PID rates of the same moment (see
 * PerPidRates), when any tracer runs. `pool`: reuse the row objects of the
 * model built last with the same pool (its rows then hold this model's
 * values: for a caller that keeps only the newest model, the top view).
 */
export function buildProcessModel(prev: ProcessTableSample | undefined, cur: ProcessTableSample, userName: UserLookup, tracerRates?: ReadonlyMap<number, PerPidRates>, pool?: RowPool): ProcessTableModel {
  const intervalSec = prev ? Math.max(1e-3, (cur.time - prev.time) / 1000) : 0;
  // By pid (small integers: no boxed key per task per tick); a reused pid is
  // told apart by its start time below.
  const prevTasks = new Map<number, ProcSample>();
  if (prev) for (const t of prev.tasks) prevTasks.set(t.pid, t);
  const page = pageSize();
  const memTotal = (cur.system.mem.MemTotal ?? 0) * 1024;
  const btime = cur.system.stat.btime;
  const tasks = taskCounts(cur.counts, cur.system.stat);
  const rows: ProcRow[] = new Array(cur.tasks.length);
  let n = 0;
  pool?.begin();
  for (const t of cur.tasks) {
    const q = prevTasks.get(t.pid);
    const p = q && q.starttime === t.starttime ? q : undefined;
    const hasPrev = p !== undefined;
    const ticks = t.utime + t.stime;
    const cpu = p && intervalSec > 0 ? (Math.max(0, ticks - p.utime - p.stime) * 100) / (CLK_TCK * intervalSec) : 0;
    const rss = t.rssPages * page;
    const uid = t.uid ?? -1;
    const cmd = t.cmdline;
    const startTime = btime + t.starttime / CLK_TCK;
    let r = pool?.take(t.pid);
    if (!r || r.startTime !== startTime || r.isThread !== t.isThread) {
      r = blankRow();
      pool?.put(t.pid, r);
    }
    r.pid = t.pid;
    r.ppid = t.isThread ? t.tgid : t.ppid;
    r.tgid = t.tgid;
    r.uid = uid;
    r.user = uid >= 0 ? userName(uid) : '?';
    r.comm = t.comm;
    r.command = t.isKernelThread ? kernelCommand(t.comm) : cmd ? cmd : t.comm;
    r.state = t.state;
    r.priority = t.priority;
    r.nice = t.nice;
    r.virtBytes = t.vsize;
    r.rssBytes = rss;
    r.shrBytes = (t.shrPages ?? 0) * page;
    r.cpuPercent = cpu;
    r.memPercent = memTotal > 0 ? (rss * 100) / memTotal : 0;
    r.cpuTimeSec = ticks / CLK_TCK;
    r.threads = t.numThreads;
    r.startTime = startTime;
    r.tty = ttyName(t.ttyNr);
    r.processor = t.processor;
    r.ioReadRate = t.ioReadBytes !== undefined ? rateOf(t.ioReadBytes, p?.ioReadBytes, intervalSec, hasPrev) : undefined;
    r.ioWriteRate = t.ioWriteBytes !== undefined ? rateOf(t.ioWriteBytes, p?.ioWriteBytes, intervalSec, hasPrev) : undefined;
    r.majfltRate = rateOf(t.majflt, p?.majflt, intervalSec, hasPrev);
    r.minfltRate = rateOf(t.minflt, p?.minflt, intervalSec, hasPrev);
    r.majflt = t.majflt;
    r.oomScore = t.oomScore;
    r.cgroup = t.cgroup;
    r.swapBytes = t.swapKb !== undefined ? t.swapKb * 1024 : undefined;
    r.isThread = t.isThread;
    r.isKernelThread = t.isKernelThread;
    r.ebpf = tracerRates?.get(t.pid);
    rows[n++] = r;
  }
  pool?.end();
  rows.length = n;
  const ps = prev?.system.stat;
  return {
    time: cur.time, intervalSec, rows,
    cpuTotal: cpuModel(ps?.total, cur.system.stat.total),
    cpus: cur.system.stat.cpus.map((c, i) => cpuModel(ps?.cpus[i], c)),
    mem: memModel(cur.system.mem, cur.system.memMalformed), tasks, load: cur.system.load, uptimeSec: cur.system.uptimeSec, bootTime: btime,
  };
}
