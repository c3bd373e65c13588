// Reader for ONE process's detail (the drill-in screen and `dump process`).
// These are the expensive per-PID reads (fd table, fdinfo, smaps_rollup,
// environ, task/*) and must only run for the drilled-into PID.
//
// Invariants:
//  - Never throws for a /proc failure: every file can vanish (ENOENT,
//    ESRCH) or be refused (EACCES, EPERM) at any point, including half way
//    through the fd table. Each failed section is recorded in `errors` with
//    its code and the rest is still returned (partial data).
//  - `gone` is true only when the process itself no longer exists (its
//    /proc/PID directory is missing), not when one file was refused.
//  - The fd and thread lists are capped (fdLimit, threadLimit); the totals
//    say how many there were.
//  - All file access goes through ProcFs, so tests can replay a captured
//    tree (including readlink targets) without a live process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSockets, type SocketSample } from './sockets.js';
import { CLK_TCK, PF_EXITING, parseStat, parseStatTail, type StatFields as ProcStatFields } from './procfs/pid-stat.js';
import { parseCtxtSwitches, parseStatus, type StatusInfo } from './procfs/pid-status.js';
import { parseCmdline } from './procfs/pid-cmdline.js';
import { parseIo, type IoCounters } from './procfs/pid-io.js';
import { parseSmapsRollup } from './procfs/pid-smaps-rollup.js';
import { parseLimits, type LimitRow } from './procfs/pid-limits.js';
import { parseEnviron, type EnvVar } from './procfs/pid-environ.js';
import { parseCgroup, type CgroupEntry } from './procfs/pid-cgroup.js';
import { classifyFdTarget, parseFdinfo, type FdInfo, type FdTarget } from './procfs/pid-fd.js';
import { parseNsLink, type NamespaceLink } from './procfs/pid-ns.js';
import { parseProcStat } from './procfs/stat.js';
import { parseMeminfoChecked } from './procfs/meminfo.js';
import { parsePasswd } from './procfs/passwd.js';
import { parseKernelStack, parseWchan, type KernelFrame } from './procfs/pid-stack.js';

export type { ProcStatFields };

/** Synchronous view of a /proc tree; paths are relative to its root ("1234/stat"). */
export interface ProcFs {
  /** Directory on disk, when there is one (the socket tables are read from it). */
  readonly root?: string;
  readFile(rel: string): Buffer;
  readlink(rel: string): string;
  readdir(rel: string): string[];
  exists(rel: string): boolean;
}

/** The real /proc (or another root, e.g. a bind-mounted host /proc). */
export function realProcFs(root = '/proc'): ProcFs {
  const p = (rel: string) => path.join(root, rel);
  return {
    root,
    readFile: (rel) => fs.readFileSync(p(rel)),
    readlink: (rel) => fs.readlinkSync(p(rel)),
    readdir: (rel) => fs.readdirSync(p(rel)),
    exists: (rel) => fs.existsSync(p(rel)),
  };
}

export type ProcSection =
  | 'stat' | 'status' | 'cmdline' | 'exe' | 'cwd' | 'root' | 'io' | 'threads' | 'fds'
  | 'smaps' | 'limits' | 'environ' | 'cgroup' | 'namespaces' | 'sockets' | 'wchan' | 'kstack';

export const ALL_SECTIONS: readonly ProcSection[] = [
  'stat', 'status', 'cmdline', 'exe', 'cwd', 'root', 'io', 'threads', 'fds',
  'smaps', 'limits', 'environ', 'cgroup', 'namespaces', 'sockets', 'wchan', 'kstack',
];

/** The kernel stack of a task in D state (uninterruptible sleep): why it is stuck. */
export interface BlockedTask {
  tid: number;
  comm: string;
  state: string;
  /** /proc/PID/task/TID/wchan: the function it waits in (null: none given). */
  wchan: string | null;
  /** /proc/PID/task/TID/stack (root only), innermost first. */
  frames: KernelFrame[];
}

/** At most this many D-state threads have their kernel stacks read. */
export const BLOCKED_TASK_LIMIT = 8;

export interface ThreadSample {
  tid: number;
  comm: string;
  state: string;
  utime: number;
  stime: number;
  processor: number;
  nice: number;
  /** Start time in clock ticks since boot (tells a reused TID apart). */
  starttime: number;
  /** Context switches of this thread (task/TID/status; the kernel counts them per thread). */
  voluntaryCtxt?: number;
  nonvoluntaryCtxt?: number;
  /** Why the counters above are missing: an errno code, or what was malformed. */
  ctxtError?: string;
}

