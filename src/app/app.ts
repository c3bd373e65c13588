// The TUI shell: one blessed screen, one dispatcher for every AppEvent, a
// refresh scheduler, a view stack (Esc/Backspace returns to the previous
// view as it was), modal prompts/menus shared by all views, the help
// screen and the "terminal too small" guard.
// Invariant: whatever happens (quit key, SIGTERM, SIGHUP, an exception),
// the terminal is restored (alternate screen left, raw mode off, cursor
// shown) before the process exits.
import blessed from 'blessed';
import { installScreenDraw } from './screen-draw.js';
import { countTick, timed } from '../util/tick-stats.js';
import { started } from './startup.js';
import { loadNative } from '../native.js';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { chooseTerminal } from './terminal.js';
import { loadConfig, saveConfig, type Config } from './config.js';
import type { AppEvent } from './events.js';
import type { AppApi, Screen, Source, ViewContext, ViewDef, ViewEntry } from './view.js';
import { makeTheme, type Theme } from './theme.js';
import type { TopInputs } from '../views/top.js';
import { displayWidth, sanitize, truncateWidth } from '../util/text.js';
import type { FailuresHub } from '../failures/hub.js';
import type { PaneArea } from './panes.js';
import { createActions } from '../actions/index.js';
import { alignBlessedWidths } from './blessed-widths.js';

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

