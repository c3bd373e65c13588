// Binds the exit tracer (src/tracers: sched_process_exit + signal_generate
// + oom:mark_victim, joined in the kernel) to the failures timeline through
// EbpfFailureCorrelator (exit-correlator.ts). createExitTracerFeed() is
// called explicitly (the hub's default feed, or a test): importing this
// module installs nothing.
//
// The tracer may already run for the exit pane; then the feed only
// subscribes and leaves it running on stop(). The exit event carries no
// command line, so the feed keeps one per pid, read lazily: the exec
// tracer's argv for every program started since the feed started, else
// /proc/PID/cmdline read when a fatal signal or an OOM mark arrives for it
// (the process is still alive, or dumping core, at that moment). Nothing is
// read for processes that end normally, and nothing at start: a scan of
// every command line at launch cost more CPU than the rest of start-up
// with 1,000 processes. (A pre-existing process that exits non-zero
// without a signal keeps a null command line.)
// The working directory is kept the same way (a relative core_pattern puts
// the core there, and nothing else uses it): read when a fatal signal event
// arrives, and for the programs started since the feed started, once per
// exec, at the end of the ring wake-up that delivered the exec, and only
// while core_pattern is a relative file path (re-read every
// CORE_PATTERN_MS; with an absolute path or a |pipe no exec's cwd is read).
// A program whose end arrived in the same wake-up as its exec is not read:
// it is gone (the read would fail, at ~3x the cost of one that succeeds,
// and under heavy process churn most execs were such reads). For a process
// gone before any of those, its parent's cwd is read at the death.
// Exit events are converted at poll() time, after every tracer's batch of
// the same wake-up has been delivered, so an exec and its exit a few
// milliseconds later join whatever order the rings were drained in.
import * as fs from 'node:fs';
import { tracerManager, type TracerManager } from '../tracers/manager.js';
import type { ExitEvent } from '../tracers/exit/tracer.js';
import type { ExecEvent } from '../tracers/exec/tracer.js';
import { monotonicUsec } from '../collectors/kmsg.js';
import { Ring } from '../store/ring.js';
import { PidMap } from '../store/pid-map.js';
import { EbpfFailureCorrelator, type FailureFeed, type RecordedExit } from './exit-correlator.js';
import { CORE_SIGNALS, FAULT_SIGNALS, type FailureEvent } from '../model/failures.js';
import { commandLine } from '../collectors/procfs/pid-cmdline.js';
import { readCorePattern } from '../collectors/coredump.js';

const CMDLINE_CACHE = 8192;
/** Process ends kept for the drill-in (any kind), and for how long. */
const RECENT_EXITS = 4096;
const RECENT_EXIT_MS = 10 * 60_000;
/** How long a reading of core_pattern (relative or not) is trusted. */
const CORE_PATTERN_MS = 5000;

/**
 * Whether core_pattern is a relative file path (a core then lands in the
 * process's cwd), read at most once per CORE_PATTERN_MS. Unreadable: assumed
 * relative (the kernel's default, "core").
 */
export function relativeCorePattern(procRoot = '/proc', now: () => number = Date.now): () => boolean {
  let at = -Infinity;
  let relative = true;
  return () => {
    const t = now();
    if (t - at < CORE_PATTERN_MS) return relative;
    at = t;
    try {
      relative = readCorePattern(procRoot).relative;
    } catch {
      relative = true;
    }
    return relative;
  };
}

function readCwd(pid: number, procRoot: string): string | null {
  try {
    return fs.readlinkSync(`${procRoot}/${pid}/cwd`);
  } catch {
    return null;
  }
}

function readCmdline(pid: number, procRoot: string): string | null {
  try {
    const b = fs.readFileSync(`${procRoot}/${pid}/cmdline`);
    if (!b.length) return null;
    return commandLine(b);
  } catch {
    return null;
  }
}

/** Converts decoded exit-tracer events to FailureEvents. Exported for tests (no native code needed). */
export class ExitEventAdapter {
  private corr = new EbpfFailureCorrelator();
  /** Command line per live pid (PidMap: CMDLINE_CACHE at most, the least recently set dropped first). */
  private cmdlines = new PidMap<string>(CMDLINE_CACHE);
  /** Working directory per live pid (where a relative core_pattern puts its core), read while it lived. */
  private cwds = new PidMap<string>(CMDLINE_CACHE);
  /** Every process end converted, normal ones too, newest last (bounded). */
  private recent = new Ring<RecordedExit>(RECENT_EXITS);
  /** Pids exec'd in this ring wake-up whose cwd is still to read (at its end: flushCwds). */
  private pendingCwds = new Set<number>();
  /** Pids whose end arrived in this wake-up (cleared by flushCwds). */
  private endedNow = new Set<number>();
  private flushQueued = false;
  /**
   * `cwdAtExec`: whether an exec's cwd is worth reading (a relative
   * core_pattern: relativeCorePattern()); the default reads it always.
   */
  constructor(
    private readonly procRoot = '/proc',
    private readonly clock = { wallMs: () => Date.now(), monoUsec: monotonicUsec },
    private readonly cwdAtExec: () => boolean = () => true,
  ) {}

