// Fast path for the process table: every task's /proc/PID/stat counters in
// one read() of a BPF task iterator (native/bpf/tasks.bpf.c, wire struct
// native/bpf/tasks.h) instead of one pread of /proc/PID/stat per task.
//
// What must stay true:
// - decodeTasks() returns ProcSamples whose fields equal what the /proc
//   path (parseStat) reads, with /proc's rules applied here and only here:
//   process rows sum live threads + signal's dead-thread totals and apply
//   the kernel's cputime_adjust (utime+stime = sum_exec_runtime, split by the
//   tick-sampled ratio, monotonic against prev_cputime), times in USER_HZ
//   ticks, starttime = start_boottime / 10 ms, vsize in bytes.
// - Offsets below are checked against the C offsetof (NativeAddon.tasksLayout())
//   by test/collectors/bpf-tasks-layout.test.ts.
// - Known differences from /proc (documented, tested):
//   * uid is the task's real euid; /proc's file owner (what the /proc path
//     uses) is root for non-dumpable processes.
//   * shrPages is get_mm_counter()'s file+shmem (percpu_counter .count);
//     statm on 6.16+ sums every CPU, so it can differ by up to ~2 x 64 pages
//     per CPU. RSS uses .count exactly as /proc/PID/stat does.
//   * comm is task->comm; /proc shows a longer name for kernel threads
//     (kworker descriptions, kthread full names): the collector re-reads
//     those few from /proc (see ProcessCollector).
//   * tasks the iterator does not see (on this VM: pid 1's thread group) are
//     read from /proc by the collector, so the pid set equals /proc's.
//
// Measured (this VM: 2 vCPUs, kernel 6.18, Node 20): ProcessCollector.collect()
// as the top view drives it (needs cmdline+uid, default columns as
// detailNeeds for 40 visible rows), ~1,070 processes (1,000 extra `sleep`),
// user+sys CPU per sample from process.cpuUsage over 30 samples, after warm-up:
//   /proc path   15.1-15.3 ms (threads off), 17.1-17.9 ms (threads on)
//   iterator      4.4 ms      (threads off),  4.6 ms      (threads on)
//   (first, cold round of the iterator: 6.5 / 10.3 ms)
// Of the iterator's cost: tasksRead() ~0.5 ms kernel for ~1,100 tasks (direct
// BTF loads; 2.3 ms when every field was a bpf_probe_read_kernel), decode
// ~1.4 ms, readdir of /proc ~0.7 ms, the rest is the per-row loop (cmdline
// cache, detail columns). 10,000 processes: not measured yet.
import { loadNative, nativeErrorLine, type NativeAddon } from '../native.js';
import { readFileFast } from './procfs/read.js';
import { CLK_TCK, PF_KTHREAD, parseStat } from './procfs/pid-stat.js';
import type { ProcSample } from './proc-pid.js';
import type { ReusePool } from '../util/reuse-pool.js';

/** Byte offsets of struct tasks_rec (native/bpf/tasks.h). */
export const TASKS_REC = {
  size: 224,
  fields: {
    start_boottime: 0, sum_exec: 8, utime: 16, stime: 24, prev_utime: 32, prev_stime: 40,
    min_flt: 48, maj_flt: 56, g_utime: 64, g_stime: 72, g_sum_exec: 80, g_prev_utime: 88,
    g_prev_stime: 96, g_min_flt: 104, g_maj_flt: 112, total_vm: 120, rss_file: 128, rss_anon: 136,
    rss_shmem: 144, tid: 152, tgid: 156, ppid: 160, pgid: 164, sid: 168, flags: 172,
    euid: 176, tty_nr: 180, nr_threads: 184, cpu: 188, prio: 192, nice: 196, state: 200,
    rec_flags: 201, comm: 208,
  },
} as const;

const R_LEADER = 1;
const R_MM = 2;
const R_SIGHAND = 4;
const NS_PER_TICK = 1e9 / CLK_TCK;
const TWO32 = 4294967296;
export const PF_WQ_WORKER = 0x00000020;

