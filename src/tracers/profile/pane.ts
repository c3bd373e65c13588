// Pane 8 (CPU profile) and, through offcpu/pane.ts, pane 9 (off-CPU time):
// a perf-top table of functions by self and total weight over a decaying
// window (half-life 5 s), or an icicle flame graph of every stack collected
// since the pane opened (root at the top), with a cursor to walk it and
// zoom in and out. `k` cycles all frames / user frames only / kernel frames
// only; on the drill-in the pane profiles that PID (the host scopes it).
// The kernel maps are read once a second; new stacks are symbolised
// asynchronously in slices (the keys stay responsive), so a draw shows what
// is resolved so far. The border says the sample rate (or blocked time),
// the losses (no stack, collisions, full maps) and the profiler's own CPU.
import { TracePane, asCount, columnTable, fixedDigits, line, note, paneColumns, scrollWindow, textRow, type PaneLine, type PaneSpan, type PaneStyle } from '../pane.js';
import type { TraceOptions, TracerHandle } from '../types.js';
import type { Column } from '../../model/columns.js';
import { displayWidth, sanitize, truncateWidth } from '../../util/text.js';
import { formatCount } from '../../util/format.js';
import { Profiler, type ProfileKind } from './profiler.js';
import { FRAME_MODES, flameTree, functionTable, type FlameNode, type FrameMode, type FunctionRow } from './views.js';
import { functionColumns, lossText, systemProfiler, truncationAdvice } from './report.js';


const nodeKey = (n: { name: string; module: string; kernel: boolean }) => `${n.kernel ? 'k' : 'u'}\0${n.module}\0${n.name}`;

/** Keys the pane takes besides characters and the scroll keys (the host forwards them while focused). */
export const FLAME_NAV_KEYS: ReadonlySet<string> = new Set(['left', 'right']);

export class ProfilePane extends TracePane<never> {
  readonly tracer: string = 'profile';
  protected kind: ProfileKind = 'profile';
  override readonly navKeys = FLAME_NAV_KEYS;
  /** The sampling frequency the pane runs the tracer at. */
  freq = 49;
  view: 'table' | 'flame' = 'table';
  mode: FrameMode = 'all';
  /** Zoom root and cursor: key paths from the tree's root. */
  zoom: string[] = [];
  cursor: string[] = [];
  protected profiler: Profiler | undefined;
  private cache?: { version: number; mode: FrameMode; tree?: FlameNode; rows?: FunctionRow[] };
  /** Per second, from the last collect. */
  rate = 0;
  costPct = 0;
  ostopPct = 0;
  private lastCpu?: { usage: NodeJS.CpuUsage; at: number };
  private readonly makeProfiler: (kind: ProfileKind) => Profiler;
  private lastError?: string;

  constructor(ui: ConstructorParameters<typeof TracePane>[0], make: (kind: ProfileKind) => Profiler = systemProfiler) {
    super(ui);
    this.makeProfiler = make;
  }

  override traceOptions(): TraceOptions {
    return { pid: this.pid, flags: { freq: String(this.freq) } };
  }

  protected get prof(): Profiler {
    return (this.profiler ??= this.makeProfiler(this.kind));
  }

  add(): void {
    /* the profilers stream nothing: everything comes from collect() */
  }

  override started(): void {
    this.prof.restarted();
    // kallsyms in slices from now, not in the first collect's way.
    void this.prof.symbolizer.loadKernelAsync();
    this.zoom = [];
    this.cursor = [];
    this.cache = undefined;
    this.lastCpu = undefined;
  }

  clear(): void {
    this.prof.reset();
    this.zoom = [];
    this.cursor = [];
    this.cache = undefined;
  }

  override collect(h: TracerHandle): void {
    const p = this.prof;
    if (p.running) return;
    void p.collect(h).then((info) => {
      if (!info) return;
      this.lastError = undefined;
      const now = Date.now();
      const usage = process.cpuUsage();
      if (this.lastCpu && now > this.lastCpu.at) {
        const used = (usage.user - this.lastCpu.usage.user + usage.system - this.lastCpu.usage.system) / 1000;
        this.ostopPct = (used / (now - this.lastCpu.at)) * 100;
      }
      this.lastCpu = { usage, at: now };
      if (info.dt > 0) {
        this.rate = (this.kind === 'offcpu' ? info.delta : p.lastStats.samples) / info.dt;
        this.costPct = (info.busyMs / (info.dt * 1000)) * 100;
      }
    }, (e: Error) => {
      this.lastError = e.message;
    });
  }

