// Pane 5 (syscalls): for one PID (p, or the drilled-in process) strace's
// stream beside syscount's table; system-wide the top processes by syscall
// rate counted in the kernel. A stream storm switches to syscount for the
// PID. Feeds the process table's syscalls_rate column. Every table shows the
// tracer's own columns (`ostop trace syscalls`' events, its --summary
// `syscalls` and `processes` tables), in compact forms, plus the rates the
// pane measures between two reads of the kernel's counts.
import type { Column } from '../../model/columns.js';
import { RING_CAP, Ring, TracePane, asCount, columnTable, fixedDigits, note, paneColumns, titled, sideBySide, textRow, type PaneLine } from '../pane.js';
import type { PerPidMetric } from '../rates.js';
import type { TraceOptions, TracerHandle } from '../types.js';
import { formatRet } from './args.js';
import { SYSCALL_COLUMNS, SYSCALL_PROC_COLUMNS, SYSCALL_ROW_COLUMNS, SyscallAggregator, isError, syscallCall, SC_F, type SyscallEvent, type SyscallProcRow } from './tracer.js';
import { formatCount } from '../../util/format.js';

const SELF = process.pid;

const noReturn = (e: SyscallEvent) => (e.flags & SC_F.NORETURN) !== 0;

const STREAM_COLS = paneColumns(SYSCALL_COLUMNS, [
  ['time', 12], ['tid', 7], ['dur_us', 8],
  // strace's line: the call and its result.
  ['call', 0, { title: 'CALL = RESULT', text: (e) => `${syscallCall(e)} = ${formatRet(e.name, e.ret, noReturn(e))}` }],
]);
const COUNT_COLS = paneColumns(SYSCALL_ROW_COLUMNS, [
  ['syscall', 14], ['count', 7, asCount], ['errors', 5, titled('ERR', asCount)],
  ['total_ms', 8, titled('TOT(ms)', fixedDigits(2))], ['avg_us', 8, fixedDigits(1)], ['max_us', 8, fixedDigits(0)],
]);

/** A process of the system-wide table with the rates measured between the last two reads. */
interface RatedProcRow extends SyscallProcRow {
  perSec: number;
  errorsPerSec: number;
}
/** Measured by the pane (trace --summary prints totals only); syscalls_rate is the process table's column of the same rate. */
const RATE_COLUMNS: readonly Column<RatedProcRow>[] = [
  { id: 'syscalls_rate', title: 'SYSC/s', align: 'right', value: (r) => r.perSec, text: (r) => formatCount(r.perSec) },
  { id: 'errors_rate', title: 'ERR/s', align: 'right', value: (r) => r.errorsPerSec, text: (r) => formatCount(r.errorsPerSec) },
];
const PROC_COLS = paneColumns<RatedProcRow>([...SYSCALL_PROC_COLUMNS, ...RATE_COLUMNS], [
  ['pid', 7], ['comm', 15], ['syscalls_rate', 8], ['errors_rate', 6], ['count', 8, asCount],
  ['total_ms', 9, titled('TOT(ms)', fixedDigits(1))], ['top', 0],
]);

export class SyscallsPane extends TracePane<SyscallEvent> {
  readonly tracer = 'syscalls';
  override readonly metric: PerPidMetric = 'syscallsPerSec';
  private ring = new Ring<SyscallEvent>(RING_CAP);
  private agg = new SyscallAggregator(this.traceOptions());
  private prev = new Map<number, { count: number; errors: number }>();
  private rates = new Map<number, { count: number; errors: number }>();
  private lastCollect = 0;

  /** Set when the stream was too fast: syscount for the PID counted in the kernel, no stream. */
  countOnly: number | undefined;
  /** d: read/write buffers' first bytes in the stream (strace's "..." strings); costs ~165 ns per call. */
  data = false;

  /** Stream (strace + syscount) for one PID; without one, system-wide counts by process (kernel-side). */
  override traceOptions(): TraceOptions {
    if (!this.pid) return { summary: true, flags: { 'by-process': true } };
    return this.countOnly ? { pid: this.pid, summary: true } : { pid: this.pid, ...(this.data ? { flags: { data: true } } : {}) };
  }

  override stormFallback(rate: number): boolean {
    if (!this.pid || this.countOnly) return false;
    this.countOnly = Math.round(rate);
    return true;
  }

  add(events: readonly SyscallEvent[]): void {
    for (const e of events) {
      this.ring.push(e);
      this.window.add(e.pid);
    }
    this.agg.add(events);
  }

