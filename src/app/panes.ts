// PaneHost: the eBPF trace panes inside the TUI (issue 3). Keys 1..7 toggle
// a pane from any view; '`' or '0' cycles keyboard focus through the open
// panes (Esc unfocuses); the shell draws statusLine() and gives the host a
// box at the bottom of the body (desiredHeight() rows).
// Invariants:
//  - a pane that is off has no program attached: toggling off stops the
//    tracer (the manager destroys links and object) and unsubscribes;
//  - a tracer that cannot start (no privilege, no BTF, addon not built,
//    tracer not registered yet) never throws out of here: the pane stays
//    open and says what is missing and how to get it;
//  - per event the JS work is the manager's decoder plus the pane's ring
//    push / aggregate fold; drawing happens at most ~10 times a second on
//    batches (app.requestRender) plus the shell's ticks, and only for the
//    rows that fit; kernel maps are read at most once a second;
//  - memory is bounded: rings of RING_CAP events, capped maps.
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { AppApi } from './view.js';
import type { Theme } from './theme.js';
import { TracerError, tracerManager, withoutTracerName, type TracerManager } from '../tracers/manager.js';
import type { TraceOptions } from '../tracers/types.js';
import { createPanes } from '../../screens/trace-panes.js';
import { SCROLL_KEYS, STORM_EVENTS_PER_SEC, type PaneUi, type TracePane } from '../../screens/trace-pane.js';
import { publishPerPid, type PerPidRates } from '../../screens/trace-pane-columns.js';
import { sanitize, truncateWidth } from '../util/text.js';

/** The part of TracerManager the panes use (tests pass a fake). */
export type PaneTracers = Pick<TracerManager, 'start' | 'stop' | 'setPid' | 'drops' | 'onEvents' | 'handle' | 'isRunning'> & Partial<Pick<TracerManager, 'users'>>;

export interface PaneHostContext {
  screen: Widgets.Screen;
  theme: Theme;
  app: AppApi;
}

interface PaneError {
  message: string;
  howto: string[];
}

interface Slot {
  pane: TracePane;
  /** pane.events at the last periodic(), for the storm check. */
  lastEvents?: number;
  /** Storm check between periodic() runs (which a storm delays): events since winStart. */
  winStart?: number;
  winEvents?: number;
  on: boolean;
  running: boolean;
  /** Options (without pid) the tracer runs with, to tell setPid from restart. */
  optsKey?: string;
  pid?: number;
  /** PID filtered in JS because the tracer instance is shared (see TracerManager.users). */
  jsPid?: number;
  error?: PaneError;
  drops: number;
  unsub?: () => void;
  box?: Widgets.BoxElement;
}

const MIN_REDRAW_MS = 100;
const COLLECT_MS = 1000;

/** What is missing and how to get it, from a failed start. */
export function explainStartError(name: string, key: number, e: unknown): PaneError {
  // Shown after the pane's title: without the tracer's name the message may start with.
  const message = sanitize(withoutTracerName(name, e instanceof Error ? e.message : String(e)));
  const reason = e instanceof TracerError ? e.reason : 'failed';
  const howto: string[] = [];
  if (reason === 'privilege') {
    if (/BTF/.test(message)) {
      howto.push('needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (/sys/kernel/btf/vmlinux); most distribution kernels have it');
    } else {
      howto.push('run ostop as root:  sudo ostop');
      // Not `setcap ... node`: file capabilities on the node binary would let
      // every node program of every user load BPF and read kernel memory.
      howto.push('without root: CAP_BPF+CAP_PERFMON on a dedicated wrapper that runs only ostop, never setcap on');
      howto.push('the node binary (that would give BPF to every node program of every user on this machine)');
      howto.push('(kernels before 5.8 have no CAP_BPF: root or CAP_SYS_ADMIN)');
    }
  } else if (reason === 'unknown') {
    howto.push(`the '${name}' tracer is not registered in this build yet (src/tracers/registry.ts);`);
    howto.push('it needs its registry line and its native/addon/tracers.def line, then: npm run build');
  } else if (reason === 'unavailable') {
    if (/not compiled into the native addon/.test(message)) howto.push(`add it to native/addon/tracers.def and rebuild: make -C native && npx node-gyp -C native rebuild`);
    else howto.push('build the native addon: npm run setup (needs clang, libbpf-dev, bpftool)');
  } else {
    howto.push(`\`ostop trace ${name}\` shows the same error on the command line (OSTOP_DEBUG=1 for details)`);
  }
  howto.push(`Counter views are unaffected. Press ${key} again to close this pane.`);
  return { message, howto };
}

