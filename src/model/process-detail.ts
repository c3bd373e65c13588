// ProcessDetailModel: what the process drill-in screen and `ostop dump
// process` show for one PID, derived from two ProcDetailSamples (rates:
// CPU%, per-thread CPU%, I/O bytes/s, context switches/s) plus a bounded
// history for the sparklines.
//
// Invariants:
//  - Pure: no /proc access; the same Samples give the same Model, so live
//    view, pause and a replay share this path.
//  - Strings from the process (comm, cmdline, paths, environ, socket paths)
//    stay raw here; the screen and the text dump sanitize them. JSON keeps
//    them exact (see docs/process-detail.md).
//  - A rate is null when it cannot be computed (first sample, counter
//    unreadable), never a made-up 0.
//  - A sample whose starttime differs from the previous one is a different
//    process that reused the PID: callers treat the original as exited.
import type { ProcDetailSample, ProcSection, SystemInfo } from '../collectors/proc-detail-read.js';
import { STATE_NAMES } from '../collectors/procfs/pid-stat.js';
import { formatKernelFrame } from '../collectors/procfs/pid-stack.js';
import { accessMode, openFlagNames, type FdKind } from '../collectors/procfs/pid-fd.js';
import { primaryCgroup, type CgroupEntry } from '../collectors/procfs/pid-cgroup.js';
import type { EnvVar } from '../collectors/procfs/pid-environ.js';
import type { LimitRow } from '../collectors/procfs/pid-limits.js';
import type { NamespaceLink } from '../collectors/procfs/pid-ns.js';
import type { SocketSample } from '../collectors/sockets.js';
import { FAULT_SIGNALS, decodeExitCode, signalName } from './failures.js';
import type { RecordedExit } from './failures.js';
import { Series } from '../store/series.js';

export interface ProcessIdentity {
  pid: number;
  ppid: number | null;
  pgrp: number | null;
  session: number | null;
  comm: string;
  uid: number | null;
  user: string | null;
  euid: number | null;
  state: string;
  stateName: string;
  nice: number | null;
  priority: number | null;
  threads: number | null;
  /** Epoch ms. */
  startTime: number | null;
  exe: string | null;
  cwd: string | null;
  root: string | null;
  cmdline: string[] | null;
  cgroup: string | null;
  cgroups: CgroupEntry[];
  namespaces: NamespaceLink[];
}

export interface ProcessCpu {
  /** Percent of one CPU (may exceed 100 for several threads, like top). */
  percent: number | null;
  userPercent: number | null;
  systemPercent: number | null;
  /** Total CPU time used, seconds. */
  timeSec: number | null;
  processor: number | null;
}

export interface ProcessMemory {
  rssKb: number | null;
  vszKb: number | null;
  peakRssKb: number | null;
  anonKb: number | null;
  fileKb: number | null;
  shmemKb: number | null;
  swapKb: number | null;
  pssKb: number | null;
  pssAnonKb: number | null;
  pssFileKb: number | null;
  pssShmemKb: number | null;
  swapPssKb: number | null;
  privateKb: number | null;
  sharedKb: number | null;
  /** RSS as percent of MemTotal. */
  memPercent: number | null;
}

export interface ProcessIo {
  readBytes: number;
  writeBytes: number;
  rchar: number;
  wchar: number;
  readBps: number | null;
  writeBps: number | null;
  rcharBps: number | null;
  wcharBps: number | null;
}

export interface ThreadRow {
  tid: number;
  name: string;
  state: string;
  cpuPercent: number | null;
  processor: number;
  nice: number;
  /** This thread's context switches since it started (null: its status was unreadable or malformed). */
  voluntaryCtxt: number | null;
  nonvoluntaryCtxt: number | null;
}

/**
 * Context switches of the whole process. The kernel counts them per thread
 * and /proc/PID/status shows the main thread's alone, so these are sums
 * over /proc/PID/task/TID/status (what `ps -L` and htop's thread rows show
 * one by one). Threads that already exited are not in the sums (/proc no
 * longer lists them; their switches are only in the parent's rusage after
 * wait()).
 */
