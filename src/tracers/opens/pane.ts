// Pane 1 (opens): the opensnoop stream, or with `s` the in-kernel counts per
// path and per process (the opens aggregator's tables); a storm switches to
// the counts by itself. Feeds the process table's opens_rate column.
import { sanitize } from '../../util/text.js';
import { RING_CAP, Ring, TracePane, asCount, columnTable, note, paneColumns, titled, twoTables, type PaneLine } from '../pane.js';
import type { PerPidMetric } from '../rates.js';
import { CountDeltas } from '../rates.js';
import type { TraceOptions, TracerHandle } from '../types.js';
import { OPENS_PATH_COLUMNS, OPENS_PROCESS_COLUMNS, OpensAggregator, opensTracer, type OpensCountRow, type OpensEvent } from './tracer.js';

const SELF = process.pid;

/** The stream shows `ostop trace opens`' own columns. */
const OPENS_COLS = paneColumns(opensTracer.columns, [['time', 12], ['pid', 7], ['comm', 15], ['fd', 4], ['err', 7], ['path', 0]]);
/** The summary shows `ostop trace opens --summary`'s `by_path` and `by_process` columns, counts compact. */
const errs = titled('ERR', asCount);
const PATH_COLS = paneColumns(OPENS_PATH_COLUMNS, [['count', 7, asCount], ['errors', 5, errs], ['processes', 5], ['path', 0]]);
const PROC_COLS = paneColumns(OPENS_PROCESS_COLUMNS, [['count', 7, asCount], ['errors', 5, errs], ['pid', 7], ['comm', 0]]);

export class OpensPane extends TracePane<OpensEvent> {
  readonly tracer = 'opens';
  override readonly metric: PerPidMetric = 'opensPerSec';
  private ring = new Ring<OpensEvent>(RING_CAP);
  failedOnly = false;
  summary = false;
  pathSub = '';
  private aggOpts: TraceOptions = { flags: {} };
  private agg = new OpensAggregator(this.aggOpts);
  private deltas = new CountDeltas();

  override traceOptions(): TraceOptions {
    return { pid: this.pid, summary: this.summary, flags: { failed: this.failedOnly } };
  }

  add(events: readonly OpensEvent[]): void {
    for (const e of events) {
      if (e.pid === SELF) continue; // ostop's own /proc reads
      this.window.add(e.pid);
      if (this.pathSub && !e.path.includes(this.pathSub)) continue;
      this.ring.push(e);
    }
  }

  override collect(h: TracerHandle): void {
    if (!this.summary) return;
    this.agg.collect(h);
    const totals = new Map<number, number>();
    for (const r of this.agg.entries()) totals.set(r.pid, (totals.get(r.pid) ?? 0) + r.count);
    this.deltas.feed(totals, this.window, SELF);
  }

  override started(): void {
    this.agg.reset();
    this.deltas.clear();
  }

  override stormFallback(rate: number): boolean {
    if (this.summary) return false;
    this.summary = true;
    this.ui.status(`opens: ${Math.round(rate)} events/s — switched to in-kernel counting (s: back to the stream)`, 'warn');
    return true;
  }

  clear(): void {
    this.ring.clear();
    this.agg.reset();
  }

  override modeLabel(): string[] {
    return [this.summary ? 'summary' : 'stream', ...(this.failedOnly ? ['failed only'] : []), ...(this.pathSub ? [`path ~ ${this.pathSub}`] : []), ...super.modeLabel()];
  }

  override countLabel(): string {
    if (!this.summary) return super.countLabel();
    this.syncPath();
    return `${this.agg.total(this.shown).count} opens`;
  }

  /** Kernel-counted (pid, comm, path) rows the summary shows: not ostop's, failed only when asked (the path filter is the aggregator's). */
  private shown = (r: OpensCountRow): boolean => r.pid !== SELF && (!this.failedOnly || r.errors > 0);

  /** The path filter applies to the aggregator's counts too. */
  private syncPath(): void {
    if (this.pathSub) this.aggOpts.flags!.path = this.pathSub;
    else delete this.aggOpts.flags!.path;
  }

  draw(width: number, height: number): PaneLine[] {
    this.syncPath();
    if (this.summary) return this.drawSummary(width, height);
    // The ring may hold opens from before the path filter was set: shown only when they match it.
    const sub = this.pathSub;
    const rows = this.ring.last(height - 1, sub ? (e) => e.path.includes(sub) : undefined);
    const t = columnTable(OPENS_COLS, rows, width, height, (e) => (e.err ? 'warn' : undefined));
    if (!rows.length) t.push(note(`waiting for opens${this.pid ? ` of pid ${this.pid}` : ''}...`));
    return t;
  }

  private drawSummary(width: number, height: number): PaneLine[] {
    const paths = this.agg.byPath(this.shown).slice(0, height);
    const procs = this.agg.byProcess(this.shown).slice(0, height);
    return twoTables(width, height,
      (w, h) => columnTable(PATH_COLS, paths, w, h, (p) => (p.errors ? 'warn' : undefined)),
      (w, h) => columnTable(PROC_COLS, procs, w, h), 50);
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 's') { this.summary = !this.summary; this.ui.reconfigure(); return true; }
    if (ch === 'x') { this.failedOnly = !this.failedOnly; this.ui.reconfigure(); return true; }
    if (ch === '/') {
      this.ui.prompt('Path contains (empty: all): ', this.pathSub, (v) => {
        if (v !== null) this.pathSub = sanitize(v);
      });
      return true;
    }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['s', 'summary per path/process'], ['x', 'failed only'], ['/', 'path filter'], ...super.keys()];
  }
}
