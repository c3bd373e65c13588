// The drill-in on a recorded tick (replay): what a tick holds of one
// process (its /proc/PID/stat fields, uid, command line, swap, /proc/PID/io
// counters) as the ProcDetailSample the drill-in's Source takes live, so the
// model comes from the one path (model/process-detail.ts deriveProcessDetail).
// What a tick does not record (threads, fds, sockets, smaps, limits,
// environment, cgroup, namespaces, exe, cwd, root) is marked NOTRECORDED in
// `errors`: the screen says "not recorded" instead of showing nothing as if
// it were empty.
import type { ProcDetailSample, ProcSection, SystemInfo } from '../collectors/proc-detail-read.js';
import { CLK_TCK } from '../collectors/procfs/pid-stat.js';
import { pageSize } from '../collectors/page-size.js';
import type { RecordedEvents, RecordedTick } from '../model/recorded.js';
import type { RecordedExit } from '../model/failures.js';

/** The error code of a section a tick does not record (src/model/process-detail-format.ts describeErrno says it). */
export const NOT_RECORDED = 'NOTRECORDED';

const NOT_IN_A_TICK: readonly ProcSection[] = ['exe', 'cwd', 'root', 'threads', 'fds', 'smaps', 'limits', 'environ', 'cgroup', 'namespaces', 'sockets'];

/** Process `pid` of `tick` as a drill-in sample; `gone` when the tick does not have it. */
export function recordedProcDetail(tick: RecordedTick, pid: number): ProcDetailSample {
  const errors: ProcDetailSample['errors'] = {};
  for (const s of NOT_IN_A_TICK) errors[s] = NOT_RECORDED;
  const t = tick.procs.tasks[String(pid)];
  if (!t) return { pid, time: tick.time, gone: true, errors };
  const { io, ...stat } = t;
  const uid = t.uid ?? t.ownerUid;
  if (!io) errors.io = NOT_RECORDED;
  const page = pageSize();
  return {
    pid, time: tick.time, gone: false,
    stat,
    status: {
      name: t.comm, state: t.state, tgid: t.pid, ppid: t.ppid,
      uids: uid === undefined ? undefined : [uid, uid, uid, uid],
      threads: t.numThreads,
      vmRssKb: Math.round((t.rssPages * page) / 1024),
      vmSizeKb: Math.round(t.vsize / 1024),
      vmSwapKb: t.swapKb,
      fields: {},
    },
    // Recorded as argv joined by spaces: split back on them (an argument with a space shows as two).
    cmdline: t.cmdline ? t.cmdline.split(' ') : [],
    // A copy (the drill-in keeps the previous sample for its rates, and the tick is the reader's: tickShared); syscr, syscw and cancelled_write_bytes are not recorded (nothing shows them).
    io: io ? { ...io, syscr: 0, syscw: 0, cancelledWriteBytes: 0 } : undefined,
    errors,
  };
}

/** The drill-in's system facts of the recorded machine (boot time, memory, CPUs), read from the feed's current tick each time. */
export function recordedSystemInfo(current: () => RecordedTick | undefined, userName: (uid: number) => string): SystemInfo {
  return {
    get btimeSec() { return current()?.machine.stat?.btime ?? 0; },
    clkTck: CLK_TCK,
    get memTotalKb() { return current()?.machine.meminfo?.values.MemTotal ?? 0; },
    get ncpu() { return Math.max(1, current()?.machine.stat?.cpusOnline ?? 1); },
    userName,
  };
}

/** How far before the cursor the drill-in looks for how a process ended (its Source asks for a while after the exit: 15 s). */
export const END_LOOKBACK_MS = 10 * 60_000;

/**
 * How process `pid` ended, as the store recorded it (the drill-in's exitsOf
 * in replay): its deaths in the failures timeline (signal, OOM kill,
 * non-zero exit, with the sender) and, for a process born and dead between
 * two ticks or one a tick saw (RecordedEvents.ended), its exit record, oldest first. Failure times are CLOCK_MONOTONIC
 * µs of their boot: converted with the clock of their tick (`events` from
 * recordedEvents, which fills it in for older stores). Stores written
 * before `ended` (or without the exit tracer) hold only the failures: a clean
 * exit of a process a tick saw is not there.
 */
export function recordedExitsOf(pid: number, events: Iterable<{ time: number; events: RecordedEvents }>): RecordedExit[] {
  const out: RecordedExit[] = [];
  for (const { time, events: ev } of events) {
    for (const f of ev.failures ?? []) {
      if (f.pid !== pid || (f.kind !== 'signal' && f.kind !== 'oom' && f.kind !== 'exit')) continue;
      const c = ev.clock;
      const wallMs = c ? c.wallMs - (c.mono * 1e6 - f.tsUsec) / 1000 : time;
      out.push({
        pid, comm: f.comm, wallMs, ageMs: f.ageMs ?? Number.NaN, exitCode: f.exitCode, signal: f.signal ?? (f.kind === 'oom' ? 9 : null),
        coreDumped: f.coreDumped === true, oomKilled: f.kind === 'oom', sender: f.sender,
      });
    }
    for (const x of [...(ev.exits ?? []), ...(ev.ended ?? [])]) {
      if (x.pid !== pid) continue;
      out.push({ pid, comm: x.comm, wallMs: x.endMs, ageMs: x.ageMs, exitCode: x.exitCode, signal: x.signal, coreDumped: x.coreDumped, oomKilled: false, sender: null });
    }
  }
  return out.sort((a, b) => a.wallMs - b.wallMs);
}