/**
 * The kernel's cputime_adjust(): scale the tick-sampled utime/stime so they
 * add up to the precise runtime, never going below the previous report.
 * Returns [utime, stime] in ns.
 */
export function cputimeAdjust(rtime: number, utime: number, stime: number, prevU: number, prevS: number): [number, number] {
  adjustInto(rtime, utime, stime, prevU, prevS);
  return [adjusted[0], adjusted[1]];
}

/** cputimeAdjust() into `adjusted` (no array per task per tick). */
const adjusted = new Float64Array(2);
function adjustInto(rtime: number, utime: number, stime: number, prevU: number, prevS: number): void {
  if (prevS + prevU >= rtime) {
    adjusted[0] = prevU;
    adjusted[1] = prevS;
    return;
  }
  let s: number;
  if (stime === 0) s = 0;
  else if (utime === 0) s = rtime;
  else {
    s = Math.floor((stime / (stime + utime)) * rtime);
    if (s > rtime) s = rtime;
  }
  if (s < prevS) s = prevS;
  let u = rtime - s;
  if (u < prevU) {
    u = prevU;
    s = rtime - u;
  }
  adjusted[0] = u;
  adjusted[1] = s;
}

/** Last comm string per tid with its 16 bytes, reused while they are unchanged (no string per task per tick). */
const commCache = new Map<number, { a: number; b: number; c: number; d: number; s: string }>();

/** ns -> USER_HZ ticks, exact for any uptime below ~247 years (nsec_to_clock_t). */
function nsToTicks(lo: number, hi: number): number {
  // hi*2^32 = hi*429*1e7 + hi*4967296
  return hi * 429 + Math.floor((hi * 4967296 + lo) / NS_PER_TICK);
}

/** Sums over a thread group's non-leader records (multi-threaded processes only). */
interface ThreadSums {
  sumExec: number;
  utime: number;
  stime: number;
  minflt: number;
  majflt: number;
  offsets: number[];
}

export interface DecodedTasks {
  /** Process rows by tgid (groups whose leader record was seen). */
  processes: Map<number, ProcSample>;
  /** Thread rows (isThread) by tgid, only when requested and only for processes with threads besides the leader. */
  threads?: Map<number, ProcSample[]>;
  records: number;
}

// The record being decoded: module state rather than closures made per call
// (closures created on every tick were re-optimized by V8 again and again).
let dv = new DataView(new ArrayBuffer(0));
let bytes = Buffer.alloc(0);
const u32 = (o: number) => dv.getUint32(o, true);
const u64 = (o: number) => dv.getUint32(o, true) + dv.getUint32(o + 4, true) * TWO32;
const s64pos = (o: number) => {
  const hi = dv.getInt32(o + 4, true);
  return hi < 0 ? 0 : hi * TWO32 + dv.getUint32(o, true);
};

function commAt(o: number, tid: number, n: number): string {
  const F = TASKS_REC.fields;
  const ca = u32(o + F.comm), cb = u32(o + F.comm + 4), cc = u32(o + F.comm + 8), cd = u32(o + F.comm + 12);
  const hit = commCache.get(tid);
  if (hit && hit.a === ca && hit.b === cb && hit.c === cc && hit.d === cd) return hit.s;
  let end = o + F.comm;
  const cmax = end + 16;
  let ascii = true;
  while (end < cmax && bytes[end] !== 0) {
    if (bytes[end] >= 0x80) ascii = false;
    end++;
  }
  const comm = ascii ? bytes.toString('latin1', o + F.comm, end) : bytes.toString('utf8', o + F.comm, end);
  if (commCache.size > 4 * n + 1024) commCache.clear();
  commCache.set(tid, { a: ca, b: cb, c: cc, d: cd, s: comm });
  return comm;
}