  /** cwd reads done so far (successful or not: tests and the churn budget). */
  cwdReads = 0;

  /**
   * Read what is not known yet of a live pid: its command line, and its cwd
   * ('fresh': again, it may have changed since its exec; 'missing': when not
   * known; 'none': not at all, no core can come of it).
   */
  private remember(pid: number, cwd: 'fresh' | 'missing' | 'none'): void {
    if (cwd === 'fresh' || (cwd === 'missing' && !this.cwds.has(pid))) this.noteCwd(pid);
    if (this.cmdlines.has(pid)) return;
    this.cmdlineReads++;
    const c = readCmdline(pid, this.procRoot);
    if (c !== null) this.setCmdline(pid, c);
  }

  /** Read a live pid's cwd now; a failed read (it is gone) keeps what was known. */
  noteCwd(pid: number): void {
    this.pendingCwds.delete(pid);
    this.cwdReads++;
    const c = readCwd(pid, this.procRoot);
    if (c === null) return;
    this.cwds.delete(pid); // set again as the newest
    this.cwds.set(pid, c);
  }

  /**
   * As exit-tracer events arrive (before poll() converts them): a fatal
   * signal's target (or an OOM victim) is still alive, or dumping core, so
   * its command line, when no exec gave it, and, for a signal that dumps
   * core, its cwd are read now, when they are still there to read. (The
   * cwd only ever serves to find a core: a SIGKILL, SIGTERM or OOM kill
   * leaves none, and test suites and service managers send many.)
   */
  onRaw(events: readonly ExitEvent[]): void {
    for (const e of events) {
      if (e.kind === 'signal') this.remember(e.pid, CORE_SIGNALS.has(e.signal) ? 'fresh' : 'none');
      else if (e.kind === 'oom') this.remember(e.pid, 'none');
      else {
        // Ended: nothing left to read of it (and an exec of it later in this wake-up is not read either).
        this.pendingCwds.delete(e.pid);
        this.endedNow.add(e.pid);
        this.queueFlush();
      }
    }
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // After the wake-up's batches (the manager delivers them all in one call).
    queueMicrotask(() => this.flushCwds());
  }

  /** Read the cwds of this wake-up's execs that have not ended. Also run by convert(). */
  flushCwds(): void {
    this.flushQueued = false;
    this.endedNow.clear();
    if (this.pendingCwds.size === 0) return;
    for (const pid of this.pendingCwds) this.noteCwd(pid);
    this.pendingCwds.clear();
  }

  /** Command lines read from /proc so far (the lazy reads: tests and the start-up budget). */
  cmdlineReads = 0;

  private setCmdline(pid: number, c: string): void {
    this.cmdlines.delete(pid); // set again as the newest
    this.cmdlines.set(pid, c);
  }

  /** Successful execs replace a pid's command line. */
  onExec(events: readonly ExecEvent[]): void {
    for (const e of events) {
      if (e.ret !== 0) continue;
      this.setCmdline(e.pid, e.args.join(' ') + (e.argsTruncated ? ' …' : ''));
      if (this.endedNow.has(e.pid) || !this.cwdAtExec()) continue;
      this.pendingCwds.add(e.pid);
      this.queueFlush();
    }
  }

  private record(e: Extract<ExitEvent, { kind: 'exit' }>, ev: FailureEvent | null): void {
    // The correlator's sender (from signal_generate) is the better one; the
    // kernel-joined one names the faulting task itself for a fault.
    const sender = ev ? ev.sender : e.signal && e.sender ? (FAULT_SIGNALS.has(e.signal) && e.sender.pid === e.pid ? 'kernel' : e.sender) : null;
    this.recent.push({
      pid: e.pid, comm: e.comm, wallMs: e.time, ageMs: e.ageMs, exitCode: e.signal ? null : e.exitCode, signal: e.signal || null,
      coreDumped: e.coreDumped, oomKilled: e.oomKilled || ev?.kind === 'oom', sender,
    });
  }

  /** Recent ends of `pid`, oldest first (any kind; at most RECENT_EXITS kept, none older than 10 minutes). */
  exitsOf(pid: number): RecordedExit[] {
    const since = this.clock.wallMs() - RECENT_EXIT_MS;
    const out: RecordedExit[] = [];
    for (const r of this.recent) if (r.pid === pid && r.wallMs >= since) out.push(r);
    return out;
  }

