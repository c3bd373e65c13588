// The trace pane model: what every tracer's pane (src/tracers/<name>/pane.ts,
// created from its registry line) holds and produces. A pane folds decoded
// batches into a bounded ring and its tracer's aggregator, and draw() gives
// the lines that fit a width x height area as spans of plain text, each with
// a style name; screens/trace-panes.ts only paints them (escape, colours).
// Invariants: a pane holds at most RING_CAP recent events and bounded maps,
// whatever the event rate (memory stays bounded under a storm); drawing only
// touches the rows that fit; every string from a process or the kernel goes
// through sanitize + fitWidth/truncateWidth here, and the screen escapes
// every span, so it can neither move the cursor nor inject blessed tags.
import type { Column } from '../model/columns.js';
import { displayWidth, fitWidth, sanitize, truncateWidth } from '../util/text.js';
import { formatCount } from '../util/format.js';
import { displayRows, histBar, type HistLine, type Log2Hist } from './log2-hist.js';
import { PidWindow, type PerPidMetric } from './rates.js';
import type { TraceOptions, TracerHandle } from './types.js';

import { RING_CAP, Ring } from './bounded.js';

export { BoundedMap, Ring } from './bounded.js';

export { RING_CAP } from './bounded.js';
/** Above this many decoded events per second a pane falls back to in-kernel counting (keeps keys under 100 ms). */
export const STORM_EVENTS_PER_SEC = 20000;

// ---- lines ------------------------------------------------------------------

/**
 * How a span is painted: a theme colour, bold, a table header (underlined in
 * monochrome), or a note (dim, plain in monochrome). Colours become bold in
 * monochrome so that warnings and errors keep their weight.
 */
export type PaneStyle = 'dim' | 'warn' | 'error' | 'bold' | 'header' | 'note' | undefined;
export type RowStyle = PaneStyle;
export interface PaneSpan { text: string; style?: PaneStyle }
/** One line of a pane: plain-text spans, at most the pane's width in all. */
export type PaneLine = readonly PaneSpan[];

export function line(text: string, style?: PaneStyle): PaneLine {
  return [{ text, style }];
}

/** The plain text of a line (what a person reads). */
export function lineText(l: PaneLine): string {
  let s = '';
  for (const p of l) s += p.text;
  return s;
}

/** A dim note (waiting for..., no samples yet); not cut: the box crops it. */
export function note(text: string): PaneLine {
  return line(text, 'note');
}

// ---- tables -------------------------------------------------------------

/** A pane table's column: the one Column type's title, width (0: what is left, last column only) and alignment. */
export type PaneCol = Pick<Column<unknown>, 'title' | 'align'> & { width: number };

/** A plain line of cells fitted to `width` cells exactly (the last column takes the rest). */
export function plainRow(cols: readonly PaneCol[], cells: readonly string[], width: number): string {
  let used = 0;
  const parts: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    const sep = i ? 1 : 0;
    const left = width - used - sep;
    if (left <= 0) break;
    const w = c.width === 0 || i === cols.length - 1 ? Math.max(c.width, left) : Math.min(c.width, left);
    const cell = fitWidth(sanitize(cells[i] ?? ''), Math.min(w, left), c.align ?? 'left');
    parts.push(cell);
    used += sep + displayWidth(cell);
  }
  return truncateWidth(parts.join(' '), width);
}

interface PaneRow { cells: string[]; style?: PaneStyle }

/** A pane column that shows a record: the one Column type, with the cells it takes on screen (0: what is left, last column only). */
export type PaneColumn<R> = Column<R> & { width: number };

/** A record's cell as text output shows it: Column.text, else its value ('-' when null). */
export function cellText<R>(c: Column<R>, r: R): string {
  if (c.text) return c.text(r);
  const v = c.value(r);
  return v === null || v === undefined ? '-' : String(v);
}

/**
 * How a pane may show one of its tracer's columns in a narrow cell: another
 * title or text (a size for a byte count, a count as 1.2k...). The id and
 * the value stay the column's, so a pane cell always means what the JSON
 * key of the same id means. Either fixed, or made from the column itself
 * (asCount, fixedDigits: its value in a compact form).
 */
export type PaneForm<R> = Partial<Pick<Column<R>, 'title' | 'text' | 'align'>> | ((c: Column<R>) => Partial<Pick<Column<R>, 'title' | 'text' | 'align'>>);

/**
 * Columns of a tracer's output (`ostop trace`'s event columns, or a
 * --summary table's), by id, with their pane widths and any compact form:
 * the pane shows what trace prints; an id the tracer does not have throws.
 */
