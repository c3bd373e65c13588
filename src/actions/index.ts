// What a person can do to the system from a screen: send a signal, renice,
// write a core (gcore), attach gdb, open a core in gdb. Screens never call
// these modules: they ask the app's API (AppApi.actions, src/app/view.ts),
// whose Actions object is made here, once per app. So a Screen never acts
// on the system itself, and a test gives a screen a fake Actions.
//
// The Actions object also tells who wants to know that a renice changed a
// nice value (the top view's Source re-reads that process's NI and PRI at
// once): its listeners are its own, not a module-level set.
import type { CoreDumpFile } from '../collectors/coredump.js';
import { ostopCoreDir } from '../util/private-dir.js';
import { runGcore } from './gcore.js';
import { gdbAttachCommand, gdbDumpCommand } from './gdb.js';
import { renice, realReniceDeps, type ReniceDeps } from './renice.js';
import { DEFAULT_SIGNAL_INDEX, SIGNALS, sendSignal, signalMenuItems, type ActionResult, type SignalInfo } from './signal.js';
import type { Command } from './gcore.js';

export type { ActionResult, SignalInfo, Command };

export type ReniceListener = (pid: number, nice: number) => void;

/** Who wants to be told of a renice that changed a nice value. */
export interface ReniceEvents {
  /** Called right after every renice that changed a nice value; returns the unsubscribe function. */
  onRenice(l: ReniceListener): () => void;
}

export interface Actions extends ReniceEvents {
  /** Set when every action is refused (replay: the processes shown are recorded): a screen says it at the key, before any menu. */
  readonly refusal?: string;
  /** The signal menu, SIGTERM first by default (numbers are this platform's). */
  readonly signals: readonly SignalInfo[];
  readonly defaultSignalIndex: number;
  /** Menu labels like " 15 SIGTERM  terminate (ask nicely)". */
  signalMenuItems(): string[];
  /** Send a signal to one process (never a group: pid must be > 0). */
  sendSignal(pid: number, sig: string | number): ActionResult;
  /** Change the nice value of every thread of pid by delta (clamped to -20..19). */
  renice(pid: number, delta: number): ActionResult & { nice?: number };
  /** The private directory gcore writes into (docs/security.md 4). */
  coreDir(): string;
  /** Write a core of `pid` into coreDir() without taking the terminal; calls back with the path or an error to show. */
  gcore(pid: number, comm: string, done: (err: string | null, path: string | null) => void): void;
  /** `gdb -q -p PID` (run it through AppApi.suspendAndRun), or why not. */
  gdbAttach(pid: number): Command | { error: string };
  /** How to open a core in gdb (with its executable when it can be trusted), or why not. */
  gdbDump(dump: CoreDumpFile, exeFallback: string | null): (Command & { note?: string }) | { error: string };
}

export interface ActionsDeps {
  kill?: (pid: number, sig: number) => void;
  renice?: ReniceDeps;
  coreDir?: string;
}

export function createActions(deps: ActionsDeps = {}): Actions {
  const listeners = new Set<ReniceListener>();
  const tell = (pid: number, nice: number): void => {
    for (const l of listeners) {
      try {
        l(pid, nice);
      } catch {
        /* a listener's failure is not the renice's */
      }
    }
  };
  const coreDir = (): string => deps.coreDir ?? ostopCoreDir();
  return {
    signals: SIGNALS,
    defaultSignalIndex: DEFAULT_SIGNAL_INDEX,
    signalMenuItems,
    sendSignal: (pid, sig) => (deps.kill ? sendSignal(pid, sig, deps.kill) : sendSignal(pid, sig)),
    renice: (pid, delta) => renice(pid, delta, deps.renice ?? realReniceDeps, tell),
    onRenice(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    coreDir,
    gcore: (pid, comm, done) => runGcore(pid, comm, coreDir(), done),
    gdbAttach: (pid) => gdbAttachCommand(pid),
    gdbDump: (dump, exe) => gdbDumpCommand(dump, exe),
  };
}
