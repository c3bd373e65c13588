// Pane 3 (exec): the execsnoop stream; `x` failed execs only.
import { RING_CAP, Ring, TracePane, columnTable, note, paneColumns, type PaneLine } from '../pane.js';
import type { TraceOptions } from '../types.js';
import { execTracer, type ExecEvent } from './tracer.js';

/** The stream shows `ostop trace exec`'s own columns. */
const EXEC_COLS = paneColumns(execTracer.columns, [['time', 12], ['pid', 7], ['ppid', 7], ['comm', 15], ['ret', 7], ['args', 0]]);

export class ExecPane extends TracePane<ExecEvent> {
  readonly tracer = 'exec';
  private ring = new Ring<ExecEvent>(RING_CAP);
  failedOnly = false;

  override traceOptions(): TraceOptions {
    return { pid: this.pid, flags: { failed: this.failedOnly } };
  }

  add(events: readonly ExecEvent[]): void {
    for (const e of events) this.ring.push(e);
  }

  clear(): void {
    this.ring.clear();
  }

  override modeLabel(): string[] {
    return [...(this.failedOnly ? ['failed only'] : []), ...super.modeLabel()];
  }

  draw(width: number, height: number): PaneLine[] {
    const rows = this.ring.last(height - 1, this.failedOnly ? (e) => e.ret !== 0 : undefined);
    const t = columnTable(EXEC_COLS, rows, width, height, (e) => (e.ret ? 'error' : undefined));
    if (!rows.length) t.push(note('waiting for exec()...'));
    return t;
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 'x') { this.failedOnly = !this.failedOnly; this.ui.reconfigure(); return true; }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['x', 'failed execs only'], ...super.keys()];
  }
}
