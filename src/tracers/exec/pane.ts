// Pane 3 (exec): the execsnoop stream; `x` failed execs only.
import { Ring, TracePane, note, table, type PaneCol, type PaneLine, type PaneStyle } from '../pane.js';
import { clockTime, errnoName, type TraceOptions } from '../types.js';
import { argsLine, type ExecEvent } from './tracer.js';

const EXEC_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'PID', width: 7, align: 'right' }, { title: 'PPID', width: 7, align: 'right' },
  { title: 'COMM', width: 15 }, { title: 'RET', width: 7 }, { title: 'ARGS', width: 0 },
];

export class ExecPane extends TracePane<ExecEvent> {
  readonly tracer = 'exec';
  private ring = new Ring<ExecEvent>();
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
    const rows = this.ring.last(height - 1, this.failedOnly ? (e) => e.ret !== 0 : undefined).map((e) => ({
      cells: [clockTime(e.time), String(e.pid), String(e.ppid), e.comm, e.ret ? errnoName(-e.ret) : '0', argsLine(e)],
      style: (e.ret ? 'error' : undefined) as PaneStyle,
    }));
    const t = table(EXEC_COLS, rows, width, height);
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
