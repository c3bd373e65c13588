// The eBPF feeder of the failures timeline: turns decoded tracer events
// (sched:sched_process_exit, signal:signal_generate, oom:mark_victim) into
// FailureEvents, joining the three by pid.
//
// Input shapes are this module's own (EbpfExitRecord, EbpfSignalRecord,
// EbpfOomRecord) so the join logic does not depend on the tracer's wire
// format; a thin binding (exit-feed.ts) maps the tracer manager's decoded
// events onto them. Pure: no I/O. Timestamps are bpf_ktime_get_ns()
// (CLOCK_MONOTONIC), the clock the kernel log uses too (printk's, within ms).
//
// Invariants: an exit with signal 0 and status 0 is a normal end and is
// never emitted; only a signal_generate seen for the same pid shortly
// before the exit names the sender; a mark_victim seen for the pid turns
// its SIGKILL exit into an OOM entry. Pending joins expire, so memory stays
// bounded however many signals fly by.
import { decodeExitCode, FAULT_SIGNALS, type FailureEvent, type FailureKind, type OomDetails, type RecordedExit } from '../model/failures.js';

export type { RecordedExit };

export interface EbpfExitRecord {
  tsNs: number;
  /** Thread group id (the process). */
  pid: number;
  tid?: number;
  ppid: number | null;
  comm: string;
  /** Command line captured at exit (may be truncated by the tracer), or null. */
  cmdline: string | null;
  /** Working directory read while it lived, or null. */
  cwd?: string | null;
  /** Lifetime in ns (exit time - start_time), or null. */
  ageNs: number | null;
  /** task->exit_code as the kernel holds it: low 7 bits = signal, 0x80 = core dumped, bits 8-15 = status. */
  exitCode: number;
  /** Sender already joined in the kernel (the exit tracer does), if any. */
  sender?: { pid: number; comm: string } | null;
  /** The kernel says the OOM killer chose this process. */
  oomKilled?: boolean;
}

export interface EbpfSignalRecord {
  tsNs: number;
  sig: number;
  /** si_code: > 0 or SI_KERNEL (0x80) means the kernel generated it (fault, OOM). */
  code: number;
  targetPid: number;
  targetComm: string;
  senderPid: number;
  senderComm: string;
  /** TRACE_SIGNAL_* result: 0 delivered, others ignored/already pending... */
  result?: number;
}

export interface EbpfOomRecord {
  tsNs: number;
  pid: number;
  comm: string;
  /** kB, as mark_victim reports them. */
  totalVmKb: number;
  /** anon + file + shmem. */
  rssKb: number;
  anonRssKb: number | null;
  fileRssKb: number | null;
  shmemRssKb: number | null;
  pgtablesKb: number | null;
  oomScoreAdj: number;
  uid: number | null;
  /** The task running when the victim was marked: the one whose allocation triggered the OOM killer. */
  triggerPid: number | null;
  triggerComm: string | null;
}

/** Signals whose default action ends the process: only these can name a sender of a death. */
const FATAL_BY_DEFAULT = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31]);
const SI_KERNEL = 0x80;
/** How long a signal or OOM mark waits for the exit it explains. */
const JOIN_TTL_NS = 60e9;

export interface EbpfCorrelatorOptions {
  /** Emit exits with a non-zero status (kind 'exit'); the view filters them with a toggle anyway. */
  includeExits?: boolean;
}

export class EbpfFailureCorrelator {
  private signals = new Map<number, EbpfSignalRecord>();
  private ooms = new Map<number, EbpfOomRecord>();
  private includeExits: boolean;

  constructor(opts: EbpfCorrelatorOptions = {}) {
    this.includeExits = opts.includeExits ?? true;
  }