export function paneColumns<R>(from: readonly Column<R>[], pick: ReadonlyArray<readonly [id: string, width: number, form?: PaneForm<NoInfer<R>>]>): PaneColumn<R>[] {
  return pick.map(([id, width, form]) => {
    const c = from.find((x) => x.id === id);
    if (!c) throw new Error(`no column '${id}'`);
    return { ...c, ...(typeof form === 'function' ? form(c) : form), width };
  });
}

const numberOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A column's value as a count in a narrow cell (1234 -> 1.2k, util/format.ts). */
export function asCount<R>(c: Column<R>): Partial<Column<R>> {
  return { text: (r) => formatCount(numberOf(c.value(r))) };
}

/** A compact form under a shorter title (ERR for ERRORS, TOT(ms) for TOTAL(ms)). */
export function titled(title: string, form?: <R>(c: Column<R>) => Partial<Column<R>>): <R>(c: Column<R>) => Partial<Column<R>> {
  return (c) => ({ ...form?.(c), title });
}

/** A column's value with `digits` decimals ('-' when null). */
export function fixedDigits(digits: number): <R>(c: Column<R>) => Partial<Column<R>> {
  return (c) => ({ text: (r) => { const v = numberOf(c.value(r)); return v === null ? '-' : v.toFixed(digits); } });
}

/** A table of records: its header, then as many records as fit in `height` lines, each cell its column's text. */
export function columnTable<R>(cols: readonly PaneColumn<R>[], rows: readonly R[], width: number, height: number, style?: (r: R) => PaneStyle): PaneLine[] {
  const shown = rows.slice(0, Math.max(0, height - 1));
  return table(cols, shown.map((r) => ({ cells: cols.map((c) => cellText(c, r)), style: style?.(r) })), width, height);
}

/** A table of cells: its header, then as many rows as fit in `height` lines (panes draw records through columnTable). */
function table(cols: readonly PaneCol[], rows: readonly PaneRow[], width: number, height: number): PaneLine[] {
  const out: PaneLine[] = [line(plainRow(cols, cols.map((c) => c.title), width), 'header')];
  for (const r of rows.slice(0, Math.max(0, height - 1))) out.push(line(plainRow(cols, r.cells, width), r.style));
  return out;
}

/** One full-width plain cell (a title or a sentence inside a table area). */
export function textRow(text: string, width: number, style?: PaneStyle): PaneLine {
  return line(plainRow([{ title: '', width: 0 }], [text], width), style);
}

/** Two blocks side by side: `left` padded to `leftWidth` cells, then " │ ", then `right`. */
export function sideBySide(left: readonly PaneLine[], right: readonly PaneLine[], leftWidth: number, height: number): PaneLine[] {
  const out: PaneLine[] = [];
  for (let i = 0; i < height; i++) {
    const l = left[i] ?? [];
    const pad = Math.max(0, leftWidth - displayWidth(lineText(l)));
    out.push([...l, { text: ' '.repeat(pad) + ' │ ' }, ...(right[i] ?? [])]);
  }
  return out;
}

/** Two tables side by side when wide enough (each at least `leftMin`), else stacked in halves. */
export function twoTables(width: number, height: number, a: (w: number, h: number) => PaneLine[], b: (w: number, h: number) => PaneLine[], leftMin = 60): PaneLine[] {
  if (width >= leftMin * 2 + 3) {
    const lw = Math.floor((width - 3) / 2);
    return sideBySide(a(lw, height), b(width - 3 - lw, height), lw, height);
  }
  const h1 = Math.max(2, Math.ceil(height / 2));
  return [...a(width, h1), ...b(width, height - h1)].slice(0, height);
}

// ---- scrolling ------------------------------------------------------------

/** Keys a focused pane scrolls with (blessed key names; they carry no character). */
export const SCROLL_KEYS: ReadonlySet<string> = new Set(['up', 'down', 'pageup', 'pagedown', 'home', 'end']);

export interface ScrollWindow {
  /** Content lines [start, end) are shown. */
  start: number;
  end: number;
  /** A line above / below the content says what is scrolled off. */
  above: boolean;
  below: boolean;
  /** `scroll` clamped to what the content allows. */
  scroll: number;
}

/**
 * Which of `total` content lines fit in `height` lines from line `scroll`,
 * keeping a line at the top (when scrolled down) and at the bottom (when
 * more follows) to say what is off-screen: nothing is hidden silently.
 */