export interface ProcessCtxSwitches {
  voluntary: number | null;
  nonvoluntary: number | null;
  /** Rates: sum over the threads seen in both samples of their deltas, plus threads born in between. */
  voluntaryPerSec: number | null;
  nonvoluntaryPerSec: number | null;
  /** How many threads the sums cover; null when they are the main thread's alone (task list unreadable). */
  threadsCounted: number | null;
  /** Why the sums cover fewer than all threads (capped list, unreadable or malformed status), or null. */
  note: string | null;
}

export interface FdRow {
  fd: number;
  kind: FdKind;
  /** Raw link target. */
  target: string;
  /** One line: the path, or "tcp 127.0.0.1:80 -> 10.0.0.1:5555 ESTABLISHED", or "pipe:[123]". */
  description: string;
  /** "r", "w", "rw" ('' when fdinfo was not read). */
  mode: string;
  /** Notable open flags: append, nonblock, sync, cloexec, path. */
  flags: string[];
  pos: number | null;
  deleted: boolean;
}

export interface SocketRow {
  fd: number | null;
  proto: string;
  state: string;
  local: string;
  remote: string;
  txQueue: number;
  rxQueue: number;
  inode: number;
}

export interface ProcessHistory {
  cpuPercent: number[];
  rssKb: number[];
  readBps: number[];
  writeBps: number[];
  /** Number of threads (Threads: of /proc/PID/status) at each sample. */
  threads: number[];
}

/** How a process ended. */
export interface ProcessEnd {
  /** exit(2) status when it ended on its own, else null. */
  exitCode: number | null;
  /** The signal that killed it, else null. */
  signal: number | null;
  signalName: string | null;
  /** Whether it dumped core (null: not known). */
  coreDumped: boolean | null;
  /** Who sent the killing signal: the kernel (a fault), a process (kill(2), the OOM killer's allocating task), or null when none or not seen. */
  sender: 'kernel' | { pid: number; comm: string } | null;
  /** Chosen by the OOM killer (null: not known). */
  oomKilled: boolean | null;
  /** 'ebpf': the exit tracer the failures recorder runs as root (knows the sender); 'zombie': exit_code of /proc/PID/stat while it was a zombie. */
  source: 'ebpf' | 'zombie';
  /** One line: "exited with code 3", "killed by SIGTERM from PID 1234 (bash)", "killed by SIGSEGV (a fault: sent by the kernel), core dumped". */
  summary: string;
}

export interface ProcessDetailModel {
  pid: number;
  /** 'exited' once the process is gone, a zombie, or its PID was reused; values are then the last read while it lived. */
  status: 'alive' | 'exited';
  /** Epoch ms when the exit was noticed. */
  exitedAt: number | null;
  /** How it ended, once exited and known; null otherwise (see endNote). */
  end: ProcessEnd | null;
  /** Exited and `end` unknown (or without its sender): why. */
  endNote: string | null;
  /** Epoch ms of the sample the values come from. */
  time: number;
  /** Seconds between the two samples the rates come from; null on the first. */
  intervalSec: number | null;
  identity: ProcessIdentity;
  cpu: ProcessCpu;
  memory: ProcessMemory;
  io: ProcessIo | null;
  ctxSwitches: ProcessCtxSwitches;
  history: ProcessHistory;
  threads: ThreadRow[];
  threadTotal: number;
  fds: FdRow[];
  fdTotal: number;
  fdKinds: Partial<Record<FdKind, number>>;
  sockets: SocketRow[];
  limits: LimitRow[];
  environ: EnvVar[] | null;
  /** Where it sleeps in the kernel (/proc/PID/wchan), null when running or not shown. */
  wchan: string | null;
  /** Threads in D state (uninterruptible sleep) and their kernel stacks: why it is stuck. */
  blocked: BlockedRow[];
  /** Sections that could not be read, with the errno code: the data shown is partial. */
  errors: Partial<Record<ProcSection, string>>;
}

export interface BlockedRow {
  tid: number;
  name: string;
  wchan: string | null;
  /** Kernel frames innermost first, as /proc/PID/stack prints them ("io_schedule+0x12/0x40"); empty when not readable (root only). */
  stack: string[];
}