  // ---- border -----------------------------------------------------------------

  override modeLabel(): string[] {
    const what = this.kind === 'profile' ? `${this.freq} Hz` : 'blocked time';
    return [what, this.view === 'flame' ? 'flame graph' : 'top (5 s half-life)', this.mode === 'all' ? '' : `${this.mode} frames`, this.pid ? '' : 'system-wide', ...super.modeLabel()].filter(Boolean);
  }

  override countLabel(): string {
    const p = this.prof;
    const lost = p.stats.noUstack + p.stats.noKstack + p.stats.collisions + p.stats.stacksFull + p.stats.countsFull;
    const rate = this.kind === 'offcpu' ? `${formatCount(Math.round(this.rate))} blocks/s` : `${formatCount(Math.round(this.rate))} samples/s`;
    return `${rate} · lost ${formatCount(lost)} · cost ${this.costPct.toFixed(1)}% CPU (ostop ${this.ostopPct.toFixed(1)}%)`;
  }

  override scrollable(): boolean {
    return this.view === 'table';
  }

  // ---- drawing ------------------------------------------------------------------

  private current(): { tree: FlameNode; rows: FunctionRow[] } {
    const p = this.prof;
    if (!this.cache || this.cache.version !== p.version || this.cache.mode !== this.mode) this.cache = { version: p.version, mode: this.mode };
    const stacks = p.all();
    // Off-CPU stacks all end in the scheduler: rank by total (the callers hold the time), on-CPU by self.
    this.cache.rows ??= this.kind === 'offcpu'
      ? functionTable(stacks, this.mode, 'recent').sort((a, b) => b.total - a.total || b.self - a.self)
      : functionTable(stacks, this.mode, 'recent');
    this.cache.tree ??= flameTree(stacks, this.mode);
    return { tree: this.cache.tree, rows: this.cache.rows };
  }

  /** Notes above the content: why frames are missing, and what to do. */
  private notes(width: number): PaneLine[] {
    const out: PaneLine[] = [];
    const p = this.prof;
    const adv = truncationAdvice(p);
    if (adv) for (const l of wrap(adv, width, 2)) out.push(textRow(l, width, 'warn'));
    const k = p.symbolizer.kernelProblem();
    if (k) out.push(textRow(k, width, 'warn'));
    const lost = lossText(p.stats, this.kind);
    if (lost && width >= 60) out.push(textRow(`lost: ${lost}`, width, 'dim'));
    if (this.lastError) out.push(textRow(`reading the profile failed: ${this.lastError}`, width, 'error'));
    return out;
  }

  draw(width: number, height: number): PaneLine[] {
    const p = this.prof;
    const { tree, rows } = this.current();
    const notes = this.notes(width).slice(0, Math.max(0, height - 3));
    if (!p.totalValue) {
      const waiting = this.kind === 'offcpu' ? 'no blocked time counted yet' : 'no samples yet';
      return [...notes, note(truncateWidth(`${waiting}${p.running ? ' (symbolising...)' : ''}`, width))].slice(0, height);
    }
    const body = height - notes.length;
    return [...notes, ...(this.view === 'flame' ? this.drawFlame(tree, width, body) : this.drawTable(rows, width, body))].slice(0, height);
  }

  private weightText(v: number): string {
    return this.kind === 'offcpu' ? `${(v / 1e6).toFixed(v >= 1e8 ? 0 : 1)}ms` : formatCount(Math.round(v));
  }

