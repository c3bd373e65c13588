// The reader that fills a ProcSample with only what the shown columns need
// from /proc/PID/{stat,statm,status,io,cmdline,cgroup,oom_score} (parsers:
// src/collectors/procfs/, one per file). A task that vanishes leaves the
// fields not read yet unset; all text stays raw here and is sanitized where
// it is displayed.
import { directReader, type FileReader, type ProcFdCache } from './procfs/read.js';
import { PF_KTHREAD, parseStat, parseStatBytes, type StatFields } from './procfs/pid-stat.js';
import { parseStatm } from './procfs/pid-statm.js';
import { statusIds, statusKb, statusValue } from './procfs/pid-status.js';
import { parseIo } from './procfs/pid-io.js';
import { commandLine } from './procfs/pid-cmdline.js';
import { parseCgroup, primaryCgroup } from './procfs/pid-cgroup.js';

export { CLK_TCK, PF_KTHREAD, ttyName, type StatFields } from './procfs/pid-stat.js';

/** What a column or view needs read per process. 'stat' is always read. */
export type ProcNeed = 'statm' | 'status' | 'cmdline' | 'io' | 'cgroup' | 'oom' | 'uid';

export interface ProcSample extends StatFields {
  /** Thread group id: pid for a process row, owner pid for a thread row. */
  tgid: number;
  isThread: boolean;
  isKernelThread: boolean;
  uid?: number;
  /** Owner of /proc/PID/stat (see readTask); used when status is unreadable. */
  ownerUid?: number;
  /** NUL-separated argv joined by spaces; '' for kernel threads / zombies. */
  cmdline?: string;
  shrPages?: number;
  swapKb?: number;
  ioReadBytes?: number;
  ioWriteBytes?: number;
  oomScore?: number;
  cgroup?: string;
}

export interface ReadOptions {
  procRoot: string;
  needs: ReadonlySet<ProcNeed>;
  /** Command lines by pid (valid for that start time) with the tick they were read at (argv rarely changes; setproctitle can). Numeric keys: no string built per process per tick. */
  cmdlineCache?: Map<number, { start: number; text: string; at: number }>;
  tick?: number;
  /** Effective uids by pid (valid for that start time), with the tick they were read at. */
  uidCache?: Map<number, { start: number; uid: number; at: number }>;
  /** Ticks after which a cached command line (or uid) is read again (default: never). */
  cmdlineMaxAge?: (pid: number) => number;
  /** Kept-open fds for stat/statm (see ProcFdCache); absent = plain reads. */
  fdCache?: ProcFdCache;
  /** How the other files are read (default: directly; tests count reads). */
  reader?: FileReader;
}

/**
 * Read one task. `dir` is /proc/PID or /proc/PID/task/TID. Returns undefined
 * when the task vanished before its stat could be read; later files that
 * vanish leave their fields unset.
 */
export function readTask(dir: string, tgid: number, isThread: boolean, opts: ReadOptions): ProcSample | undefined {
  const cache = opts.fdCache;
  let st: string | undefined;
  let owner: number | undefined;
  let f: StatFields | undefined;
  if (cache) {
    const len = cache.readRaw(dir + '/stat');
    if (len < 0) return undefined;
    owner = cache.lastUid;
    f = parseStatBytes(cache.bytes, len);
  } else {
    st = (opts.reader ?? directReader).text(dir + '/stat');
    if (st === undefined) return undefined;
    f = parseStat(st);
  }
  if (!f) return undefined;
  const s = f as ProcSample;
  s.tgid = tgid;
  s.isThread = isThread;
  s.isKernelThread = (f.flags & PF_KTHREAD) !== 0;
  // The stat file's owner is the task's effective uid only while the task
  // is dumpable (ssh-agent, setuid programs make their /proc files root's);
  // it is a fallback for when /proc/PID/status cannot be read.
  if (owner !== undefined) s.ownerUid = owner;
  readTaskExtras(dir, s, opts.needs, opts);
  return s;
}

/** Read the optional per-task files named by `needs` into `s` (files that vanish leave fields unset). */
export function readTaskExtras(dir: string, s: ProcSample, needs: ReadonlySet<ProcNeed>, opts: ReadOptions): void {
  if (needs.size === 0) return;
  const cache = opts.fdCache;
  const rd = opts.reader ?? directReader;
  const f = s;
  const isThread = s.isThread;
  if (needs.has('uid') && s.uid === undefined && !isThread && !needs.has('status')) {
    // Effective uid from status, as top and ps show it; uids rarely change, so
    // it is cached like the command line and re-read on the same schedule.
    const hit = opts.uidCache?.get(f.pid);
    const tick = opts.tick ?? 0;
    if (hit && hit.start === f.starttime && tick - hit.at <= (opts.cmdlineMaxAge?.(f.pid) ?? Infinity)) s.uid = hit.uid;
    else {
      const t = rd.text(dir + '/status');
      const euid = t !== undefined ? statusIds(statusValue(t, 'Uid'))?.[1] : undefined;
      s.uid = euid !== undefined && Number.isInteger(euid) ? euid : s.ownerUid;
      if (s.uid !== undefined) opts.uidCache?.set(f.pid, { start: f.starttime, uid: s.uid, at: tick });
    }
  }
  if (needs.has('statm')) {
    const m = cache ? cache.read(dir + '/statm') : rd.text(dir + '/statm');
    const p = m !== undefined ? parseStatm(m) : undefined;
    if (p) s.shrPages = p.sharedPages;
  }
  if (needs.has('status')) {
    const t = rd.text(dir + '/status');
    if (t !== undefined) {
      // Uid: real effective saved fs; USER is the effective one, as in top and ps.
      const uid = statusIds(statusValue(t, 'Uid'))?.[1];
      if (uid !== undefined && Number.isInteger(uid)) s.uid = uid;
      s.swapKb = statusKb(statusValue(t, 'VmSwap')) ?? 0;
    }
  }
  if (needs.has('cmdline') && !isThread) {
    const cache = opts.cmdlineCache;
    const got = cache?.get(f.pid);
    const hit = got && got.start === f.starttime ? got : undefined; // else a reused pid
    const tick = opts.tick ?? 0;
    let c = hit?.text;
    if (c === undefined || !hit || tick - hit.at > (opts.cmdlineMaxAge?.(f.pid) ?? Infinity)) {
      const b = rd.bytes(dir + '/cmdline', 64 * 1024);
      c = b ? commandLine(b) : c ?? '';
      cache?.set(f.pid, { start: f.starttime, text: c, at: tick });
    }
    s.cmdline = c;
  }
  if (needs.has('io')) {
    const t = rd.text(dir + '/io');
    const io = t !== undefined ? parseIo(t) : undefined;
    if (io) {
      s.ioReadBytes = io.readBytes;
      s.ioWriteBytes = io.writeBytes;
    }
  }
  if (needs.has('oom')) {
    const t = rd.text(dir + '/oom_score');
    if (t !== undefined && /^\d+/.test(t)) s.oomScore = parseInt(t, 10);
  }
  if (needs.has('cgroup')) {
    const t = rd.text(dir + '/cgroup');
    if (t !== undefined) s.cgroup = primaryCgroup(parseCgroup(t)) ?? '';
  }
}