function rate(cur: number | undefined, prev: number | undefined, sec: number | null): number | null {
  if (cur === undefined || prev === undefined || sec === null || sec <= 0) return null;
  return Math.max(0, (cur - prev) / sec);
}

/** The process in `cur` is not the one in `prev` (PID reused). */
export function pidReused(prev: ProcDetailSample | undefined, cur: ProcDetailSample): boolean {
  return !!(prev?.stat && cur.stat && prev.stat.starttime !== cur.stat.starttime);
}

export function describeSocket(s: SocketSample): string {
  if (s.proto === 'unix') {
    const name = s.path || s.local || '(unnamed)';
    return `unix ${s.type ?? ''} ${name} ${s.state}`.replace(/\s+/g, ' ').trim();
  }
  if (s.state === 'LISTEN' || (s.state === 'UNCONN' && (s.remotePort === 0))) return `${s.proto} ${s.local} ${s.state}`;
  return `${s.proto} ${s.local} -> ${s.remote} ${s.state}`;
}

export function emptyHistory(): ProcessHistory {
  return { cpuPercent: [], rssKb: [], readBps: [], writeBps: [], threads: [] };
}

/** Derive the model from the current sample and the previous one of the same process. */
export function deriveProcessDetail(prev: ProcDetailSample | undefined, cur: ProcDetailSample, sys: SystemInfo, history: ProcessHistory = emptyHistory()): ProcessDetailModel {
  if (prev && (prev.pid !== cur.pid || pidReused(prev, cur) || prev.gone)) prev = undefined;
  const sec = prev ? (cur.time - prev.time) / 1000 : null;
  const interval = sec !== null && sec > 0 ? sec : null;
  const st = cur.stat;
  const ps = prev?.stat;
  const status = cur.status;
  const hz = sys.clkTck;

  const uid = status?.uids?.[0] ?? null;
  const euid = status?.uids?.[1] ?? null;
  const identity: ProcessIdentity = {
    pid: cur.pid,
    ppid: st?.ppid ?? status?.ppid ?? null,
    pgrp: st?.pgrp ?? null,
    session: st?.session ?? null,
    comm: st?.comm ?? status?.name ?? '',
    uid,
    user: uid === null ? null : sys.userName(uid),
    euid,
    state: st?.state ?? status?.state?.charAt(0) ?? '?',
    stateName: STATE_NAMES[st?.state ?? status?.state?.charAt(0) ?? ''] ?? 'unknown',
    nice: st?.nice ?? null,
    priority: st?.priority ?? null,
    threads: st?.numThreads ?? status?.threads ?? null,
    startTime: st && sys.btimeSec ? sys.btimeSec * 1000 + (st.starttime * 1000) / hz : null,
    exe: cur.exe ?? null,
    cwd: cur.cwd ?? null,
    root: cur.root ?? null,
    cmdline: cur.cmdline ?? null,
    cgroup: cur.cgroup ? primaryCgroup(cur.cgroup) ?? null : null,
    cgroups: cur.cgroup ?? [],
    namespaces: cur.namespaces ?? [],
  };

  const pct = (c: number | undefined, p: number | undefined) => {
    const r = rate(c, p, interval);
    return r === null ? null : (r / hz) * 100;
  };
  const cpu: ProcessCpu = {
    percent: st && ps ? pct(st.utime + st.stime, ps.utime + ps.stime) : null,
    userPercent: pct(st?.utime, ps?.utime),
    systemPercent: pct(st?.stime, ps?.stime),
    timeSec: st ? (st.utime + st.stime) / hz : null,
    processor: st?.processor ?? null,
  };

  const sm = cur.smaps;
  const rssKb = status?.vmRssKb ?? sm?.Rss ?? null;
  const memory: ProcessMemory = {
    rssKb,
    vszKb: status?.vmSizeKb ?? (st ? Math.round(st.vsize / 1024) : null),
    peakRssKb: status?.vmHwmKb ?? null,
    anonKb: status?.rssAnonKb ?? sm?.Anonymous ?? null,
    fileKb: status?.rssFileKb ?? null,
    shmemKb: status?.rssShmemKb ?? null,
    swapKb: status?.vmSwapKb ?? sm?.Swap ?? null,
    pssKb: sm?.Pss ?? null,
    pssAnonKb: sm?.Pss_Anon ?? null,
    pssFileKb: sm?.Pss_File ?? null,
    pssShmemKb: sm?.Pss_Shmem ?? null,
    swapPssKb: sm?.SwapPss ?? null,
    privateKb: sm ? (sm.Private_Clean ?? 0) + (sm.Private_Dirty ?? 0) : null,
    sharedKb: sm ? (sm.Shared_Clean ?? 0) + (sm.Shared_Dirty ?? 0) : null,
    memPercent: rssKb !== null && sys.memTotalKb > 0 ? (rssKb / sys.memTotalKb) * 100 : null,
  };

  const io = cur.io;
  const pio = prev?.io;
  const ioModel: ProcessIo | null = io
    ? {
        readBytes: io.readBytes, writeBytes: io.writeBytes, rchar: io.rchar, wchar: io.wchar,
        readBps: rate(io.readBytes, pio?.readBytes, interval),
        writeBps: rate(io.writeBytes, pio?.writeBytes, interval),
        rcharBps: rate(io.rchar, pio?.rchar, interval),
        wcharBps: rate(io.wchar, pio?.wchar, interval),
      }
    : null;

  const prevThreads = new Map((prev?.threads ?? []).map((t) => [t.tid, t]));
  const threads: ThreadRow[] = (cur.threads ?? []).map((t) => {
    const q = prevThreads.get(t.tid);
    const p = q && q.starttime === t.starttime ? q : undefined;
    return {
      tid: t.tid, name: t.comm, state: t.state, processor: t.processor, nice: t.nice,
      cpuPercent: p ? pct(t.utime + t.stime, p.utime + p.stime) : null,
      voluntaryCtxt: t.voluntaryCtxt ?? null, nonvoluntaryCtxt: t.nonvoluntaryCtxt ?? null,
    };
  });

  const sockByInode = new Map<number, SocketSample>();
  for (const s of cur.sockets ?? []) if (!sockByInode.has(s.inode)) sockByInode.set(s.inode, s);
  const fdKinds: Partial<Record<FdKind, number>> = {};
  const sockets: SocketRow[] = [];
  const seenSock = new Set<number>();
  const fds: FdRow[] = (cur.fds ?? []).map((f) => {
    const t = f.target;
    fdKinds[t.kind] = (fdKinds[t.kind] ?? 0) + 1;
    let description = t.target;
    if (t.kind === 'socket' && t.inode !== undefined) {
      const s = sockByInode.get(t.inode);
      if (s) {
        description = describeSocket(s);
        if (!seenSock.has(s.inode)) {
          seenSock.add(s.inode);
          sockets.push({ fd: f.fd, proto: s.proto, state: s.state, local: s.proto === 'unix' ? s.path || s.local || '(unnamed)' : s.local, remote: s.remote, txQueue: s.txQueue, rxQueue: s.rxQueue, inode: s.inode });
        }
      }
    }
    return {
      fd: f.fd, kind: t.kind, target: t.target, description,
      mode: accessMode(f.info?.flags), flags: openFlagNames(f.info?.flags), pos: f.info?.pos ?? null, deleted: !!t.deleted,
    };
  });

  const ctxSwitches = sumCtxSwitches(prev, cur, interval);
  return {
    pid: cur.pid,
    status: 'alive',
    exitedAt: null,
    end: null,
    endNote: null,
    time: cur.time,
    intervalSec: interval,
    identity,
    cpu,
    memory,
    io: ioModel,
    ctxSwitches,
    history,
    threads,
    threadTotal: cur.threadTotal ?? threads.length,
    fds,
    fdTotal: cur.fdTotal ?? fds.length,
    fdKinds,
    sockets,
    limits: cur.limits ?? [],
    environ: cur.environ ?? null,
    wchan: cur.wchan ?? null,
    blocked: (cur.blocked ?? []).map((b) => ({ tid: b.tid, name: b.comm, wchan: b.wchan, stack: b.frames.map(formatKernelFrame) })),
    errors: { ...cur.errors },
  };
}

