// The failures timeline: abnormal process ends (death by signal, non-zero
// exit, OOM kill) and kernel failures (Oops, BUG, hung task), fed by
// adapters that speak one event type, FailureEvent.
//
// Feeders: 'ebpf' (the exit/oom tracers: exact, catches processes that
// lived for milliseconds, knows parent/cmdline/age/sender) and 'kmsg' (the
// kernel log: always there for root, but only sees what the kernel prints:
// segfaults and traps, OOM kills, fatal signals when
// kernel.print-fatal-signals=1, hung tasks, BUG/Oops). When both report
// the same death the entries are merged and `feeds` lists both.
//
// Invariants: an entry keeps everything captured at exit (parent, cmdline,
// age), so it outlives the process; text fields are sanitized when they
// enter the timeline; the timeline is bounded (oldest dropped first) and
// its ids only grow, so a screen's selection stays valid across updates.
import { sanitize } from '../util/text.js';

export type FailureKind = 'signal' | 'exit' | 'oom' | 'kernel';
export type FeedName = 'ebpf' | 'kmsg';
/** What a kernel-log failure line was about. */
export type KernelWhat = 'segfault' | 'trap' | 'fatal-signal' | 'oom' | 'hung' | 'bug' | 'oops' | 'panic' | 'warning';

export interface OomDetails {
  /** Resident memory of the victim at the kill: anon + file + shmem, kB. */
  rssKb: number | null;
  totalVmKb: number | null;
  anonRssKb: number | null;
  fileRssKb: number | null;
  shmemRssKb: number | null;
  pgtablesKb: number | null;
  oomScoreAdj: number | null;
  /** CONSTRAINT_NONE, CONSTRAINT_MEMCG, CONSTRAINT_CPUSET... */
  constraint: string | null;
  /** The memory cgroup whose limit was hit (oom_memcg), if any. */
  memcg: string | null;
  /** The task that allocated and triggered the OOM killer. */
  triggerPid: number | null;
  triggerComm: string | null;
  uid: number | null;
}

export interface FaultDetails {
  /** Faulting address (segfault) as hex text. */
  addr: string | null;
  ip: string | null;
  sp: string | null;
  error: string | null;
  /** The mapping the ip was in ("libc.so.6[...]"), or the trap name. */
  where: string | null;
}

/** The adapter type every feeder produces. Unknown values are null, never guessed. */
export interface FailureEvent {
  kind: FailureKind;
  feed: FeedName;
  /** Monotonic timestamp in microseconds (printk clock / bpf_ktime_get_ns). */
  tsUsec: number;
  pid: number;
  ppid: number | null;
  comm: string;
  cmdline: string | null;
  /**
   * Working directory read while the process lived (the eBPF feed caches it
   * per pid from exec and fatal-signal events), where a relative
   * core_pattern puts its core; null or absent when unknown. Kept raw: it
   * is used to find files and never displayed.
   */
  cwd?: string | null;
  /**
   * Its parent's working directory, read when the death was converted, for
   * a process that died too fast for its own to be read (a child inherits
   * its parent's cwd; an interactive shell's is where its commands run).
   * Raw, never displayed.
   */
  parentCwd?: string | null;
  /** How long the process lived, ms. */
  ageMs: number | null;
  /** Exit status (0-255) for kind 'exit'. */
  exitCode: number | null;
  /** Terminating signal number. */
  signal: number | null;
  coreDumped: boolean | null;
  /** Who sent the fatal signal: the kernel (faults, OOM) or a process. */
  sender: 'kernel' | { pid: number; comm: string } | null;
  oom?: OomDetails;
  fault?: FaultDetails;
  /** For kind 'kernel' (and kmsg-fed crashes): which kernel message. */
  kernel?: { what: KernelWhat; detail: string };
  /** Kernel log records (seq numbers) this event came from. */
  kmsgSeqs?: number[];
}

export interface TimelineEntry extends FailureEvent {
  id: number;
  feeds: FeedName[];
  kmsgSeqs: number[];
}

export const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
  30: 'SIGPWR', 31: 'SIGSYS',
};

export function signalName(sig: number | null | undefined): string {
  if (sig === null || sig === undefined) return '-';
  if (SIGNAL_NAMES[sig]) return SIGNAL_NAMES[sig];
  if (sig >= 34 && sig <= 64) return `SIGRTMIN+${sig - 34}`;
  return `SIG${sig}`;
}

/** Signals the kernel raises itself on a fault: their sender is the kernel. */
export const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11, 31]);

/**
 * Decode a wait-style exit_code as sched_process_exit reports it
 * (task->exit_code): low 7 bits = signal, 0x80 = core dumped, bits 8-15 = exit status.
 */
export function decodeExitCode(code: number): { signal: number | null; coreDumped: boolean; exitCode: number | null } {
  const sig = code & 0x7f;
  if (sig) return { signal: sig, coreDumped: (code & 0x80) !== 0, exitCode: null };
  return { signal: null, coreDumped: false, exitCode: (code >> 8) & 0xff };
}

function clean(s: string | null | undefined): string | null {
  return s === null || s === undefined ? null : sanitize(s);
}

/** Within this window two reports of the same pid are the same death. */
const MERGE_WINDOW_USEC = 10_000_000;

function compatible(a: FailureEvent, b: FailureEvent): boolean {
  if (a.pid !== b.pid || a.pid <= 0) return false;
  if (Math.abs(a.tsUsec - b.tsUsec) > MERGE_WINDOW_USEC) return false;
  if (a.kind === 'kernel' || b.kind === 'kernel') {
    return a.kind === b.kind && a.kernel?.what === b.kernel?.what;
  }
  if (a.kind === 'oom' || b.kind === 'oom') {
    const other = a.kind === 'oom' ? b : a;
    return other.kind === 'oom' || other.signal === 9;
  }
  return a.signal === null || b.signal === null || a.signal === b.signal;
}

