// Pane 4 (exit): the exitsnoop stream (exits, fatal signals sent, OOM
// kills), or with `s` the exit aggregator's counts per command; `x`
// failures only.
import { Ring, TracePane, note, table, type PaneCol, type PaneLine, type PaneStyle } from '../pane.js';
import { clockTime, signalName, type TraceOptions } from '../types.js';
import { ExitAggregator, exitColumns, isAbnormalExit, type ExitEvent } from './tracer.js';

const EXIT_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'PID', width: 7, align: 'right' }, { title: 'PPID', width: 7, align: 'right' },
  { title: 'COMM', width: 15 }, { title: 'AGE', width: 8, align: 'right' }, { title: 'CODE', width: 4, align: 'right' },
  { title: 'SIG', width: 8 }, { title: 'CORE', width: 4 }, { title: 'DETAIL', width: 0 },
];
const COUNT_COLS: PaneCol[] = [
  { title: 'EXITS', width: 7, align: 'right' }, { title: 'SIGNALED', width: 8, align: 'right' }, { title: 'CORES', width: 5, align: 'right' },
  { title: 'OOM', width: 4, align: 'right' }, { title: 'MAX AGE', width: 8, align: 'right' }, { title: 'COMM', width: 0 },
];
const exitCol = (id: string) => exitColumns.find((c) => c.id === id)!;
/** A cell as `ostop trace exit` prints it (the tracer's column). */
const exitCell = (id: string, e: ExitEvent): string => {
  const c = exitCol(id);
  if (c.text) return c.text(e);
  const v = c.value(e);
  return v === null || v === undefined ? '-' : String(v);
};

export class ExitPane extends TracePane<ExitEvent> {
  readonly tracer = 'exit';
  private ring = new Ring<ExitEvent>();
  private agg = new ExitAggregator();
  failedOnly = false;
  summary = false;

  override traceOptions(): TraceOptions {
    return { pid: this.pid, flags: { failed: this.failedOnly } };
  }

  add(events: readonly ExitEvent[]): void {
    for (const e of events) this.ring.push(e);
    this.agg.add(events);
  }

  clear(): void {
    this.ring.clear();
    this.agg.reset();
  }

  override modeLabel(): string[] {
    return [this.summary ? 'per command' : 'exitsnoop', ...(this.failedOnly ? ['failures only'] : []), ...super.modeLabel()];
  }

  draw(width: number, height: number): PaneLine[] {
    if (this.summary) {
      const rows = this.agg.byCommand().map((r) => ({
        cells: [String(r.exits), String(r.signaled), String(r.cores), String(r.oom), exitCell('age_ms', { kind: 'exit', ageMs: r.max_age_ms } as ExitEvent), r.comm],
        style: (r.signaled || r.cores || r.oom ? 'error' : undefined) as PaneStyle,
      }));
      return table(COUNT_COLS, rows, width, height);
    }
    const rows = this.ring.last(height - 1).map((e) => ({
      cells: [
        clockTime(e.time), String(e.pid), exitCell('ppid', e), e.comm, exitCell('age_ms', e), exitCell('exit_code', e),
        e.kind === 'oom' ? 'OOM' : e.kind === 'exit' || e.signal ? signalName(e.signal) || '-' : '-', exitCell('core', e),
        e.kind === 'exit' ? exitCell('detail', e) : `${e.kind === 'signal' ? 'signal sent: ' : ''}${exitCell('detail', e)}`,
      ],
      style: (isAbnormalExit(e) ? 'error' : e.kind === 'signal' ? 'warn' : e.kind === 'exit' && e.exitCode ? 'dim' : undefined) as PaneStyle,
    }));
    const t = table(EXIT_COLS, rows, width, height);
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