/** Sum the per-thread context switches of `cur` (see ProcessCtxSwitches); rates from `prev` when it is the same process. */
export function sumCtxSwitches(prev: ProcDetailSample | undefined, cur: ProcDetailSample, interval: number | null): ProcessCtxSwitches {
  const threads = cur.threads;
  const counted = threads?.filter((t) => t.voluntaryCtxt !== undefined && t.nonvoluntaryCtxt !== undefined).length ?? 0;
  if (!threads || counted === 0) {
    // No per-thread counters (task list refused or not read, every thread's
    // status unreadable): the process's own status is its main thread's.
    const st = cur.status;
    const bad = threads?.find((t) => t.ctxtError);
    const why = cur.errors.threads ? `task list unreadable (${cur.errors.threads})`
      : bad ? `thread ${bad.tid} status: ${bad.ctxtError}` : 'task list not read';
    return {
      voluntary: st?.voluntaryCtxt ?? null, nonvoluntary: st?.nonvoluntaryCtxt ?? null,
      voluntaryPerSec: rate(st?.voluntaryCtxt, prev?.status?.voluntaryCtxt, interval),
      nonvoluntaryPerSec: rate(st?.nonvoluntaryCtxt, prev?.status?.nonvoluntaryCtxt, interval),
      threadsCounted: null,
      note: st?.voluntaryCtxt !== undefined ? `main thread only: ${why}` : why,
    };
  }
  let vol = 0, nvol = 0;
  let dVol = 0, dNvol = 0;
  const prevByTid = new Map((prev?.threads ?? []).map((t) => [t.tid, t]));
  // A thread missing from a complete previous list was born in between: all its switches are new.
  const prevComplete = !!prev?.threads && (prev.threadTotal ?? prev.threads.length) <= prev.threads.length && !prev.threads.some((t) => t.ctxtError);
  let rateOk = !!prev?.threads && interval !== null;
  let firstProblem: string | null = null;
  for (const t of threads) {
    if (t.voluntaryCtxt === undefined || t.nonvoluntaryCtxt === undefined) {
      firstProblem ??= `thread ${t.tid} status: ${t.ctxtError ?? 'unreadable'}`;
      continue;
    }
    vol += t.voluntaryCtxt;
    nvol += t.nonvoluntaryCtxt;
    if (!rateOk) continue;
    const p = prevByTid.get(t.tid);
    const bornSince = p ? p.starttime !== t.starttime : prevComplete; // a reused TID is a new thread too
    if (bornSince) {
      dVol += t.voluntaryCtxt;
      dNvol += t.nonvoluntaryCtxt;
    } else if (p && p.voluntaryCtxt !== undefined && p.nonvoluntaryCtxt !== undefined) {
      dVol += Math.max(0, t.voluntaryCtxt - p.voluntaryCtxt);
      dNvol += Math.max(0, t.nonvoluntaryCtxt - p.nonvoluntaryCtxt);
    } else {
      rateOk = false; // its previous count is unknown: no made-up rate
    }
  }
  const total = cur.threadTotal ?? threads.length;
  const note = firstProblem ?? (total > threads.length ? `${total - threads.length} threads beyond the list cap not counted` : null);
  return {
    voluntary: vol, nonvoluntary: nvol,
    voluntaryPerSec: rateOk && interval ? dVol / interval : null,
    nonvoluntaryPerSec: rateOk && interval ? dNvol / interval : null,
    threadsCounted: counted,
    note,
  };
}

