// Actions on a process: send a signal, change its nice value. Shared by the
// top view and the process drill-in screen, so both offer the same signal
// list and report errors the same way.
//
// Invariants:
//  - Only a positive integer pid is ever passed to kill(2)/setpriority(2):
//    pid 0 and negative pids mean "process group" / "every process" to
//    kill(2), and a stray NaN or 0 from a parse must never become that.
//  - On Linux the nice value is per thread, so renice() applies the new
//    value to every thread in /proc/PID/task (like htop), not only to the
//    main thread as setpriority(PRIO_PROCESS, pid) alone would.
//  - Errors are returned, never thrown, with the errno code (EPERM, ESRCH,
//    EACCES, EINVAL) and a message a person can act on.
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface SignalInfo {
  name: string;
  number: number;
  description: string;
}

const SIG = os.constants.signals as Record<string, number>;

const LIST: Array<[string, string]> = [
  ['SIGTERM', 'terminate (ask nicely)'],
  ['SIGKILL', 'kill (cannot be caught)'],
  ['SIGINT', 'interrupt (Ctrl-C)'],
  ['SIGHUP', 'hangup / reload config'],
  ['SIGQUIT', 'quit and dump core'],
  ['SIGSTOP', 'stop (cannot be caught)'],
  ['SIGCONT', 'continue if stopped'],
  ['SIGTSTP', 'terminal stop (Ctrl-Z)'],
  ['SIGUSR1', 'user-defined 1'],
  ['SIGUSR2', 'user-defined 2'],
  ['SIGABRT', 'abort and dump core'],
  ['SIGALRM', 'alarm clock'],
  ['SIGPIPE', 'broken pipe'],
  ['SIGCHLD', 'child status changed'],
  ['SIGWINCH', 'window size changed'],
  ['SIGTTIN', 'background read from tty'],
  ['SIGTTOU', 'background write to tty'],
  ['SIGSEGV', 'segmentation fault'],
  ['SIGBUS', 'bus error'],
  ['SIGFPE', 'floating-point exception'],
  ['SIGILL', 'illegal instruction'],
  ['SIGTRAP', 'trace trap'],
  ['SIGSYS', 'bad system call'],
  ['SIGXCPU', 'CPU time limit exceeded'],
  ['SIGXFSZ', 'file size limit exceeded'],
  ['SIGVTALRM', 'virtual alarm clock'],
  ['SIGPROF', 'profiling timer'],
  ['SIGIO', 'I/O possible'],
  ['SIGPWR', 'power failure'],
  ['SIGURG', 'urgent socket data'],
];

/** The signal menu, SIGTERM first (the default). Numbers are this platform's. */
export const SIGNALS: readonly SignalInfo[] = LIST.filter(([n]) => SIG[n] !== undefined).map(([name, description]) => ({
  name, number: SIG[name], description,
}));

export const DEFAULT_SIGNAL_INDEX = Math.max(0, SIGNALS.findIndex((s) => s.name === 'SIGTERM'));

/** Menu labels like " 15 SIGTERM  terminate (ask nicely)". */
export function signalMenuItems(): string[] {
  return SIGNALS.map((s) => `${String(s.number).padStart(2)} ${s.name.padEnd(9)} ${s.description}`);
}

export type ActionResult = { ok: true; message: string } | { ok: false; code: string; message: string };

function validPid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0;
}

function errResult(e: unknown, what: string): ActionResult {
  const code = (e as NodeJS.ErrnoException)?.code ?? 'EIO';
  const why: Record<string, string> = {
    EPERM: 'permission denied (not your process; run as its owner or root)',
    EACCES: 'permission denied (lowering nice needs CAP_SYS_NICE or root)',
    ESRCH: 'no such process (it has exited)',
    EINVAL: 'invalid argument',
  };
  return { ok: false, code, message: `${what}: ${why[code] ?? (e as Error)?.message ?? code}` };
}

/** Resolve a signal name ("TERM", "SIGTERM") or number to its number; undefined if unknown. */
export function signalNumber(sig: string | number): number | undefined {
  if (typeof sig === 'number') return Number.isInteger(sig) && sig >= 0 && sig <= 64 ? sig : undefined;
  const up = sig.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  if (SIG[name] !== undefined) return SIG[name];
  const n = Number(sig);
  return /^\d+$/.test(sig) ? signalNumber(n) : undefined;
}

export function signalName(n: number): string {
  return SIGNALS.find((s) => s.number === n)?.name ?? Object.keys(SIG).find((k) => SIG[k] === n) ?? `signal ${n}`;
}

/** Send a signal to one process (never to a group: pid must be > 0). */
export function sendSignal(pid: number, sig: string | number, kill: (pid: number, sig: number) => void = process.kill.bind(process)): ActionResult {
  if (!validPid(pid)) return { ok: false, code: 'EINVAL', message: `refusing to signal pid ${pid}` };
  const num = signalNumber(sig);
  if (num === undefined) return { ok: false, code: 'EINVAL', message: `unknown signal ${sig}` };
  try {
    kill(pid, num);
    return { ok: true, message: `sent ${signalName(num)} to ${pid}` };
  } catch (e) {
    return errResult(e, `${signalName(num)} to ${pid}`);
  }
}

export interface ReniceDeps {
  getPriority(pid: number): number;
  setPriority(pid: number, prio: number): void;
  /** Thread ids of pid (default: /proc/PID/task). */
  tasks(pid: number): number[];
}

const realDeps: ReniceDeps = {
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

type ReniceListener = (pid: number, nice: number) => void;
const reniceListeners = new Set<ReniceListener>();

/**
 * Be told of every renice() that changed a nice value (pid and the new
 * value), right after it: a view that shows NI re-reads that process then,
 * so the change shows at the next redraw instead of one refresh later (or
 * not at all while paused). Returns the function that unsubscribes.
 */
export function onRenice(l: ReniceListener): () => void {
  reniceListeners.add(l);
  return () => reniceListeners.delete(l);
}

function reniced(pid: number, nice: number): void {
  for (const l of reniceListeners) {
    try {
      l(pid, nice);
    } catch {
      /* a listener's failure is not the renice's */
    }
  }
}

/**
 * Change the nice value of every thread of pid by delta (clamped to -20..19).
 * Lowering nice (delta < 0) needs CAP_SYS_NICE or a RLIMIT_NICE that allows it.
 */
export function renice(pid: number, delta: number, deps: ReniceDeps = realDeps): ActionResult & { nice?: number } {
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
  reniced(pid, next);
  if (firstErr !== undefined) {
    const r = errResult(firstErr, `renice ${pid} to ${next} (only ${done}/${tids.length} threads)`);
    return r;
  }
  return { ok: true, message: `nice of ${pid} ${cur} -> ${next}`, nice: next };
}
