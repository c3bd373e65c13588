// Sending a signal to one process, and the signal menu. Shared by the top
// view and the process drill-in screen (through the app's actions, never
// directly), so both offer the same signal list and report errors the same
// way.
//
// Invariants:
//  - Only a positive integer pid is ever passed to kill(2): pid 0 and
//    negative pids mean "process group" / "every process" to kill(2), and a
//    stray NaN or 0 from a parse must never become that.
//  - Errors are returned, never thrown, with the errno code (EPERM, ESRCH,
//    EACCES, EINVAL) and a message a person can act on.
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

export function validPid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0;
}

export function errResult(e: unknown, what: string): ActionResult {
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
