// Pane 4 (exit): the exitsnoop stream (exits, fatal signals sent, OOM
// kills), or with `s` the exit aggregator's counts per command; `x`
// failures only.
import { RingPane, cellText, columnTable, note, paneColumns, type PaneLine } from '../pane.js';
import { signalName, type TraceOptions } from '../types.js';
import { EXIT_COUNT_COLUMNS, ExitAggregator, exitColumns, isAbnormalExit, type ExitEvent } from './tracer.js';

const DETAIL = exitColumns.find((c) => c.id === 'detail')!;
/** The stream shows `ostop trace exit`'s own columns; SIG says OOM for an OOM kill, DETAIL marks a signal sent. */
const EXIT_COLS = paneColumns(exitColumns, [
  ['time', 12], ['pid', 7], ['ppid', 7], ['comm', 15], ['age_ms', 8], ['exit_code', 4],
  ['signal', 8, { text: (e: ExitEvent) => (e.kind === 'oom' ? 'OOM' : e.kind === 'exit' || e.signal ? signalName(e.signal) || '-' : '-') }],
  ['core', 4],
  ['detail', 0, { text: (e: ExitEvent) => (e.kind === 'signal' ? 'signal sent: ' : '') + cellText(DETAIL, e) }],
]);
/** `s`: `ostop trace exit --summary`'s `by_comm` columns. */
const COUNT_COLS = paneColumns(EXIT_COUNT_COLUMNS, [
  ['exits', 7], ['signaled', 8], ['cores', 5], ['oom', 4], ['max_age_ms', 8, { title: 'MAX AGE' }], ['comm', 0],
]);

export class ExitPane extends RingPane<ExitEvent> {
  readonly tracer = 'exit';
  protected readonly agg = new ExitAggregator();
  failedOnly = false;
  summary = false;

  override traceOptions(): TraceOptions {
    return { pid: this.pid, flags: { failed: this.failedOnly } };
  }

  override modeLabel(): string[] {
    return [this.summary ? 'per command' : 'exitsnoop', ...(this.failedOnly ? ['failures only'] : []), ...super.modeLabel()];
  }

  draw(width: number, height: number): PaneLine[] {
    if (this.summary) {
      return columnTable(COUNT_COLS, this.agg.byCommand(), width, height, (r) => (r.signaled || r.cores || r.oom ? 'error' : undefined));
    }
    const rows = this.ring.last(height - 1);
    const t = columnTable(EXIT_COLS, rows, width, height, (e) => (isAbnormalExit(e) ? 'error' : e.kind === 'signal' ? 'warn' : e.kind === 'exit' && e.exitCode ? 'dim' : undefined));
    if (!rows.length) t.push(note('waiting for process exits...'));
    return t;
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 's') { this.summary = !this.summary; return true; }
    if (ch === 'x') { this.failedOnly = !this.failedOnly; this.ui.reconfigure(); return true; }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['s', 'counts per command'], ['x', 'failures only (non-zero, signals, OOM)'], ...super.keys()];
  }
}
