// Pane 7 (run-queue latency): runqlat's log2 histogram of the last interval
// (or, with `s`, since start), and system-wide on a wide pane the processes
// that waited most, from the runqlat aggregator (kernel maps read once a
// second).
import { TracePane, asCount, columnTable, fixedDigits, histLines, sideBySide, textRow, paneColumns, type PaneLine } from '../pane.js';
import { histQuantile, type Log2Hist } from '../log2-hist.js';
import type { TracerHandle } from '../types.js';
import { RUNQLAT_PROC_COLUMNS, RunqlatAggregator, type RunqSlowEvent } from './tracer.js';

const SELF = process.pid;

/** `ostop trace runqlat --summary`'s `processes` columns, in compact forms. */
const PROC_COLS = paneColumns(RUNQLAT_PROC_COLUMNS, [
  ['pid', 7], ['comm', 15], ['count', 7, asCount], ['avg_us', 8], ['max_us', 0, (c) => ({ ...fixedDigits(0)(c), align: 'right' })],
]);

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
    const right = columnTable(PROC_COLS, procs, width - lw - 3, height);
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