export interface FdSample {
  fd: number;
  target: FdTarget;
  info?: FdInfo;
}

export interface ProcDetailSample {
  pid: number;
  /** Wall-clock ms when taken. */
  time: number;
  /** The process no longer exists. */
  gone: boolean;
  /**
   * The process was exiting when read (its stat, re-read after every other
   * file, showed PF_EXITING with its last thread, or a zombie): files, fds,
   * exe, cwd and cgroup may already be torn down, so these values are not
   * the process's own. The drill-in keeps its previous sample instead.
   */
  dying?: boolean;
  /** A zombie's wait(2) status from stat's exit_code field (see parseStatTail), when readable. */
  zombieWaitStatus?: number;
  stat?: ProcStatFields;
  status?: StatusInfo;
  cmdline?: string[];
  exe?: string;
  cwd?: string;
  root?: string;
  io?: IoCounters;
  threads?: ThreadSample[];
  threadTotal?: number;
  fds?: FdSample[];
  fdTotal?: number;
  smaps?: Record<string, number>;
  limits?: LimitRow[];
  environ?: EnvVar[];
  cgroup?: CgroupEntry[];
  namespaces?: NamespaceLink[];
  /** /proc/PID/wchan: where the process sleeps in the kernel (null: running, or not shown to us). */
  wchan?: string | null;
  /** Its threads in D state with their kernel stacks (/proc/PID/task/TID/stack, root only). */
  blocked?: BlockedTask[];
  /** Sockets of the process's network namespace whose inode is one of its fds. */
  sockets?: SocketSample[];
  /** Section -> error code (ENOENT, EACCES, ESRCH, EPERM, EINVAL...). */
  errors: Partial<Record<ProcSection, string>>;
}

export interface ReadDetailOptions {
  fs?: ProcFs;
  /** Which sections to read (default: all). */
  sections?: readonly ProcSection[];
  fdLimit?: number;
  /** fdinfo (offset, flags) costs one more open per fd: only for the first N. */
  fdinfoLimit?: number;
  threadLimit?: number;
  /** Our effective uid/gid (default: this process's), to know whether a zombie's exit_code is shown to us. */
  creds?: { uid: number; gid: number };
  /** Socket tables of the pid's network namespace (default: sockets.ts readSockets on the real /proc). */
  readSockets?: (pid: number) => SocketSample[];
  now?: number;
}

/**
 * Whether the kernel lets us read a task's ptrace-guarded stat fields
 * (PTRACE_MODE_READ_FSCREDS): root, or every uid and gid of the task equal
 * to ours (no capabilities are assumed for others).
 */
function mayPtrace(st: StatusInfo | undefined, creds: { uid: number; gid: number } | undefined): boolean {
  const c = creds ?? { uid: process.geteuid?.() ?? -1, gid: process.getegid?.() ?? -1 };
  if (c.uid === 0) return true;
  return !!st?.uids?.length && !!st.gids?.length && st.uids.every((u) => u === c.uid) && st.gids.every((g) => g === c.gid);
}

function code(e: unknown): string {
  const c = (e as NodeJS.ErrnoException)?.code;
  return typeof c === 'string' ? c : 'EIO';
}

const VANISHED = new Set(['ENOENT', 'ESRCH']);

