// The trace panes on screen (keys 1..9 from any view): layout, focus and
// painting of the pane models the tracers produce (src/tracers/<name>/pane.ts,
// one per registry line); their lifecycle (start/stop, storm fallback,
// kernel maps, per-PID rates) is TracePanes' (src/tracers/pane-host.ts).
// '`' or '0' cycles keyboard focus through the open panes (Esc unfocuses);
// the shell draws statusLine() and gives the host a box at the bottom of the
// body (desiredHeight() rows). Drawing happens at most ~10 times a second on
// batches plus the shell's ticks, and only for the rows that fit.
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { PaneArea } from '../src/app/panes.js';
import type { AppApi } from '../src/app/view.js';
import type { Theme } from '../src/app/theme.js';
import { TracePanes, type PaneSlot, type PaneTracers } from '../src/tracers/pane-host.js';
import { SCROLL_KEYS } from '../src/tracers/pane.js';
import type { TracerEntry } from '../src/tracers/registry.js';
import { sanitize, truncateWidth } from '../src/util/text.js';
import { paintLine } from './trace-pane.js';

export interface PaneHostContext {
  screen: Widgets.Screen;
  theme: Theme;
  app: Pick<AppApi, 'prompt' | 'status' | 'requestRender'>;
}

export class PaneHost implements PaneArea {
  readonly panes: TracePanes;
  private parent: Widgets.BoxElement | undefined;
  private focusKey: number | undefined;
  private layoutKey = '';
  private boxes = new Map<number, Widgets.BoxElement>();

  constructor(private readonly ctx: PaneHostContext, manager?: PaneTracers, clock: () => number = Date.now, registry?: readonly TracerEntry[]) {
    const app = ctx.app;
    this.panes = new TracePanes({
      prompt: (label, initial, done) => app.prompt(label, initial, done),
      status: (m, level) => app.status(m, level),
      requestRender: () => app.requestRender(),
    }, manager, clock, registry);
  }

  // ---- lifecycle (TracePanes) ---------------------------------------------------

  toggle(n: number): void {
    const s = this.panes.slot(n);
    if (!this.panes.toggle(n)) return;
    if (s && !s.on && this.focusKey === n) this.focusKey = undefined;
    this.draw();
    this.ctx.app.requestRender();
  }

  setScopePid(pid: number | undefined): void {
    this.panes.setScopePid(pid);
  }

  toggleKeys(): string {
    const keys = this.panes.slots.map((s) => s.pane.key);
    if (!keys.length) return '';
    return keys.length === 1 ? String(keys[0]) : `${Math.min(...keys)}-${Math.max(...keys)}`;
  }

  dispose(): void {
    if (this.panes.isDisposed) return;
    this.panes.dispose();
    this.unmount();
  }

  perPid(): ReturnType<TracePanes['perPid']> {
    return this.panes.perPid();
  }

  active(): ReturnType<TracePanes['active']> {
    return this.panes.active();
  }

  // ---- status ------------------------------------------------------------------

  /** One tagged line for the shell's status bar, '' when no pane is open. */
  statusLine(): string {
    const on = this.panes.onSlots();
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
    const n = this.panes.onSlots().length;
    if (!n) return 0;
    const sideBySide = n === 1 || cols / n >= 80;
    const want = sideBySide ? 14 : n * 9;
    return Math.max(5, Math.min(want, Math.floor(rows * (sideBySide ? 0.5 : 0.6))));
  }

  footer(): Array<[string, string]> {
    const s = this.focusKey !== undefined ? this.panes.slot(this.focusKey) : undefined;
    if (!s) return this.panes.onSlots().length ? [['`', 'Pane']] : [];
    return [['Esc', 'Unfocus'], ...s.pane.keys().map(([k, d]) => [k, d.split(' ')[0]] as [string, string])];
  }

  help(): Array<[string, string]> {
    return this.panes.help();
  }

  // ---- keys ----------------------------------------------------------------------

  handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (this.panes.isDisposed) return false;
    if (this.focusKey !== undefined) {
      const s = this.panes.slot(this.focusKey);
      if (name === 'escape') {
        this.focusKey = undefined;
        this.draw();
        return true;
      }
      // Characters other than the pane toggles, and the scroll keys (which the pane declines when it has nothing to scroll).
      const toggles = ch === '0' || ch === '`' || (ch !== undefined && /^[1-9]$/.test(ch) && this.panes.slot(Number(ch)) !== undefined);
      const forPane = ch !== undefined ? !toggles : SCROLL_KEYS.has(name) || !!s?.pane.navKeys?.has(name);
      if (s && forPane && s.pane.handleKey(ch, name, full)) {
        this.draw();
        return true;
      }
    }
    if (ch && /^[1-9]$/.test(ch) && full === ch && this.panes.slot(Number(ch))) {
      this.toggle(Number(ch));
      return true;
    }
    if ((ch === '`' || ch === '0') && full === ch) {
      const on = this.panes.onSlots();
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
    for (const b of this.boxes.values()) b.destroy();
    this.boxes.clear();
    this.parent = undefined;
    this.layoutKey = '';
  }

  /** Draw from the pane models (cheap); the shell calls it on ticks and after requestRender. */
  render(): void {
    if (this.panes.isDisposed) return;
    this.panes.periodic();
    this.draw();
  }

  private draw(): void {
    this.panes.drawn();
    const parent = this.parent;
    if (!parent) return;
    const on = this.panes.onSlots();
    const W = Math.max(0, (parent.width as number) || 0);
    const H = Math.max(0, (parent.height as number) || 0);
    const side = on.length <= 1 || W / on.length >= 80;
    const key = `${on.map((s) => s.pane.key).join(',')}|${side}|${W}x${H}`;
    if (key !== this.layoutKey) {
      this.layoutKey = key;
      for (const [k, b] of this.boxes) {
        if (!this.panes.slot(k)?.on) {
          b.destroy();
          this.boxes.delete(k);
        }
      }
      on.forEach((s, i) => {
        const pos = side
          ? { top: 0, height: H, left: Math.floor((i * W) / on.length), width: Math.floor(((i + 1) * W) / on.length) - Math.floor((i * W) / on.length) }
          : { left: 0, width: W, top: Math.floor((i * H) / on.length), height: Math.floor(((i + 1) * H) / on.length) - Math.floor((i * H) / on.length) };
        const box = this.boxes.get(s.pane.key);
        // wrap: false — lines are already cut to the inner width, and blessed would wrap a full-width line that ends in a colour tag.
        if (!box) this.boxes.set(s.pane.key, blessed.box({ parent, tags: true, border: 'line', wrap: false, ...pos } as Widgets.BoxOptions));
        else {
          box.left = pos.left;
          box.top = pos.top;
          box.width = pos.width;
          box.height = pos.height;
        }
      });
    }
    for (const s of on) this.drawSlot(s);
  }

  private drawSlot(s: PaneSlot): void {
    const box = this.boxes.get(s.pane.key);
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
        lines = s.pane.draw(w, h).map((l) => paintLine(t, l));
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