export const MIN_COLS = 40;
export const MIN_ROWS = 10;
const MAX_STACK = 8;
/** A cursor position (CUP) directly followed by another one. */
const REDUNDANT_CUP = /\x1b\[\d*;?\d*H(?=\x1b\[\d*;?\d*H)/g;

interface ViewInstance {
  def: ViewDef<unknown, unknown>;
  key: string;
  source: Source<unknown, unknown>;
  screen: Screen<unknown, unknown>;
  params: Record<string, unknown>;
}

/** What blessed passes with a keypress. */
interface BlessedKey { name?: string; full?: string; ctrl?: boolean; meta?: boolean; shift?: boolean; code?: string }

/**
 * The shifted F1-F4 blessed leaves unnamed (and then drops): xterm's
 * CSI 1;2 P..S (what xterm, VTE and xterm.js send for Shift-F3) and rxvt's
 * CSI 25~ / 26~ (S-F3, S-F4). tmux sends SS3 2 R, which blessed names.
 */
export function shiftedFunctionKey(key: BlessedKey): string | undefined {
  if (key.ctrl || key.meta) return undefined;
  if (key.code === '[25~') return 'f3';
  if (key.code === '[26~') return 'f4';
  const xterm: Record<string, string> = { '[P': 'f1', '[Q': 'f2', '[R': 'f3', '[S': 'f4' };
  return key.shift && key.code !== undefined ? xterm[key.code] : undefined;
}

/** blessed's key.full (what the key bindings match). */
export function keyFull(ch: string | undefined, key: BlessedKey): string {
  return key.full ?? key.name ?? ch ?? '';
}

/** The shell's own input line (search and filter bars): every edit is reported at once. */
export interface InputBarOptions {
  /** 'Search: ' */
  label: string;
  initial?: string;
  /** Keys shown after the text, e.g. 'F3 next  S-F3 prev  Esc cancel'. */
  hint?: string;
  /** After every edit (typed character, Backspace, Ctrl-U, Ctrl-W); a string returned is shown in the bar ('not found'). */
  onChange?(value: string): string | void;
  /** Keys that do not edit (F3, S-F3...): false = not handled (ignored); a string is shown in the bar. */
  onKey?(full: string, value: string): boolean | string;
  /** Enter: the text; Esc: null. */
  done(value: string | null): void;
}

/** Implemented by the shell; views call it when present and fall back to prompt(). */
export interface InputBarHost {
  inputBar(o: InputBarOptions): void;
}

/** Shown in the footer after the view's own keys when the width allows (F10 Quit always ends it). */
const FOOTER_EXTRAS: Array<[string, string]> = [['v', 'vmstat'], ['n', 'net'], ['i', 'io'], ['f', 'fail']];

const GLOBAL_HELP: Array<[string, string]> = [
  ['F1 ?', 'this help (Space/PgDn next page, Esc or q closes it)'],
  ['q F10', 'quit'],
  ['Tab', 'next view'],
  ['Esc Bksp', 'back to the previous view'],
  ['Z', 'pause / resume updates'],
  ['d', 'change the refresh delay'],
  ['Ctrl-L', 'redraw the screen'],
  ['Ctrl-Z', 'suspend (fg resumes)'],
  ['in a prompt', 'keys go to it only; Esc cancels, Ctrl-U erases the line'],
  ['units', 'sizes are binary (1K = 1024 bytes: 512B, 1.50K, 33.0M), byte rates are sizes per second (33.0M/s), counts are decimal (3.4k = 3,400); VIRT/RES/SHR show KiB as a plain number below 100000, as htop'],
];

/** How the TUI starts (from the command line, resolved by src/tui.ts). */
export interface AppOptions {
  /** -d: this session's refresh delay, not saved. */
  delaySec?: number;
  /** -p PID: the view shown over the home view at start. */
  first?: { id: string; params: Record<string, unknown> };
  /** The trace panes (keys 1-7), from the composition root (screens/trace-panes.ts). */
  panes?: (ctx: { screen: blessed.Widgets.Screen; theme: Theme; app: AppApi }) => PaneArea;
}

/** No trace panes (tests of the shell alone): keys 1-7 do nothing. */
const NO_PANES: PaneArea = {
  toggle() {}, toggleKeys: () => '', setScopePid() {}, handleKey: () => false, focused: () => undefined, statusLine: () => '', footer: () => [], help: () => [],
  desiredHeight: () => 0, mount() {}, unmount() {}, render() {}, perPid: () => new Map(), active: () => [], dispose() {},
};

/** The config file's state at start. */
export interface ConfigState {
  /** false when the file exists but is unusable: it is then never overwritten. */
  saveEnabled: boolean;
  /** Shown in the status line at start (the file's problem, or an unknown -u user). */
  startError?: string;
}

export class App implements AppApi {
  readonly actions = createActions();
  readonly screen: blessed.Widgets.Screen;
  private body: blessed.Widgets.BoxElement;
  private statusBar: blessed.Widgets.BoxElement;
  private footerBar: blessed.Widgets.BoxElement;
  private tooSmall: blessed.Widgets.BoxElement;
  private stack: ViewInstance[] = [];
  private current!: ViewInstance;
  private cache = new Map<string, ViewInstance>();
  private modal: blessed.Widgets.BlessedElement | undefined;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private collecting = false;
  private statusMsg = '';
  private statusTimer: NodeJS.Timeout | undefined;
  private exitCode: number | undefined;
  private finish!: (code: number) => void;
  private saveEnabled: boolean;
  private restored = false;
  private paneBox: blessed.Widgets.BoxElement;
  readonly panes: PaneArea;
  private sessionDelaySec: number | undefined;
  /** The home view (first in the Tab order, shown at start, kept alive). */
  private home: ViewEntry;

  constructor(
    readonly config: Config,
    private configFile: string,
    configState: ConfigState,
    readonly theme: Theme,
    terminal: string,
    colors: number,
    private ui: AppOptions,
    /** Every view, in Tab order, from the composition root (src/tui.ts). */
    private views: ViewEntry[],
    io?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream },
  ) {
    this.saveEnabled = configState.saveEnabled;
    this.sessionDelaySec = ui.delaySec;
    this.home = views.find((v) => v.home) ?? views[0];
    // Draw boxes with Unicode line characters (ASCII where the locale is not
    // UTF-8) rather than the DEC alternate charset: ACS breaks under tmux and
    // screen with converted terminfo entries and on many serial consoles.
    if (process.env.NCURSES_NO_UTF8_ACS === undefined) process.env.NCURSES_NO_UTF8_ACS = '1';
    alignBlessedWidths();
    // Before blessed turns on raw mode: the termios to restore on a fatal signal.
    if (!io) this.armNativeGuard();
    this.screen = blessed.screen({
      smartCSR: true,
      fullUnicode: true,
      terminal,
      warnings: false,
      autoPadding: false,
      title: 'ostop',
      sendFocus: false,
      dockBorders: true,
      ...(io ? { input: io.input, output: io.output } : {}),
    } as blessed.Widgets.IScreenOptions);
    installScreenDraw(this.screen); // fewer bytes per frame than blessed's draw (src/app/screen-draw.ts)
    // blessed's own draw (still used while an artificial cursor shows) starts
    // every redrawn line with a cursor move to its column 0 and then moves
    // again to the first changed cell: drop a cursor position that is
    // immediately overridden by another (fewer bytes over SSH).
    const program = (this.screen as unknown as { program: { _owrite(t: string): unknown } }).program;
    const owrite = program._owrite.bind(program);
    program._owrite = (t: string) => owrite(typeof t === 'string' ? t.replace(REDUNDANT_CUP, '') : t);
    // blessed drops keys it has no name for, Shift-F3 among them: name them
    // (S-f3) and hand them on as blessed hands on the keys it knows.
    const prog = (this.screen as unknown as { program: { input: NodeJS.EventEmitter; emit(ev: string, ...a: unknown[]): boolean } }).program;
    prog.input.on('keypress', (ch: string | undefined, key: BlessedKey | undefined) => {
      if (!key || key.name !== 'undefined') return;
      const name = shiftedFunctionKey(key);
      if (!name) return;
      const k = { ...key, name, shift: true, full: `S-${name}` };
      prog.emit('keypress', ch, k);
      prog.emit(`key ${k.full}`, ch, k);
    });
    const tput = (this.screen as unknown as { tput: { colors: number }; program: { tput: { colors: number } } });
    if (colors >= 0) {
      tput.tput.colors = colors;
      tput.program.tput.colors = colors;
    }
    this.body = blessed.box({ parent: this.screen, top: 0, left: 0, right: 0, bottom: 2, tags: true });
    // Trace panes (keys 1-7) share the area above the status line with the view.
    this.paneBox = blessed.box({ parent: this.screen, left: 0, right: 0, bottom: 2, height: 1, hidden: true });
    this.panes = ui.panes?.({ screen: this.screen, theme, app: this }) ?? NO_PANES;
    this.panes.mount(this.paneBox);
    this.statusBar = blessed.box({ parent: this.screen, bottom: 1, left: 0, right: 0, height: 1, tags: true });
    this.footerBar = blessed.box({ parent: this.screen, bottom: 0, left: 0, right: 0, height: 1, tags: true, style: theme.mono ? { inverse: true } : { bg: 'blue', fg: 'white' } });
    this.tooSmall = blessed.box({ parent: this.screen, top: 0, left: 0, width: '100%', height: '100%', hidden: true, tags: false, content: '' });

    // The verdict first, so a narrow status line still says what ostop did about it.
    if (configState.startError) this.status(`using defaults; the file will not be overwritten: ${configState.startError}`, 'error');
  }

  get delayMs(): number {
    // -d applies to this session only; the 'd' key changes (and saves) the configured delay.
    return Math.round((this.sessionDelaySec ?? this.config.delaySec) * 1000);
  }

  /** What the process table takes from the shell: the trace panes' per-PID rates and the renice events. */
  topInputs(): TopInputs {
    return { tracerRates: () => this.panes.perPid(), renice: this.actions };
  }

  saveConfig(): void {
    if (!this.saveEnabled) return;
    try {
      saveConfig(this.configFile, this.config);
    } catch (e) {
      this.saveEnabled = false;
      this.status(`cannot save config ${this.configFile}: ${(e as Error).message}`, 'error');
    }
  }

  // ---- lifecycle ----------------------------------------------------------

  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.finish = resolve;
      const restore = () => this.restore();
      process.once('exit', restore);
      // SIGTERM, SIGHUP, SIGINT: a clean quit (tracers detached, screen
      // restored) with the status a shell expects of that signal (128+N).
      for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
        const h = () => this.dispatch({ type: 'quit', code: 128 + osSignals[sig] });
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
        this.restore();
        process.stderr.write(`ostop: internal error: ${String(e.stack ?? e).split('\n').map(sanitize).join('\n')}\n`);
        process.exit(70);
      });
      this.screen.on('keypress', (ch: string | undefined, key: BlessedKey) => {
        if (!key) return;
        this.lastKey = key;
        const full = keyFull(ch, key);
        this.dispatch({ type: 'key', ch, name: key.name ?? '', full });
      });
      this.screen.on('resize', () => this.dispatch({ type: 'resize' }));
      this.screen.enableMouse();
      this.screen.on('mouse', (d: { action: string; x: number; y: number }) => {
        if (d.action === 'mousedown' || d.action === 'wheelup' || d.action === 'wheeldown') {
          this.dispatch({ type: 'mouse', action: d.action === 'mousedown' ? 'click' : d.action, x: d.x, y: d.y });
        }
      });
      const home = this.home.load();
      if (home instanceof Promise) throw new Error('the home view must load synchronously (src/tui.ts)');
      this.loaded.set(this.home.id, { ...this.home, ...home });
      this.open(this.findDef(this.home.id)!, {}, false);
      if (this.ui.first) this.show(this.ui.first.id, this.ui.first.params);
      this.dispatch({ type: 'tick' });
      // After the first frame: loading BPF programs parses the kernel's BTF.
      setTimeout(() => void this.startFailureRecorder(), 50);
      // Then load the other views' code while idle, so switching to one redraws at once.
      setTimeout(() => void this.prefetchViews(), 300);
    });
  }

  /**
   * The failures view promises abnormal ends "since ostop started", so with
   * privilege the exit tracer (one small event per process exit) runs from
   * launch and is drained every tick; without it the view falls back to the
   * kernel log, which it reads from its backlog when shown.
   */
  private async startFailureRecorder(): Promise<void> {
    if (process.getuid?.() !== 0 || this.exitCode !== undefined) return;
    const { failuresHub } = await import('../failures/hub.js'); // its eBPF feed is the exit tracer's (explicit default)
    if (this.exitCode !== undefined) return;
    const hub = failuresHub();
    hub.pinned = true;
    this.recorder = hub;
    await hub.startEbpf();
  }
  private recorder: FailuresHub | undefined;

  private restore(): void {
    if (this.restored) return;
    this.restored = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.statusTimer) clearTimeout(this.statusTimer); // a pending status message must not keep the process alive after quit
    for (const v of new Set([...this.cache.values(), ...this.stack, ...(this.current ? [this.current] : [])])) {
      try { v.source.dispose?.(); } catch { /* best effort on the way out */ }
    }
    this.recorder?.close();
    try { this.panes.dispose(); } catch { /* detach is also done by the tracer manager's exit hook */ }
    try {
      this.screen.destroy();
    } catch {
      /* already gone */
    }
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

  private guardArmed = false;

  /**
   * Faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL), SIGABRT and the real-time
   * signals never reach a JS listener in time (native/addon/termguard.cc):
   * the addon restores the terminal from a plain signal handler.
   */
  private armNativeGuard(): void {
    if (!process.stdout.isTTY || !process.stdin.isTTY) return;
    const n = loadNative();
    if (!n.ok || !n.addon.armTerminalGuard) return;
    try {
      n.addon.armTerminalGuard(1, 0, TERMINAL_RESET);
      this.guardArmed = true;
    } catch { /* an old build without the guard: the JS handlers still cover the common signals */ }
  }

  /** A fatal signal: terminal back first, then the signal's own default action. */
  private dieOf(sig: NodeJS.Signals): void {
    this.exitCode ??= 128 + osSignals[sig];
    for (const [s, h] of this.signalHandlers) process.off(s, h);
    this.restore();
    process.kill(process.pid, sig);
    // Not ended by it (a signal whose default is to be ignored here): exit as the shell expects.
    process.exit(128 + osSignals[sig]);
  }

  private suspended = false;
  private resumeProgram: (() => void) | undefined;

  /** Ctrl-Z or SIGTSTP: give the terminal back as it was, then stop (the whole job, as a shell's ^Z does). */
  private readonly onTstp = (): void => {
    if (this.suspended || this.exitCode !== undefined) return;
    this.suspended = true;
    if (this.timer) clearTimeout(this.timer);
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
    if (this.exitCode !== undefined) return;
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
    this.schedule(0);
  };

  private repaintAll(): void {
    const program = (this.screen as unknown as { program: { hideCursor(): void; put: { keypad_xmit(): void } } }).program;
    program.hideCursor();
    try { program.put.keypad_xmit(); } catch { /* no keypad mode in this terminfo */ }
    this.screen.realloc();
    this.render();
  }

  private signalHandlers: Array<[NodeJS.Signals, () => void]> = [];

  quit(code = 0): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    // After the first one, signals act as usual again (a second Ctrl-C or kill ends ostop at once).
    for (const [sig, h] of this.signalHandlers) process.off(sig, h);
    this.restore();
    this.finish(code);
  }

  // ---- dispatcher -----------------------------------------------------------

  dispatch(ev: AppEvent): void {
    switch (ev.type) {
      case 'tick':
        void this.tick();
        return;
      case 'resize':
        this.modalRelayout?.();
        this.render();
        return;
      case 'quit':
        this.quit(ev.code);
        return;
      case 'key':
        this.onKey(ev.ch, ev.name, ev.full);
        return;
      case 'mouse':
        if (this.modal || this.viewModalOpen()) return;
        (this.current.screen as Screen<unknown> & { handleMouse?: (a: string, x: number, y: number) => boolean }).handleMouse?.(ev.action, ev.x, ev.y - (this.body.atop as number));
        this.render();
        return;
    }
  }

  private schedule(ms = this.delayMs): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.dispatch({ type: 'tick' }), ms);
  }

  /** Rates need two samples: a view just shown takes its second one soon, not a whole delay later. */
  static readonly FIRST_RATE_MS = 200;

  private async tick(): Promise<void> {
    if (this.collecting || this.exitCode !== undefined) return;
    if (this.paused) {
      this.schedule();
      return;
    }
    this.collecting = true;
    const v = this.current;
    if (this.recorder && !v.def.drainsRecorder) void timed('recorder', () => this.recorder!.pollEbpf());
    countTick();
    try {
      await timed('collect', () => v.source.collect(performance.now(), v.screen.request?.()));
    } catch (e) {
      this.status(`collect failed: ${(e as Error).message}`, 'error');
    } finally {
      this.collecting = false;
    }
    if (this.exitCode !== undefined) return;
    this.render();
    // A view shown while this tick's collect was awaiting got no tick of its
    // own (collecting was set): it gets one now, not a whole delay later.
    if (v !== this.current) this.schedule(0);
    else this.schedule(v.source.model() === undefined ? Math.min(this.delayMs, App.FIRST_RATE_MS) : this.delayMs);
    this.compactHeap();
    if (v.source.complete) {
      setImmediate(() => {
        if (this.exitCode !== undefined || v !== this.current) return;
        try {
          if (v.source.complete?.(v.screen.request?.())) this.render();
        } catch (e) {
          this.status(`collect failed: ${(e as Error).message}`, 'error');
        }
      });
    }
  }

  private lastCompact = performance.now();
  /**
   * V8 leaves old-space pages half empty between its own major GCs (17 MB
   * held for 10 MB live, measured): a full GC every COMPACT_MS, right after a
   * frame, gives them back (RSS 77 -> 72 MB with 1,000 processes) for ~10 ms,
   * and malloc_trim the pages glibc keeps free inside its heap (-> 69 MB).
   * Needs --expose-gc (bin/ostop.js); a no-op without it.
   */
  private compactHeap(): void {
    const gc = (globalThis as { gc?: () => void }).gc;
    const now = performance.now();
    if (!gc || now - this.lastCompact < App.COMPACT_MS) return;
    this.lastCompact = now;
    setImmediate(() => {
      gc();
      const n = loadNative();
      if (n.ok) n.addon.mallocTrim?.();
    });
  }
  static readonly COMPACT_MS = 15_000;

  refreshNow(): void {
    this.dispatch({ type: 'tick' });
  }

  requestRender(): void {
    this.render();
  }

  private tooSmallNow(): boolean {
    return (this.screen.width as number) < MIN_COLS || (this.screen.height as number) < MIN_ROWS;
  }

  private render(): void {
    if (this.exitCode !== undefined) return;
    if (this.tooSmallNow()) {
      this.tooSmall.setContent(`Terminal too small: ${this.screen.width}x${this.screen.height}, ostop needs at least ${MIN_COLS}x${MIN_ROWS}. Enlarge it or press q.`);
      this.tooSmall.show();
      this.tooSmall.setFront();
      this.screen.render();
      return;
    }
    this.tooSmall.hide();
    const ph = this.panes.desiredHeight(this.screen.width as number, (this.screen.height as number) - 2);
    if (ph) {
      this.paneBox.height = ph;
      this.paneBox.show();
    } else this.paneBox.hide();
    this.body.height = Math.max(1, (this.screen.height as number) - 2 - ph);
    try {
      timed('view render', () => this.current.screen.render(this.current.source.model()));
      timed('panes render', () => this.panes.render());
    } catch (e) {
      this.statusMsg = `render failed: ${(e as Error).message}`;
    }
    timed('footer', () => this.renderFooter());
    timed('blessed render', () => this.screen.render());
  }

  private renderFooter(): void {
    const entries = this.panes.focused() !== undefined ? this.panes.footer() : this.current.screen.footer();
    const t = this.theme;
    const w = this.screen.width as number;
    const quit: [string, string] = ['F10', 'Quit'];
    const pieceOf = ([k, label]: [string, string]) => `${k}${label} `;
    // The view's own keys first, then (room permitting) the keys of the other
    // views and of the trace panes; F10 Quit always closes the line.
    const chosen: Array<[string, string]> = [];
    let len = pieceOf(quit).length;
    let full = false;
    const paneKeys = this.panes.toggleKeys();
    const extras = [...FOOTER_EXTRAS.filter(([k]) => this.views.find((v) => v.key === k)?.id !== this.current.def.id), ...(paneKeys ? [[paneKeys, 'trace'] as [string, string]] : [])];
    for (const e of [...entries, ...extras]) {
      const n = pieceOf(e).length;
      if (full || len + n > w) {
        full = true;
        continue;
      }
      chosen.push(e);
      len += n;
    }
    chosen.push(quit);
    let s = '';
    for (const [k, label] of chosen) {
      s += t.mono ? `{bold}${blessed.escape(k)}{/bold}${blessed.escape(label)} ` : `{black-fg}{cyan-bg}${blessed.escape(k)}{/cyan-bg}{/black-fg}${blessed.escape(label)} `;
    }
    this.footerBar.setContent(s);
    const state = this.paused ? ' [PAUSED]' : '';
    const panes = this.panes.statusLine();
    this.statusBar.setContent(`${panes ? panes + ' ' : ''}${this.statusMsg ? blessed.escape(this.statusMsg) : ''}${state ? t.fg('warn', state) : ''}`);
  }

  status(msg: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    const clean = sanitize(msg);
    this.statusMsg = clean;
    if (this.statusTimer) clearTimeout(this.statusTimer);
    if (level !== 'error') {
      this.statusTimer = setTimeout(() => {
        if (this.statusMsg === clean) this.statusMsg = '';
        this.render();
      }, 5000);
    } else {
      this.statusTimer = setTimeout(() => {
        if (this.statusMsg === clean) this.statusMsg = '';
        this.render();
      }, 15000);
    }
    this.statusBar.style.fg = level === 'error' && !this.theme.mono ? 'red' : level === 'warn' && !this.theme.mono ? 'yellow' : undefined;
    if (this.current) this.render();
  }

  // ---- keys -----------------------------------------------------------------

  private onKey(ch: string | undefined, name: string, full: string): void {
    if (this.modal) return; // the modal's own handlers run
    if (full === 'C-c') return this.quit(0);
    if (full === 'C-z') return this.onTstp();
    if (this.tooSmallNow()) {
      if (name === 'q' || name === 'f10') this.quit(0);
      return;
    }
    // A dialog of the view's own (F2 setup) takes every key: a digit typed
    // there must not toggle a trace pane, a letter must not switch views.
    if (this.viewModalOpen()) {
      if (this.current.screen.handleKey(ch, name, full)) this.render();
      return;
    }
    if (this.panes.handleKey(ch, name, full)) {
      this.render();
      return;
    }
    if (this.current.screen.handleKey(ch, name, full)) {
      this.render();
      return;
    }
    switch (full) {
      case 'q':
      case 'f10':
        return this.quit(0);
      case 'f1':
      case '?':
      case 'h':
        return this.showHelp();
      case 'escape':
      case 'backspace':
        return this.back();
      case 'S-z':
      case 'Z':
        this.paused = !this.paused;
        this.status(this.paused ? 'paused: Z resumes' : 'resumed');
        if (!this.paused) this.refreshNow();
        return;
      case 'd':
        return this.prompt('Refresh delay in seconds: ', String(this.sessionDelaySec ?? this.config.delaySec), (v) => {
          if (v === null) return;
          const d = Number(v);
          if (!Number.isFinite(d) || d < 0.1 || d > 3600) return this.status(`'${v}' is not a delay between 0.1 and 3600 s`, 'error');
          this.config.delaySec = d;
          this.sessionDelaySec = undefined;
          this.saveConfig();
          this.status(`refresh every ${d} s`);
          this.schedule();
        });
      case 'C-l':
        this.screen.realloc();
        return this.render();
      case 'tab':
      case 'S-tab': {
        const ids = [this.home.id, ...this.views.filter((v) => v.key && v !== this.home).map((v) => v.id)];
        const i = ids.indexOf(this.current.def.id);
        const next = ids[(i + (full === 'tab' ? 1 : ids.length - 1)) % ids.length];
        return this.switchTo(next);
      }
    }
    const def = this.views.find((v) => v.key === full);
    if (def) this.switchTo(def.id);
  }

  /**
   * Views reached by their own key (or Tab) are siblings of the process table:
   * they replace each other, so Esc from any of them returns to the table.
   * Drilling in (Enter on a process) stacks, so Esc returns to where you were.
   */
  private switchTo(viewId: string): void {
    const home = this.home.id;
    if (viewId === home || (this.current && this.current.def.id === viewId)) {
      if (viewId === home) this.show(home);
      return;
    }
    const topAt = this.stack.findIndex((v) => v.def.id === home);
    if (this.current.def.id !== home && topAt >= 0) {
      while (this.stack.length > topAt + 1) this.discard(this.stack.pop()!);
      const cur = this.current;
      cur.screen.unmount();
      this.discard(cur);
      this.current = this.stack.pop()!;
    }
    this.show(viewId);
  }

  // ---- views ------------------------------------------------------------------

  private loaded = new Map<string, ViewDef<unknown, unknown>>();

  private async prefetchViews(): Promise<void> {
    for (const v of this.views) {
      if (this.exitCode !== undefined) return;
      if (this.loaded.has(v.id)) continue;
      try {
        this.loaded.set(v.id, { ...v, ...(await v.load()) });
      } catch {
        /* reported when the view is asked for */
      }
    }
    started();
  }

  private findDef(id: string): ViewDef<unknown, unknown> | undefined {
    return this.loaded.get(id);
  }

  show(viewId: string, params: Record<string, unknown> = {}): void {
    const def = this.findDef(viewId);
    if (!def) {
      const entry = this.views.find((v) => v.id === viewId);
      if (!entry) return this.status(`no view '${viewId}'`, 'error');
      // First use: load the view's module, then show it (keys meanwhile go to the current view).
      Promise.resolve(entry.load()).then(
        (d) => {
          this.loaded.set(viewId, { ...entry, ...d });
          if (this.exitCode === undefined) this.show(viewId, params);
        },
        (e: Error) => this.status(`cannot load the ${entry.title} view: ${e.message}`, 'error'),
      );
      return;
    }
    if (this.current && this.current.def.id === viewId && !def.stacks) return;
    // A view already on the stack is returned to (as Esc would), so switching
    // views with their keys never grows the stack.
    const at = def.stacks ? -1 : this.stack.findIndex((v) => v.def.id === viewId);
    if (at >= 0) {
      while (this.stack.length > at + 1) this.discard(this.stack.pop()!);
      return this.back();
    }
    this.open(def, params, true);
    while (this.stack.length > MAX_STACK) this.discard(this.stack.splice(1, 1)[0]);
  }

  private discard(v: ViewInstance): void {
    if (!v.def.keepAlive) v.source.dispose?.();
  }

  private open(def: ViewDef<unknown, unknown>, params: Record<string, unknown>, push: boolean): void {
    const key = `${def.id}:${JSON.stringify(params)}`;
    if (this.current) {
      this.current.screen.unmount();
      if (push) this.stack.push(this.current);
      else this.discard(this.current);
    }
    let inst = this.cache.get(key);
    if (!inst) {
      const source = def.createSource(params);
      let screen: Screen<unknown, unknown> | undefined;
      const ctx: ViewContext = {
        screen: this.screen, theme: this.theme, app: this,
        // The Source completes its Model with what the screen's request names, now.
        completeNow: () => (screen && source.complete?.(screen.request?.()) ? source.model() : undefined),
      };
      screen = def.createScreen(ctx, params);
      inst = { def, key, params, source, screen };
      // Only keep-alive views (the process table) are kept across switches; others are rebuilt so hidden views hold nothing.
      if (def.keepAlive) this.cache.set(key, inst);
    }
    this.current = inst;
    this.scopePanes();
    inst.screen.mount(this.body);
    this.render();
    // Collect on the next turn of the loop, so the redraw above reaches the terminal first.
    this.schedule(0);
  }

  /** On the drill-in screen the trace panes follow that PID. */
  private scopePanes(): void {
    this.panes.setScopePid(this.current.def.scopesPanes ? Number(this.current.params.pid) || undefined : undefined);
  }

  back(): void {
    const prev = this.stack.pop();
    if (!prev) return;
    const cur = this.current;
    cur.screen.unmount();
    this.discard(cur);
    this.current = prev;
    this.scopePanes();
    prev.source.reset?.();
    prev.screen.mount(this.body);
    this.render();
    this.schedule(0);
  }

  // ---- modals -------------------------------------------------------------------

  private closeModal(): void {
    this.modalRelayout = undefined;
    if (this.modal) {
      this.modal.destroy();
      this.modal = undefined;
    }
    this.render();
  }

  /** Redraws the open modal for a new terminal size (the help pages). */
  private modalRelayout: (() => void) | undefined;

  /**
   * The key being handed out (blessed's key object, new for every key). A
   * modal opened by a key listens from then on, and blessed's emitter goes on
   * to call listeners added during the emit: the modal skips this key, the
   * one that opened it.
   */
  private lastKey: BlessedKey | undefined;

  /** The current view has a dialog of its own open (the top view's F2 setup). */
  private viewModalOpen(): boolean {
    return !!(this.current?.screen as Screen<unknown> & { modalOpen?: () => boolean } | undefined)?.modalOpen?.();
  }

  /**
   * A one-line input bar over the status line (htop's search and filter
   * bars): every edit calls onChange at once and the view is redrawn, F3 and
   * the like go to onKey, Enter ends with the text, Esc with null. Keys go to
   * the bar only (modal): a digit typed into it never reaches a trace pane.
   */
  inputBar(o: InputBarOptions): void {
    const t = this.theme;
    const style = t.mono ? { inverse: true } : { bg: 'cyan', fg: 'black' };
    const bar = blessed.box({ parent: this.screen, bottom: 1, left: 0, right: 0, height: 1, tags: true, style });
    let value = o.initial ?? '';
    let note = '';
    const draw = () => {
      const w = Math.max(1, this.screen.width as number);
      const label = sanitize(o.label);
      const hint = o.hint ? `   ${o.hint}` : '';
      const noteText = note ? `  ${note}` : '';
      // label, text, a block cursor, a note, the hint: when it is too long the
      // hint goes first, then the start of the text (its end stays visible).
      const lw = displayWidth(label), nw = displayWidth(noteText), hw = displayWidth(hint);
      let shown = sanitize(value);
      const showHint = lw + displayWidth(shown) + 1 + nw + hw <= w;
      const room = Math.max(0, w - lw - 1 - nw);
      while (displayWidth(shown) > room && shown) shown = [...shown].slice(1).join('');
      const cursor = t.mono ? '{/inverse} {inverse}' : '{black-bg} {/black-bg}';
      bar.setContent(`{bold}${blessed.escape(label)}{/bold}${blessed.escape(shown)}${cursor}` +
        (noteText ? (t.mono ? `{bold}${blessed.escape(noteText)}{/bold}` : `{red-bg}{white-fg}${blessed.escape(noteText)}{/white-fg}{/red-bg}`) : '') +
        (showHint ? blessed.escape(hint) : ''));
    };
    const redraw = () => {
      this.render();
      draw();
      this.screen.render();
    };
    const changed = () => {
      const r = o.onChange?.(value);
      note = typeof r === 'string' ? r : '';
      redraw();
    };
    const finish = (v: string | null) => {
      this.screen.removeListener('keypress', onKey);
      this.modalRelayout = undefined;
      this.modal = undefined;
      bar.destroy();
      o.done(v);
      this.render();
    };
    const opener = this.lastKey;
    const onKey = (ch: string | undefined, key: BlessedKey) => {
      if (!key || key === opener || key.name === 'return') return; // blessed sends Enter twice: as 'enter', then as 'return'
      const full = keyFull(ch, key);
      switch (full) {
        case 'enter': return finish(value);
        case 'escape': return finish(null);
        case 'backspace':
          value = [...value].slice(0, -1).join('');
          return changed();
        case 'C-u':
          value = '';
          return changed();
        case 'C-w':
          value = value.replace(/\S*\s*$/, '');
          return changed();
      }
      const r = o.onKey?.(full, value);
      if (r !== undefined && r !== false) {
        note = typeof r === 'string' ? r : '';
        return redraw();
      }
      if (ch && !key.ctrl && !key.meta && ch.length === 1 && ch >= ' ' && ch !== '\x7f') {
        value += ch;
        changed();
      }
    };
    this.modal = bar;
    this.modalRelayout = draw;
    // Registered after the shell's own listener: that one sees the modal and stays out.
    this.screen.on('keypress', onKey);
    draw();
    this.screen.render();
  }

  prompt(label: string, initial: string, done: (value: string | null) => void): void {
    const style = this.theme.mono ? { inverse: true } : { bg: 'cyan', fg: 'black' };
    const wrap = blessed.box({ parent: this.screen, bottom: 1, left: 0, right: 0, height: 1, style });
    blessed.text({ parent: wrap, left: 0, top: 0, height: 1, content: label, style: { ...style, bold: true } });
    const box = blessed.textbox({ parent: wrap, left: label.length, right: 0, top: 0, height: 1, inputOnFocus: false, style });
    box.setValue(initial);
    this.modal = wrap;
    this.screen.render();
    box.readInput((err: unknown, value?: string | null) => {
      this.closeModal();
      done(err || value === undefined || value === null ? null : value);
    });
  }

  menu(title: string, items: string[], done: (index: number | null) => void, selected = 0): void {
    const height = Math.min(items.length + 2, Math.max(5, (this.screen.height as number) - 4));
    // The label starts 2 cells in and has a space each side; the corners stay visible.
    const cleanTitle = sanitize(title);
    const width = Math.min(Math.max(displayWidth(cleanTitle) + 6, 12, ...items.map((i) => displayWidth(sanitize(i)) + 4)), (this.screen.width as number) - 2);
    const list = blessed.list({
      parent: this.screen, top: 'center', left: 'center', width, height, label: ` ${blessed.escape(truncateWidth(cleanTitle, Math.max(1, width - 6)))} `, border: 'line', keys: true, vi: false, mouse: true,
      items: items.map((i) => blessed.escape(sanitize(i))), tags: true,
      style: this.theme.mono ? { selected: { inverse: true }, border: {} } : { selected: { bg: 'cyan', fg: 'black' }, border: { fg: 'cyan' } },
    });
    this.modal = list;
    list.select(Math.max(0, Math.min(items.length - 1, selected)));
    list.focus();
    const finish = (i: number | null) => {
      this.closeModal();
      done(i);
    };
    list.on('select', (_item: unknown, index: number) => finish(index));
    list.key(['escape', 'q', 'f10'], () => finish(null));
    this.screen.render();
  }

  confirm(question: string, done: (yes: boolean) => void): void {
    const box = blessed.box({
      parent: this.screen, top: 'center', left: 'center', width: Math.min(question.length + 16, (this.screen.width as number) - 2), height: 3,
      border: 'line', content: `${blessed.escape(sanitize(question))} [y/N]`, tags: true,
      style: this.theme.mono ? {} : { border: { fg: 'red' } },
    });
    this.modal = box;
    const onKey = (_ch: string, key: { name: string }) => {
      this.screen.removeListener('keypress', onKey);
      this.closeModal();
      done(key.name === 'y');
    };
    // Let the keypress that opened the dialog finish first.
    setImmediate(() => this.screen.on('keypress', onKey));
    this.screen.render();
  }

  suspendAndRun(cmd: string, args: string[], done: (code: number | null) => void): void {
    const program = (this.screen as unknown as { program: { clear(): void; normalBuffer(): void; alternateBuffer(): void; showCursor(): void; hideCursor(): void; disableMouse(): void; enableMouse(): void } }).program;
    if (this.timer) clearTimeout(this.timer);
    program.disableMouse();
    program.normalBuffer();
    program.showCursor();
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    // child_process on demand: loading it at start-up costs ~3 ms of the first frame
    const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (process.stdin.isTTY) process.stdin.setRawMode(true);
    program.alternateBuffer();
    program.hideCursor();
    program.enableMouse();
    this.screen.realloc();
    this.render();
    this.schedule();
    if (r.error) this.status(`${cmd}: ${r.error.message}`, 'error');
    done(r.error ? null : r.status);
  }

  /**
   * F1: every key of the shell, the trace panes and the current view. On a
   * terminal too small for all of it the help is cut into pages (two columns
   * when the width allows) and its last line says so ("more": Space/PgDn,
   * PgUp); Esc, q, F1 or Enter closes it. Keys go to the help only.
   */
  private showHelp(): void {
    const t = this.theme;
    const sections: Array<[string, Array<[string, string]>]> = [
      ['Global', [...GLOBAL_HELP, ...this.views.filter((v) => v.key).map((v) => [v.key!, `${v.title} view`] as [string, string])]],
      ['Trace panes (eBPF; need root)', this.panes.help()],
    ];
    const h = this.current.screen.help?.();
    if (h) sections.push([this.current.def.title, h]);
    const keyW = 14;
    // [tagged, plain] lines for a column `colW` wide: a long description wraps
    // under itself, a long key puts it on the next line.
    const linesFor = (colW: number): Array<[string, string]> => {
      const out: Array<[string, string]> = [];
      const indent = 2 + keyW + 1;
      const descW = Math.max(10, colW - indent);
      for (const [title, entries] of sections) {
        if (out.length) out.push(['', '']);
        out.push([t.fg('header', blessed.escape(title)), title]);
        for (const [k, d] of entries) {
          const key = sanitize(k);
          const words = sanitize(d).split(' ');
          const desc: string[] = [];
          let cur = '';
          for (const w of words) {
            if (cur && displayWidth(cur) + 1 + displayWidth(w) > descW) {
              desc.push(cur);
              cur = w;
            } else cur = cur ? `${cur} ${w}` : w;
          }
          if (cur) desc.push(cur);
          const keyText = `  ${t.fg('label', blessed.escape(key.padEnd(keyW)))} `;
          const keyPlain = `  ${key.padEnd(keyW)} `;
          let first = 0;
          if (displayWidth(keyPlain) > indent) out.push([`  ${t.fg('label', blessed.escape(key))}`, `  ${key}`]);
          else {
            out.push([keyText + blessed.escape(desc[0] ?? ''), keyPlain + (desc[0] ?? '')]);
            first = 1;
          }
          for (const more of desc.slice(first)) out.push([' '.repeat(indent) + blessed.escape(more), ' '.repeat(indent) + more]);
        }
      }
      return out;
    };
    const box = blessed.box({ parent: this.screen, top: 0, left: 0, width: '100%', height: '100%', tags: true, border: 'line', label: ' Help: ostop keys ', wrap: false });
    this.modal = box;
    let page = 0;
    let pages = 1;
    const layout = () => {
      const W = Math.max(10, (this.screen.width as number) - 2);
      const rows = Math.max(1, (this.screen.height as number) - 3); // the border, and the last line for the hint
      // Two columns when one does not fit and each can still be 60 wide.
      let cols = 1;
      let colW = W;
      let lines = linesFor(colW);
      if (lines.length > rows && W >= 2 * 60 + 3) {
        cols = 2;
        colW = Math.floor((W - 3) / 2);
        lines = linesFor(colW);
      }
      const perPage = rows * cols;
      pages = Math.max(1, Math.ceil(lines.length / perPage));
      page = Math.max(0, Math.min(page, pages - 1));
      const cell = (i: number) => {
        const l = lines[i];
        if (!l) return ' '.repeat(colW);
        // Cut by the plain text's width, so a long description never wraps.
        if (displayWidth(l[1]) <= colW) return l[0] + ' '.repeat(colW - displayWidth(l[1]));
        return blessed.escape(truncateWidth(l[1], colW - 1)) + '…';
      };
      const out: string[] = [];
      const first = page * perPage;
      for (let r = 0; r < rows; r++) {
        out.push(cols === 2 ? `${cell(first + r)}   ${cell(first + rows + r)}` : cell(first + r));
      }
      const hint = pages > 1
        ? `-- more: page ${page + 1}/${pages}  Space/PgDn next  PgUp previous  Esc/q close --`
        : 'Esc/q close';
      out.push(t.fg('warn', blessed.escape(truncateWidth(hint, W))));
      box.setContent(out.join('\n'));
    };
    const opener = this.lastKey;
    const onKey = (_ch: string | undefined, key: BlessedKey) => {
      if (!key || key === opener || key.name === 'return') return; // blessed sends Enter twice: as 'enter', then as 'return'
      const full = keyFull(_ch, key);
      const step: Record<string, number> = { space: 1, pagedown: 1, down: 1, right: 1, j: 1, pageup: -1, up: -1, left: -1, b: -1, k: -1 };
      if (full in step || full === 'home' || full === 'end') {
        page = full === 'home' ? 0 : full === 'end' ? pages - 1 : page + step[full];
        layout();
        this.screen.render();
        return;
      }
      if (['escape', 'q', 'f1', '?', 'h', 'enter', 'f10'].includes(full)) {
        this.screen.removeListener('keypress', onKey);
        this.closeModal();
      }
      // Any other key: ignored while the help is open.
    };
    layout();
    this.modalRelayout = layout;
    this.screen.on('keypress', onKey);
    this.screen.render();
  }
}