export class PaneHost {
  private slots: Slot[];
  private parent: Widgets.BoxElement | undefined;
  private focusKey: number | undefined;
  private scopePid: number | undefined;
  private redrawTimer: NodeJS.Timeout | undefined;
  private lastDraw = 0;
  private lastCollect = 0;
  private rates = new Map<number, PerPidRates>();
  private layoutKey = '';
  private mgr: PaneTracers | undefined;
  private disposed = false;

  constructor(private readonly ctx: PaneHostContext, manager?: PaneTracers, private readonly clock: () => number = Date.now) {
    this.mgr = manager;
    this.slots = createPanes(this.uiFor()).map((pane) => ({ pane, on: false, running: false, drops: 0 }));
  }

  private get manager(): PaneTracers {
    return (this.mgr ??= tracerManager());
  }

  private uiFor(): PaneUi {
    // One PaneUi per host; reconfigure() finds the pane through the slot that called it.
    const host = this;
    return {
      get theme() { return host.ctx.theme; },
      prompt: (label, initial, done) => host.ctx.app.prompt(label, initial, (v) => { done(v); host.ctx.app.requestRender(); }),
      status: (m, level) => host.ctx.app.status(m, level),
      reconfigure: () => host.reconfigureAll(),
    };
  }

  private slot(n: number): Slot | undefined {
    return this.slots.find((s) => s.pane.key === n);
  }

  private onSlots(): Slot[] {
    return this.slots.filter((s) => s.on);
  }

  // ---- lifecycle ------------------------------------------------------------

  toggle(n: number): void {
    const s = this.slot(n);
    if (!s || this.disposed) return;
    if (s.on) {
      this.stopSlot(s);
      s.on = false;
      s.error = undefined;
      s.pane.clear();
      if (this.focusKey === n) this.focusKey = undefined;
    } else {
      s.on = true;
      this.startSlot(s);
    }
    this.draw();
    this.ctx.app.requestRender();
  }

  private startSlot(s: Slot): void {
    const p = s.pane;
    p.scopePid = this.scopePid;
    const opts = p.traceOptions();
    s.error = undefined;
    s.drops = 0;
    s.lastEvents = undefined;
    s.winStart = undefined;
    p.events = 0;
    s.unsub ??= this.manager.onEvents(p.tracer, (batch: unknown[]) => this.onBatch(s, batch));
    try {
      s.jsPid = undefined;
      try {
        this.manager.start(p.tracer, opts);
      } catch (e) {
        // Already running unfiltered for another user: share it and filter by PID here.
        if (!opts.pid || !this.manager.isRunning(p.tracer)) throw e;
        this.manager.start(p.tracer, { ...opts, pid: undefined });
        s.jsPid = opts.pid;
      }
      s.running = true;
      s.optsKey = optionsKey(opts);
      s.pid = opts.pid;
      p.started();
    } catch (e) {
      s.running = false;
      s.unsub?.();
      s.unsub = undefined;
      s.error = explainStartError(p.tracer, p.key, e);
    }
  }

  private stopSlot(s: Slot): void {
    s.unsub?.();
    s.unsub = undefined;
    if (!s.running) return;
    s.running = false;
    try {
      this.manager.stop(s.pane.tracer);
    } catch (e) {
      this.ctx.app.status(`stopping ${s.pane.tracer}: ${(e as Error).message}`, 'error');
    }
  }