  private drawTable(rows: FunctionRow[], width: number, height: number): PaneLine[] {
    const sum = rows.reduce((a, r) => a + r.self, 0);
    const win = scrollWindow(rows.length, Math.max(1, height - 1), this.scroll);
    this.scroll = win.scroll;
    this.page = win.end - win.start;
    // The `functions` columns of `ostop trace profile --format json`, over the decaying window.
    const off = this.kind === 'offcpu';
    const ms = { text: (v: number) => (v / 1e6).toFixed(v >= 1e8 ? 0 : 1) };
    const right = <F extends (c: Column<FunctionRow>) => Partial<Column<FunctionRow>>>(f: F) => (c: Column<FunctionRow>) => ({ ...f(c), align: 'right' as const });
    const cols = paneColumns(functionColumns(this.kind, sum), [
      ['self_pct', 6, right(fixedDigits(1))],
      ['total_pct', 6, right(fixedDigits(1))],
      [off ? 'self_us' : 'self', 7, off ? { title: 'SELF(ms)', text: (r) => ms.text(r.self), align: 'right' } : right(asCount)],
      [off ? 'total_us' : 'total', 7, off ? { title: 'TOT(ms)', text: (r) => ms.text(r.total), align: 'right' } : right(asCount)],
      ['module', 16],
      ['name', 0, { title: 'SYMBOL', text: (r) => `${r.kernel ? '[k]' : '[.]'} ${r.name}` }],
    ]);
    const style = (r: FunctionRow): PaneStyle => (r.name.startsWith('[') && !r.module ? 'dim' : r.kernel ? 'warn' : undefined);
    const out = columnTable(cols, rows.slice(win.start, win.end), width, height, style);
    if (win.above) out.splice(1, 0, note(truncateWidth(`▲ ${win.start} more above`, width)));
    if (win.below) out.push(note(truncateWidth(`▼ ${rows.length - win.end} more below (\` focuses the pane, then ↑ ↓ PgUp PgDn)`, width)));
    return out.slice(0, height);
  }

  // ---- flame graph ----------------------------------------------------------------

  /** The node at a key path (as far as it still exists), and the path that exists. */
  private resolvePath(tree: FlameNode, path: string[]): { node: FlameNode; path: string[] } {
    let n = tree;
    const ok: string[] = [];
    for (const k of path) {
      const c = n.children.find((x) => nodeKey(x) === k);
      if (!c) break;
      n = c;
      ok.push(k);
    }
    return { node: n, path: ok };
  }

  private drawFlame(tree: FlameNode, width: number, height: number): PaneLine[] {
    const z = this.resolvePath(tree, this.zoom);
    this.zoom = z.path;
    // The cursor stays inside the zoomed part.
    if (this.cursor.length < this.zoom.length || this.zoom.some((k, i) => this.cursor[i] !== k)) this.cursor = [...this.zoom];
    const c = this.resolvePath(tree, this.cursor);
    this.cursor = c.path;
    const root = z.node;
    const sel = c.node;
    const out: PaneLine[] = [];
    const crumbs = this.zoom.length ? `zoomed: ${this.zoom.map((k) => sanitize(k.split('\0')[2])).join(' › ')}  (Backspace: out)` : 'all stacks  (Enter zooms into the selected frame)';
    const selPct = root.value ? ((sel.value / tree.value) * 100).toFixed(1) : '0';
    out.push(textRow(`${sanitize(sel.name)}${sel.module ? ` [${sanitize(sel.module)}]` : ''}: ${this.weightText(sel.value)} (${selPct}%)  ·  ${crumbs}`, width, 'bold'));
    const rowsAvail = height - 1;
    // Breadth-first layout: each level's nodes with their cell spans.
    let level: Array<{ n: FlameNode; x: number; w: number }> = [{ n: root, x: 0, w: width }];
    let depth = 0;
    while (level.length && depth < rowsAvail) {
      const isLast = depth === rowsAvail - 1;
      const next: typeof level = [];
      for (const e of level) {
        let x = e.x;
        for (const ch of e.n.children) {
          const w = (e.w * ch.value) / (e.n.value || 1);
          next.push({ n: ch, x, w });
          x += w;
        }
      }
      if (isLast && next.some((e) => Math.round(e.x + e.w) - Math.round(e.x) >= 1)) {
        out.push(note(truncateWidth('▼ deeper frames: Enter zooms into the selected one', width)));
        break;
      }
      out.push(this.flameRow(level, width, sel));
      level = next.filter((e) => Math.round(e.x + e.w) - Math.round(e.x) >= 1);
      depth++;
    }
    return out;
  }

