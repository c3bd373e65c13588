// Reads the whole process table for one tick: every /proc/PID (and, when
// threads are shown, every /proc/PID/task/TID), reading per task only what
// the shown columns need. A task that exits mid-read is skipped or keeps
// the fields read so far; nothing here throws for a vanished PID.
import * as fs from 'node:fs';
import { directReader, listPids, ProcFdCache, type FileReader } from './procfs/read.js';
import { PF_KTHREAD, parseStat, type StatFields } from './procfs/pid-stat.js';
import { readTask, readTaskExtras, type ProcNeed, type ProcSample } from './proc-pid.js';
import { BpfTaskReader, decodeTasks, PF_WQ_WORKER, type DecodedTasks, type SamplePool } from './bpf-tasks.js';
import { ReusePool } from '../util/reuse-pool.js';
import { systemSample, type SystemSample } from './system.js';
import { MachineSampler } from './machine.js';
import { pageSize } from './page-size.js';

export { pageSize } from './page-size.js';

/**
 * What every process on the system is, counted over all of /proc whatever
 * the -p filter (the header shows system totals, as htop and top do).
 */
export interface SystemTaskCounts {
  /** Thread groups that are not kernel threads (htop's "Tasks: N"). */
  processes: number;
  /** Threads beyond the main thread of those processes: num_threads - 1 each (htop's "thr"). */
  userThreads: number;
  /** Kernel threads (PF_KTHREAD; htop's "kthr"). */
  kernelThreads: number;
  /** The processes above by the state of their main thread. */
  running: number;
  sleeping: number;
  stopped: number;
  zombie: number;
  /** /proc/PID/stat files that could not be parsed (left out of the counts). */
  malformed: number;
}

export function emptyTaskCounts(): SystemTaskCounts {
  return { processes: 0, userThreads: 0, kernelThreads: 0, running: 0, sleeping: 0, stopped: 0, zombie: 0, malformed: 0 };
}

/** Count one process (a /proc/PID stat, not a thread row). */
export function countTask(c: SystemTaskCounts, t: Pick<StatFields, 'state' | 'numThreads' | 'flags'>): void {
  if ((t.flags & PF_KTHREAD) !== 0) {
    c.kernelThreads++;
    return;
  }
  c.processes++;
  c.userThreads += Math.max(0, t.numThreads - 1);
  switch (t.state) {
    case 'R': c.running++; break;
    case 'Z': case 'X': c.zombie++; break;
    case 'T': case 't': c.stopped++; break;
    default: c.sleeping++;
  }
}

export interface ProcessTableSample {
  /** Monotonic milliseconds when the sample was taken. */
  time: number;
  system: SystemSample;
  /** Process rows, plus thread rows (isThread) when threads were read. */
  tasks: ProcSample[];
  /** Every process on the system, the -p filter notwithstanding. */
  counts: SystemTaskCounts;
}

export interface ProcessCollectorOptions {
  procRoot?: string;
  needs?: Iterable<ProcNeed>;
  /** Read /proc/PID/task/* for multi-threaded processes. */
  threads?: boolean;
  /** Only these pids (a `-p` filter); undefined = all. */
  pids?: ReadonlySet<number>;
  /** Keep /proc/PID/stat and statm open between ticks (default true). */
  keepFds?: boolean;
  /** Use the BPF task iterator when it works (default true; OSTOP_NO_BPF_TASKS=1 forces /proc). */
  bpfTasks?: boolean;
  /** The machine-wide counters of each tick, shared with the other readers of the tick (default: a sampler of its own). */
  machine?: MachineSampler;
  /** How per-task files are read (default: directly; tests count reads). */
  reader?: FileReader;
  /**
   * Reuse the task samples of the collect() before last, overwritten in
   * place (BPF task iterator path): a sample stays valid until the
   * collect() after next. For a caller that keeps only the last two
   * samples (the top view: the current one and the one before for rates);
   * it spares a new object per task per tick (default false).
   */
  reuseSamples?: boolean;
}

/**
 * What a thread row shares with its process: owner, command line, and the
 * values of the memory map every thread uses (statm's SHR, VmSwap, the OOM
 * score; /proc/PID/task/TID/statm is the process's statm). A thread not
 * among the rows on screen (the first frame after `H`) has not read them: it
 * takes its process's, as htop copies the main task's, instead of showing 0.
 */
function inheritShared(th: ProcSample, p: ProcSample): void {
  th.uid = p.uid;
  th.cmdline = p.cmdline;
  if (th.shrPages === undefined) th.shrPages = p.shrPages;
  if (th.swapKb === undefined) th.swapKb = p.swapKb;
  if (th.oomScore === undefined) th.oomScore = p.oomScore;
}