export function scrollWindow(total: number, height: number, scroll: number): ScrollWindow {
  if (total <= height) return { start: 0, end: total, above: false, below: false, scroll: 0 };
  if (height <= 0) return { start: 0, end: 0, above: false, below: false, scroll: 0 };
  // At the end: the "above" line, then the last height - 1 lines.
  const start = Math.max(0, Math.min(scroll, total - (height - 1)));
  const above = start > 0;
  let end = start + height - (above ? 1 : 0);
  const below = end < total;
  if (below) end--;
  return { start, end: Math.max(start, end), above, below, scroll: start };
}

// ---- histograms ---------------------------------------------------------------

export interface HistBlock {
  /** A line above the block's rows (a device's totals), shown bold. */
  title?: string;
  hist: Log2Hist;
}

/** Adjacent log2 buckets merged at most this far (x4: rows of 0-15, 16-255... us) before rows scroll instead. */
const HIST_MERGES = [1, 2, 4] as const;

/**
 * Log2 histograms in print_log2_hist's layout below `fixed` lines, as a whole:
 * every block from its first to its last non-empty bucket (a run of empty
 * buckets on one line); adjacent buckets merged (x2, x4, said in the header)
 * when that makes everything fit, else the rows scroll (`pane.scroll`) with a
 * line saying how many rows and `noun`s (waits, I/Os) are above / below.
 * Bars are scaled to the largest bucket of their block on screen.
 */
export function histLines(pane: { scroll: number; page: number }, fixed: PaneLine[], blocks: readonly HistBlock[], unit: string, noun: string, width: number, height: number): PaneLine[] {
  if (!blocks.some((b) => b.hist.count > 0)) return [...fixed, note('no samples yet')].slice(0, Math.max(1, height));
  const avail = height - fixed.length - 1;
  if (avail < 1) return fixed.slice(0, height);
  const blockLines = (b: HistBlock, m: number) => (b.title === undefined ? 0 : 1) + displayRows(b.hist, m).length;
  // The finest merge that fits everything, else the finest that fits each block on a page (the rest scrolls).
  const merge = HIST_MERGES.find((m) => blocks.reduce((n, b) => n + blockLines(b, m), 0) <= avail)
    ?? HIST_MERGES.find((m) => blocks.every((b) => blockLines(b, m) <= avail))
    ?? HIST_MERGES[HIST_MERGES.length - 1];
  type Line = { title: string } | { row: HistLine; block: number };
  const content: Line[] = [];
  blocks.forEach((b, block) => {
    if (b.title !== undefined) content.push({ title: b.title });
    for (const row of displayRows(b.hist, merge)) content.push({ row, block });
  });
  const win = scrollWindow(content.length, avail, pane.scroll);
  pane.scroll = win.scroll;
  pane.page = win.end - win.start;
  const shown = content.slice(win.start, win.end);
  const max = new Map<number, number>();
  for (const l of shown) if ('row' in l) max.set(l.block, Math.max(max.get(l.block) ?? 0, l.row.count));
  const barW = Math.max(4, Math.min(40, width - 39));
  const left = merge > 1 ? `${unit}, buckets merged x${merge}`.padStart(24) : unit.padStart(10).padEnd(24);
  const out = [...fixed, line(`${left} : count     distribution`.slice(0, width), 'header')];
  const hidden = (ls: Line[], arrow: string, where: string) => {
    const n = ls.reduce((a, l) => a + ('row' in l ? l.row.count : 0), 0);
    return note(`${arrow} ${ls.length} more line${ls.length === 1 ? '' : 's'} ${where}: ${n} ${noun} (\` focuses the pane, then ↑ ↓ PgUp PgDn)`.slice(0, width));
  };
  if (win.above) out.push(hidden(content.slice(0, win.start), '▲', 'above'));
  for (const l of shown) {
    if (!('row' in l)) {
      out.push(textRow(l.title, width, 'bold'));
      continue;
    }
    const r = l.row;
    const range = `${String(r.lo).padStart(10)} -> ${String(r.hi).padEnd(10)} : ${String(r.count).padEnd(9)}`;
    if (r.emptyRun) {
      out.push(note(`${range} (${r.emptyRun} empty buckets)`.slice(0, width)));
      continue;
    }
    const m = max.get(l.block) ?? 0;
    out.push(line(`${range} ${histBar(m ? r.count / m : 0, barW)}`.slice(0, width)));
  }
  if (win.below) out.push(hidden(content.slice(win.end), '▼', 'below'));
  return out;
}

// ---- the pane base class --------------------------------------------------

/** What a pane may ask of its host. */
export interface PaneUi {
  prompt(label: string, initial: string, done: (value: string | null) => void): void;
  status(msg: string, level?: 'info' | 'warn' | 'error'): void;
  /** The pane's options changed (failed-only, summary, PID): restart the tracer or change its PID map. */
  reconfigure(): void;
}

