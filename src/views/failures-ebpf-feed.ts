// Binds the exit tracer (src/tracers/exit.ts: sched_process_exit +
// signal_generate + oom:mark_victim, joined in the kernel) to the failures
// timeline through EbpfFailureCorrelator. Importing this module installs
// the feed factory the failures hub uses.
//
// The tracer may already run for the exit pane; then the feed only
// subscribes and leaves it running on stop(). The exit event carries no
// command line, so the feed reads /proc/PID/cmdline as soon as a fatal
// signal or OOM mark for PID arrives (the process is usually still there)
// and keeps it for the exit; processes that die without one (exit(1)) get
// a cmdline only if they are still a zombie with one, else null.
import * as fs from 'node:fs';
import { tracerManager, type TracerManager } from '../tracers/manager.js';
import type { ExitEvent } from '../tracers/exit.js';
import { monotonicUsec } from '../collectors/kmsg.js';
import { EbpfFailureCorrelator, type FailureFeed } from '../model/failures-ebpf.js';
import type { FailureEvent } from '../model/failures.js';
import { setFailureFeedFactory } from './failures-source.js';

const CMDLINE_CACHE = 1024;

function readCmdline(pid: number, procRoot: string): string | null {
  try {
    const b = fs.readFileSync(`${procRoot}/${pid}/cmdline`);
    if (!b.length) return null;
    return b.toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

/** Converts decoded exit-tracer events to FailureEvents. Exported for tests (no native code needed). */
export class ExitEventAdapter {
  private corr = new EbpfFailureCorrelator();
  private cmdlines = new Map<number, string>();
  constructor(private readonly procRoot = '/proc', private readonly clock = { wallMs: () => Date.now(), monoUsec: monotonicUsec }) {}

  private remember(pid: number): void {
    if (this.cmdlines.has(pid)) return;
    const c = readCmdline(pid, this.procRoot);
    if (c === null) return;
    this.cmdlines.set(pid, c);
    if (this.cmdlines.size > CMDLINE_CACHE) this.cmdlines.delete(this.cmdlines.keys().next().value!);
  }

  convert(events: readonly ExitEvent[]): FailureEvent[] {
    const out: FailureEvent[] = [];
    const nowWall = this.clock.wallMs();
    const nowMono = this.clock.monoUsec();
    const tsNs = (wallMs: number) => (nowMono - (nowWall - wallMs) * 1000) * 1000;
    for (const e of events) {
      if (e.kind === 'signal') {
        this.remember(e.pid);
        this.corr.onSignal({ tsNs: tsNs(e.time), sig: e.signal, code: e.code, targetPid: e.pid, targetComm: e.comm, senderPid: e.sender.pid, senderComm: e.sender.comm });
      } else if (e.kind === 'oom') {
        this.remember(e.pid);
        this.corr.onOom({
          tsNs: tsNs(e.time), pid: e.pid, comm: e.comm, totalVmKb: e.totalVmKb, rssKb: e.rssKb, anonRssKb: null, fileRssKb: null, shmemRssKb: null,
          pgtablesKb: null, oomScoreAdj: e.oomScoreAdj, uid: e.uid, triggerPid: e.trigger.pid, triggerComm: e.trigger.comm,
        });
      } else {
        const cmdline = this.cmdlines.get(e.pid) ?? readCmdline(e.pid, this.procRoot);
        this.cmdlines.delete(e.pid);
        const ev = this.corr.onExit({
          tsNs: tsNs(e.time), pid: e.pid, tid: e.tid, ppid: e.ppid, comm: e.comm, cmdline, ageNs: e.ageMs * 1e6,
          exitCode: e.rawStatus, sender: e.sender, oomKilled: e.oomKilled,
        });
        if (ev) out.push(ev);
      }
    }
    return out;
  }
}

export function createExitTracerFeed(mgr: TracerManager = tracerManager(), procRoot = '/proc'): FailureFeed {
  const adapter = new ExitEventAdapter(procRoot);
  let queue: FailureEvent[] = [];
  let unsubscribe: (() => void) | null = null;
  let startedHere = false;
  return {
    name: 'ebpf',
    start() {
      unsubscribe = mgr.onEvents<ExitEvent>('exit', (evs) => {
        queue.push(...adapter.convert(evs));
        if (queue.length > 10000) queue.splice(0, queue.length - 10000);
      });
      if (!mgr.isRunning('exit')) {
        try {
          mgr.start('exit');
          startedHere = true;
        } catch (e) {
          unsubscribe();
          unsubscribe = null;
          throw e;
        }
      }
    },
    poll() {
      const q = queue;
      queue = [];
      return q;
    },
    drops() {
      if (!mgr.isRunning('exit')) return 0;
      try {
        const d = mgr.drops('exit');
        return d.ring + d.map;
      } catch {
        return 0;
      }
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
      if (startedHere) mgr.stop('exit');
      startedHere = false;
    },
  };
}

setFailureFeedFactory(() => createExitTracerFeed());
