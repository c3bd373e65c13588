// Source for the process drill-in view: samples the ONE pid its request
// names each tick and keeps the model of the last two samples plus a bounded
// history (sparklines); a request for another pid starts it over.
//
// Invariants:
//  - Reads only /proc/PID/* of this pid (and its net namespace's socket
//    tables when it has sockets); nothing runs while the view is hidden.
//  - Once the process has exited (gone, a zombie, exiting during a read -
//    see ProcDetailSample.dying - or its PID reused by another process, seen
//    as a changed starttime) the Source stops sampling and keeps returning
//    the last model read while it lived, marked status 'exited': never the
//    zombie's torn-down state (no fds, no exe, cgroup /). How it ended comes
//    from the exit tracer the failures recorder already runs as root
//    (exitsOf, the failures hub: no second tracer), else from the zombie's
//    exit_code in /proc/PID/stat; it is looked up again for a while after
//    the exit, as the tracer's event may come a tick later.
//  - Never throws for /proc errors.
import type { ProcessRequest, Source } from '../model/view-contract.js';
import { readProcDetail, readSystemInfo, realProcFs, type ProcDetailSample, type ReadDetailOptions, type SystemInfo } from '../collectors/proc-detail-read.js';
import {
  deriveProcessDetail, emptyHistory, endFromRecordedExit, endFromWaitStatus, markExited, matchRecordedExit, newProcessSeries, pidReused, recordProcessHistory,
  type ProcessDetailModel, type ProcessEnd, type ProcessSeries,
} from '../model/process-detail.js';
import type { RecordedExit } from '../model/failures.js';

export interface ProcessSourceOptions extends Omit<ReadDetailOptions, 'now'> {
  sys?: SystemInfo;
  historySize?: number;
  /** Wall clock, epoch ms (default Date.now). Sample times, ages and exit times come from it. */
  clock?: () => number;
  /** Recent ends of a pid seen by the exit tracer (the failures hub's exitsOf); null or absent: no tracer runs, the zombie's exit_code only. */
  exitsOf?: (pid: number) => readonly RecordedExit[] | null;
  /**
   * Where samples come from instead of /proc (replay: src/views/recorded-process.ts
   * over the feed's current tick). Nothing of this machine is read then.
   */
  read?: (pid: number, now: number) => ProcDetailSample;
}

/** How long after the exit the end is still looked for (the tracer's event may lag a tick or two). */
const END_LOOKUP_MS = 15_000;

/** A model for a pid that was never seen alive. */
export function missingProcessModel(pid: number, at: number, errors: ProcDetailSample['errors'] = {}): ProcessDetailModel {
  return {
    pid, status: 'exited', exitedAt: at, end: null, endNote: null, time: at, intervalSec: null,
    identity: {
      pid, ppid: null, pgrp: null, session: null, comm: '', uid: null, user: null, euid: null, state: '?', stateName: 'unknown',
      nice: null, priority: null, threads: null, startTime: null, exe: null, cwd: null, root: null, cmdline: null,
      cgroup: null, cgroups: [], namespaces: [],
    },
    cpu: { percent: null, userPercent: null, systemPercent: null, timeSec: null, processor: null },
    memory: {
      rssKb: null, vszKb: null, peakRssKb: null, anonKb: null, fileKb: null, shmemKb: null, swapKb: null, pssKb: null,
      pssAnonKb: null, pssFileKb: null, pssShmemKb: null, swapPssKb: null, privateKb: null, sharedKb: null, memPercent: null,
    },
    io: null,
    ctxSwitches: { voluntary: null, nonvoluntary: null, voluntaryPerSec: null, nonvoluntaryPerSec: null, threadsCounted: null, note: null },
    history: emptyHistory(), threads: [], threadTotal: 0, fds: [], fdTotal: 0, fdKinds: {}, sockets: [], limits: [], environ: null, wchan: null, blocked: [],
    errors: { ...errors },
  };
}

export class ProcessSource implements Source<ProcessDetailModel, ProcessRequest> {
  /** The pid of the last request (0 before the first collect). */
  private shownPid = 0;
  private prev: ProcDetailSample | undefined;
  private last: ProcessDetailModel | undefined;
  /** The sparklines' series (src/store), the newest historySize points. */
  private readonly history: ProcessSeries;
  private readonly sys: SystemInfo;
  private exited = false;
  /** Time of the last sample that saw the process alive (ms). */
  private aliveAt = 0;
  /** Start time (ticks since boot) of the process shown, to tell a reused PID apart. */
  private starttime: number | undefined;
  /** A zombie's wait status, once read. */
  private zombieStatus: number | undefined;
  /** The end is known from the tracer (sender included), or the lookup gave up. */
  private endFinal = false;

  constructor(private readonly opts: ProcessSourceOptions = {}) {
    this.sys = opts.sys ?? readSystemInfo(opts.fs ?? realProcFs());
    if (opts.read && !opts.sys) throw new Error('ProcessSource: recorded samples need the recorded machine\'s SystemInfo (opts.sys)');
    this.history = newProcessSeries(opts.historySize ?? 120);
  }

  /** The pid the last request named. */
  get pid(): number | undefined {
    return this.shownPid || undefined;
  }

