// The failures view's Model and Request (what `ostop dump failures|kmsg`
// prints and the failures screen draws), the event type every feeder of
// the timeline produces, and the pure helpers on them (signal names, wait
// status decoding, how an entry ended). Types and pure functions only: the
// timeline, the kernel-log classifier, the exit correlator, the core finder
// and the Source that build these live in src/failures/.
//
// Invariants: every string in the Model is already sanitized, except dump
// file paths, kept raw so they can be opened (display them through
// sanitize()); links are by id/seq/path, never by position, so they survive
// filtering; unknown values are null, never guessed.
import type { CoreDumpFile, CoreLimit, CorePatternInfo } from '../collectors/coredump.js';

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
  /**
   * Set by a recorded hub that converted tsUsec to µs since the epoch (a
   * recording spans reboots: src/failures/hub.ts ingest): the monotonic µs
   * of its boot, as recorded (what "boot seconds" shows).
   */
  bootUsec?: number;
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
 * Signals whose default action dumps core (signal(7): SIGQUIT, SIGILL,
 * SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS): a
 * process killed by any other signal (SIGKILL, SIGTERM, SIGINT...) never
 * leaves a core, so where it would have gone is not worth a read.
 */
export const CORE_SIGNALS = new Set([3, 4, 5, 6, 7, 8, 11, 24, 25, 31]);

/**
 * Decode a wait-style exit_code as sched_process_exit reports it
 * (task->exit_code): low 7 bits = signal, 0x80 = core dumped, bits 8-15 = exit status.
 */
export function decodeExitCode(code: number): { signal: number | null; coreDumped: boolean; exitCode: number | null } {
  const sig = code & 0x7f;
  if (sig) return { signal: sig, coreDumped: (code & 0x80) !== 0, exitCode: null };
  return { signal: null, coreDumped: false, exitCode: (code >> 8) & 0xff };
}

/**
 * One process end as the exit tracer saw it, abnormal or not, kept a short
 * while so the drill-in can say how a process it showed ended.
 */
export interface RecordedExit {
  pid: number;
  comm: string;
  /** Wall-clock ms of the exit. */
  wallMs: number;
  /** Lifetime in ms (so wallMs - ageMs is its start: tells a reused PID apart). */
  ageMs: number;
  /** exit(2) status when it ended on its own, else null. */
  exitCode: number | null;
  signal: number | null;
  coreDumped: boolean;
  oomKilled: boolean;
  /** Who sent the killing signal: the kernel (fault, OOM), a process, or null (none, or not seen). */
  sender: 'kernel' | { pid: number; comm: string } | null;
}

export interface KmsgLine {
  seq: number;
  usec: number;
  wallMs: number;
  level: number;
  facility: number;
  /** Sanitized message (newlines shown as spaces). */
  text: string;
  highlight: KernelWhat | null;
  /** The timeline entry this line belongs to, if any. */
  entryId: number | null;
}

export interface EntryRow extends TimelineEntry {
  wallMs: number;
  /** "SIGSEGV", "OOM kill", "exit 3", "hung"... */
  end: string;
  senderText: string;
  dump: CoreDumpFile | null;
}

export interface FeedStatus {
  name: FeedName;
  active: boolean;
  /** Why it is not active, or what it cannot see. */
  note: string | null;
  drops: number;
}

export interface CoreTarget {
  pid: number;
  comm: string;
  alive: boolean;
  /** How the target was chosen: 'chosen' (by the user), 'parent' (of the selected entry), 'self'. */
  why: 'chosen' | 'parent' | 'self';
  limit: CoreLimit | null;
  where: string;
  exe: string | null;
}

export interface FailuresModel {
  nowWallMs: number;
  /** Monotonic usec when ostop started: entries before it come from the log backlog. */
  startedUsec: number;
  feeds: FeedStatus[];
  entries: EntryRow[];
  /** Count of entries hidden by the filters (exits toggle, since). */
  hiddenEntries: number;
  kmsg: KmsgLine[];
  kmsgOverwritten: number;
  kmsgLost: number;
  corePattern: CorePatternInfo | null;
  corePatternError: string | null;
  target: CoreTarget | null;
  dumps: Array<CoreDumpFile & { entryId: number | null }>;
  /** Things the person should know about what can be seen (print-fatal-signals off...). */
  hints: string[];
}

/**
 * What the failures screen asks of its Source (the same fields a dump sets
 * from its flags): which entries to show and which process the core panel
 * and the actions are about.
 */
export interface FailuresRequest {
  /** Show non-zero exits (kind 'exit'). */
  showExits: boolean;
  /** Entries since boot (the kernel-log backlog), else since ostop started. */
  sinceBoot: boolean;
  /** A PID chosen by the person (prompt or drill-in param); null: follow the selected entry. */
  targetPid: number | null;
  /** The selected timeline entry's parent pid, to show the core limit its siblings inherit. */
  selectedParentPid: number | null;
}

export const DEFAULT_FAILURES_REQUEST: Readonly<FailuresRequest> = { showExits: false, sinceBoot: false, targetPid: null, selectedParentPid: null };

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