export class ProcessCollector {
  readonly procRoot: string;
  needs: Set<ProcNeed>;
  /**
   * Display-only needs, read only for `detailPids` (the rows on screen):
   * collect only what is shown. Level values (SHR, swap, OOM score,
   * cgroup) of other tasks are carried over from their last read; counters
   * (I/O) are left unset so no false rate is derived.
   */
  detailNeeds: Set<ProcNeed> = new Set();
  detailPids?: ReadonlySet<number>;
  private lastLevels = new Map<number, Pick<ProcSample, 'shrPages' | 'swapKb' | 'oomScore' | 'cgroup'>>();
  threads: boolean;
  pids?: ReadonlySet<number>;
  private cmdlineCache = new Map<number, { start: number; text: string; at: number }>();
  private uidCache = new Map<number, { start: number; uid: number; at: number }>();
  private tick = 0;
  private fdCache: ProcFdCache | undefined;
  private machine: MachineSampler;
  private reader: FileReader;
  /** Two pools used in turn (reuseSamples): this tick's samples overwrite those of the tick before last. */
  private pools: [SamplePool, SamplePool] | undefined;
  private decodes = 0;

  /**
   * Where the stat counters come from: 'bpf' (one task-iterator read per
   * tick, src/collectors/bpf-tasks.ts) or 'proc' (/proc/PID/stat per task).
   * The iterator is probed on the first collect() of a live /proc as root;
   * any failure, then or later, keeps /proc for the rest of the run and
   * statSourceReason says why.
   */
  statSource: 'bpf' | 'proc' = 'proc';
  statSourceReason = 'not probed yet';
  private bpf: BpfTaskReader | null | undefined;
  /** /proc's longer comm of kernel threads (kworker descriptions) by pid (entry valid for its start time). */
  private kcommCache = new Map<number, { start: number; text: string; at: number }>();

  constructor(opts: ProcessCollectorOptions = {}) {
    this.fdCache = opts.keepFds === false ? undefined : new ProcFdCache();
    this.procRoot = opts.procRoot ?? '/proc';
    this.machine = opts.machine ?? new MachineSampler({ procRoot: this.procRoot, reader: opts.reader });
    this.reader = opts.reader ?? directReader;
    this.needs = new Set(opts.needs ?? []);
    this.threads = opts.threads ?? false;
    this.pids = opts.pids;
    if (opts.reuseSamples) this.pools = [new ReusePool(), new ReusePool()];
    if (opts.bpfTasks === false) {
      this.bpf = null;
      this.statSourceReason = 'disabled by the caller';
    }
  }