  /** Apply a pane's (or the scope's) option change: PID map update when only the PID changed, else restart. */
  private reconfigure(s: Slot): void {
    if (!s.on) return;
    s.pane.scopePid = this.scopePid;
    if (!s.running) {
      this.startSlot(s);
      return;
    }
    const opts = s.pane.traceOptions();
    const key = optionsKey(opts);
    if (key !== s.optsKey) {
      this.stopSlot(s);
      this.startSlot(s);
      return;
    }
    if (opts.pid !== s.pid) {
      try {
        if ((this.manager.users?.(s.pane.tracer) ?? 1) > 1) {
          s.jsPid = opts.pid;
          s.pid = opts.pid;
          s.pane.started();
          return;
        }
        this.manager.setPid(s.pane.tracer, opts.pid);
        s.pid = opts.pid;
        s.pane.started();
      } catch {
        this.stopSlot(s);
        this.startSlot(s);
      }
    }
  }

  private reconfigureAll(): void {
    for (const s of this.onSlots()) this.reconfigure(s);
    this.draw();
    this.ctx.app.requestRender();
  }

  setScopePid(pid: number | undefined): void {
    if (pid === this.scopePid) return;
    this.scopePid = pid;
    for (const s of this.slots) s.pane.scopePid = pid;
    for (const s of this.onSlots()) this.reconfigure(s);
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
    for (const s of this.slots) {
      this.stopSlot(s);
      s.on = false;
    }
    this.unmount();
    this.disposed = true;
  }

  // ---- events -----------------------------------------------------------------

  private onBatch(s: Slot, batch: unknown[]): void {
    if (!s.running) return;
    // A tracer shared with another user (the failures recorder) keeps its kernel filter off: filter here.
    if (s.jsPid) batch = batch.filter((e) => (e as { pid?: number }).pid === s.jsPid);
    s.pane.events += batch.length;
    try {
      s.pane.add(batch as never[]);
    } catch (e) {
      this.ctx.app.status(`${s.pane.title} pane: ${(e as Error).message}`, 'error');
    }
    // A storm starves the timers that run periodic(): check the rate here too.
    const now = this.clock();
    if (s.winStart === undefined || now - s.winStart >= 1000) {
      s.winStart = now;
      s.winEvents = 0;
    }
    s.winEvents = (s.winEvents ?? 0) + batch.length;
    if (s.winEvents > STORM_EVENTS_PER_SEC && s.pane.stormFallback) {
      const rate = s.winEvents / Math.max(0.05, (now - s.winStart) / 1000);
      s.winStart = undefined;
      if (s.pane.stormFallback(rate)) {
        this.reconfigure(s);
        this.ctx.app.requestRender();
        return;
      }
    }
    this.scheduleRedraw();
  }

