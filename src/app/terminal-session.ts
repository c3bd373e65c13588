// The terminal's side of the shell: signals, suspend/resume and the native
// fault guard. Invariant: whatever happens (quit key, SIGTERM, SIGHUP, an
// exception, a fatal signal, Ctrl-Z), the terminal is given back as it was
// (alternate screen left, raw mode off, cursor shown) before ostop exits or
// stops, and a resumed ostop repaints everything at once.
// Tested end to end in test/e2e/signals.test.ts.
import type blessed from 'blessed';
import { constants as osConstants } from 'node:os';
import { loadNative } from '../native.js';
import { sanitize } from '../util/text.js';

const osSignals = osConstants.signals as Record<NodeJS.Signals, number>;

/**
 * Signals whose default action ends the process and that a JS listener can
 * handle (SIGINT, SIGTERM and SIGHUP quit cleanly instead; SIGUSR1 is taken
 * by bin/ostop.js so that Node opens no inspector; SIGPIPE Node ignores).
 */
export const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGQUIT', 'SIGTRAP', 'SIGUSR2', 'SIGALRM', 'SIGSTKFLT', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGIO', 'SIGPWR', 'SIGSYS'];

/**
 * What the native guard writes when ostop dies of a fault: attributes off,
 * full scroll region, mouse reporting off, cursor shown, keypad off, main
 * screen (what blessed's leave() sends, in xterm's sequences, which every
 * terminal ostop supports understands or ignores).
 */
const TERMINAL_RESET = '\x1b[0m\x1b[r\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?1015l\x1b[?25h\x1b[?1l\x1b>\x1b[?1049l';

/** What the session needs of the app. */
export interface TerminalHost {
  /** The app is quitting (or has quit): signals and resumes change nothing any more. */
  exiting(): boolean;
  /** A quit with this exit status (SIGTERM, SIGHUP, SIGINT: 128+N), through the dispatcher. */
  quitWith(code: number): void;
  /** Sets the exit status if none is set yet (a fatal signal). */
  markExit(code: number): void;
  /** Everything the app must release on the way out (views, tracers, the screen); calls release() last. */
  restore(): void;
  /** Stop the refresh timer (suspended). */
  pause(): void;
  /** Collect and draw soon (resumed). */
  resume(): void;
  /** Draw the current view and the bars. */
  render(): void;
}

export class TerminalSession {
  private guardArmed = false;
  private suspended = false;
  private resumeProgram: (() => void) | undefined;
  private signalHandlers: Array<[NodeJS.Signals, () => void]> = [];

  constructor(private screen: blessed.Widgets.Screen, private host: TerminalHost) {}

  /**
   * Faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL), SIGABRT and the real-time
   * signals never reach a JS listener in time (native/addon/termguard.cc):
   * the addon restores the terminal from a plain signal handler. Called
   * before blessed turns on raw mode: the termios to restore.
   */
  static armNativeGuard(): boolean {
    if (!process.stdout.isTTY || !process.stdin.isTTY) return false;
    const n = loadNative();
    if (!n.ok || !n.addon.armTerminalGuard) return false;
    try {
      n.addon.armTerminalGuard(1, 0, TERMINAL_RESET);
      return true;
    } catch {
      /* an old build without the guard: the JS handlers still cover the common signals */
      return false;
    }
  }

  /** The guard was armed (before the screen existed): release() disarms it. */
  guarded(armed: boolean): void {
    this.guardArmed = armed;
  }