function baseSample(o: number, isThread: boolean, n: number, pageBytes: number, pool: SamplePool | undefined): ProcSample {
  const F = TASKS_REC.fields;
  const flags = u32(o + F.flags);
  const rf = dv.getUint8(o + F.rec_flags);
  const sighand = (rf & R_SIGHAND) !== 0;
  const hasMm = (rf & R_MM) !== 0;
  const file = hasMm ? s64pos(o + F.rss_file) : 0;
  const anon = hasMm ? s64pos(o + F.rss_anon) : 0;
  const shmem = hasMm ? s64pos(o + F.rss_shmem) : 0;
  const tid = u32(o + F.tid);
  let s = pool?.take(tid);
  if (s === undefined) {
    s = freshSample();
    pool?.put(tid, s);
  }
  s.pid = tid;
  s.comm = commAt(o, tid, n);
  s.state = String.fromCharCode(dv.getUint8(o + F.state));
  s.ppid = sighand ? u32(o + F.ppid) : 0;
  s.pgrp = sighand ? u32(o + F.pgid) : 0;
  s.session = sighand ? u32(o + F.sid) : 0;
  s.ttyNr = sighand ? u32(o + F.tty_nr) : 0;
  s.flags = flags;
  s.minflt = 0;
  s.majflt = 0;
  s.utime = 0;
  s.stime = 0;
  s.priority = dv.getInt32(o + F.prio, true);
  s.nice = dv.getInt32(o + F.nice, true);
  s.numThreads = sighand ? u32(o + F.nr_threads) : 0;
  s.starttime = nsToTicks(u32(o + F.start_boottime), u32(o + F.start_boottime + 4));
  s.vsize = hasMm ? u64(o + F.total_vm) * pageBytes : 0;
  s.rssPages = file + anon + shmem;
  s.processor = u32(o + F.cpu);
  s.tgid = u32(o + F.tgid);
  s.isThread = isThread;
  s.isKernelThread = (flags & PF_KTHREAD) !== 0;
  s.uid = u32(o + F.euid);
  s.shrPages = file + shmem;
  // What readTaskExtras and the collector fill in later: unset, as on a new sample.
  s.ownerUid = undefined;
  s.cmdline = undefined;
  s.swapKb = undefined;
  s.ioReadBytes = undefined;
  s.ioWriteBytes = undefined;
  s.oomScore = undefined;
  s.cgroup = undefined;
  return s;
}

/** A sample with every field present (one object shape for every task). */
function freshSample(): ProcSample {
  return {
    pid: 0, comm: '', state: '', ppid: 0, pgrp: 0, session: 0, ttyNr: 0, flags: 0, minflt: 0, majflt: 0, utime: 0, stime: 0,
    priority: 0, nice: 0, numThreads: 0, starttime: 0, vsize: 0, rssPages: 0, processor: 0, tgid: 0, isThread: false,
    isKernelThread: false, uid: undefined, shrPages: undefined, ownerUid: undefined, cmdline: undefined, swapKb: undefined,
    ioReadBytes: undefined, ioWriteBytes: undefined, oomScore: undefined, cgroup: undefined,
  };
}

/**
 * The ProcSample objects of every other tick, reused in place (a
 * collector's option, see ProcessCollectorOptions.reuseSamples): the
 * collector keeps two pools and alternates, so the tick before's samples
 * stay intact for rates while no sample object is made per task per tick.
 */
export type SamplePool = ReusePool<number, ProcSample>;

function setTimes(s: ProcSample, rtime: number, ut: number, st: number, pu: number, ps: number): void {
  adjustInto(rtime, ut, st, pu, ps);
  s.utime = Math.floor(adjusted[0] / NS_PER_TICK);
  s.stime = Math.floor(adjusted[1] / NS_PER_TICK);
}

/**
 * Decode an iterator buffer (n x struct tasks_rec) into /proc-equivalent
 * ProcSamples. `pageBytes` converts total_vm pages to vsize bytes. With a
 * `pool`, the samples are its objects, overwritten in place (see SamplePool).
 */