export abstract class TracePane<E = unknown> {
  /** The toggle key (1..9) and the title: from the tracer's registry line. */
  key = 0;
  title = '';
  /** Tracer name in the registry. */
  abstract readonly tracer: string;
  /** Keys without a character besides the scroll keys the pane takes while focused (a flame graph's ← →). */
  readonly navKeys?: ReadonlySet<string>;
  /** The process-table column this pane feeds, if any. */
  readonly metric?: PerPidMetric;
  /** PID typed in the pane ('p'); overrides the drill-in scope. */
  pidFilter: number | undefined;
  /** The drilled-in PID (set by the host). */
  scopePid: number | undefined;
  /** Per-PID counts for the process table's eBPF columns. */
  readonly window = new PidWindow();
  /** Events folded since the tracer started (shown in the border). */
  events = 0;
  /** First content line shown by panes whose content can be longer than the pane (see scrollable()). */
  scroll = 0;
  /** Content lines the last draw showed: what PgUp/PgDn move. */
  page = 1;

  constructor(protected readonly ui: PaneUi) {}

  get pid(): number | undefined {
    return this.pidFilter ?? this.scopePid;
  }

  /** Options the tracer is started with; a change other than pid means a restart. */
  traceOptions(): TraceOptions {
    return { pid: this.pid };
  }

  /** Fold a decoded batch: ring push + aggregate only. */
  abstract add(events: readonly E[]): void;

  /**
   * Called by the host when the tracer streams more than STORM_EVENTS_PER_SEC:
   * switch to an in-kernel counting mode (changing traceOptions) and return
   * true, or return false to keep streaming (drops are counted either way).
   */
  stormFallback?(eventsPerSec: number): boolean;

  /** Pull in-kernel maps (called by the host at most once a second while on). */
  collect?(handle: TracerHandle): void;

  /** The tracer was (re)started with traceOptions(): drop state that belonged to the old options. */
  started(): void {}

  /** The lines for a width x height area (at most `height`). */
  abstract draw(width: number, height: number): PaneLine[];

  /** What the pane counts, for the border: streamed events unless a mode counts something else (in the kernel). */
  countLabel(): string {
    return `${this.events} events`;
  }

  /** True while the pane draws content that can be longer than the pane (Up/Down/PgUp/PgDn/Home/End scroll it when focused). */
  scrollable(): boolean {
    return false;
  }

  /** Mode words for the border ("stream", "summary", "failed only"...). */
  modeLabel(): string[] {
    const out: string[] = [];
    if (this.pid) out.push(`pid ${this.pid}${this.pidFilter === undefined ? ' (drill-in)' : ''}`);
    return out;
  }

  abstract clear(): void;

  /** Pane-local keys (only while focused). True when consumed. */
  handleKey(ch: string | undefined, name: string, _full: string): boolean {
    if (ch === undefined && SCROLL_KEYS.has(name)) {
      if (!this.scrollable()) return false;
      const page = Math.max(1, this.page);
      const by: Record<string, number> = { up: -1, down: 1, pageup: -page, pagedown: page, home: -Infinity, end: Infinity };
      // Clamped below here, above by the next draw (scrollWindow).
      this.scroll = Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, this.scroll + by[name]));
      return true;
    }
    if (ch === 'c') {
      this.clear();
      return true;
    }
    if (ch === 'p') {
      this.ui.prompt('PID filter (empty: all / the drilled-in one): ', this.pidFilter ? String(this.pidFilter) : '', (v) => {
        if (v === null) return;
        const t = v.trim();
        if (t === '') this.pidFilter = undefined;
        else if (/^\d+$/.test(t) && Number(t) > 0 && Number(t) <= 0x3fffffff) this.pidFilter = Number(t);
        else return this.ui.status(`'${sanitize(t)}' is not a process id`, 'error');
        this.ui.reconfigure();
      });
      return true;
    }
    void name;
    return false;
  }

  keys(): Array<[string, string]> {
    return [['p', 'PID filter'], ['c', 'clear']];
  }
}

/** A pane that keeps its tracer's recent events in a ring and folds them into the tracer's aggregator. */
export abstract class RingPane<E> extends TracePane<E> {
  protected readonly ring = new Ring<E>(RING_CAP);
  protected abstract readonly agg: { add(events: readonly E[]): void; reset?(): void };

  add(events: readonly E[]): void {
    for (const e of events) this.ring.push(e);
    this.agg.add(events);
  }

  clear(): void {
    this.ring.clear();
    this.agg.reset?.();
  }
}