  override collect(h: TracerHandle): void {
    if (this.pid && this.countOnly) {
      this.agg.collect(h);
      const total = this.agg.total().count;
      const d = total - (this.prev.get(this.pid)?.count ?? 0);
      if (d > 0) this.window.add(this.pid, d);
      this.prev.set(this.pid, { count: total, errors: 0 });
      return;
    }
    if (this.pid) return;
    this.agg.collect(h);
    const now = Date.now();
    const dt = this.lastCollect ? (now - this.lastCollect) / 1000 : 0;
    this.lastCollect = now;
    const cur = new Map<number, { count: number; errors: number }>();
    for (const p of this.agg.byProcess()) cur.set(p.pid, { count: p.count, errors: p.errors });
    this.rates = new Map();
    for (const [pid, c] of cur) {
      const p = this.prev.get(pid);
      const dc = c.count - (p?.count ?? 0);
      if (dt > 0 && dc > 0) {
        this.rates.set(pid, { count: dc / dt, errors: Math.max(0, c.errors - (p?.errors ?? 0)) / dt });
        this.window.add(pid, dc);
      }
    }
    this.prev = cur;
  }

  override started(): void {
    this.agg = new SyscallAggregator(this.traceOptions());
    this.prev.clear();
    this.rates.clear();
    this.lastCollect = 0;
    this.ring.clear();
  }

  clear(): void {
    this.started();
  }

  override countLabel(): string {
    // System-wide by process and syscount after a storm count in the kernel: nothing is streamed.
    if (this.pid && !this.countOnly) return super.countLabel();
    const n = this.pid ? this.agg.total().count : this.agg.byProcess().reduce((a, p) => a + (p.pid === SELF ? 0 : p.count), 0);
    return `${n} syscalls`;
  }

  override modeLabel(): string[] {
    return [this.pid ? (this.countOnly ? 'syscount (in-kernel)' : this.data ? 'strace + data + syscount' : 'strace + syscount') : 'top syscalls by process (system-wide; p or drill-in for one PID)', ...super.modeLabel()];
  }

  draw(width: number, height: number): PaneLine[] {
    if (!this.pid) return this.drawTop(width, height);
    const stream = (w: number, h: number) => columnTable(STREAM_COLS, this.ring.last(h - 1), w, h, (e) => (isError(e.ret) && !noReturn(e) ? 'warn' : undefined));
    const counts = (w: number, h: number) => columnTable(COUNT_COLS, this.agg.bySyscall(), w, h, (r) => (r.errors ? 'warn' : undefined));
    const countW = 57;
    const paused = (w: number, h: number) => [
      `stream off: ${this.countOnly} syscalls/s is more than the pane streams`,
      'without slowing the UI; counting per syscall in the kernel instead.',
      'r: resume the stream.',
    ].slice(0, h).map((t, i) => textRow(t, w, i ? 'dim' : 'warn'));
    const left = this.countOnly ? paused : stream;
    if (width >= countW + 3 + 50) {
      const lw = width - countW - 3;
      return sideBySide(left(lw, height), counts(countW, height), lw, height);
    }
    const h1 = Math.max(2, Math.ceil(height / 2));
    return [...left(width, h1), ...counts(width, height - h1)].slice(0, height);
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 'r' && this.countOnly) {
      this.countOnly = undefined;
      this.ui.reconfigure();
      return true;
    }
    if (ch === 'd' && this.pid) {
      this.data = !this.data;
      this.ui.reconfigure();
      return true;
    }
    return super.handleKey(ch, name, full);
  }

  private drawTop(width: number, height: number): PaneLine[] {
    const procs = this.agg.byProcess().filter((p) => p.pid !== SELF);
    const rate = (pid: number) => this.rates.get(pid)?.count ?? 0;
    procs.sort((a, b) => rate(b.pid) - rate(a.pid) || b.count - a.count);
    const rows = procs.slice(0, height).map((p): RatedProcRow => ({ ...p, perSec: rate(p.pid), errorsPerSec: this.rates.get(p.pid)?.errors ?? 0 }));
    const t = columnTable(PROC_COLS, rows, width, height);
    if (!rows.length) t.push(note('counting syscalls in the kernel; first numbers after a second...'));
    return t;
  }

  override keys(): Array<[string, string]> {
    return [['p', 'PID to trace (empty: system-wide by process)'], ['d', 'read/write data in the stream'], ['r', 'resume the stream after a storm'], ['c', 'clear']];
  }
}
