// What `ostop record` records: one RecordedTick per interval (the samples
// every view's Source takes) and, with it, the RecordedEvents of the
// interval (failures, processes too short-lived for a tick, kernel-log
// lines). Plain data (test/store/persist-samples.test.ts holds them to
// plainDataProblems); stored by src/store/disk-store.ts (docs/store.md).
// The content version is TICK_FORMAT, written in each session's meta record.
//
// Privacy: command lines, names and identities (uid, parent) only; no
// environment, no file contents; kernel-log lines as the kernel wrote them.
import type { MachineSample } from '../collectors/machine.js';
import type { PsiSample } from '../collectors/psi.js';
import type { SnmpSample } from '../collectors/snmp.js';
import type { FsSample } from '../collectors/fs.js';
import type { IfaceInventory } from '../collectors/netdev.js';
import type { SystemTaskCounts } from '../collectors/processes.js';
import type { ProcSample } from '../collectors/proc-pid.js';
import type { IoCounters } from '../collectors/procfs/pid-io.js';
import type { SocketCounts } from '../collectors/feed.js';
import type { CoreDumpFile } from '../collectors/coredump.js';
import type { FailureEvent, FeedStatus, KmsgLine } from './failures.js';

export const TICK_FORMAT = 'ostop-tick/1';

/** The /proc/PID/io counters a tick keeps (what the per-process I/O table shows; syscr, syscw, cancelled_write_bytes are not). */
export type RecordedIo = Pick<IoCounters, 'rchar' | 'wchar' | 'readBytes' | 'writeBytes'>;

/**
 * One process of a tick: its /proc/PID/stat fields, command line, uid (and
 * SHR where the task iterator gives it), its /proc/PID/io counters when
 * readable. ProcSample's tgid, isThread and isKernelThread are left out (a
 * recorded task is a process: tgid = pid, isThread false, isKernelThread
 * from flags): RecordedFeed puts them back.
 */
export interface RecordedTask extends Omit<ProcSample, 'tgid' | 'isThread' | 'isKernelThread'> {
  io?: RecordedIo;
}

/**
 * The /proc/vmstat counters a tick keeps: what the vmstat model reads (page
 * in/out, swap in/out, faults) and the reclaim, OOM and THP counters worth
 * a look after the fact. The other ~150 counters would cost most of a
 * tick's bytes.
 */
export const RECORDED_VMSTAT = [
  'pgpgin', 'pgpgout', 'pswpin', 'pswpout', 'pgfault', 'pgmajfault', 'oom_kill',
  'pgscan_kswapd', 'pgscan_direct', 'pgsteal_kswapd', 'pgsteal_direct', 'allocstall_normal', 'allocstall_movable',
  'compact_stall', 'thp_fault_alloc', 'workingset_refault_anon', 'workingset_refault_file', 'nr_dirty', 'nr_writeback',
] as const;

export interface RecordedTick {
  /** Epoch ms of the tick (the store's index time). */
  time: number;
  /** CLOCK_MONOTONIC seconds at the tick (rates across ticks divide by its differences). */
  mono: number;
  /** Every machine-wide part; net/dev entries carry their link facts (operstate, mtu, speed). */
  machine: MachineSample;
  psi: PsiSample;
  snmp: SnmpSample;
  fs: FsSample | null;
  /** Interface addresses (getifaddrs). */
  inventory: IfaceInventory[];
  procs: {
    counts: SystemTaskCounts;
    /** By pid (a process whose fields did not change costs nothing in a delta). */
    tasks: Record<string, RecordedTask>;
    /** /proc/PID/io files that could not be read, by errno. */
    ioUnreadable: Record<string, number>;
  };
  sockets: SocketCounts;
}

/** A process that started and ended between two ticks (as root, from the exec and exit tracers). */
export interface ShortProcess {
  pid: number;
  ppid: number;
  uid: number;
  comm: string;
  /** argv from the exec tracer; null when it did not exec (a fork that exited) or exec was not traced. */
  cmdline: string | null;
  /** Wall ms of its start and its end. */
  startMs: number;
  endMs: number;
  ageMs: number;
  /** CPU time it used (user + system), ms; null when the tracer does not report it. */
  cpuMs: number | null;
  exitCode: number | null;
  signal: number | null;
  coreDumped: boolean;
}

/**
 * The clocks of the tick an events record came with, read together: event
 * times are CLOCK_MONOTONIC µs of the boot they happened in, and a store
 * can span reboots (the monotonic clock starts again at each), so each
 * record is converted to wall time with its own tick's clocks.
 */
export interface RecordedClock {
  /** Epoch ms of the tick. */
  wallMs: number;
  /** CLOCK_MONOTONIC seconds at the tick (RecordedTick.mono). */
  mono: number;
  /** /proc/sys/kernel/random/boot_id of the boot (null when unreadable, or filled in by a reader from the tick). */
  boot: string | null;
}

/** How a process a tick saw ended (as root, from the exit tracer): what the replay drill-in shows for it. */
export type EndedProcess = Pick<ShortProcess, 'pid' | 'comm' | 'endMs' | 'ageMs' | 'exitCode' | 'signal' | 'coreDumped'>;

/** What happened since the previous tick. */
export interface RecordedEvents {
  /**
   * The tick's clocks (set by recorders since the clock was added; absent in
   * older stores, where a reader takes them from the tick the record came
   * with: src/views/recorded-feed.ts recordedEvents).
   */
  clock?: RecordedClock;
  /** The failure events the hub saw (as FailureTimeline.add takes them: a reader rebuilds the timeline by adding them in order). */
  failures: FailureEvent[];
  /** Kernel-log lines. */
  kmsg: KmsgLine[];
  exits: ShortProcess[];
  /** The ends of processes a tick saw (the rest of the exit tracer's records; absent in older stores and without the tracer). */
  ended?: EndedProcess[];
  /** The core dumps found, when the list changed since the last events. */
  dumps?: CoreDumpFile[];
  /** The failure feeds' status, when it changed. */
  feeds?: FeedStatus[];
}