  onSignal(s: EbpfSignalRecord): void {
    if (!FATAL_BY_DEFAULT.has(s.sig)) return;
    if (s.result !== undefined && s.result !== 0) return; // ignored, already pending, lost...
    // Keep the first fatal signal: a SIGKILL from systemd after a SIGSEGV is not the cause.
    const prev = this.signals.get(s.targetPid);
    if (prev && s.tsNs - prev.tsNs < JOIN_TTL_NS) return;
    this.signals.set(s.targetPid, s);
  }

  onOom(o: EbpfOomRecord): void {
    this.ooms.set(o.pid, o);
  }

  /** An exit; returns the failure it is, or null for a normal end. */
  onExit(x: EbpfExitRecord): FailureEvent | null {
    this.expire(x.tsNs);
    const { signal, coreDumped, exitCode } = decodeExitCode(x.exitCode);
    const sig = this.signals.get(x.pid);
    const oom = this.ooms.get(x.pid);
    this.signals.delete(x.pid);
    this.ooms.delete(x.pid);
    if (!signal && !exitCode) return null;
    if (!signal && !this.includeExits) return null;
    let kind: FailureKind = signal ? 'signal' : 'exit';
    let sender: FailureEvent['sender'] = null;
    if (signal && sig && sig.sig === signal) {
      sender = sig.code > 0 || sig.code === SI_KERNEL ? 'kernel' : { pid: sig.senderPid, comm: sig.senderComm };
    } else if (signal && x.sender) {
      // Joined in the kernel but the signal event itself was missed: a fault raised by the kernel
      // is "sent" by the faulting task itself.
      sender = FAULT_SIGNALS.has(signal) && x.sender.pid === x.pid ? 'kernel' : x.sender;
    }
    let oomDetails: OomDetails | undefined;
    if ((oom || x.oomKilled) && signal === 9) {
      kind = 'oom';
    }
    if (oom && signal === 9) {
      oomDetails = {
        rssKb: oom.rssKb, totalVmKb: oom.totalVmKb, anonRssKb: oom.anonRssKb,
        fileRssKb: oom.fileRssKb, shmemRssKb: oom.shmemRssKb, pgtablesKb: oom.pgtablesKb, oomScoreAdj: oom.oomScoreAdj,
        constraint: null, memcg: null, triggerPid: oom.triggerPid, triggerComm: oom.triggerComm, uid: oom.uid,
      };
      if (oom.triggerPid !== null) sender = { pid: oom.triggerPid, comm: oom.triggerComm ?? '' };
    }
    return {
      kind, feed: 'ebpf', tsUsec: Math.round(x.tsNs / 1000), pid: x.pid, ppid: x.ppid, comm: x.comm, cmdline: x.cmdline, cwd: x.cwd ?? null,
      ageMs: x.ageNs === null ? null : x.ageNs / 1e6, exitCode, signal, coreDumped: signal ? coreDumped : false, sender,
      oom: oomDetails,
    };
  }

  private expire(nowNs: number): void {
    for (const [pid, s] of this.signals) if (nowNs - s.tsNs > JOIN_TTL_NS) this.signals.delete(pid);
    for (const [pid, o] of this.ooms) if (nowNs - o.tsNs > JOIN_TTL_NS) this.ooms.delete(pid);
  }

  /** Pending joins (for tests and the status line). */
  pending(): { signals: number; ooms: number } {
    return { signals: this.signals.size, ooms: this.ooms.size };
  }
}

/**
 * What the failures Source needs from a feeder. The kmsg feeder and the
 * eBPF feeder both implement it; a feeder that cannot start throws from
 * start() with a message saying what is missing and how to get it.
 */
export interface FailureFeed {
  readonly name: 'ebpf' | 'kmsg';
  start(): Promise<void> | void;
  /** Events completed since the last poll. */
  poll(): Promise<FailureEvent[]> | FailureEvent[];
  /** Events lost by the feeder (ring buffer full, log overwritten). */
  drops(): number;
  stop(): void;
  /** Recent ends of `pid` (normal ones too), oldest first; feeders that see exits implement it. */
  exitsOf?(pid: number): readonly RecordedExit[];
}