  private scheduleRedraw(): void {
    if (this.redrawTimer || this.disposed) return;
    const wait = Math.max(0, MIN_REDRAW_MS - (this.clock() - this.lastDraw));
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      this.ctx.app.requestRender();
    }, wait);
  }

  /** Kernel maps, drops and per-PID rate windows, at most once a second. */
  private periodic(now: number, force = false): void {
    if (!force && now - this.lastCollect < COLLECT_MS) return;
    const dt = this.lastCollect ? (now - this.lastCollect) / 1000 : 0;
    this.lastCollect = now;
    const rates = new Map<number, PerPidRates>();
    for (const s of this.slots) {
      if (!s.running) continue;
      const p = s.pane;
      try {
        if (p.collect) p.collect(this.manager.handle(p.tracer));
      } catch (e) {
        this.ctx.app.status(`${p.title}: ${withoutTracerName(p.tracer, (e as Error).message)}`, 'error');
      }
      try {
        const d = this.manager.drops(p.tracer);
        s.drops = d.ring + d.map + d.native;
      } catch {
        /* keep the last count */
      }
      const rate = dt > 0 && s.lastEvents !== undefined ? (p.events - s.lastEvents) / dt : 0;
      s.lastEvents = p.events;
      if (rate > STORM_EVENTS_PER_SEC && p.stormFallback?.(rate)) {
        this.reconfigure(s);
        s.lastEvents = p.events;
      }
      const w = p.window.take();
      if (!p.metric || dt <= 0) continue;
      for (const [pid, c] of w) {
        let r = rates.get(pid);
        if (!r) rates.set(pid, (r = {}));
        if (p.metric === 'diskLatMs') r.diskLatMs = c.n ? c.sum / c.n : undefined;
        else r[p.metric] = c.n / dt;
      }
    }
    if (dt > 0 || !this.onSlots().some((s) => s.running)) {
      this.rates = rates;
      publishPerPid(rates);
    }
  }

  perPid(): Map<number, PerPidRates> {
    return this.rates;
  }

  // ---- status ------------------------------------------------------------------

  active(): Array<{ key: number; name: string; drops: number; error?: string }> {
    return this.onSlots().map((s) => ({ key: s.pane.key, name: s.pane.title, drops: s.drops, ...(s.error ? { error: s.error.message } : {}) }));
  }

  /** One tagged line for the shell's status bar, '' when no pane is open. */
  statusLine(): string {
    const on = this.onSlots();
    if (!on.length) return '';
    const t = this.ctx.theme;
    const parts = on.map((s) => {
      const label = `${s.pane.key} ${s.pane.title}${s.error ? ' (unavailable)' : s.drops ? ` drops ${s.drops}` : ''}`;
      const color = s.error ? 'error' : s.drops ? 'warn' : 'ok';
      const txt = this.focusKey === s.pane.key ? `[${label}]` : label;
      return t.fg(color, blessed.escape(txt));
    });
    return `${t.fg('label', 'trace:')} ${parts.join('  ')}`;
  }

  focused(): number | undefined {
    return this.focusKey;
  }

  /** Rows the shell should give the pane box (0 when no pane is open). */
  desiredHeight(cols: number, rows: number): number {
    const n = this.onSlots().length;
    if (!n) return 0;
    const sideBySide = n === 1 || cols / n >= 80;
    const want = sideBySide ? 14 : n * 9;
    return Math.max(5, Math.min(want, Math.floor(rows * (sideBySide ? 0.5 : 0.6))));
  }

  footer(): Array<[string, string]> {
    const s = this.focusKey !== undefined ? this.slot(this.focusKey) : undefined;
    if (!s) return this.onSlots().length ? [['`', 'Pane']] : [];
    return [['Esc', 'Unfocus'], ...s.pane.keys().map(([k, d]) => [k, d.split(' ')[0]] as [string, string])];
  }

  help(): Array<[string, string]> {
    const out: Array<[string, string]> = this.slots.map((s) => [String(s.pane.key), `trace pane: ${s.pane.title} (toggle)`]);
    out.push(['` 0', 'focus the next open trace pane'], ['Esc', 'leave the focused pane']);
    const seen = new Set<string>();
    for (const s of this.slots) {
      for (const [k, d] of s.pane.keys()) {
        const key = `${k}:${d}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([`${k} (pane ${s.pane.key})`, d]);
      }
    }
    return out;
  }

  // ---- keys ----------------------------------------------------------------------

  handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (this.disposed) return false;
    if (this.focusKey !== undefined) {
      const s = this.slot(this.focusKey);
      if (name === 'escape') {
        this.focusKey = undefined;
        this.draw();
        return true;
      }
      // Characters other than the pane toggles, and the scroll keys (which the pane declines when it has nothing to scroll).
      const forPane = ch !== undefined ? !/^[0-7`]$/.test(ch) : SCROLL_KEYS.has(name);
      if (s && forPane && s.pane.handleKey(ch, name, full)) {
        this.draw();
        return true;
      }
    }
    if (ch && /^[1-7]$/.test(ch) && full === ch) {
      this.toggle(Number(ch));
      return true;
    }
    if ((ch === '`' || ch === '0') && full === ch) {
      const on = this.onSlots();
      if (!on.length) return false;
      const i = on.findIndex((s) => s.pane.key === this.focusKey);
      this.focusKey = i + 1 < on.length ? on[i + 1].pane.key : undefined;
      this.draw();
      return true;
    }
    return false;
  }

  // ---- drawing ------------------------------------------------------------------

  mount(parent: Widgets.BoxElement): void {
    this.parent = parent;
    this.layoutKey = '';
  }

  unmount(): void {
    for (const s of this.slots) {
      s.box?.destroy();
      s.box = undefined;
    }
    this.parent = undefined;
    this.layoutKey = '';
  }

  /** Draw from the aggregates (cheap); the shell calls it on ticks and after requestRender. */
  render(): void {
    if (this.disposed) return;
    this.periodic(this.clock());
    this.draw();
  }

  private draw(): void {
    this.lastDraw = this.clock();
    const parent = this.parent;
    if (!parent) return;
    const on = this.onSlots();
    const W = Math.max(0, (parent.width as number) || 0);
    const H = Math.max(0, (parent.height as number) || 0);
    const side = on.length <= 1 || W / on.length >= 80;
    const key = `${on.map((s) => s.pane.key).join(',')}|${side}|${W}x${H}`;
    if (key !== this.layoutKey) {
      this.layoutKey = key;
      for (const s of this.slots) {
        if (!s.on && s.box) {
          s.box.destroy();
          s.box = undefined;
        }
      }
      on.forEach((s, i) => {
        const pos = side
          ? { top: 0, height: H, left: Math.floor((i * W) / on.length), width: Math.floor(((i + 1) * W) / on.length) - Math.floor((i * W) / on.length) }
          : { left: 0, width: W, top: Math.floor((i * H) / on.length), height: Math.floor(((i + 1) * H) / on.length) - Math.floor((i * H) / on.length) };
        // wrap: false — lines are already cut to the inner width, and blessed would wrap a full-width line that ends in a colour tag.
        if (!s.box) s.box = blessed.box({ parent, tags: true, border: 'line', wrap: false, ...pos } as Widgets.BoxOptions);
        else {
          s.box.left = pos.left;
          s.box.top = pos.top;
          s.box.width = pos.width;
          s.box.height = pos.height;
        }
      });
    }
    for (const s of on) this.drawSlot(s);
  }

  private drawSlot(s: Slot): void {
    const box = s.box;
    if (!box) return;
    const t = this.ctx.theme;
    const focused = this.focusKey === s.pane.key;
    const w = Math.max(0, (box.width as number) - 2);
    const h = Math.max(0, (box.height as number) - 2);
    const border = (box.style as { border?: Record<string, unknown> }).border ?? ((box.style as Record<string, unknown>).border = {});
    if (!t.mono) border.fg = s.error ? t.colors.error : focused ? t.colors.selected : s.drops ? t.colors.warn : t.colors.dim;
    border.bold = focused;
    let lines: string[];
    if (s.error) {
      lines = [t.fg('error', blessed.escape(truncateWidth(`${s.pane.title}: ${s.error.message}`, w))), ...wrapLines(s.error.howto, w).map((l) => blessed.escape(l))];
    } else if (w < 10 || h < 1) {
      lines = [];
    } else {
      try {
        lines = s.pane.draw(w, h);
      } catch (e) {
        lines = [t.fg('error', blessed.escape(`draw failed: ${(e as Error).message}`))];
      }
    }
    if (focused && h > 0 && lines.length >= h) lines = lines.slice(0, h);
    // After draw(): the count is of what was drawn (waits, opens counted in the kernel...).
    const mode = s.error ? ['unavailable'] : s.pane.modeLabel();
    const drops = s.running ? ` drops ${s.drops}` : '';
    const label = truncateWidth(sanitize(` ${s.pane.key} ${s.pane.title} · ${[...mode, s.pane.countLabel()].join(' · ')} ·${drops} `), Math.max(0, w - 2));
    box.setLabel(blessed.escape(label));
    box.setContent(lines.slice(0, h).join('\n'));
  }
}

function optionsKey(o: TraceOptions): string {
  const { pid: _pid, ...rest } = o;
  return JSON.stringify(rest);
}

/** Word-wrap plain (sanitized) lines to `width` cells. */
function wrapLines(lines: string[], width: number): string[] {
  const out: string[] = [];
  for (const l of lines) {
    let cur = '';
    for (const word of sanitize(l).split(' ')) {
      if (cur && cur.length + 1 + word.length > width) {
        out.push(cur);
        cur = '';
      }
      cur = cur ? `${cur} ${word}` : word;
    }
    out.push(truncateWidth(cur, width));
  }
  return out;
}