  /** Installs the signal handlers (once, when the app runs). */
  install(): void {
    // SIGTERM, SIGHUP, SIGINT: a clean quit (tracers detached, screen
    // restored) with the status a shell expects of that signal (128+N).
    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
      const h = () => this.host.quitWith(128 + osSignals[sig]);
      process.on(sig, h);
      this.signalHandlers.push([sig, h]);
    }
    // Every other signal whose default action ends the process: restore the
    // terminal, then die of the same signal (core dump, status 128+N).
    // Faults, SIGABRT and the real-time signals: the native guard above.
    for (const sig of FATAL_SIGNALS) {
      const h = () => this.dieOf(sig);
      process.on(sig, h);
      this.signalHandlers.push([sig, h]);
    }
    // Ctrl-Z as a key (raw mode) and SIGTSTP from kill: suspend as a shell expects.
    process.on('SIGTSTP', this.onTstp);
    process.on('SIGCONT', this.onCont);
    process.on('uncaughtException', (e) => {
      this.host.restore();
      process.stderr.write(`ostop: internal error: ${String(e.stack ?? e).split('\n').map(sanitize).join('\n')}\n`);
      process.exit(70);
    });
  }

  /** After the first quit, signals act as usual again (a second Ctrl-C or kill ends ostop at once). */
  uninstallQuitSignals(): void {
    for (const [sig, h] of this.signalHandlers) process.off(sig, h);
  }

  /** The terminal's part of the way out, after the screen is destroyed. */
  release(): void {
    // Belt and braces: blessed normally does this in destroy().
    if (process.stdin.isTTY) {
      try { process.stdin.setRawMode(false); } catch { /* not a tty any more */ }
    }
    process.off('SIGTSTP', this.onTstp);
    process.off('SIGCONT', this.onCont);
    if (this.guardArmed) {
      this.guardArmed = false;
      const n = loadNative();
      if (n.ok) n.addon.disarmTerminalGuard?.();
    }
  }

  /** A fatal signal: terminal back first, then the signal's own default action. */
  private dieOf(sig: NodeJS.Signals): void {
    this.host.markExit(128 + osSignals[sig]);
    for (const [s, h] of this.signalHandlers) process.off(s, h);
    this.host.restore();
    process.kill(process.pid, sig);
    // Not ended by it (a signal whose default is to be ignored here): exit as the shell expects.
    process.exit(128 + osSignals[sig]);
  }

  /** Ctrl-Z or SIGTSTP: give the terminal back as it was, then stop (the whole job, as a shell's ^Z does). */
  readonly onTstp = (): void => {
    if (this.suspended || this.host.exiting()) return;
    this.suspended = true;
    this.host.pause();
    // blessed's program.pause() queues its reset sequence and then mutes the
    // output before the queue is written: leave() writes and flushes it.
    const scr = this.screen as unknown as { leave(): void; enter(): void; _listenedMouse?: boolean; program: { input: NodeJS.ReadStream; enableMouse(): void } };
    scr.leave();
    const input = scr.program.input;
    if (input.isTTY) input.setRawMode(false);
    input.pause();
    this.resumeProgram = () => {
      if (input.isTTY) input.setRawMode(true);
      input.resume();
      scr.enter();
      if (scr._listenedMouse) scr.program.enableMouse();
    };
    // With our listener gone SIGTSTP has its default action again: stop.
    // A signal to our own group stops us before kill() returns; we go on
    // here after SIGCONT (or at once, where an orphaned group ignores it).
    process.off('SIGTSTP', this.onTstp);
    try {
      process.kill(0, 'SIGTSTP');
    } catch {
      process.kill(process.pid, 'SIGSTOP');
    }
    this.onCont();
  };

  /** fg (SIGCONT): raw mode, alternate screen and a full repaint; keys work at once. */
  private readonly onCont = (): void => {
    if (this.host.exiting()) return;
    if (!this.suspended) {
      // Stopped by SIGSTOP behind our back: the terminal may have been used meanwhile.
      this.repaintAll();
      return;
    }
    this.suspended = false;
    process.on('SIGTSTP', this.onTstp);
    this.resumeProgram?.();
    this.resumeProgram = undefined;
    this.repaintAll();
    this.host.resume();
  };

  /** Every cell drawn again (the terminal may have been used meanwhile). */
  repaintAll(): void {
    const program = (this.screen as unknown as { program: { hideCursor(): void; put: { keypad_xmit(): void } } }).program;
    program.hideCursor();
    try { program.put.keypad_xmit(); } catch { /* no keypad mode in this terminfo */ }
    this.screen.realloc();
    this.host.render();
  }
}
