// Source for the process drill-in view: samples ONE pid each tick and keeps
// the model of the last two samples plus a bounded history (sparklines).
//
// Invariants:
//  - Reads only /proc/PID/* of this pid (and its net namespace's socket
//    tables when it has sockets); nothing runs while the view is hidden.
//  - Once the process is gone (or its PID was reused by another process,
//    seen as a changed starttime) the Source stops reading and keeps
//    returning the last model, marked status 'exited'. It never throws for
//    /proc errors.
import type { Source } from '../app/view.js';
import { readProcDetail, readSystemInfo, realProcFs, type ProcDetailSample, type ReadDetailOptions, type SystemInfo } from '../collectors/proc-detail-read.js';
import {
  ProcessHistoryBuffer, deriveProcessDetail, emptyHistory, markExited, pidReused,
  type ProcessDetailModel,
} from '../model/process-detail.js';

export interface ProcessSourceOptions extends Omit<ReadDetailOptions, 'now'> {
  sys?: SystemInfo;
  historySize?: number;
  /** Wall clock, epoch ms (default Date.now). Sample times, ages and exit times come from it. */
  clock?: () => number;
}

/** A model for a pid that was never seen alive. */
export function missingProcessModel(pid: number, at: number, errors: ProcDetailSample['errors'] = {}): ProcessDetailModel {
  return {
    pid, status: 'exited', exitedAt: at, time: at, intervalSec: null,
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
    history: emptyHistory(), threads: [], threadTotal: 0, fds: [], fdTotal: 0, fdKinds: {}, sockets: [], limits: [], environ: null,
    errors: { ...errors },
  };
}

export class ProcessSource implements Source<ProcessDetailModel> {
  private prev: ProcDetailSample | undefined;
  private last: ProcessDetailModel | undefined;
  private readonly history: ProcessHistoryBuffer;
  private readonly sys: SystemInfo;
  private exited = false;

  constructor(readonly pid: number, private readonly opts: ProcessSourceOptions = {}) {
    this.sys = opts.sys ?? readSystemInfo(opts.fs ?? realProcFs());
    this.history = new ProcessHistoryBuffer(opts.historySize ?? 120);
  }

  /**
   * The shell passes a monotonic tick time; the model needs wall-clock
   * times (start time, age, exit time), so the Source reads its own clock.
   */
  collect(_tick?: number): void {
    if (this.exited) return;
    const now = (this.opts.clock ?? Date.now)();
    let cur: ProcDetailSample;
    try {
      cur = readProcDetail(this.pid, { ...this.opts, now });
    } catch {
      // readProcDetail does not throw for /proc errors; anything else
      // (a bug, a broken fixture) must not take the UI down either.
      return;
    }
    if (cur.gone || pidReused(this.prev, cur)) {
      this.exited = true;
      this.last = this.last ? markExited(this.last, now) : missingProcessModel(this.pid, now, cur.errors);
      this.prev = undefined;
      return;
    }
    const m = deriveProcessDetail(this.prev, cur, this.sys);
    m.history = this.history.push(m);
    this.prev = cur;
    this.last = m;
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

  dispose(): void {
    this.prev = undefined;
    this.history.clear();
  }
}
