// Pane 7 (run-queue latency): runqlat's log2 histogram of the last interval
// (or, with `s`, since start), and system-wide on a wide pane the processes
// that waited most, from the runqlat aggregator (kernel maps read once a
// second).
import { TracePane, histLines, sideBySide, table, textRow, type PaneCol, type PaneLine } from '../pane.js';
import { histQuantile, type Log2Hist } from '../log2-hist.js';
import type { TracerHandle } from '../types.js';
import { RunqlatAggregator, type RunqSlowEvent } from './tracer.js';
import { formatCount } from '../../util/format.js';

const SELF = process.pid;

const PROC_COLS: PaneCol[] = [
  { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 15 }, { title: 'WAITS', width: 7, align: 'right' },
  { title: 'AVG(us)', width: 8, align: 'right' }, { title: 'MAX(us)', width: 0, align: 'right' },
];

export class RunqlatPane extends TracePane<RunqSlowEvent> {
  readonly tracer = 'runqlat';
  private agg = new RunqlatAggregator();
  cumulative = false;

  add(events: readonly RunqSlowEvent[]): void {
    this.agg.add(events);
  }

  override collect(h: TracerHandle): void {
    this.agg.collect(h);
  }

  override started(): void {
    this.agg.reset();
  }

  clear(): void {
    this.agg.reset();
  }

  override modeLabel(): string[] {
    return [this.cumulative ? 'since start' : 'last interval', this.pid ? '' : 'system-wide', ...super.modeLabel()].filter(Boolean);
  }

  /** The histogram the pane shows: since start, or of the last collect interval. */
  private shown(): Log2Hist {
    return this.cumulative ? this.agg.histogram() : this.agg.interval();
  }

  override countLabel(): string {
    return `${this.shown().count} waits`;
  }

  override scrollable(): boolean {
    return true;
  }

  draw(width: number, height: number): PaneLine[] {
    const h = this.shown();
    const summary = h.count
      ? `${h.count} waits, avg ${(h.totalNs / h.count / 1000).toFixed(1)} us, p99< ${histQuantile(h, 0.99)} us, max ${(h.maxNs / 1000).toFixed(0)} us`
      : 'no scheduling waits counted yet';
    const hist = (w: number, hh: number) => {
      const top = [textRow(summary, w, 'bold')];
      return h.count ? histLines(this, top, [{ hist: h }], 'usecs', 'waits', w, hh) : top;
    };
    if (this.pid || width < 120) return hist(width, height);
    const procs = (this.cumulative ? this.agg.processes() : this.agg.intervalProcesses()).filter((p) => p.pid !== SELF);
    const lw = Math.min(86, width - 45);
    const right = table(PROC_COLS, procs.slice(0, height).map((p) => ({ cells: [String(p.pid), p.comm, formatCount(p.count), (p.count ? p.totalNs / p.count / 1000 : 0).toFixed(1), (p.maxNs / 1000).toFixed(0)] })), width - lw - 3, height);
    return sideBySide(hist(lw, height), right, lw, height);
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 's') { this.cumulative = !this.cumulative; return true; }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['s', 'cumulative / last interval'], ['↑↓ PgUp PgDn', 'scroll the histogram'], ['p', 'one PID'], ['c', 'clear']];
  }
}
