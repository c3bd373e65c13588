// Pane 5 (syscalls): for one PID (p, or the drilled-in process) strace's
// stream beside syscount's table; system-wide the top processes by syscall
// rate counted in the kernel. A stream storm switches to syscount for the
// PID. Feeds the process table's syscalls_rate column.
import { RING_CAP, Ring, TracePane, note, sideBySide, table, textRow, type PaneCol, type PaneLine, type PaneStyle } from '../pane.js';
import type { PerPidMetric } from '../rates.js';
import { clockTime, type TraceOptions, type TracerHandle } from '../types.js';
import { formatRet } from './args.js';
import { SyscallAggregator, isError, syscallCall, SC_F, type SyscallEvent } from './tracer.js';
import { formatCount } from '../../util/format.js';

const SELF = process.pid;

const SC_STREAM_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'TID', width: 7, align: 'right' }, { title: 'DUR(us)', width: 8, align: 'right' }, { title: 'CALL = RESULT', width: 0 },
];
const SC_COUNT_COLS: PaneCol[] = [
  { title: 'SYSCALL', width: 14 }, { title: 'COUNT', width: 7, align: 'right' }, { title: 'ERR', width: 5, align: 'right' },
  { title: 'TOT(ms)', width: 8, align: 'right' }, { title: 'AVG(us)', width: 8, align: 'right' }, { title: 'MAX(us)', width: 8, align: 'right' },
];
const SC_PROC_COLS: PaneCol[] = [
  { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 15 }, { title: 'SYSC/s', width: 8, align: 'right' },
  { title: 'ERR/s', width: 6, align: 'right' }, { title: 'COUNT', width: 8, align: 'right' }, { title: 'TOT(ms)', width: 9, align: 'right' }, { title: 'TOP SYSCALLS', width: 0 },
];

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
    const stream = (w: number, h: number) => table(SC_STREAM_COLS, this.ring.last(h - 1).map((e) => {
      const noret = (e.flags & SC_F.NORETURN) !== 0;
      return {
        cells: [clockTime(e.time), String(e.tid), noret ? '-' : (e.durNs / 1000).toFixed(1), `${syscallCall(e)} = ${formatRet(e.name, e.ret, noret)}`],
        style: (isError(e.ret) && !noret ? 'warn' : undefined) as PaneStyle,
      };
    }), w, h);
    const counts = (w: number, h: number) => table(SC_COUNT_COLS, this.agg.bySyscall().slice(0, h).map((r) => ({
      cells: [r.syscall, formatCount(r.count), formatCount(r.errors), (r.totalNs / 1e6).toFixed(2), (r.count ? r.totalNs / r.count / 1000 : 0).toFixed(1), (r.maxNs / 1000).toFixed(0)],
      style: (r.errors ? 'warn' : undefined) as PaneStyle,
    })), w, h);
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
    const rows = procs.slice(0, height).map((p) => ({
      cells: [String(p.pid), p.comm, formatCount(rate(p.pid)), formatCount(this.rates.get(p.pid)?.errors ?? 0), formatCount(p.count), (p.totalNs / 1e6).toFixed(1), p.top],
    }));
    const t = table(SC_PROC_COLS, rows, width, height);
    if (!rows.length) t.push(note('counting syscalls in the kernel; first numbers after a second...'));
    return t;
  }

  override keys(): Array<[string, string]> {
    return [['p', 'PID to trace (empty: system-wide by process)'], ['d', 'read/write data in the stream'], ['r', 'resume the stream after a storm'], ['c', 'clear']];
  }
}