export function decodeTasks(buf: ArrayBuffer, opts: { threads?: boolean; pageBytes: number; pool?: SamplePool; length?: number }): DecodedTasks {
  const F = TASKS_REC.fields;
  const pool = opts.pool;
  pool?.begin();
  const size = TASKS_REC.size;
  if (dv.buffer !== buf) {
    dv = new DataView(buf);
    bytes = Buffer.from(buf);
  }
  const n = Math.floor(Math.min(opts.length ?? buf.byteLength, buf.byteLength) / size);
  // First pass: only the non-leader threads, summed per group (most
  // processes have none: no per-process bookkeeping for them).
  let sums: Map<number, ThreadSums> | undefined;
  for (let i = 0, o = 0; i < n; i++, o += size) {
    if (dv.getUint8(o + F.rec_flags) & R_LEADER) continue;
    const tgid = u32(o + F.tgid);
    sums ??= new Map();
    let g = sums.get(tgid);
    if (!g) {
      g = { sumExec: 0, utime: 0, stime: 0, minflt: 0, majflt: 0, offsets: [] };
      sums.set(tgid, g);
    }
    g.sumExec += u64(o + F.sum_exec);
    g.utime += u64(o + F.utime);
    g.stime += u64(o + F.stime);
    g.minflt += u64(o + F.min_flt);
    g.majflt += u64(o + F.maj_flt);
    g.offsets.push(o);
  }

  const processes = new Map<number, ProcSample>();
  const threads = opts.threads ? new Map<number, ProcSample[]>() : undefined;
  // Second pass: one row per leader (a group whose leader was not seen is
  // exiting or hidden: the caller falls back to /proc for it).
  for (let i = 0, o = 0; i < n; i++, o += size) {
    const rf = dv.getUint8(o + F.rec_flags);
    if (!(rf & R_LEADER)) continue;
    const tgid = u32(o + F.tgid);
    const g = sums?.get(tgid);
    const p = baseSample(o, false, n, opts.pageBytes, pool);
    if (rf & R_SIGHAND) {
      // thread_group_cputime: live threads + the signal's dead-thread totals
      setTimes(p, u64(o + F.sum_exec) + (g?.sumExec ?? 0) + u64(o + F.g_sum_exec), u64(o + F.utime) + (g?.utime ?? 0) + u64(o + F.g_utime),
        u64(o + F.stime) + (g?.stime ?? 0) + u64(o + F.g_stime), u64(o + F.g_prev_utime), u64(o + F.g_prev_stime));
      p.minflt = u64(o + F.min_flt) + (g?.minflt ?? 0) + u64(o + F.g_min_flt);
      p.majflt = u64(o + F.maj_flt) + (g?.majflt ?? 0) + u64(o + F.g_maj_flt);
    }
    processes.set(tgid, p);
    if (threads && g) {
      const rows: ProcSample[] = [];
      for (const to of g.offsets) {
        const t = baseSample(to, true, n, opts.pageBytes, pool);
        setTimes(t, u64(to + F.sum_exec), u64(to + F.utime), u64(to + F.stime), u64(to + F.prev_utime), u64(to + F.prev_stime));
        t.minflt = u64(to + F.min_flt);
        t.majflt = u64(to + F.maj_flt);
        rows.push(t);
      }
      rows.sort((a, b) => a.pid - b.pid);
      threads.set(tgid, rows);
    }
  }
  pool?.end();
  return { processes, threads, records: n };
}

/** The process row of `tgid` alone (its records: leader and threads, wherever they are), without decoding the rest. */
export function decodeOne(buf: ArrayBuffer, tgid: number): ProcSample | undefined {
  const dv = new DataView(buf);
  const size = TASKS_REC.size;
  const F = TASKS_REC.fields;
  const src = new Uint8Array(buf);
  const mine: number[] = [];
  for (let o = 0; o + size <= buf.byteLength; o += size) if (dv.getUint32(o + F.tgid, true) === tgid) mine.push(o);
  if (!mine.length) return undefined;
  const out = new Uint8Array(mine.length * size);
  mine.forEach((o, i) => out.set(src.subarray(o, o + size), i * size));
  return decodeTasks(out.buffer, { pageBytes: 4096 }).processes.get(tgid);
}

export type BpfTasksProbe = { ok: true; reader: BpfTaskReader } | { ok: false; reason: string };

/** Why the iterator cannot be used in this process (probed once), or undefined. */
let failed: string | undefined;
let users = 0;