  /**
   * Samples the pid the request names. A request for another pid than the
   * last one starts over: no rates, history, exit or end carried from the
   * other process. The shell passes a monotonic tick time; the model needs
   * wall-clock times (start time, age, exit time), so the Source reads its
   * own clock.
   */
  collect(_tick: number, req: ProcessRequest): void {
    if (req.pid !== this.shownPid) this.restart(req.pid);
    const now = (this.opts.clock ?? Date.now)();
    if (this.exited) {
      this.lookUpEnd(now);
      return;
    }
    let cur: ProcDetailSample;
    try {
      cur = this.opts.read ? this.opts.read(this.shownPid, now) : readProcDetail(this.shownPid, { ...this.opts, now });
    } catch {
      // readProcDetail does not throw for /proc errors; anything else
      // (a bug, a broken fixture) must not take the UI down either.
      return;
    }
    if (cur.gone || pidReused(this.prev, cur)) return this.exit(now);
    if (cur.dying) {
      // Exiting or a zombie: its files are torn down. Keep what was read
      // while it lived; a process first seen dying shows what is left.
      if (cur.zombieWaitStatus !== undefined) this.zombieStatus = cur.zombieWaitStatus;
      this.starttime ??= cur.stat?.starttime;
      return this.exit(now, this.last ? undefined : cur);
    }
    const m = deriveProcessDetail(this.prev, cur, this.sys);
    m.history = recordProcessHistory(this.history, m);
    this.prev = cur;
    this.last = m;
    this.aliveAt = cur.time;
    this.starttime = cur.stat?.starttime;
  }

  private exit(now: number, firstSeenDying?: ProcDetailSample): void {
    this.exited = true;
    if (!this.last && !firstSeenDying) {
      // Never seen: nothing to keep, and no way to know which end would be its.
      this.last = missingProcessModel(this.shownPid, now);
      this.endFinal = true;
      return;
    }
    const base = this.last ?? deriveProcessDetail(undefined, firstSeenDying!, this.sys);
    if (!this.last) this.aliveAt = firstSeenDying!.time;
    this.last = markExited(base, now);
    this.prev = undefined;
    this.lookUpEnd(now);
  }

  /** How it ended: the exit tracer's record (sender included), else the zombie's exit_code. */
  private lookUpEnd(now: number): void {
    const m = this.last;
    if (!m || this.endFinal) return;
    let end: ProcessEnd | null = null;
    const exits = this.opts.exitsOf?.(this.shownPid) ?? null;
    const tracer = exits !== null;
    const rec = exits ? matchRecordedExit(exits, this.aliveAt, m.identity.startTime) : null;
    if (rec) {
      end = endFromRecordedExit(rec);
      this.endFinal = true;
    } else {
      if (this.zombieStatus === undefined) this.readZombie();
      if (this.zombieStatus !== undefined) end = endFromWaitStatus(this.zombieStatus);
      if (now - (m.exitedAt ?? now) > END_LOOKUP_MS) this.endFinal = true;
    }
    let endNote: string | null = null;
    if (!end) {
      endNote = tracer
        ? 'how it ended was not seen (not in the exit tracer\'s records)'
        : 'how it ended was not seen: its parent reaped it before it was read as a zombie (as root, the exit tracer records every end)';
    } else if (end.source === 'zombie' && end.signal !== null) {
      endNote = tracer ? 'sender not (yet) in the exit tracer\'s records' : 'sender unknown: the exit tracer (root) records who sent a signal';
    }
    if (end !== m.end || endNote !== m.endNote) this.last = { ...m, end, endNote };
  }

  /** A zombie still in /proc (same start time): its wait status from stat's exit_code. */
  private readZombie(): void {
    if (this.starttime === undefined || this.opts.read) return; // recorded samples have no zombie to read
    try {
      const z = readProcDetail(this.shownPid, { ...this.opts, sections: ['stat', 'status'] });
      if (z.stat?.starttime === this.starttime && z.zombieWaitStatus !== undefined) this.zombieStatus = z.zombieWaitStatus;
    } catch {
      // not expected (readProcDetail does not throw for /proc errors): the end stays unknown
    }
  }

  model(): ProcessDetailModel | undefined {
    return this.last;
  }

  /** True once the process has exited (the model then holds its last values). */
  get gone(): boolean {
    return this.exited;
  }

  reset(): void {
    // Rates restart from the next sample; the history and last model stay,
    // so coming back to the screen still shows the graphs.
    this.prev = undefined;
  }

  /** Replay jumped: forget every sample, the history and the end (the next samples are from another time). */
  rewind(): void {
    this.restart(this.shownPid);
  }

  dispose(): void {
    this.prev = undefined;
    for (const s of Object.values(this.history)) s.clear();
  }

  /** Forget everything of the previous pid: samples, model, history, exit and end. */
  private restart(pid: number): void {
    this.shownPid = pid;
    this.prev = undefined;
    this.last = undefined;
    for (const s of Object.values(this.history)) s.clear();
    this.exited = false;
    this.aliveAt = 0;
    this.starttime = undefined;
    this.zombieStatus = undefined;
    this.endFinal = false;
  }
}