/** Read one process's detail. Never throws for /proc errors. */
export function readProcDetail(pid: number, opts: ReadDetailOptions = {}): ProcDetailSample {
  const pfs = opts.fs ?? realProcFs();
  const want = new Set(opts.sections ?? ALL_SECTIONS);
  const fdLimit = opts.fdLimit ?? 2000;
  const fdinfoLimit = opts.fdinfoLimit ?? 500;
  const threadLimit = opts.threadLimit ?? 2000;
  const s: ProcDetailSample = { pid, time: opts.now ?? Date.now(), gone: false, errors: {} };
  const base = String(pid);

  const attempt = <T>(sec: ProcSection, fn: () => T): T | undefined => {
    if (!want.has(sec)) return undefined;
    try {
      return fn();
    } catch (e) {
      s.errors[sec] = code(e);
      return undefined;
    }
  };
  const text = (rel: string) => pfs.readFile(`${base}/${rel}`).toString('utf8');

  let statText: string | undefined;
  s.stat = attempt('stat', () => parseStat((statText = text('stat'))));
  if (want.has('stat') && !s.stat && !s.errors.stat) s.errors.stat = 'EINVAL';
  if (s.errors.stat && VANISHED.has(s.errors.stat) && !pfs.exists(base)) {
    s.gone = true;
    return s;
  }
  s.status = attempt('status', () => parseStatus(text('status')));
  s.cmdline = attempt('cmdline', () => parseCmdline(pfs.readFile(`${base}/cmdline`)));
  s.exe = attempt('exe', () => pfs.readlink(`${base}/exe`));
  s.cwd = attempt('cwd', () => pfs.readlink(`${base}/cwd`));
  s.root = attempt('root', () => pfs.readlink(`${base}/root`));
  s.io = attempt('io', () => parseIo(text('io')));
  s.smaps = attempt('smaps', () => parseSmapsRollup(text('smaps_rollup')));
  s.limits = attempt('limits', () => parseLimits(text('limits')));
  s.environ = attempt('environ', () => parseEnviron(pfs.readFile(`${base}/environ`)));
  s.cgroup = attempt('cgroup', () => parseCgroup(text('cgroup')));
  s.namespaces = attempt('namespaces', () => {
    const out: NamespaceLink[] = [];
    let failed: unknown;
    for (const name of pfs.readdir(`${base}/ns`).sort()) {
      if (name.endsWith('_for_children')) continue;
      try {
        const ns = parseNsLink(pfs.readlink(`${base}/ns/${name}`));
        if (ns) out.push(ns);
      } catch (e) {
        failed ??= e; // one namespace link refused: keep the others
      }
    }
    if (failed !== undefined && out.length === 0) throw failed;
    return out;
  });

  attempt('threads', () => {
    const tids = pfs.readdir(`${base}/task`).map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
    s.threadTotal = tids.length;
    const threads: ThreadSample[] = [];
    for (const tid of tids.slice(0, threadLimit)) {
      try {
        const st = parseStat(pfs.readFile(`${base}/task/${tid}/stat`).toString('utf8'));
        if (!st) continue;
        const t: ThreadSample = { tid, comm: st.comm, state: st.state, utime: st.utime, stime: st.stime, processor: st.processor, nice: st.nice, starttime: st.starttime };
        // Context switches are per thread: the process's own status shows
        // its main thread's only, so each thread's status is read and the
        // model sums them.
        try {
          const c = parseCtxtSwitches(pfs.readFile(`${base}/task/${tid}/status`).toString('utf8'));
          t.voluntaryCtxt = c.voluntary;
          t.nonvoluntaryCtxt = c.nonvoluntary;
        } catch (e) {
          const c = (e as NodeJS.ErrnoException).code;
          if (c === 'ENOENT' || c === 'ESRCH') continue; // the thread exited between its stat and its status
          t.ctxtError = typeof c === 'string' ? c : (e as Error).message;
        }
        threads.push(t);
      } catch {
        // the thread exited between readdir and read
      }
    }
    s.threads = threads;
  });

  attempt('fds', () => {
    const nums = pfs.readdir(`${base}/fd`).map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
    s.fdTotal = nums.length;
    const fds: FdSample[] = [];
    let closed = 0;
    for (const fd of nums.slice(0, fdLimit)) {
      let target: string;
      try {
        target = pfs.readlink(`${base}/fd/${fd}`);
      } catch (e) {
        // ENOENT: closed between readdir and readlink. Anything else
        // (EACCES under a ptrace policy) makes the table partial.
        const c = code(e);
        if (c !== 'ENOENT') s.errors.fds ??= c;
        else closed++;
        continue;
      }
      const f: FdSample = { fd, target: classifyFdTarget(target) };
      if (fds.length < fdinfoLimit) {
        try {
          f.info = parseFdinfo(pfs.readFile(`${base}/fdinfo/${fd}`).toString('utf8'));
        } catch {
          // fdinfo is optional
        }
      }
      fds.push(f);
    }
    s.fds = fds;
    s.fdTotal = nums.length - closed;
  });

  s.wchan = attempt('wchan', () => parseWchan(text('wchan')));
  // D state ("why is it stuck"): the kernel stack of each thread in uninterruptible sleep.
  if (want.has('kstack') && s.stat) {
    const inD = (s.threads ?? [{ tid: pid, comm: s.stat.comm, state: s.stat.state }]).filter((t) => t.state === 'D');
    if (s.stat.state === 'D' && !inD.some((t) => t.tid === pid)) inD.unshift({ tid: pid, comm: s.stat.comm, state: 'D' });
    const blocked: BlockedTask[] = [];
    for (const t of inD.slice(0, BLOCKED_TASK_LIMIT)) {
      const b: BlockedTask = { tid: t.tid, comm: t.comm, state: t.state, wchan: null, frames: [] };
      try {
        b.wchan = parseWchan(text(`task/${t.tid}/wchan`));
      } catch {
        /* optional */
      }
      try {
        b.frames = parseKernelStack(text(`task/${t.tid}/stack`));
      } catch (e) {
        const c = code(e);
        if (c !== 'ENOENT' && c !== 'ESRCH') s.errors.kstack ??= c;
      }
      blocked.push(b);
    }
    s.blocked = blocked;
  }

  if (want.has('sockets') && s.fds && s.fds.some((f) => f.target.kind === 'socket')) {
    const inodes = new Set(s.fds.filter((f) => f.target.kind === 'socket').map((f) => f.target.inode!));
    attempt('sockets', () => {
      const all = (opts.readSockets ?? ((p: number) => readSockets({ pid: p, procRoot: pfs.root ?? '/proc' })))(pid);
      s.sockets = all.filter((x) => inodes.has(x.inode));
    });
  } else if (want.has('sockets') && s.fds) {
    s.sockets = [];
  }

  // Exiting now, or already? Stat is re-read after everything else: a
  // process that began to exit during the reads has empty fd tables and no
  // exe/cwd by now, which must not pass for its own state.
  if (s.stat) {
    const dyingNow = (st: ProcStatFields) => (st.state === 'Z' || st.state === 'X' || (st.flags & PF_EXITING) !== 0) && st.numThreads <= 1;
    let again: ProcStatFields | undefined;
    let againText: string | undefined;
    try {
      againText = text('stat');
      again = parseStat(againText);
    } catch {
      // gone meanwhile: the directory check below says so
    }
    if (again && again.starttime !== s.stat.starttime) again = undefined; // PID reused during the read
    if (dyingNow(s.stat) || (again && dyingNow(again))) s.dying = true;
    const zombie = again && (again.state === 'Z' || again.state === 'X') ? againText : s.stat.state === 'Z' || s.stat.state === 'X' ? statText : undefined;
    const ws = zombie !== undefined ? parseStatTail(zombie).exitCode : undefined;
    // The kernel prints 0 there for a reader that may not ptrace the task: only trust it when we may.
    if (ws !== undefined && mayPtrace(s.status, opts.creds)) s.zombieWaitStatus = ws;
  }

  // A process that exits mid-read leaves ENOENT/ESRCH behind: tell "gone"
  // apart from "one file refused" by looking at the directory itself.
  if (Object.values(s.errors).some((c) => VANISHED.has(c!))) {
    if (!pfs.exists(base)) s.gone = true;
    else {
      // Still there: ENOENT/ESRCH then mean "has none" (a kernel thread has
      // no exe link and no mm for smaps_rollup), not a refused read, so they
      // do not make the data partial.
      for (const k of Object.keys(s.errors) as ProcSection[]) if (VANISHED.has(s.errors[k]!)) delete s.errors[k];
    }
  }
  return s;
}

