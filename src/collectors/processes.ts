// Reads the whole process table for one tick: every /proc/PID (and, when
// threads are shown, every /proc/PID/task/TID), reading per task only what
// the shown columns need. A task that exits mid-read is skipped or keeps
// the fields read so far; nothing here throws for a vanished PID.
import * as fs from 'node:fs';
import { listPids, readFileFast } from './procfs.js';
import { readTask, type ProcNeed, type ProcSample } from './proc-pid.js';
import { readSystem, type SystemSample } from './system.js';

export interface ProcessTableSample {
  /** Monotonic milliseconds when the sample was taken. */
  time: number;
  system: SystemSample;
  /** Process rows, plus thread rows (isThread) when threads were read. */
  tasks: ProcSample[];
  /** Thread count over all processes (user threads, from num_threads). */
  threadCount: number;
  kernelThreadCount: number;
}

export interface ProcessCollectorOptions {
  procRoot?: string;
  needs?: Iterable<ProcNeed>;
  /** Read /proc/PID/task/* for multi-threaded processes. */
  threads?: boolean;
  /** Only these pids (a `-p` filter); undefined = all. */
  pids?: ReadonlySet<number>;
}

let cachedPageSize: number | undefined;
/** Page size in bytes, derived from this process's own RSS in pages vs bytes (no sysconf in Node). */
export function pageSize(): number {
  if (cachedPageSize) return cachedPageSize;
  cachedPageSize = 4096;
  const t = readFileFast('/proc/self/statm');
  const pages = t ? Number(t.split(' ')[1]) : 0;
  if (pages > 0) {
    const ratio = process.memoryUsage.rss() / pages;
    for (const p of [4096, 16384, 65536]) if (Math.abs(ratio - p) / p < 0.25) cachedPageSize = p;
  }
  return cachedPageSize;
}

export class ProcessCollector {
  readonly procRoot: string;
  needs: Set<ProcNeed>;
  threads: boolean;
  pids?: ReadonlySet<number>;
  private cmdlineCache = new Map<string, string>();
  private tick = 0;

  constructor(opts: ProcessCollectorOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.needs = new Set(opts.needs ?? []);
    this.threads = opts.threads ?? false;
    this.pids = opts.pids;
  }

  collect(now = performance.now()): ProcessTableSample {
    const root = this.procRoot;
    const system = readSystem(root);
    const opts = { procRoot: root, needs: this.needs, cmdlineCache: this.cmdlineCache };
    const tasks: ProcSample[] = [];
    let threadCount = 0;
    let kernelThreadCount = 0;
    const seen = new Set<string>();
    for (const pid of listPids(root)) {
      if (this.pids && !this.pids.has(pid)) continue;
      const dir = `${root}/${pid}`;
      const p = readTask(dir, pid, false, opts);
      if (!p) continue;
      if (this.needs.has('uid') && p.uid === undefined) {
        try { p.uid = fs.statSync(dir).uid; } catch { continue; }
      }
      seen.add(`${p.pid}:${p.starttime}`);
      tasks.push(p);
      if (p.isKernelThread) kernelThreadCount++;
      else threadCount += Math.max(1, p.numThreads);
      if (this.threads && p.numThreads > 1 && !p.isKernelThread) {
        let tids: string[] = [];
        try { tids = fs.readdirSync(dir + '/task'); } catch { /* exited */ }
        for (const t of tids) {
          const tid = Number(t);
          if (tid === pid || !Number.isInteger(tid)) continue;
          const th = readTask(`${dir}/task/${t}`, pid, true, opts);
          if (!th) continue;
          th.uid = p.uid;
          th.cmdline = p.cmdline;
          tasks.push(th);
        }
      }
    }
    // cmdline cache: drop entries of exited processes; every 10 ticks let
    // live ones be re-read so setproctitle() changes show up.
    if (++this.tick % 10 === 0) this.cmdlineCache.clear();
    else for (const k of this.cmdlineCache.keys()) if (!seen.has(k)) this.cmdlineCache.delete(k);
    return { time: now, system, tasks, threadCount, kernelThreadCount };
  }
}
