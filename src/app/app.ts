// The TUI shell: one blessed screen, one dispatcher for every AppEvent, a
// refresh scheduler, a view stack (Esc/Backspace returns to the previous
// view as it was), modal prompts/menus shared by all views, the help
// screen and the "terminal too small" guard.
// Invariant: whatever happens (quit key, SIGTERM, SIGHUP, an exception),
// the terminal is restored (alternate screen left, raw mode off, cursor
// shown) before the process exits (src/app/terminal-session.ts).
import blessed from 'blessed';
import { installScreenDraw } from './screen-draw.js';
import { countTick, timed } from '../util/tick-stats.js';
import { started } from './startup.js';
import { loadNative } from '../native.js';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { chooseTerminal } from './terminal.js';
import { loadConfig, saveConfig, type Config } from './config.js';
import type { AppEvent } from './events.js';
import type { AppApi, Screen, ViewEntry, ViewTarget } from './view.js';
import { Navigator, type ViewInstance } from './navigator.js';
import { makeTheme, type Theme } from './theme.js';
import type { TopInputs } from '../views/top.js';
import { sanitize } from '../util/text.js';
import { footerOf, helpOf, keyFull, runKey, shiftedFunctionKey, type BlessedKey, type Keymap } from './keymap.js';
import { Modals, type InputBarOptions } from './modals.js';
import type { FailuresHub } from '../failures/hub.js';
import type { PaneArea } from './panes.js';
import { createActions, type Actions } from '../actions/index.js';
import { REPLAY_KEYS, replayActions, type CatchUp, type ReplayController, type ReplayHost } from './replay.js';
import { formatTimestamp } from '../util/format.js';
import { alignBlessedWidths } from './blessed-widths.js';
import { TerminalSession } from './terminal-session.js';

export { FATAL_SIGNALS } from './terminal-session.js';

