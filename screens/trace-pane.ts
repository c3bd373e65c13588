// Building blocks of the eBPF trace panes (screens/trace-panes.ts) hosted by
// src/app/panes.ts: the pane base class, a fixed-size event ring, a bounded
// counter map and a width-exact table renderer.
// Invariants: a pane holds at most RING_CAP recent events and bounded maps,
// whatever the event rate (memory stays bounded under a storm); drawing only
// touches the rows that fit; every string from a process or the kernel goes
// through sanitize + fitWidth/truncateWidth + blessed.escape before it is
// tagged, so it can neither move the cursor nor inject blessed tags.
import blessed from 'blessed';
import type { Theme, ThemeColor } from '../src/app/theme.js';
import type { TraceOptions, TracerHandle } from '../src/tracers/types.js';
import { displayWidth, fitWidth, sanitize, truncateWidth } from '../src/util/text.js';
import { Ring as StoreRing } from '../src/store/ring.js';

export const RING_CAP = 1000;
/** Above this many decoded events per second a pane falls back to in-kernel counting (keeps keys under 100 ms). */
export const STORM_EVENTS_PER_SEC = 20000;

/** A pane's ring of recent events: src/store's Ring, RING_CAP slots unless told. */
export class Ring<T> extends StoreRing<T> {
  constructor(capacity = RING_CAP) {
    super(capacity);
  }
}

/**
 * A Map with a size cap: when full, the lowest-scoring quarter is evicted
 * before a new key goes in (amortised O(1) per insert), so a storm of
 * distinct keys (paths, comms, connections) cannot grow memory.
 */
export class BoundedMap<K, V> {
  readonly map = new Map<K, V>();
  constructor(private readonly cap: number, private readonly score: (v: V) => number) {}
  get(key: K, init: () => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.cap) this.evict();
      v = init();
      this.map.set(key, v);
    }
    return v;
  }
  private evict(): void {
    const entries = [...this.map.entries()].sort((a, b) => this.score(a[1]) - this.score(b[1]));
    const n = Math.max(1, Math.floor(entries.length / 4));
    for (let i = 0; i < n; i++) this.map.delete(entries[i][0]);
  }
  values(): V[] {
    return [...this.map.values()];
  }
  get size(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
}

// ---- tables -------------------------------------------------------------

export interface PaneCol {
  title: string;
  /** Cells; 0 = whatever is left (only the last column). */
  width: number;
  align?: 'left' | 'right';
}

export type RowStyle = ThemeColor | 'bold' | undefined;

/** A plain (untagged) line of cells fitted to `width` cells exactly (the last column takes the rest). */
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

/** Tag a plain line with a style (after escaping). */
export function styled(theme: Theme, line: string, style: RowStyle): string {
  const esc = blessed.escape(line);
  if (!style) return esc;
  if (style === 'bold') return `{bold}${esc}{/bold}`;
  // Monochrome themes lose colours: keep the meaning with bold.
  return theme.mono ? `{bold}${esc}{/bold}` : theme.fg(style, esc);
}

export function tableHeader(theme: Theme, cols: readonly PaneCol[], width: number): string {
  const line = plainRow(cols, cols.map((c) => c.title), width);
  return theme.mono ? `{underline}${blessed.escape(line)}{/underline}` : theme.fg('header', blessed.escape(line));
}

export function tableRow(theme: Theme, cols: readonly PaneCol[], cells: readonly string[], width: number, style?: RowStyle): string {
  return styled(theme, plainRow(cols, cells, width), style);
}

/** Two blocks of tagged lines side by side: `left` is padded to `leftWidth` plain cells. */
export function sideBySide(left: { plain: string[]; tagged: string[] }, right: string[], leftWidth: number, height: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < height; i++) {
    const lp = left.plain[i] ?? '';
    const pad = Math.max(0, leftWidth - displayWidth(lp));
    out.push((left.tagged[i] ?? '') + ' '.repeat(pad) + ' │ ' + (right[i] ?? ''));
  }
  return out;
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

export function fmtNum(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 1e9) return (n / 1e9).toFixed(1) + 'G';
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + 'M';
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  return n.toFixed(digits);
}

// ---- the pane base class --------------------------------------------------

/** What a pane may ask of its host. */
export interface PaneUi {
  theme: Theme;
  prompt(label: string, initial: string, done: (value: string | null) => void): void;
  status(msg: string, level?: 'info' | 'warn' | 'error'): void;
  /** The pane's options changed (failed-only, summary, PID): restart the tracer or change its PID map. */
  reconfigure(): void;
}

export type PerPidMetric = 'opensPerSec' | 'syscallsPerSec' | 'diskLatMs';

/** Per-PID counts of the current rate window (n events, sum of a value). Bounded. */
export class PidWindow {
  private m = new Map<number, { n: number; sum: number }>();
  constructor(private readonly cap = 8192) {}
  add(pid: number, n = 1, sum = 0): void {
    let r = this.m.get(pid);
    if (!r) {
      if (this.m.size >= this.cap) return;
      this.m.set(pid, (r = { n: 0, sum: 0 }));
    }
    r.n += n;
    r.sum += sum;
  }
  take(): Map<number, { n: number; sum: number }> {
    const m = this.m;
    this.m = new Map();
    return m;
  }
}

export abstract class TracePane<E = unknown> {
  /** The toggle key (1..7). */
  abstract readonly key: number;
  /** Tracer name in the registry. */
  abstract readonly tracer: string;
  /** Short title for the border and the status line. */
  abstract readonly title: string;
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

  /** Lines (blessed-tagged) for a width x height area. */
  abstract draw(width: number, height: number): string[];

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

  protected th(): Theme {
    return this.ui.theme;
  }
}