/**
 * A handle on the addon's one iterator (shared by every collector: the
 * native side loads it once; the last close() unloads it). read() returns
 * one buffer of every task's record.
 */
export class BpfTaskReader {
  private closed = false;
  private constructor(private readonly addon: NativeAddon) {
    users++;
  }

  /** The buffer read() copies the records into, reused from read to read (grown when the records outgrow it). */
  private buf: ArrayBuffer | undefined;
  private intoWorks = true;

  /** One pass: a new buffer of every task's record. */
  read(): ArrayBuffer {
    if (this.closed) throw new Error('task iterator handle is closed');
    try {
      return this.addon.tasksRead();
    } catch (e) {
      failed = `task iterator failed: ${nativeErrorLine(e)}`;
      throw e;
    }
  }

  /**
   * One pass into this reader's own buffer: the records are the first
   * `length` bytes of `buf`, valid until the next readShared() (the buffer
   * is reused: no 240 KB buffer per tick with 1,000 processes, each living
   * until V8's next major GC).
   */
  readShared(): { buf: ArrayBuffer; length: number } {
    if (this.closed) throw new Error('task iterator handle is closed');
    try {
      const r = this.buf ? this.addon.tasksRead(this.buf) : this.addon.tasksRead();
      if (typeof r === 'number') return { buf: this.buf!, length: r };
      if (this.buf && r.byteLength <= this.buf.byteLength) this.buf = undefined; // an addon built before `into`: a new buffer per read, as it returns
      else if (this.intoWorks) this.buf = new ArrayBuffer(Math.ceil((r.byteLength * 1.25) / 4096 + 1) * 4096); // first read, or more tasks than it holds: room to grow
      this.intoWorks = this.buf !== undefined;
      return { buf: r, length: r.byteLength };
    } catch (e) {
      failed = `task iterator failed: ${nativeErrorLine(e)}`;
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (--users === 0) this.addon.tasksClose();
  }

  /** Why the last probe or read failed, if one did (then /proc is used for the rest of the run). */
  static get failure(): string | undefined {
    return failed;
  }

  /**
   * Load and check the iterator (once per process: a failure is final):
   * root, the addon, BTF, a successful load, the record size, and that the
   * iterator's pids are /proc's (ostop itself is found with the same pid and
   * start time, i.e. not in a child PID namespace). The caller stays on
   * /proc when it fails, with the reason.
   */
  static probe(): BpfTasksProbe {
    if (process.env.OSTOP_NO_BPF_TASKS === '1') return { ok: false, reason: 'disabled by OSTOP_NO_BPF_TASKS=1' };
    if (failed) return { ok: false, reason: failed };
    const r = BpfTaskReader.check();
    if (!r.ok) failed = r.reason;
    return r;
  }

  private static check(): BpfTasksProbe {
    if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) return { ok: false, reason: 'not running as root' };
    const nat = loadNative();
    if (!nat.ok) return { ok: false, reason: nat.error.message };
    const addon = nat.addon;
    // typed as present; a native build older than this source lacks it
    if (typeof addon.tasksOpen !== 'function') return { ok: false, reason: 'the native addon has no task iterator (rebuild it)' };
    const closeUnused = () => {
      if (users === 0) try { addon.tasksClose(); } catch { /* ignore */ }
    };
    try {
      const info = addon.tasksOpen(); // idempotent: loads once
      if (info.recordSize !== TASKS_REC.size) {
        closeUnused();
        return { ok: false, reason: `task record size ${info.recordSize} != ${TASKS_REC.size} (stale native build)` };
      }
      const self = decodeOne(addon.tasksRead(), process.pid);
      const st = parseStat(readFileFast('/proc/self/stat') ?? '');
      if (!self || !st || self.starttime !== st.starttime) {
        closeUnused();
        return { ok: false, reason: 'the task iterator does not see ostop under its /proc pid (PID namespace?)' };
      }
      return { ok: true, reader: new BpfTaskReader(addon) };
    } catch (e) {
      closeUnused();
      return { ok: false, reason: nativeErrorLine(e) };
    }
  }
}