export const MIN_COLS = 40;
export const MIN_ROWS = 10;
/** A cursor position (CUP) directly followed by another one. */
const REDUNDANT_CUP = /\x1b\[\d*;?\d*H(?=\x1b\[\d*;?\d*H)/g;


/** Lines of the F1 help's Global section that are not keys (after the keys). */
const GLOBAL_NOTES: Array<[string, string]> = [
  ['in a prompt', 'keys go to it only; Esc cancels, Ctrl-U erases the line'],
  ['units', 'sizes are binary (1K = 1024 bytes: 512B, 1.50K, 33.0M), byte rates are sizes per second (33.0M/s), counts are decimal (3.4k = 3,400); VIRT/RES/SHR show KiB as a plain number below 100000, as htop'],
];

/** How the TUI starts (from the command line, resolved by src/tui.ts). */
export interface AppOptions {
  /** -d: this session's refresh delay, not saved. */
  delaySec?: number;
  /** -p PID: the view shown over the home view at start. */
  first?: ViewTarget;
  /** The failure recorder, from the composition root: as root its exit tracer runs from launch. */
  recorder?: () => Promise<FailuresHub>;
  /** The trace panes (keys 1-9), from the composition root (screens/trace-panes.ts). */
  panes?: (ctx: { screen: blessed.Widgets.Screen; theme: Theme; app: AppApi }) => PaneArea;
  /**
   * Replay (`ostop replay`): the views show the recorded sample at this
   * cursor instead of collecting now; the replay bar replaces the body's
   * first line; actions on processes are refused (src/app/replay.ts).
   */
  replay?: ReplayController;
  /** The recorder's store the W key takes a snapshot of (default: `ostop record`'s, src/app/recorder.ts). */
  storeDir?: string;
}

/** No trace panes (tests of the shell alone): keys 1-9 do nothing. */
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

export class App implements AppApi, ReplayHost {
  readonly actions: Actions;
  /** Replay's cursor (undefined live). */
  readonly replay!: ReplayController;
  private replayBar: blessed.Widgets.BoxElement | undefined;
  /** Replay: the sample each Source last collected, and the `now` given to collect() (it only grows). */
  private collectedAt = new WeakMap<object, number>();
  private replayNow = 0;
  readonly screen: blessed.Widgets.Screen;
  private body: blessed.Widgets.BoxElement;
  private statusBar: blessed.Widgets.BoxElement;
  private footerBar: blessed.Widgets.BoxElement;
  private tooSmall: blessed.Widgets.BoxElement;
  private modals: Modals;
  private terminal: TerminalSession;
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
  /** Which view is shown, and the way back (src/app/navigator.ts). */
  private nav: Navigator;

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
    if (ui.replay) (this as { replay: ReplayController }).replay = ui.replay;
    this.actions = ui.replay ? replayActions(createActions()) : createActions();
    this.sessionDelaySec = ui.delaySec;
    // Draw boxes with Unicode line characters (ASCII where the locale is not
    // UTF-8) rather than the DEC alternate charset: ACS breaks under tmux and
    // screen with converted terminfo entries and on many serial consoles.
    if (process.env.NCURSES_NO_UTF8_ACS === undefined) process.env.NCURSES_NO_UTF8_ACS = '1';
    alignBlessedWidths();
    // Before blessed turns on raw mode: the termios to restore on a fatal signal.
    const guardArmed = !io && TerminalSession.armNativeGuard();
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
    this.terminal = new TerminalSession(this.screen, {
      exiting: () => this.exitCode !== undefined,
      quitWith: (code) => this.dispatch({ type: 'quit', code }),
      markExit: (code) => { this.exitCode ??= code; },
      restore: () => this.restore(),
      pause: () => { if (this.timer) clearTimeout(this.timer); },
      resume: () => this.schedule(0),
      render: () => this.render(),
    });
    this.terminal.guarded(guardArmed);
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
    // Replay: one line at the top says REPLAY, the recorded host and time; the views draw below it.
    if (ui.replay) this.replayBar = blessed.box({ parent: this.screen, top: 0, left: 0, right: 0, height: 1, tags: true });
    this.body = blessed.box({ parent: this.screen, top: ui.replay ? 1 : 0, left: 0, right: 0, bottom: 2, tags: true });
    // Trace panes (keys 1-9) share the area above the status line with the view.
    this.paneBox = blessed.box({ parent: this.screen, left: 0, right: 0, bottom: 2, height: 1, hidden: true });
    this.panes = ui.panes?.({ screen: this.screen, theme, app: this }) ?? NO_PANES;
    this.panes.mount(this.paneBox);
    this.nav = new Navigator(views, {
      body: this.body,
      context: (complete) => ({ screen: this.screen, theme: this.theme, app: this, completeNow: complete }),
      // On the drill-in screen the trace panes follow that PID.
      shown: (v) => this.panes.setScopePid(v.def.scopesPanes ? Number(v.params.pid) || undefined : undefined),
      render: () => this.render(),
      schedule: (ms) => this.schedule(ms),
      status: (m, level) => this.status(m, level),
      exiting: () => this.exitCode !== undefined,
    });
    this.statusBar = blessed.box({ parent: this.screen, bottom: 1, left: 0, right: 0, height: 1, tags: true });
    this.footerBar = blessed.box({ parent: this.screen, bottom: 0, left: 0, right: 0, height: 1, tags: true, style: theme.mono ? { inverse: true } : { bg: 'blue', fg: 'white' } });
    this.modals = new Modals(this.screen, theme, { render: () => this.render() });
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
      // Signals, Ctrl-Z / fg and the last-resort exception handler (src/app/terminal-session.ts).
      this.terminal.install();
      this.screen.on('keypress', (ch: string | undefined, key: BlessedKey) => {
        if (!key) return;
        this.modals.lastKey = key;
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
      this.nav.start(this.ui.first);
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
    if (!this.ui.recorder || process.getuid?.() !== 0 || this.exitCode !== undefined) return;
    const hub = await this.ui.recorder();
    if (this.exitCode !== undefined) return;
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
    for (const v of this.nav.instances()) {
      try { v.source.dispose?.(); } catch { /* best effort on the way out */ }
    }
    this.recorder?.close();
    try { this.panes.dispose(); } catch { /* detach is also done by the tracer manager's exit hook */ }
    try {
      this.screen.destroy();
    } catch {
      /* already gone */
    }
    this.terminal.release();
  }

  quit(code = 0): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    // After the first one, signals act as usual again (a second Ctrl-C or kill ends ostop at once).
    this.terminal.uninstallQuitSignals();
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
        this.modals.relayout?.();
        this.render();
        return;
      case 'quit':
        this.quit(ev.code);
        return;
      case 'key':
        this.onKey(ev.ch, ev.name, ev.full);
        return;
      case 'mouse':
        if (this.modals.open || this.viewModalOpen()) return;
        (this.nav.current.screen as Screen<unknown> & { handleMouse?: (a: string, x: number, y: number) => boolean }).handleMouse?.(ev.action, ev.x, ev.y - (this.body.atop as number));
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
    if (this.replay) return this.replayTick();
    if (this.collecting || this.exitCode !== undefined) return;
    if (this.paused) {
      this.schedule();
      return;
    }
    this.collecting = true;
    const v = this.nav.current;
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
    if (v !== this.nav.current) this.schedule(0);
    else this.schedule(v.source.model() === undefined ? Math.min(this.delayMs, App.FIRST_RATE_MS) : this.delayMs);
    this.compactHeap();
    if (v.source.complete) {
      setImmediate(() => {
        if (this.exitCode !== undefined || v !== this.nav.current) return;
        try {
          if (v.source.complete?.(v.screen.request?.())) this.render();
        } catch (e) {
          this.status(`collect failed: ${(e as Error).message}`, 'error');
        }
      });
    }
  }

  // ---- replay (src/app/replay.ts) --------------------------------------------------

  /** Replay: a cursor move came while a collect was running: show the cursor again after it. */
  private replayPending = false;

  /**
   * Replay's tick: feed the shown view's Source what it lacks to show the
   * cursor, draw, and step on when playing. A jump to a view with graphs
   * is drawn in two steps: first the sample and the one before it (the
   * numbers at once), then, on the next turn of the event loop unless the
   * cursor moved again, the graphs' history before the cursor.
   */
  private async replayTick(): Promise<void> {
    if (this.exitCode !== undefined) return;
    if (this.collecting) {
      this.replayPending = true;
      return;
    }
    const r = this.replay;
    const v = this.nav.current;
    let need = r.catchUp(this.collectedAt.get(v.source), v.def.replayHistory ?? 1);
    const history = need?.reset && need.to - need.from > 1 ? need : undefined;
    if (history) need = { from: history.to - 1, to: history.to, reset: true };
    await this.replayFeed(v, need);
    if (this.exitCode !== undefined) return;
    this.render();
    if (this.replayPending) {
      this.replayPending = false;
      return this.replayTick();
    }
    if (history) {
      const at = r.cursor;
      setImmediate(() => {
        if (this.exitCode !== undefined || this.collecting || v !== this.nav.current || r.cursor !== at) return;
        void this.replayFeed(v, history).then(() => {
          this.render();
          if (this.replayPending) {
            this.replayPending = false;
            void this.replayTick();
          }
        });
      });
    }
    if (v !== this.nav.current) this.schedule(0);
    else if (r.playing) {
      const st = r.playStep();
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        if (!r.step(st.samples)) {
          r.playing = false;
          this.status('end of the recording');
        }
        this.dispatch({ type: 'tick' });
      }, st.ms);
    }
  }

  /** Feed `v`'s Source the samples of `need` (after a rewind when it says so). */
  private async replayFeed(v: ViewInstance, need: CatchUp): Promise<void> {
    if (!need) return;
    const r = this.replay;
    this.collecting = true;
    try {
      if (need.reset) {
        if (v.source.rewind) v.source.rewind();
        else v.source.reset?.();
        this.collectedAt.delete(v.source);
      }
      let bad = 0;
      for (let i = need.from; i <= need.to; i++) {
        if (!r.session.load(i)) {
          bad++;
          continue;
        }
        await timed('collect', () => v.source.collect(++this.replayNow, v.screen.request?.()));
        this.collectedAt.set(v.source, i);
      }
      // What cannot be read is said, never shown as the sample before it.
      if (bad && this.collectedAt.get(v.source) !== need.to) this.status(`sample ${need.to + 1} at ${formatTimestamp(r.session.timeAt(need.to))} cannot be read (a corrupt record in the store): t / T to the next one`, 'error');
      this.collectedAt.set(v.source, need.to);
    } catch (e) {
      this.status(`collect failed: ${(e as Error).message}`, 'error');
    } finally {
      this.collecting = false;
    }
  }

  /** ReplayHost: draw the sample at the cursor now. */
  showCursor(): void {
    this.dispatch({ type: 'tick' });
  }

  setPlaying(on: boolean): void {
    this.replay.playing = on;
    if (on) {
      if (this.replay.cursor >= this.replay.session.size - 1) this.replay.cursor = 0; // play again from the start
      this.status(`playing at ${this.replay.speed}x`);
    } else {
      if (this.timer) clearTimeout(this.timer);
      this.status('paused');
    }
    this.dispatch({ type: 'tick' });
  }

  private lastCompact = performance.now();
  /**
   * V8 leaves old-space pages half empty between its own major GCs (17 MB
   * held for 10 MB live, measured): a full GC every COMPACT_MS, right after a
   * frame, gives them back (RSS 77 -> 72 MB with 1,000 processes) for ~10 ms,
   * and malloc_trim the pages glibc keeps free inside its heap (-> 69 MB).
   * (Run only when 4 MB of garbage had built up since the last one, it saved
   * no CPU measurable side by side and left RSS 1-3 MB higher.)
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
    // Replay: the screen's request changed (a pane, a toggle): its Source takes the samples at the cursor again for it.
    if (this.replay) this.collectedAt.delete(this.nav.current.source);
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
    if (this.replayBar) this.replayBar.setContent(this.replay.bar(this.theme, this.screen.width as number));
    const top = this.replayBar ? 1 : 0;
    const ph = this.panes.desiredHeight(this.screen.width as number, (this.screen.height as number) - 2 - top);
    if (ph) {
      this.paneBox.height = ph;
      this.paneBox.show();
    } else this.paneBox.hide();
    this.body.height = Math.max(1, (this.screen.height as number) - 2 - ph - top);
    try {
      timed('view render', () => this.nav.current.screen.render(this.nav.current.source.model()));
      timed('panes render', () => this.panes.render());
    } catch (e) {
      this.statusMsg = `render failed: ${(e as Error).message}`;
    }
    timed('footer', () => this.renderFooter());
    timed('blessed render', () => this.screen.render());
  }

  private renderFooter(): void {
    const entries = this.panes.focused() !== undefined ? this.panes.footer() : [...(this.replay ? footerOf(REPLAY_KEYS, this) : []), ...this.nav.current.screen.footer()];
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
    // The other views' keys (their footer names come with their flags), then the trace panes'.
    const views = this.views.filter((v) => v.key && v.footer && v.id !== this.nav.current.def.id).map((v) => [v.key!, v.footer!] as [string, string]);
    // Last, the shell's own keys with a footer entry (W snapshot; live only).
    const extras = [...views, ...(paneKeys ? [[paneKeys, 'trace'] as [string, string]] : []), ...(this.replay ? [] : footerOf(App.KEYS, this))];
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
    if (this.nav?.current) this.render();
  }

  // ---- keys -----------------------------------------------------------------

  /**
   * The shell's own keys, once: the handler below, the F1 help's Global
   * section (src/app/keymap.ts). A view's keys and the trace panes' come
   * first; the views' own keys (v n i f...) come from their flags.
   */
  private static readonly KEYS: Keymap<App> = [
    { keys: ['f1', '?', 'h'], label: 'F1 ?', help: 'this help (Space/PgDn next page, Esc or q closes it)', run: (a) => a.showHelp() },
    { keys: ['q', 'f10'], label: 'q F10', help: 'quit', run: (a) => a.quit(0) },
    {
      keys: ['tab', 'S-tab'], label: 'Tab', help: 'next view',
      run: (a, k) => {
        const ids = a.nav.tabOrder();
        const i = ids.indexOf(a.nav.current.def.id);
        a.nav.switchTo(ids[(i + (k.full === 'tab' ? 1 : ids.length - 1)) % ids.length]);
      },
    },
    { keys: ['escape', 'backspace'], label: 'Esc Bksp', help: 'back to the previous view', run: (a) => a.back() },
    {
      keys: ['S-z', 'Z'], label: 'Z', help: 'pause / resume updates',
      run: (a) => {
        a.paused = !a.paused;
        a.status(a.paused ? 'paused: Z resumes' : 'resumed');
        if (!a.paused) a.refreshNow();
      },
    },
    {
      keys: ['d'], label: 'd', help: 'change the refresh delay',
      run: (a) => a.prompt('Refresh delay in seconds: ', String(a.sessionDelaySec ?? a.config.delaySec), (v) => {
        if (v === null) return;
        const d = Number(v);
        if (!Number.isFinite(d) || d < 0.1 || d > 3600) return a.status(`'${v}' is not a delay between 0.1 and 3600 s`, 'error');
        a.config.delaySec = d;
        a.sessionDelaySec = undefined;
        a.saveConfig();
        a.status(`refresh every ${d} s`);
        a.schedule();
      }),
    },
    {
      keys: ['S-w', 'W'], label: 'W', footer: 'snapshot',
      help: "write the recorder's last 10 minutes to a file (as `ostop snapshot`; `ostop replay FILE` opens it anywhere); needs `ostop record` running",
      run: (a) => a.snapshotPrompt(),
    },
    { keys: ['C-l'], label: 'Ctrl-L', help: 'redraw the screen', run: (a) => { a.screen.realloc(); a.render(); } },
    // Handled before everything else (also in a too small terminal); listed here for the help.
    { keys: ['C-z'], label: 'Ctrl-Z', help: 'suspend (fg resumes)', run: (a) => a.terminal.onTstp() },
  ];

  /** Minutes of history the W key writes (as `ostop snapshot`'s default --last). */
  static readonly SNAPSHOT_MS = 10 * 60_000;

  /**
   * W: asks where to write a snapshot of the recorder's store (a default
   * path to edit), then writes it through `ostop snapshot`'s code
   * (src/app/snapshot.ts: O_EXCL, 0600, never overwriting) and says in the
   * status line what was written or why nothing was. Live only: a replayed
   * file is already portable.
   */
  private snapshotPrompt(): void {
    if (this.replay) {
      this.status(`W writes a snapshot of the live recorder's store: this replay's file (${this.replay.session.path}) is one already`, 'warn');
      return;
    }
    // Loaded on first use: the store's reader is not needed at start-up.
    void import('./snapshot.js').then((snap) => {
      if (this.exitCode !== undefined) return;
      this.modals.inputBar({
        label: 'Snapshot of the last 10 min to: ',
        initial: snap.defaultSnapshotPath(),
        hint: 'Enter write  Esc cancel',
        done: (v) => {
          if (v === null) return;
          const file = v.trim();
          if (!file) return this.status('snapshot: no file name given, nothing written', 'warn');
          const r = snap.takeSnapshot(this.ui.storeDir ?? snap.defaultStoreDir(), path.resolve(file), App.SNAPSHOT_MS);
          this.status(r.ok ? `snapshot written: ${r.message}` : `snapshot: ${r.message}`, r.ok ? 'info' : 'error');
        },
      });
    }, (e: Error) => this.status(`snapshot: ${e.message}`, 'error'));
  }

  private onKey(ch: string | undefined, name: string, full: string): void {
    if (this.modals.open) return; // the modal's own handlers run
    if (full === 'C-c') return this.quit(0);
    if (full === 'C-z') return this.terminal.onTstp();
    if (this.tooSmallNow()) {
      if (name === 'q' || name === 'f10') this.quit(0);
      return;
    }
    // A dialog of the view's own (F2 setup) takes every key: a digit typed
    // there must not toggle a trace pane, a letter must not switch views.
    if (this.viewModalOpen()) {
      if (this.nav.current.screen.handleKey(ch, name, full)) this.render();
      return;
    }
    // Replay's keys come before the view's: t and T step (the top view's tree and TIME+ sort are F5 and F6 in replay).
    if (this.replay && runKey(REPLAY_KEYS, this, { ch, name, full })) {
      this.render();
      return;
    }
    if (this.panes.handleKey(ch, name, full)) {
      this.render();
      return;
    }
    if (this.nav.current.screen.handleKey(ch, name, full)) {
      this.render();
      return;
    }
    if (runKey(App.KEYS, this, { ch, name, full })) return;
    const def = this.views.find((v) => v.key === full);
    if (def) this.nav.switchTo(def.id);
  }

  // ---- views (src/app/navigator.ts) --------------------------------------------

  private async prefetchViews(): Promise<void> {
    await this.nav.prefetch();
    if (this.exitCode === undefined) started();
  }

  open(target: ViewTarget): void {
    this.nav.openTarget(target);
  }

  back(): void {
    this.nav.back();
  }

  // ---- modals (src/app/modals.ts) -------------------------------------------------

  /** The current view has a dialog of its own open (the top view's F2 setup). */
  private viewModalOpen(): boolean {
    return !!(this.nav.current?.screen as Screen<unknown> & { modalOpen?: () => boolean } | undefined)?.modalOpen?.();
  }

  inputBar(o: InputBarOptions): void {
    this.modals.inputBar(o);
  }

  prompt(label: string, initial: string, done: (value: string | null) => void): void {
    this.modals.prompt(label, initial, done);
  }

  menu(title: string, items: string[], done: (index: number | null) => void, selected = 0): void {
    this.modals.menu(title, items, done, selected);
  }

  confirm(question: string, done: (yes: boolean) => void): void {
    this.modals.confirm(question, done);
  }

  /**
   * F1: every key of the shell, the trace panes and the current view, paged
   * to the terminal (src/app/modals.ts).
   */
  private showHelp(): void {
    const sections: Array<[string, Array<[string, string]>]> = [
      ...(this.replay ? [[`Replay of ${sanitize(this.replay.session.host)} (${sanitize(this.replay.session.path)})`, helpOf(REPLAY_KEYS)] as [string, Array<[string, string]>]] : []),
      ['Global', [...helpOf(App.KEYS), ...GLOBAL_NOTES, ...this.views.filter((v) => v.key).map((v) => [v.key!, `${v.title} view`] as [string, string])]],
      ['Trace panes (eBPF; need root)', this.panes.help()],
    ];
    const h = this.nav.current.screen.help?.();
    if (h) sections.push([this.nav.current.def.title, h]);
    this.modals.showHelp(sections);
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

}
