// Pure parsers for /proc/PID/{stat,statm,status,io,cmdline,cgroup} and a
// reader that fills a ProcSample with only what the shown columns need.
// Invariants: parsers never throw on malformed input (they return
// undefined or leave a field unset); comm is taken between the FIRST '('
// and the LAST ')' because a comm may itself contain ')', spaces or
// newlines; all text stays raw here and is sanitized where it is displayed.
import { readFileFast, readBytes, type ProcFdCache } from './procfs.js';

export const CLK_TCK = 100;
export const PF_KTHREAD = 0x00200000;

/** What a column or view needs read per process. 'stat' is always read. */
export type ProcNeed = 'statm' | 'status' | 'cmdline' | 'io' | 'cgroup' | 'oom' | 'uid';

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  flags: number;
  minflt: number;
  majflt: number;
  utime: number;
  stime: number;
  priority: number;
  nice: number;
  numThreads: number;
  starttime: number;
  vsize: number;
  rssPages: number;
  processor: number;
}

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

export function parseStat(text: string): StatFields | undefined {
  const b = Buffer.from(text, 'utf8');
  return parseStatBytes(b, b.length);
}

// Field values after "pid (comm) ", by 0-based index (0 = state), for the fields kept.
const F_PPID = 1, F_PGRP = 2, F_SESSION = 3, F_TTY = 4, F_FLAGS = 6, F_MINFLT = 7, F_MAJFLT = 9, F_UTIME = 11,
  F_STIME = 12, F_PRIO = 15, F_NICE = 16, F_THREADS = 17, F_START = 19, F_VSIZE = 20, F_RSS = 21, F_CPU = 36;
const scratch = new Float64Array(40);

/**
 * Parse /proc/PID/stat straight from bytes: no split, no per-field strings
 * (this runs for every task on every tick). Only comm becomes a string.
 * Numbers are decimal integers, possibly negative; a malformed field is 0.
 */
export function parseStatBytes(b: Uint8Array, len: number): StatFields | undefined {
  let open = -1;
  for (let i = 0; i < len; i++) if (b[i] === 0x28) { open = i; break; }
  let close = -1;
  for (let i = len - 1; i > open; i--) if (b[i] === 0x29) { close = i; break; }
  if (open <= 0 || close < 0) return undefined;
  let pid = 0;
  for (let i = 0; i < open; i++) {
    const c = b[i];
    if (c === 0x20) continue;
    if (c < 0x30 || c > 0x39) return undefined;
    pid = pid * 10 + (c - 0x30);
  }
  let i = close + 2;
  if (i >= len) return undefined;
  const state = String.fromCharCode(b[i]);
  let field = 0;
  // skip the state field
  while (i < len && b[i] !== 0x20) i++;
  scratch.fill(0);
  while (i < len && field < 39) {
    i++; // the space
    field++;
    let neg = false;
    let v = 0;
    if (b[i] === 0x2d) { neg = true; i++; }
    while (i < len) {
      const c = b[i];
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
    }
    while (i < len && b[i] !== 0x20 && b[i] !== 0x0a) i++; // junk in a field: ignore the rest of it
    scratch[field] = neg ? -v : v;
    if (b[i] === 0x0a) break;
  }
  if (field < 21) return undefined;
  return {
    pid,
    comm: Buffer.from(b.buffer, b.byteOffset + open + 1, close - open - 1).toString('utf8'),
    state,
    ppid: scratch[F_PPID],
    pgrp: scratch[F_PGRP],
    session: scratch[F_SESSION],
    ttyNr: scratch[F_TTY],
    flags: scratch[F_FLAGS],
    minflt: scratch[F_MINFLT],
    majflt: scratch[F_MAJFLT],
    utime: scratch[F_UTIME],
    stime: scratch[F_STIME],
    priority: scratch[F_PRIO],
    nice: scratch[F_NICE],
    numThreads: scratch[F_THREADS],
    starttime: scratch[F_START],
    vsize: scratch[F_VSIZE],
    rssPages: scratch[F_RSS],
    processor: field > F_CPU ? scratch[F_CPU] : 0,
  };
}

/** statm: size resident shared text lib data dt (pages). */
export function parseStatm(text: string): { sizePages: number; residentPages: number; sharedPages: number } | undefined {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 3 || f.slice(0, 3).some((v) => !Number.isFinite(v))) return undefined;
  return { sizePages: f[0], residentPages: f[1], sharedPages: f[2] };
}

