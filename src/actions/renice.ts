// Changing the nice value of a process (F7/F8 in the top view and the
// drill-in), through the app's actions.
//
// Invariants:
//  - Only a positive integer pid is ever passed to setpriority(2).
//  - On Linux the nice value is per thread, so renice() applies the new
//    value to every thread in /proc/PID/task (like htop), not only to the
//    main thread as setpriority(PRIO_PROCESS, pid) alone would.
//  - Errors are returned, never thrown (errno code and a message).
//  - renice() itself tells no one: the Actions object (src/actions/index.ts)
//    that ran it tells its own listeners (no module-level listener set).
import * as fs from 'node:fs';
import * as os from 'node:os';
import { errResult, validPid, type ActionResult } from './signal.js';

export interface ReniceDeps {
  getPriority(pid: number): number;
  setPriority(pid: number, prio: number): void;
  /** Thread ids of pid (default: /proc/PID/task). */
  tasks(pid: number): number[];
}

export const realReniceDeps: ReniceDeps = {
  getPriority: (pid) => os.getPriority(pid),
  setPriority: (pid, prio) => os.setPriority(pid, prio),
  tasks: (pid) => {
    try {
      return fs.readdirSync(`/proc/${pid}/task`).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
    } catch {
      return [pid];
    }
  },
};

/**
 * Change the nice value of every thread of pid by delta (clamped to -20..19).
 * Lowering nice (delta < 0) needs CAP_SYS_NICE or a RLIMIT_NICE that allows it.
 * `changed` is called right after a nice value changed (at least one thread).
 */
export function renice(
  pid: number, delta: number, deps: ReniceDeps = realReniceDeps, changed?: (pid: number, nice: number) => void,
): ActionResult & { nice?: number } {
  if (!validPid(pid)) return { ok: false, code: 'EINVAL', message: `refusing to renice pid ${pid}` };
  let cur: number;
  try {
    cur = deps.getPriority(pid);
  } catch (e) {
    return errResult(e, `renice ${pid}`);
  }
  const next = Math.max(-20, Math.min(19, cur + Math.trunc(delta)));
  if (next === cur) return { ok: true, message: `${pid} already at nice ${cur}`, nice: cur };
  const tids = deps.tasks(pid);
  if (!tids.includes(pid)) tids.unshift(pid);
  let firstErr: unknown;
  let done = 0;
  for (const tid of tids) {
    try {
      deps.setPriority(tid, next);
      done++;
    } catch (e) {
      // A thread that exited meanwhile is fine; anything else is reported.
      if ((e as NodeJS.ErrnoException)?.code !== 'ESRCH' || tid === pid) firstErr ??= e;
    }
  }
  if (firstErr !== undefined && done === 0) return errResult(firstErr, `renice ${pid} to ${next}`);
  try {
    changed?.(pid, next);
  } catch {
    /* a listener's failure is not the renice's */
  }
  if (firstErr !== undefined) {
    const r = errResult(firstErr, `renice ${pid} to ${next} (only ${done}/${tids.length} threads)`);
    return r;
  }
  return { ok: true, message: `nice of ${pid} ${cur} -> ${next}`, nice: next };
}