/** Facts about the system the model needs to turn ticks into times. */
export interface SystemInfo {
  /** Boot time, seconds since the epoch (/proc/stat btime). */
  btimeSec: number;
  /** USER_HZ; 100 on every mainstream Linux architecture. */
  clkTck: number;
  memTotalKb: number;
  ncpu: number;
  /** uid -> name (from /etc/passwd, read once). */
  userName(uid: number): string;
}

export function readSystemInfo(pfs: ProcFs = realProcFs(), passwdPath = '/etc/passwd'): SystemInfo {
  let btimeSec = 0, memTotalKb = 0, ncpu = 1;
  try {
    const stat = parseProcStat(pfs.readFile('stat').toString('utf8'));
    btimeSec = stat.btime;
    ncpu = Math.max(1, stat.cpusOnline);
  } catch {
    // leave defaults
  }
  try {
    memTotalKb = parseMeminfoChecked(pfs.readFile('meminfo').toString('utf8')).values.MemTotal ?? 0;
  } catch {
    // leave defaults
  }
  let users: Map<number, string>;
  try {
    users = parsePasswd(fs.readFileSync(passwdPath, 'utf8'));
  } catch {
    users = new Map();
  }
  return { btimeSec, clkTck: CLK_TCK, memTotalKb, ncpu, userName: (uid) => users.get(uid) ?? String(uid) };
}