  collect(now = performance.now(), opts_: { deferred?: boolean } = {}): ProcessTableSample {
    const root = this.procRoot;
    const system = systemSample(this.machine, now);
    // Command lines: rows on screen are re-read every 3 ticks, the rest every
    // 60-119 ticks, staggered by PID so no tick re-reads them all at once.
    // deferred (a first frame): no per-task file at all beyond what the
    // stat counters need; complete() then reads the rows that were drawn.
    const detail = opts_.deferred ? new Set<number>() : this.detailPids;
    this.deferredTick = !!opts_.deferred;
    let needs: ReadonlySet<ProcNeed> = this.needs;
    if (opts_.deferred && needs.has('cmdline')) {
      const n = new Set(needs);
      n.delete('cmdline');
      needs = n;
    }
    const opts = {
      procRoot: root, needs, cmdlineCache: this.cmdlineCache, uidCache: this.uidCache, fdCache: this.fdCache, tick: this.tick,
      cmdlineMaxAge: this.cmdlineMaxAge, reader: this.reader,
    };
    this.maxAgeDetail = detail;
    const tasks: ProcSample[] = [];
    const counts = emptyTaskCounts();
    // The per-pid caches below are pruned of exited processes every
    // PRUNE_EVERY ticks, not every tick (their entries are checked against the
    // start time, so one kept a few ticks longer is never used for another
    // process): no set of every pid built per tick.
    this.pruning = this.tick % ProcessCollector.PRUNE_EVERY === 0;
    const seen = this.pruning ? new Set<number>() : undefined;
    // The iterator is read BEFORE listing /proc: a process it saw that is gone
    // from the listing has exited; one listed but not seen (just born, or not
    // visible to it) is read from /proc, so the pid set is /proc's.
    const bpf = this.bpfTasks();
    for (const pid of this.pidsToRead(bpf)) {
      const dir = `${root}/${pid}`;
      const b = bpf?.processes.get(pid);
      if (this.pids && !this.pids.has(pid)) {
        // Not shown, but counted: the header's totals are the system's.
        if (b) countTask(counts, b);
        else {
          const t = this.reader.text(dir + '/stat');
          if (t === undefined) continue; // exited since the listing
          const f = parseStat(t);
          if (f) countTask(counts, f);
          else counts.malformed++;
        }
        continue;
      }
      const p = b ? this.fromBpf(dir, b, opts) : readTask(dir, pid, false, opts);
      if (!p) {
        if (!b && this.reader.text(dir + '/stat') !== undefined) counts.malformed++; // there, but not a stat line we can read
        continue;
      }
      if (!opts_.deferred) this.detail(dir, p, opts);
      if (needs.has('uid') && p.uid === undefined) {
        try { p.uid = fs.statSync(dir).uid; } catch { continue; }
      }
      seen?.add(p.pid);
      tasks.push(p);
      countTask(counts, p);
      const bt = b && bpf?.threads?.get(pid);
      if (this.threads && p.numThreads > 1 && !p.isKernelThread && bt) {
        for (const th of bt) {
          const tdir = `${dir}/task/${th.pid}`;
          readTaskExtras(tdir, th, opts.needs, opts);
          this.detail(tdir, th, opts);
          inheritShared(th, p);
          tasks.push(th);
        }
      } else if (this.threads && p.numThreads > 1 && !p.isKernelThread) {
        let tids: string[] = [];
        try { tids = fs.readdirSync(dir + '/task'); } catch { /* exited */ }
        for (const t of tids) {
          const tid = Number(t);
          if (tid === pid || !Number.isInteger(tid)) continue;
          const th = readTask(`${dir}/task/${t}`, pid, true, opts);
          if (!th) continue;
          this.detail(`${dir}/task/${t}`, th, opts);
          inheritShared(th, p);
          tasks.push(th);
        }
      }
    }
    this.fdCache?.sweep();
    this.tick++;
    if (seen) {
      for (const k of this.lastLevels.keys()) if (!this.levelSeen.has(k)) this.lastLevels.delete(k);
      this.levelSeen.clear();
      // Drop cached command lines (and uids, kernel thread names) of exited processes.
      for (const k of this.cmdlineCache.keys()) if (!seen.has(k)) this.cmdlineCache.delete(k);
      for (const k of this.uidCache.keys()) if (!seen.has(k)) this.uidCache.delete(k);
      for (const k of this.kcommCache.keys()) if (!seen.has(k)) this.kcommCache.delete(k);
    }
    return { time: now, system, tasks, counts };
  }

  /**
   * After a deferred collect(): read the command line and the detail columns
   * of `pids` (the rows a first frame drew) into `sample`, as a normal
   * collect would have.
   */
  complete(sample: ProcessTableSample, pids: ReadonlySet<number>): void {
    const root = this.procRoot;
    const opts = { procRoot: root, needs: this.needs, cmdlineCache: this.cmdlineCache, uidCache: this.uidCache, fdCache: this.fdCache, tick: Math.max(0, this.tick - 1), reader: this.reader };
    const withCmd = new Set<ProcNeed>(this.detailNeeds);
    if (this.needs.has('cmdline')) withCmd.add('cmdline');
    const cmdlines = new Map<number, string | undefined>();
    for (const t of sample.tasks) {
      if (t.isThread || !pids.has(t.pid)) continue;
      const dir = `${root}/${t.pid}`;
      readTaskExtras(dir, t, withCmd, opts);
      cmdlines.set(t.pid, t.cmdline);
      this.levelSeen.add(t.pid * 1e12 + t.starttime);
      this.lastLevels.set(t.pid * 1e12 + t.starttime, { shrPages: t.shrPages, swapKb: t.swapKb, oomScore: t.oomScore, cgroup: t.cgroup });
    }
    for (const t of sample.tasks) {
      if (!t.isThread || !pids.has(t.pid)) continue;
      readTaskExtras(`${root}/${t.tgid}/task/${t.pid}`, t, this.detailNeeds, opts);
      if (cmdlines.has(t.tgid)) t.cmdline = cmdlines.get(t.tgid);
    }
  }

  /** Pids /proc listed that the iterator did not see, at the last listing (tick listedAt). */
  private invisible: number[] = [];
  private listedAt = -Infinity;
  /** With the iterator, /proc is listed every LIST_EVERY ticks only (a readdir of 1,000 pids costs ~1.5 ms of kernel time). */
  static readonly LIST_EVERY = 5;