/** status: "Key:\tvalue" lines. Returns the raw values; keys are kept as is. */
export function parseStatus(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

export function statusKb(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const n = parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

/** io: rchar wchar syscr syscw read_bytes write_bytes cancelled_write_bytes. */
export function parseIo(text: string): Record<string, number> {
  const o: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) {
      const v = Number(line.slice(i + 1).trim());
      if (Number.isFinite(v)) o[line.slice(0, i)] = v;
    }
  }
  return o;
}

/** cmdline: NUL-separated argv (a trailing NUL is normal; setproctitle may use spaces). */
export function parseCmdline(b: Buffer): string {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end).toString('utf8').replace(/\0/g, ' ');
}

/** cgroup v2 line "0::/path" preferred; else the first v1 line's path. */
export function parseCgroup(text: string): string {
  let first = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const p = line.slice(b + 1);
    if (line.startsWith('0::')) return p;
    if (!first) first = p;
  }
  return first;
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
    st = readFileFast(dir + '/stat');
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
  const f = s;
  const isThread = s.isThread;
  if (needs.has('uid') && s.uid === undefined && !isThread && !needs.has('status')) {
    // Effective uid from status, as top and ps show it; uids rarely change, so
    // it is cached like the command line and re-read on the same schedule.
    const hit = opts.uidCache?.get(f.pid);
    const tick = opts.tick ?? 0;
    if (hit && hit.start === f.starttime && tick - hit.at <= (opts.cmdlineMaxAge?.(f.pid) ?? Infinity)) s.uid = hit.uid;
    else {
      const t = readFileFast(dir + '/status');
      const m = t !== undefined ? /\nUid:\s+\d+\s+(\d+)/.exec(t) : null;
      s.uid = m ? Number(m[1]) : s.ownerUid;
      if (s.uid !== undefined) opts.uidCache?.set(f.pid, { start: f.starttime, uid: s.uid, at: tick });
    }
  }
  if (needs.has('statm')) {
    const m = cache ? cache.read(dir + '/statm') : readFileFast(dir + '/statm');
    const p = m !== undefined ? parseStatm(m) : undefined;
    if (p) s.shrPages = p.sharedPages;
  }
  if (needs.has('status')) {
    const t = readFileFast(dir + '/status');
    if (t !== undefined) {
      const m = parseStatus(t);
      // Uid: real effective saved fs; USER is the effective one, as in top and ps.
      const uid = parseInt((m.get('Uid') ?? '').split(/\s+/)[1] ?? '', 10);
      if (Number.isInteger(uid)) s.uid = uid;
      s.swapKb = statusKb(m.get('VmSwap')) ?? 0;
    }
  }
  if (needs.has('cmdline') && !isThread) {
    const cache = opts.cmdlineCache;
    const got = cache?.get(f.pid);
    const hit = got && got.start === f.starttime ? got : undefined; // else a reused pid
    const tick = opts.tick ?? 0;
    let c = hit?.text;
    if (c === undefined || !hit || tick - hit.at > (opts.cmdlineMaxAge?.(f.pid) ?? Infinity)) {
      const b = readBytes(dir + '/cmdline', 64 * 1024);
      c = b ? parseCmdline(b) : c ?? '';
      cache?.set(f.pid, { start: f.starttime, text: c, at: tick });
    }
    s.cmdline = c;
  }
  if (needs.has('io')) {
    const t = readFileFast(dir + '/io');
    if (t !== undefined) {
      const io = parseIo(t);
      s.ioReadBytes = io.read_bytes;
      s.ioWriteBytes = io.write_bytes;
    }
  }
  if (needs.has('oom')) {
    const t = readFileFast(dir + '/oom_score');
    if (t !== undefined && /^\d+/.test(t)) s.oomScore = parseInt(t, 10);
  }
  if (needs.has('cgroup')) {
    const t = readFileFast(dir + '/cgroup');
    if (t !== undefined) s.cgroup = parseCgroup(t);
  }
}

/** tty_nr (major<<8 | minor, with high minor bits above bit 20) to a name like pts/3. */
export function ttyName(ttyNr: number): string {
  if (!ttyNr) return '?';
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${minor + (major - 136) * 256}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  if (major === 5 && minor === 1) return 'console';
  return `${major}:${minor}`;
}