  private flameRow(level: Array<{ n: FlameNode; x: number; w: number }>, width: number, sel: FlameNode): PaneLine {
    const spans: PaneSpan[] = [];
    let col = 0;
    let alt = false;
    for (const e of level) {
      const x0 = Math.round(e.x);
      const x1 = Math.min(width, Math.round(e.x + e.w));
      if (x1 - x0 < 1 || x0 < col) continue;
      if (x0 > col) spans.push({ text: ' '.repeat(x0 - col) });
      const w = x1 - x0;
      const label = w >= 2 ? truncateWidth(sanitize(e.n.name), w - 1) : '';
      const text = label + ' '.repeat(Math.max(0, w - 1 - displayWidth(label))) + (w >= 2 ? '▏' : '▏');
      const style: PaneStyle = e.n === sel ? 'header' : e.n.special ? 'dim' : e.n.kernel ? 'warn' : alt ? 'bold' : undefined;
      spans.push({ text: w === 1 ? '▏' : text, style });
      alt = !alt;
      col = x1;
    }
    return spans.length ? spans : line('');
  }

  /** Move the flame graph's cursor: to the parent, the heaviest child, or the neighbour at the same depth. */
  private moveCursor(dir: 'up' | 'down' | 'left' | 'right'): void {
    const { tree } = this.current();
    const { node } = this.resolvePath(tree, this.cursor);
    if (dir === 'up') {
      if (this.cursor.length > this.zoom.length) this.cursor = this.cursor.slice(0, -1);
      return;
    }
    if (dir === 'down') {
      if (node.children.length) this.cursor = [...this.cursor, nodeKey(node.children[0])];
      return;
    }
    // Same depth, in drawing order, inside the zoom root.
    const z = this.resolvePath(tree, this.zoom).node;
    const depth = this.cursor.length - this.zoom.length;
    const row: Array<{ n: FlameNode; path: string[] }> = [];
    const walk = (n: FlameNode, d: number, path: string[]) => {
      if (d === depth) {
        row.push({ n, path });
        return;
      }
      for (const c of n.children) walk(c, d + 1, [...path, nodeKey(c)]);
    };
    walk(z, 0, [...this.zoom]);
    const i = row.findIndex((r) => r.n === node);
    const j = dir === 'left' ? i - 1 : i + 1;
    if (i >= 0 && j >= 0 && j < row.length) this.cursor = row[j].path;
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 'f') {
      this.view = this.view === 'flame' ? 'table' : 'flame';
      this.scroll = 0;
      return true;
    }
    if (ch === 'k') {
      this.mode = FRAME_MODES[(FRAME_MODES.indexOf(this.mode) + 1) % FRAME_MODES.length];
      this.zoom = [];
      this.cursor = [];
      this.scroll = 0;
      return true;
    }
    if (this.view === 'flame') {
      if (name === 'up' || name === 'down' || name === 'left' || name === 'right') {
        this.moveCursor(name);
        return true;
      }
      if (name === 'enter' || name === 'return' || ch === '\r' || ch === '+') {
        this.zoom = [...this.cursor];
        return true;
      }
      if (name === 'backspace' || ch === '-' || ch === '\b' || ch === '\x7f') {
        if (this.zoom.length) this.zoom = this.zoom.slice(0, -1);
        return true;
      }
      if (SCROLL_ONLY.has(name)) return true;
    }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [
      ['f', 'flame graph / top table'], ['k', 'all / user / kernel frames'],
      ['←→↑↓', 'flame graph: select a frame'], ['Enter', 'flame graph: zoom in'], ['Backspace', 'flame graph: zoom out'],
      ['p', 'one PID'], ['c', 'clear'],
    ];
  }
}

const SCROLL_ONLY: ReadonlySet<string> = new Set(['pageup', 'pagedown', 'home', 'end']);

/** Word-wrap `text` to `width` cells, at most `max` lines (the last one cut). */
function wrap(text: string, width: number, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur && displayWidth(cur) + 1 + displayWidth(word) > width) {
      out.push(cur);
      cur = '';
      if (out.length === max) break;
    }
    cur = cur ? `${cur} ${word}` : word;
  }
  if (cur && out.length < max) out.push(cur);
  else if (out.length === max && cur) out[max - 1] = truncateWidth(out[max - 1] + ' …', width);
  return out.map((l) => truncateWidth(l, width));
}