  /**
   * The pids to read this tick. On /proc: the listing. With the iterator:
   * its processes, plus those only /proc showed at the last listing (on this
   * VM pid 1's thread group), re-listed every LIST_EVERY ticks. A process the
   * iterator saw that exits before we read it is simply gone next tick.
   */
  private pidsToRead(bpf: DecodedTasks | undefined): number[] {
    if (!bpf || this.tick - this.listedAt >= ProcessCollector.LIST_EVERY || this.pids) {
      const all = listPids(this.procRoot);
      if (bpf) {
        this.invisible = all.filter((p) => !bpf.processes.has(p));
        this.listedAt = this.tick;
      }
      return all;
    }
    const out = [...bpf.processes.keys()];
    for (const p of this.invisible) if (!bpf.processes.has(p)) out.push(p);
    return out;
  }

  /** This tick's iterator rows, or undefined when the /proc path is in use. */
  private bpfTasks(): DecodedTasks | undefined {
    if (this.bpf === undefined) {
      if (this.procRoot !== '/proc') {
        this.bpf = null;
        this.statSourceReason = `procRoot ${this.procRoot} is not the live /proc`;
      } else {
        const r = BpfTaskReader.probe();
        this.bpf = r.ok ? r.reader : null;
        this.statSourceReason = r.ok ? 'BPF task iterator' : r.reason;
      }
      this.statSource = this.bpf ? 'bpf' : 'proc';
    }
    if (!this.bpf) return undefined;
    try {
      const { buf, length } = this.bpf.readShared();
      return decodeTasks(buf, { threads: this.threads, pageBytes: pageSize(), pool: this.pools?.[this.decodes++ & 1], length });
    } catch (e) {
      try { this.bpf.close(); } catch { /* ignore */ }
      this.bpf = null;
      this.statSource = 'proc';
      this.statSourceReason = BpfTaskReader.failure ?? (e as Error).message;
      return undefined;
    }
  }

  /** An iterator row, completed like readTask() completes a /proc one. */
  private fromBpf(dir: string, p: ProcSample, opts: Parameters<typeof readTaskExtras>[3]): ProcSample {
    // task->comm is 15 bytes; /proc names kernel threads in full and adds
    // workqueue descriptions ("kworker/0:1-events"): re-read those few, cached
    // like command lines.
    // (Not on a deferred first tick: task->comm will do for one frame.)
    if (p.isKernelThread && !this.deferredTick && ((p.flags & PF_WQ_WORKER) !== 0 || p.comm.length === 15)) {
      const hit = this.kcommCache.get(p.pid);
      const tick = opts.tick ?? 0;
      if (hit && hit.start === p.starttime && tick - hit.at <= (opts.cmdlineMaxAge?.(p.pid) ?? Infinity)) p.comm = hit.text;
      else {
        const t = this.reader.text(dir + '/stat');
        const f = t !== undefined ? parseStat(t) : undefined;
        if (f) p.comm = f.comm;
        this.kcommCache.set(p.pid, { start: p.starttime, text: p.comm, at: tick });
      }
    }
    readTaskExtras(dir, p, opts.needs, opts);
    return p;
  }

  private detail(dir: string, t: ProcSample, opts: Parameters<typeof readTaskExtras>[3]): void {
    if (this.detailNeeds.size === 0) return;
    const k = t.pid * 1e12 + t.starttime;
    if (!this.detailPids || this.detailPids.has(t.pid)) {
      readTaskExtras(dir, t, this.detailNeeds, opts);
      this.lastLevels.set(k, { shrPages: t.shrPages, swapKb: t.swapKb, oomScore: t.oomScore, cgroup: t.cgroup });
    } else {
      const l = this.lastLevels.get(k);
      if (l) {
        if (t.shrPages === undefined) t.shrPages = l.shrPages;
        if (t.swapKb === undefined) t.swapKb = l.swapKb;
        if (t.oomScore === undefined) t.oomScore = l.oomScore;
        if (t.cgroup === undefined) t.cgroup = l.cgroup;
      }
    }
    if (this.pruning) this.levelSeen.add(k);
  }
  /** This collect() prunes the per-pid caches (every PRUNE_EVERY ticks). */
  private pruning = true;
  static readonly PRUNE_EVERY = 5;
  private levelSeen = new Set<number>();
  private maxAgeDetail: ReadonlySet<number> | undefined;
  /** Ticks a cached command line stays valid: rows on screen (or every row without a screen) 3, the rest 60-119 by pid. One function for every tick. */
  private cmdlineMaxAge = (pid: number): number => {
    const d = this.maxAgeDetail;
    return !d || d.has(pid) ? 3 : 60 + (pid % 60);
  };
  private deferredTick = false;

  /** Close kept-open /proc files. */
  dispose(): void {
    this.fdCache?.close();
    if (this.bpf) try { this.bpf.close(); } catch { /* ignore */ }
    this.bpf = undefined;
  }
}