export interface TimelineOptions {
  /** Most entries kept; the oldest are dropped first. */
  capacity?: number;
}

export class FailureTimeline {
  private list: TimelineEntry[] = [];
  private nextId = 1;
  private capacity: number;
  /** Entries dropped because the timeline was full. */
  dropped = 0;

  constructor(opts: TimelineOptions = {}) {
    this.capacity = opts.capacity ?? 5000;
  }

  /** Add one event, merging it into an existing entry for the same death. Returns the entry. */
  add(ev: FailureEvent): TimelineEntry {
    const e: FailureEvent = {
      ...ev,
      comm: sanitize(ev.comm),
      cmdline: clean(ev.cmdline),
      sender: ev.sender && typeof ev.sender === 'object' ? { pid: ev.sender.pid, comm: sanitize(ev.sender.comm) } : ev.sender,
      kernel: ev.kernel ? { what: ev.kernel.what, detail: sanitize(ev.kernel.detail) } : undefined,
      oom: ev.oom ? { ...ev.oom, triggerComm: clean(ev.oom.triggerComm), memcg: clean(ev.oom.memcg), constraint: clean(ev.oom.constraint) } : undefined,
      fault: ev.fault ? { ...ev.fault, where: clean(ev.fault.where) } : undefined,
    };
    // Look back from the newest: merges are almost always with recent entries.
    for (let i = this.list.length - 1; i >= 0 && i >= this.list.length - 200; i--) {
      const t = this.list[i];
      if (compatible(t, e)) {
        mergeInto(t, e);
        return t;
      }
    }
    const entry: TimelineEntry = { ...e, id: this.nextId++, feeds: [e.feed], kmsgSeqs: [...(e.kmsgSeqs ?? [])] };
    // Keep time order even when a slower feeder delivers late.
    let at = this.list.length;
    while (at > 0 && this.list[at - 1].tsUsec > entry.tsUsec) at--;
    this.list.splice(at, 0, entry);
    if (this.list.length > this.capacity) {
      this.list.splice(0, this.list.length - this.capacity);
      this.dropped++;
    }
    return entry;
  }

  entries(): readonly TimelineEntry[] {
    return this.list;
  }

  /** The entry a kernel-log record belongs to, if any. */
  entryForSeq(seq: number): TimelineEntry | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].kmsgSeqs.includes(seq)) return this.list[i];
    return undefined;
  }

  clear(): void {
    this.list = [];
  }
}

function pick<T>(preferred: T | null | undefined, other: T | null | undefined): T | null {
  return preferred !== null && preferred !== undefined ? preferred : (other ?? null);
}

/** Merge `e` into `t`. eBPF is exact about the process (ppid, cmdline, age, exit code); kmsg adds fault/OOM details. */
function mergeInto(t: TimelineEntry, e: FailureEvent): void {
  const ebpfFirst = e.feed === 'ebpf' && !t.feeds.includes('ebpf');
  const [a, b] = ebpfFirst ? [e, t as FailureEvent] : [t as FailureEvent, e];
  if (!t.feeds.includes(e.feed)) t.feeds.push(e.feed);
  if (e.kind === 'oom' || t.kind === 'oom') t.kind = 'oom';
  else if (ebpfFirst) t.kind = e.kind;
  t.ppid = pick(a.ppid, b.ppid);
  t.cmdline = pick(a.cmdline, b.cmdline);
  t.cwd = pick(a.cwd, b.cwd);
  t.parentCwd = pick(a.parentCwd, b.parentCwd);
  t.ageMs = pick(a.ageMs, b.ageMs);
  t.exitCode = pick(a.exitCode, b.exitCode);
  t.signal = pick(a.signal, b.signal);
  t.coreDumped = pick(a.coreDumped, b.coreDumped);
  t.comm = a.comm || b.comm;
  // A process sender from signal_generate beats 'kernel' guessed from a log line, except for faults.
  t.sender = pick(a.sender, b.sender);
  if (ebpfFirst) t.tsUsec = e.tsUsec;
  if (e.oom) t.oom = t.oom ? mergeOom(t.oom, e.oom) : e.oom;
  if (e.fault && !t.fault) t.fault = e.fault;
  if (e.kernel && !t.kernel) t.kernel = e.kernel;
  for (const s of e.kmsgSeqs ?? []) if (!t.kmsgSeqs.includes(s)) t.kmsgSeqs.push(s);
}

function mergeOom(a: OomDetails, b: OomDetails): OomDetails {
  const o = { ...a };
  for (const k of Object.keys(b) as (keyof OomDetails)[]) {
    if (o[k] === null || o[k] === undefined) (o as Record<string, unknown>)[k] = b[k];
  }
  return o;
}

/** One-line description of how the entry ended, as the screen and dump print it. */
export function describeEnd(e: FailureEvent): string {
  switch (e.kind) {
    case 'oom':
      return 'OOM kill';
    case 'exit':
      return `exit ${e.exitCode ?? '?'}`;
    case 'kernel':
      return e.kernel ? e.kernel.what : 'kernel';
    default:
      return signalName(e.signal);
  }
}

export function describeSender(e: FailureEvent): string {
  if (e.sender === 'kernel') return 'kernel';
  if (e.sender && typeof e.sender === 'object') return `${e.sender.pid} ${e.sender.comm}`;
  return '-';
}