/** The last model of a process that is gone: same values, marked exited. */
export function markExited(m: ProcessDetailModel, at: number): ProcessDetailModel {
  if (m.status === 'exited') return m;
  return { ...m, status: 'exited', exitedAt: at, cpu: { ...m.cpu, percent: null, userPercent: null, systemPercent: null } };
}

function senderText(s: ProcessEnd['sender'], signal: number): string {
  if (s === 'kernel') return FAULT_SIGNALS.has(signal) ? ' (a fault: sent by the kernel)' : ' (sent by the kernel)';
  if (s) return ` from PID ${s.pid}${s.comm ? ` (${s.comm})` : ''}`;
  return '';
}

/** The summary line of a ProcessEnd (strings from processes are raw: sanitize to display). */
export function describeEnd(e: Omit<ProcessEnd, 'summary'>): string {
  if (e.signal === null) return `exited with code ${e.exitCode ?? '?'}`;
  const name = signalName(e.signal);
  if (e.oomKilled) {
    const who = e.sender && e.sender !== 'kernel' ? `, allocating task PID ${e.sender.pid}${e.sender.comm ? ` (${e.sender.comm})` : ''}` : '';
    return `killed by the OOM killer (${name})${who}`;
  }
  const core = e.coreDumped ? ', core dumped' : '';
  return `killed by ${name}${senderText(e.sender, e.signal)}${core}`;
}