  /** /proc/PID/cmdline at the exit (usually empty by then: the memory is gone). */
  private readLate(pid: number): string | null {
    this.cmdlineReads++;
    return readCmdline(pid, this.procRoot);
  }

  convert(events: readonly ExitEvent[]): FailureEvent[] {
    this.flushCwds();
    const out: FailureEvent[] = [];
    const nowWall = this.clock.wallMs();
    const nowMono = this.clock.monoUsec();
    const tsNs = (wallMs: number) => (nowMono - (nowWall - wallMs) * 1000) * 1000;
    for (const e of events) {
      if (e.kind === 'signal') {
        this.remember(e.pid, CORE_SIGNALS.has(e.signal) ? 'missing' : 'none');
        this.corr.onSignal({ tsNs: tsNs(e.time), sig: e.signal, code: e.code, targetPid: e.pid, targetComm: e.comm, senderPid: e.sender.pid, senderComm: e.sender.comm });
      } else if (e.kind === 'oom') {
        this.remember(e.pid, 'none');
        this.corr.onOom({
          tsNs: tsNs(e.time), pid: e.pid, comm: e.comm, totalVmKb: e.totalVmKb, rssKb: e.rssKb, anonRssKb: null, fileRssKb: null, shmemRssKb: null,
          pgtablesKb: null, oomScoreAdj: e.oomScoreAdj, uid: e.uid, triggerPid: e.trigger.pid, triggerComm: e.trigger.comm,
        });
      } else {
        // Only an abnormal end needs its command line: a normal one is not read at all.
        const abnormal = e.signal !== 0 || e.rawStatus !== 0;
        const cmdline = this.cmdlines.get(e.pid) ?? (abnormal ? this.readLate(e.pid) : null);
        // The cwd serves only to find a core: read late only when this end left one.
        const cwd = this.cwds.get(e.pid) ?? (e.coreDumped ? readCwd(e.pid, this.procRoot) : null);
        this.cmdlines.delete(e.pid);
        this.cwds.delete(e.pid);
        const ev = this.corr.onExit({
          tsNs: tsNs(e.time), pid: e.pid, tid: e.tid, ppid: e.ppid, comm: e.comm, cmdline, cwd, ageNs: e.ageMs * 1e6,
          exitCode: e.rawStatus, sender: e.sender, oomKilled: e.oomKilled,
        });
        // Died before its own cwd could be read (a crash right after exec): its parent's, read now, is where
        // a relative core_pattern most likely put the core (the shell it was started from).
        if (ev && ev.kind === 'signal' && e.coreDumped && !cwd && e.ppid > 0) ev.parentCwd = readCwd(e.ppid, this.procRoot);
        if (ev) out.push(ev);
        this.record(e, ev);
      }
    }
    return out;
  }
}

/** The exit tracer's feed; `adapter` is there for tests (what was read, and when). */
export type ExitTracerFeed = FailureFeed & { readonly adapter: ExitEventAdapter };

export function createExitTracerFeed(mgr: TracerManager = tracerManager(), procRoot = '/proc'): ExitTracerFeed {
  const adapter = new ExitEventAdapter(procRoot, undefined, relativeCorePattern(procRoot));
  /** Events waiting for the next poll: the newest 50000 (src/store Ring), the older ones counted as lost. */
  const raw = new Ring<ExitEvent>(50000);
  let lost = 0;
  const unsubs: Array<() => void> = [];
  const startedHere = new Set<string>();
  return {
    name: 'ebpf',
    adapter,
    start() {
      unsubs.push(mgr.onEvents<ExecEvent>('exec', (evs) => adapter.onExec(evs)));
      unsubs.push(mgr.onEvents<ExitEvent>('exit', (evs) => {
        adapter.onRaw(evs);
        for (const e of evs) if (raw.push(e) !== undefined) lost++;
      }));
      try {
        mgr.start('exit'); // shared with the exit pane when both are on (the manager counts users)
        startedHere.add('exit');
      } catch (e) {
        for (const u of unsubs.splice(0)) u();
        throw e;
      }
      // Optional: without exec, short-lived processes keep a null cmdline.
      try { mgr.start('exec'); startedHere.add('exec'); } catch { /* exit events still flow (exec may run with other options in its pane) */ }
    },
    poll() {
      const q = raw.toArray();
      raw.clear();
      return adapter.convert(q);
    },
    drops() {
      if (!mgr.isRunning('exit')) return 0;
      try {
        const d = mgr.drops('exit');
        return d.ring + d.map + lost;
      } catch {
        return 0;
      }
    },
    exitsOf: (pid) => adapter.exitsOf(pid),
    stop() {
      for (const u of unsubs.splice(0)) u();
      for (const name of startedHere) mgr.stop(name);
      startedHere.clear();
    },
  };
}