/** From a wait(2) status: a zombie's exit_code ((code << 8) | 0x80 if core | signal). */
export function endFromWaitStatus(ws: number): ProcessEnd {
  const d = decodeExitCode(ws);
  const e = { exitCode: d.exitCode, signal: d.signal, signalName: d.signal === null ? null : signalName(d.signal), coreDumped: d.signal === null ? false : d.coreDumped, sender: null, oomKilled: null, source: 'zombie' as const };
  return { ...e, summary: describeEnd(e) };
}

/** From the exit tracer's record of the end. */
export function endFromRecordedExit(r: RecordedExit): ProcessEnd {
  const e = {
    exitCode: r.signal ? null : r.exitCode, signal: r.signal || null, signalName: r.signal ? signalName(r.signal) : null,
    coreDumped: r.signal ? r.coreDumped : false, sender: r.signal ? r.sender : null, oomKilled: r.oomKilled, source: 'ebpf' as const,
  };
  return { ...e, summary: describeEnd(e) };
}

/**
 * The recorded end that is this process's: same pid, ended after `aliveAtMs`
 * (the last sample that saw it alive) and, when its start time is known,
 * started then (within 2 s: start times come from two clocks). The latest wins.
 */
export function matchRecordedExit(exits: readonly RecordedExit[], aliveAtMs: number, startTimeMs: number | null): RecordedExit | null {
  for (let i = exits.length - 1; i >= 0; i--) {
    const r = exits[i];
    if (r.wallMs < aliveAtMs - 2000) continue;
    if (startTimeMs !== null && Math.abs(r.wallMs - r.ageMs - startTimeMs) > 2000) continue;
    return r;
  }
  return null;
}

/** The drill-in's sparkline series (src/store Series, the newest `capacity` points each), kept by its Source. */
export interface ProcessSeries {
  cpuPercent: Series;
  rssKb: Series;
  readBps: Series;
  writeBps: Series;
  threads: Series;
}

export function newProcessSeries(capacity = 120): ProcessSeries {
  return { cpuPercent: new Series(capacity), rssKb: new Series(capacity), readBps: new Series(capacity), writeBps: new Series(capacity), threads: new Series(capacity) };
}

/** Add the points of `m` to the series; returns the history the model shows (plain arrays, oldest first). */
export function recordProcessHistory(s: ProcessSeries, m: ProcessDetailModel): ProcessHistory {
  // The first sample has no rates: skip it rather than plot a fake zero.
  if (m.intervalSec !== null) {
    s.cpuPercent.push(m.cpu.percent ?? 0);
    s.readBps.push(m.io?.readBps ?? 0);
    s.writeBps.push(m.io?.writeBps ?? 0);
  }
  s.rssKb.push(m.memory.rssKb ?? 0);
  s.threads.push(m.identity.threads ?? 0);
  return processHistory(s);
}

/** The series' values as the model's plain data (JSON in `dump process`). */
export function processHistory(s: ProcessSeries): ProcessHistory {
  return { cpuPercent: s.cpuPercent.values(), rssKb: s.rssKb.values(), readBps: s.readBps.values(), writeBps: s.writeBps.values(), threads: s.threads.values() };
}
