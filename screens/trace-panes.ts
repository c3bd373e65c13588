// The seven eBPF trace panes (issue 3): 1 opens, 2 disk I/O, 3 exec, 4 exit,
// 5 syscalls, 6 TCP, 7 run-queue latency. Each folds decoded batches from its
// tracer into a bounded ring and bounded aggregates, and draws only the rows
// that fit. Kernel-counted modes (opens summary, syscalls by process,
// runqlat) are pulled by collect() about once a second. Mode changes that
// need different rodata (failed-only, summary, syscalls stream vs top)
// change traceOptions(); the host restarts the tracer when they differ.
import blessed from 'blessed';
import type { TraceOptions, TracerHandle } from '../src/tracers/types.js';
import { clockTime, errnoName, signalName } from '../src/tracers/types.js';
import { OpensAggregator, type OpensEvent } from '../src/tracers/opens.js';
import { argsLine, type ExecEvent } from '../src/tracers/exec.js';
import { exitColumns, isAbnormalExit, type ExitEvent } from '../src/tracers/exit.js';
import { DiskAggregator, devName, opLetter, type DiskEvent } from '../src/tracers/disk.js';
import { SyscallAggregator, isError, syscallCall, SC_F, type SyscallEvent } from '../src/tracers/syscalls.js';
import { formatRet } from '../src/tracers/syscalls-args.js';
import { closeProblem, failedConnect, type TcpEvent } from '../src/tracers/tcp.js';
import { RunqlatAggregator, type RunqSlowEvent } from '../src/tracers/runqlat.js';
import { displayRows, histBar, histQuantile, type HistLine, type Log2Hist } from '../src/tracers/runqlat-hist.js';
import { sanitize } from '../src/util/text.js';
import {
  BoundedMap, Ring, TracePane, fmtNum, plainRow, scrollWindow, sideBySide, styled, tableHeader, tableRow,
  type PaneCol, type PaneUi, type PerPidMetric, type RowStyle,
} from './trace-pane.js';

const SELF = process.pid;

/** A table (header + rows) as plain and tagged lines, for side-by-side layouts. */
function table(ui: PaneUi, cols: PaneCol[], rows: Array<{ cells: string[]; style?: RowStyle }>, width: number, height: number): { plain: string[]; tagged: string[] } {
  const plain = [plainRow(cols, cols.map((c) => c.title), width)];
  const tagged = [tableHeader(ui.theme, cols, width)];
  for (const r of rows.slice(0, Math.max(0, height - 1))) {
    plain.push(plainRow(cols, r.cells, width));
    tagged.push(tableRow(ui.theme, cols, r.cells, width, r.style));
  }
  return { plain, tagged };
}

/** Two tables side by side when wide enough, else stacked in halves. */
function twoTables(ui: PaneUi, width: number, height: number, a: (w: number, h: number) => { plain: string[]; tagged: string[] }, b: (w: number, h: number) => { plain: string[]; tagged: string[] }, leftMin = 60): string[] {
  if (width >= leftMin * 2 + 3) {
    const lw = Math.floor((width - 3) / 2);
    return sideBySide(a(lw, height), b(width - 3 - lw, height).tagged, lw, height);
  }
  const h1 = Math.max(2, Math.ceil(height / 2));
  return [...a(width, h1).tagged, ...b(width, height - h1).tagged].slice(0, height);
}

function msg(ui: PaneUi, text: string): string {
  return ui.theme.fg('dim', blessed.escape(text));
}

export interface HistBlock {
  /** A line above the block's rows (a device's totals), shown bold. */
  title?: string;
  hist: Log2Hist;
}

/** Adjacent log2 buckets merged at most this far (x4: rows of 0-15, 16-255... us) before rows scroll instead. */
const HIST_MERGES = [1, 2, 4] as const;

/**
 * Log2 histograms in print_log2_hist's layout below `fixed` lines, as a whole:
 * every block from its first to its last non-empty bucket (a run of empty
 * buckets on one line); adjacent buckets merged (x2, x4, said in the header)
 * when that makes everything fit, else the rows scroll (`pane.scroll`) with a
 * line saying how many rows and `noun`s (waits, I/Os) are above / below.
 * Bars are scaled to the largest bucket of their block on screen.
 */
export function histLines(ui: PaneUi, pane: { scroll: number; page: number }, fixed: string[], blocks: readonly HistBlock[], unit: string, noun: string, width: number, height: number): string[] {
  if (!blocks.some((b) => b.hist.count > 0)) return [...fixed, msg(ui, 'no samples yet')].slice(0, Math.max(1, height));
  const avail = height - fixed.length - 1;
  if (avail < 1) return fixed.slice(0, height);
  const blockLines = (b: HistBlock, m: number) => (b.title === undefined ? 0 : 1) + displayRows(b.hist, m).length;
  // The finest merge that fits everything, else the finest that fits each block on a page (the rest scrolls).
  const merge = HIST_MERGES.find((m) => blocks.reduce((n, b) => n + blockLines(b, m), 0) <= avail)
    ?? HIST_MERGES.find((m) => blocks.every((b) => blockLines(b, m) <= avail))
    ?? HIST_MERGES[HIST_MERGES.length - 1];
  type Line = { title: string } | { row: HistLine; block: number };
  const content: Line[] = [];
  blocks.forEach((b, block) => {
    if (b.title !== undefined) content.push({ title: b.title });
    for (const row of displayRows(b.hist, merge)) content.push({ row, block });
  });
  const win = scrollWindow(content.length, avail, pane.scroll);
  pane.scroll = win.scroll;
  pane.page = win.end - win.start;
  const shown = content.slice(win.start, win.end);
  const max = new Map<number, number>();
  for (const l of shown) if ('row' in l) max.set(l.block, Math.max(max.get(l.block) ?? 0, l.row.count));
  const barW = Math.max(4, Math.min(40, width - 39));
  const left = merge > 1 ? `${unit}, buckets merged x${merge}`.padStart(24) : unit.padStart(10).padEnd(24);
  const out = [...fixed, tableHeaderLine(ui, `${left} : count     distribution`, width)];
  const hidden = (ls: Line[], arrow: string, where: string) => {
    const n = ls.reduce((a, l) => a + ('row' in l ? l.row.count : 0), 0);
    return msg(ui, `${arrow} ${ls.length} more line${ls.length === 1 ? '' : 's'} ${where}: ${n} ${noun} (\` focuses the pane, then ↑ ↓ PgUp PgDn)`.slice(0, width));
  };
  if (win.above) out.push(hidden(content.slice(0, win.start), '▲', 'above'));
  for (const l of shown) {
    if (!('row' in l)) {
      out.push(styled(ui.theme, plainRow([{ title: '', width: 0 }], [l.title], width), 'bold'));
      continue;
    }
    const r = l.row;
    const range = `${String(r.lo).padStart(10)} -> ${String(r.hi).padEnd(10)} : ${String(r.count).padEnd(9)}`;
    if (r.emptyRun) {
      out.push(msg(ui, `${range} (${r.emptyRun} empty buckets)`.slice(0, width)));
      continue;
    }
    const m = max.get(l.block) ?? 0;
    out.push(styled(ui.theme, `${range} ${histBar(m ? r.count / m : 0, barW)}`.slice(0, width), undefined));
  }
  if (win.below) out.push(hidden(content.slice(win.end), '▼', 'below'));
  return out;
}

function tableHeaderLine(ui: PaneUi, s: string, width: number): string {
  return ui.theme.fg('header', blessed.escape(s.slice(0, width)));
}

// ---- 1 opens --------------------------------------------------------------

const OPENS_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 15 },
  { title: 'FD', width: 4, align: 'right' }, { title: 'ERR', width: 7 }, { title: 'PATH', width: 0 },
];

export class OpensPane extends TracePane<OpensEvent> {
  readonly key = 1;
  readonly tracer = 'opens';
  readonly title = 'opens';
  override readonly metric: PerPidMetric = 'opensPerSec';
  private ring = new Ring<OpensEvent>();
  failedOnly = false;
  summary = false;
  pathSub = '';
  private aggOpts: TraceOptions = { flags: {} };
  private agg = new OpensAggregator(this.aggOpts);
  private prevTotals = new Map<number, number>();

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
    for (const [pid, n] of totals) {
      const d = n - (this.prevTotals.get(pid) ?? 0);
      if (d > 0 && pid !== SELF) this.window.add(pid, d);
    }
    this.prevTotals = totals;
  }

  override started(): void {
    this.agg.reset();
    this.prevTotals.clear();
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
    return `${this.summaryEntries().reduce((n, r) => n + r.count, 0)} opens`;
  }

  draw(width: number, height: number): string[] {
    if (this.summary) return this.drawSummary(width, height);
    // The ring may hold opens from before the path filter was set: shown only when they match it.
    const sub = this.pathSub;
    const rows = this.ring.last(height - 1, sub ? (e) => e.path.includes(sub) : undefined).map((e) => ({
      cells: [clockTime(e.time), String(e.pid), e.comm, e.fd >= 0 ? String(e.fd) : '-1', e.err ? errnoName(e.err) : '0', e.path + (e.pathTruncated ? '...' : '')],
      style: (e.err ? 'warn' : undefined) as RowStyle,
    }));
    const t = table(this.ui, OPENS_COLS, rows, width, height).tagged;
    if (!rows.length) t.push(msg(this.ui, `waiting for opens${this.pid ? ` of pid ${this.pid}` : ''}...`));
    return t;
  }

  /** Kernel-counted (pid, comm, path) rows the summary shows: path filter, failed only, not ostop. */
  private summaryEntries() {
    if (this.pathSub) this.aggOpts.flags!.path = this.pathSub;
    else delete this.aggOpts.flags!.path;
    return this.agg.entries().filter((r) => r.pid !== SELF && (!this.failedOnly || r.errors > 0));
  }

  private drawSummary(width: number, height: number): string[] {
    const entries = this.summaryEntries();
    const byPath = new Map<string, { count: number; errors: number; pids: Set<number> }>();
    const byProc = new Map<string, { pid: number; comm: string; count: number; errors: number }>();
    for (const r of entries) {
      let p = byPath.get(r.path);
      if (!p) byPath.set(r.path, (p = { count: 0, errors: 0, pids: new Set() }));
      p.count += r.count; p.errors += r.errors; p.pids.add(r.pid);
      const k = `${r.pid}\0${r.comm}`;
      let q = byProc.get(k);
      if (!q) byProc.set(k, (q = { pid: r.pid, comm: r.comm, count: 0, errors: 0 }));
      q.count += r.count; q.errors += r.errors;
    }
    const paths = [...byPath].sort((a, b) => b[1].count - a[1].count).slice(0, height);
    const procs = [...byProc.values()].sort((a, b) => b.count - a.count).slice(0, height);
    const pathCols: PaneCol[] = [{ title: 'COUNT', width: 7, align: 'right' }, { title: 'ERR', width: 5, align: 'right' }, { title: 'PROCS', width: 5, align: 'right' }, { title: 'PATH', width: 0 }];
    const procCols: PaneCol[] = [{ title: 'COUNT', width: 7, align: 'right' }, { title: 'ERR', width: 5, align: 'right' }, { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 0 }];
    return twoTables(this.ui, width, height,
      (w, h) => table(this.ui, pathCols, paths.map(([path, p]) => ({ cells: [fmtNum(p.count), fmtNum(p.errors), String(p.pids.size), path], style: p.errors ? 'warn' : undefined })), w, h),
      (w, h) => table(this.ui, procCols, procs.map((p) => ({ cells: [fmtNum(p.count), fmtNum(p.errors), String(p.pid), p.comm] })), w, h), 50);
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

// ---- 2 disk I/O -------------------------------------------------------------

const DISK_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'T', width: 1 }, { title: 'BYTES', width: 8, align: 'right' },
  { title: 'LAT(ms)', width: 8, align: 'right' }, { title: 'DEV', width: 8 }, { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 0 },
];

export class DiskPane extends TracePane<DiskEvent> {
  readonly key = 2;
  readonly tracer = 'disk';
  readonly title = 'disk I/O';
  override readonly metric: PerPidMetric = 'diskLatMs';
  private ring = new Ring<DiskEvent>();
  private agg: DiskAggregator;
  histograms = false;

  constructor(ui: PaneUi, private readonly devNameOf: (major: number, minor: number) => string = devName) {
    super(ui);
    this.agg = new DiskAggregator(devNameOf);
  }

  add(events: readonly DiskEvent[]): void {
    for (const e of events) {
      this.ring.push(e);
      if (e.pid) this.window.add(e.pid, 1, e.latNs / 1e6);
    }
    this.agg.add(events);
  }

  clear(): void {
    this.ring.clear();
    this.agg.reset();
  }

  override modeLabel(): string[] {
    return [this.histograms ? 'latency histograms' : 'disksnoop', ...super.modeLabel()];
  }

  draw(width: number, height: number): string[] {
    if (this.histograms) return this.drawHist(width, height);
    const rows = this.ring.last(height - 1).map((e) => ({
      cells: [clockTime(e.time), opLetter(e.op), String(e.bytes), (e.latNs / 1e6).toFixed(2), this.devNameOf(e.major, e.minor), e.pid ? String(e.pid) : '-', e.pid ? e.comm : '-'],
      style: (e.error ? 'error' : undefined) as RowStyle,
    }));
    const t = table(this.ui, DISK_COLS, rows, width, height).tagged;
    if (!rows.length) t.push(msg(this.ui, 'waiting for block I/O completions...'));
    return t;
  }

  private drawHist(width: number, height: number): string[] {
    const devs = this.agg.devices();
    if (!devs.length) return [msg(this.ui, 'no block I/O completed yet')];
    const blocks = devs.map((d) => ({
      title: `${d.dev} ${d.dir}: ${d.ios} I/Os, ${fmtNum(d.bytes)} B, avg ${d.avgMs.toFixed(2)} ms, p99< ${d.p99Ms.toFixed(2)} ms, max ${d.maxMs.toFixed(2)} ms${d.errors ? `, ${d.errors} errors` : ''}`,
      hist: d.hist,
    }));
    return histLines(this.ui, this, [], blocks, 'usecs', 'I/Os', width, height);
  }

  override scrollable(): boolean {
    return this.histograms;
  }

  override countLabel(): string {
    if (!this.histograms) return super.countLabel();
    return `${this.agg.devices().reduce((n, d) => n + d.ios, 0)} I/Os`;
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 's' || ch === 'h') { this.histograms = !this.histograms; return true; }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['s h', 'latency histograms per device/direction'], ['↑↓ PgUp PgDn', 'scroll the histograms'], ...super.keys()];
  }
}

// ---- 3 exec -----------------------------------------------------------------

const EXEC_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'PID', width: 7, align: 'right' }, { title: 'PPID', width: 7, align: 'right' },
  { title: 'COMM', width: 15 }, { title: 'RET', width: 7 }, { title: 'ARGS', width: 0 },
];

export class ExecPane extends TracePane<ExecEvent> {
  readonly key = 3;
  readonly tracer = 'exec';
  readonly title = 'exec';
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

  draw(width: number, height: number): string[] {
    const rows = this.ring.last(height - 1, this.failedOnly ? (e) => e.ret !== 0 : undefined).map((e) => ({
      cells: [clockTime(e.time), String(e.pid), String(e.ppid), e.comm, e.ret ? errnoName(-e.ret) : '0', argsLine(e)],
      style: (e.ret ? 'error' : undefined) as RowStyle,
    }));
    const t = table(this.ui, EXEC_COLS, rows, width, height).tagged;
    if (!rows.length) t.push(msg(this.ui, 'waiting for exec()...'));
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

// ---- 4 exit -----------------------------------------------------------------

const EXIT_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'PID', width: 7, align: 'right' }, { title: 'PPID', width: 7, align: 'right' },
  { title: 'COMM', width: 15 }, { title: 'AGE', width: 8, align: 'right' }, { title: 'CODE', width: 4, align: 'right' },
  { title: 'SIG', width: 8 }, { title: 'CORE', width: 4 }, { title: 'DETAIL', width: 0 },
];
const exitCol = (id: string) => exitColumns.find((c) => c.id === id)!;
const exitCell = (id: string, e: ExitEvent): string => {
  const c = exitCol(id);
  if (c.text) return c.text(e);
  const v = c.value(e);
  return v === null || v === undefined ? '-' : String(v);
};

interface ExitCount { comm: string; exits: number; signaled: number; cores: number; oom: number; maxAgeMs: number }

export class ExitPane extends TracePane<ExitEvent> {
  readonly key = 4;
  readonly tracer = 'exit';
  readonly title = 'exit';
  private ring = new Ring<ExitEvent>();
  private byComm = new BoundedMap<string, ExitCount>(512, (r) => r.signaled * 1000 + r.exits);
  failedOnly = false;
  summary = false;

  override traceOptions(): TraceOptions {
    return { pid: this.pid, flags: { failed: this.failedOnly } };
  }

  add(events: readonly ExitEvent[]): void {
    for (const e of events) {
      this.ring.push(e);
      if (e.kind !== 'exit') continue;
      const r = this.byComm.get(e.comm, () => ({ comm: e.comm, exits: 0, signaled: 0, cores: 0, oom: 0, maxAgeMs: 0 }));
      r.exits++;
      if (e.signal) r.signaled++;
      if (e.coreDumped) r.cores++;
      if (e.oomKilled) r.oom++;
      if (e.ageMs > r.maxAgeMs) r.maxAgeMs = e.ageMs;
    }
  }

  clear(): void {
    this.ring.clear();
    this.byComm.clear();
  }

  override modeLabel(): string[] {
    return [this.summary ? 'per command' : 'exitsnoop', ...(this.failedOnly ? ['failures only'] : []), ...super.modeLabel()];
  }

  draw(width: number, height: number): string[] {
    if (this.summary) {
      const cols: PaneCol[] = [{ title: 'EXITS', width: 7, align: 'right' }, { title: 'SIGNALED', width: 8, align: 'right' }, { title: 'CORES', width: 5, align: 'right' }, { title: 'OOM', width: 4, align: 'right' }, { title: 'MAX AGE', width: 8, align: 'right' }, { title: 'COMM', width: 0 }];
      const rows = this.byComm.values().sort((a, b) => b.signaled - a.signaled || b.exits - a.exits).map((r) => ({
        cells: [String(r.exits), String(r.signaled), String(r.cores), String(r.oom), exitCell('age_ms', { kind: 'exit', ageMs: r.maxAgeMs } as ExitEvent), r.comm],
        style: (r.signaled || r.cores || r.oom ? 'error' : undefined) as RowStyle,
      }));
      return table(this.ui, cols, rows, width, height).tagged;
    }
    const rows = this.ring.last(height - 1).map((e) => ({
      cells: [
        clockTime(e.time), String(e.pid), exitCell('ppid', e), e.comm, exitCell('age_ms', e), exitCell('exit_code', e),
        e.kind === 'oom' ? 'OOM' : e.kind === 'exit' || e.signal ? signalName(e.signal) || '-' : '-', exitCell('core', e),
        e.kind === 'exit' ? exitCell('detail', e) : `${e.kind === 'signal' ? 'signal sent: ' : ''}${exitCell('detail', e)}`,
      ],
      style: (isAbnormalExit(e) ? 'error' : e.kind === 'signal' ? 'warn' : e.kind === 'exit' && e.exitCode ? 'dim' : undefined) as RowStyle,
    }));
    const t = table(this.ui, EXIT_COLS, rows, width, height).tagged;
    if (!rows.length) t.push(msg(this.ui, 'waiting for process exits...'));
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

// ---- 5 syscalls -------------------------------------------------------------

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
  readonly key = 5;
  readonly tracer = 'syscalls';
  readonly title = 'syscalls';
  override readonly metric: PerPidMetric = 'syscallsPerSec';
  private ring = new Ring<SyscallEvent>();
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

  draw(width: number, height: number): string[] {
    if (!this.pid) return this.drawTop(width, height);
    const stream = (w: number, h: number) => table(this.ui, SC_STREAM_COLS, this.ring.last(h - 1).map((e) => {
      const noret = (e.flags & SC_F.NORETURN) !== 0;
      return {
        cells: [clockTime(e.time), String(e.tid), noret ? '-' : (e.durNs / 1000).toFixed(1), `${syscallCall(e)} = ${formatRet(e.name, e.ret, noret)}`],
        style: (isError(e.ret) && !noret ? 'warn' : undefined) as RowStyle,
      };
    }), w, h);
    const counts = (w: number, h: number) => table(this.ui, SC_COUNT_COLS, this.agg.bySyscall().slice(0, h).map((r) => ({
      cells: [r.syscall, fmtNum(r.count), fmtNum(r.errors), (r.totalNs / 1e6).toFixed(2), (r.count ? r.totalNs / r.count / 1000 : 0).toFixed(1), (r.maxNs / 1000).toFixed(0)],
      style: (r.errors ? 'warn' : undefined) as RowStyle,
    })), w, h);
    const countW = 57;
    const paused = (w: number, h: number) => {
      const text = [
        `stream off: ${this.countOnly} syscalls/s is more than the pane streams`,
        'without slowing the UI; counting per syscall in the kernel instead.',
        'r: resume the stream.',
      ];
      const plain = text.slice(0, h).map((t) => plainRow([{ title: '', width: 0 }], [t], w));
      return { plain, tagged: plain.map((t, i) => styled(this.ui.theme, t, i ? 'dim' : 'warn')) };
    };
    const left = this.countOnly ? paused : stream;
    if (width >= countW + 3 + 50) {
      const lw = width - countW - 3;
      return sideBySide(left(lw, height), counts(countW, height).tagged, lw, height);
    }
    const h1 = Math.max(2, Math.ceil(height / 2));
    return [...left(width, h1).tagged, ...counts(width, height - h1).tagged].slice(0, height);
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

  private drawTop(width: number, height: number): string[] {
    const procs = this.agg.byProcess().filter((p) => p.pid !== SELF);
    const rate = (pid: number) => this.rates.get(pid)?.count ?? 0;
    procs.sort((a, b) => rate(b.pid) - rate(a.pid) || b.count - a.count);
    const rows = procs.slice(0, height).map((p) => ({
      cells: [String(p.pid), p.comm, fmtNum(rate(p.pid)), fmtNum(this.rates.get(p.pid)?.errors ?? 0), fmtNum(p.count), (p.totalNs / 1e6).toFixed(1), p.top],
    }));
    const t = table(this.ui, SC_PROC_COLS, rows, width, height).tagged;
    if (!rows.length) t.push(msg(this.ui, 'counting syscalls in the kernel; first numbers after a second...'));
    return t;
  }

  override keys(): Array<[string, string]> {
    return [['p', 'PID to trace (empty: system-wide by process)'], ['d', 'read/write data in the stream'], ['r', 'resume the stream after a storm'], ['c', 'clear']];
  }
}

// ---- 6 TCP ------------------------------------------------------------------

const TCP_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'EVENT', width: 7 }, { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 12 },
  { title: 'LOCAL', width: 21, align: 'right' }, { title: 'REMOTE', width: 21, align: 'right' }, { title: 'TX_B', width: 7, align: 'right' },
  { title: 'RX_B', width: 7, align: 'right' }, { title: 'MS', width: 8, align: 'right' }, { title: 'RETR', width: 4, align: 'right' },
  { title: 'NOTE', width: 0 },
];

interface RetxRow { sock: string; pid: number; comm: string; local: string; remote: string; retrans: number; state: string }

const ep = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

export class TcpPane extends TracePane<TcpEvent> {
  readonly key = 6;
  readonly tracer = 'tcp';
  readonly title = 'TCP';
  private ring = new Ring<TcpEvent>();
  private retx = new BoundedMap<string, RetxRow>(512, (r) => r.retrans);
  summary = false;

  add(events: readonly TcpEvent[]): void {
    for (const e of events) {
      this.ring.push(e);
      if (e.type === 'RETRANS') {
        const r = this.retx.get(e.sock, () => ({ sock: e.sock, pid: e.pid, comm: e.comm, local: ep(e.laddr, e.lport), remote: ep(e.raddr, e.rport), retrans: 0, state: e.newstate }));
        r.retrans++;
        r.state = e.newstate;
        if (!r.pid && e.pid) { r.pid = e.pid; r.comm = e.comm; }
      } else if (e.type === 'CLOSE') {
        const r = this.retx.map.get(e.sock);
        if (r) r.state = 'CLOSED';
      }
    }
  }

  clear(): void {
    this.ring.clear();
    this.retx.clear();
  }

  override modeLabel(): string[] {
    return [this.summary ? 'retransmits per connection' : 'tcplife + connect/accept', ...super.modeLabel()];
  }

  draw(width: number, height: number): string[] {
    if (this.summary) {
      const cols: PaneCol[] = [{ title: 'RETR', width: 6, align: 'right' }, { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 12 }, { title: 'LOCAL', width: 21, align: 'right' }, { title: 'REMOTE', width: 21, align: 'right' }, { title: 'STATE', width: 0 }];
      const rows = this.retx.values().sort((a, b) => b.retrans - a.retrans).map((r) => ({ cells: [String(r.retrans), r.pid ? String(r.pid) : '-', r.pid ? r.comm : '-', r.local, r.remote, r.state] }));
      const t = table(this.ui, cols, rows, width, height).tagged;
      if (!rows.length) t.push(msg(this.ui, 'no retransmits seen'));
      return t;
    }
    const rows = this.ring.last(height - 1).map((e) => {
      // A connect that never got through has no byte counts: its error says what happened.
      const problem = closeProblem(e);
      const bytes = e.type === 'CLOSE' && !failedConnect(e);
      return {
        cells: [
          clockTime(e.time), e.type, e.pid ? String(e.pid) : '-', e.pid ? e.comm : '-', ep(e.laddr, e.lport), ep(e.raddr, e.rport),
          bytes ? fmtNum(e.txBytes) : '', bytes ? fmtNum(e.rxBytes) : '', e.durMs === null ? '' : e.durMs.toFixed(2), e.retrans ? String(e.retrans) : '', problem,
        ],
        style: (problem ? 'error' : e.type === 'RETRANS' ? 'warn' : e.type === 'CLOSE' ? undefined : 'dim') as RowStyle,
      };
    });
    const t = table(this.ui, TCP_COLS, rows, width, height).tagged;
    if (!rows.length) t.push(msg(this.ui, 'waiting for TCP connections...'));
    return t;
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 's') { this.summary = !this.summary; return true; }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['s', 'retransmits per connection'], ...super.keys()];
  }
}

// ---- 7 run-queue latency ----------------------------------------------------

export class RunqlatPane extends TracePane<RunqSlowEvent> {
  readonly key = 7;
  readonly tracer = 'runqlat';
  readonly title = 'run queue latency';
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

  draw(width: number, height: number): string[] {
    const h = this.shown();
    const summary = h.count
      ? `${h.count} waits, avg ${(h.totalNs / h.count / 1000).toFixed(1)} us, p99< ${histQuantile(h, 0.99)} us, max ${(h.maxNs / 1000).toFixed(0)} us`
      : 'no scheduling waits counted yet';
    const hist = (w: number, hh: number) => {
      const top = [styled(this.ui.theme, plainRow([{ title: '', width: 0 }], [summary], w), 'bold')];
      const lines = h.count ? histLines(this.ui, this, top, [{ hist: h }], 'usecs', 'waits', w, hh) : top;
      return { plain: lines.map((l) => blessed.stripTags(l).replace(/\{(\/?)(open|close)\}/g, '')), tagged: lines };
    };
    if (this.pid || width < 120) return hist(width, height).tagged;
    const procs = (this.cumulative ? this.agg.processes() : this.agg.intervalProcesses()).filter((p) => p.pid !== SELF);
    const cols: PaneCol[] = [{ title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 15 }, { title: 'WAITS', width: 7, align: 'right' }, { title: 'AVG(us)', width: 8, align: 'right' }, { title: 'MAX(us)', width: 0, align: 'right' }];
    const lw = Math.min(86, width - 45);
    const right = table(this.ui, cols, procs.slice(0, height).map((p) => ({ cells: [String(p.pid), p.comm, fmtNum(p.count), (p.count ? p.totalNs / p.count / 1000 : 0).toFixed(1), (p.maxNs / 1000).toFixed(0)] })), width - lw - 3, height);
    return sideBySide(hist(lw, height), right.tagged, lw, height);
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 's') { this.cumulative = !this.cumulative; return true; }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['s', 'cumulative / last interval'], ['↑↓ PgUp PgDn', 'scroll the histogram'], ['p', 'one PID'], ['c', 'clear']];
  }
}

export function createPanes(ui: PaneUi): TracePane[] {
  return [new OpensPane(ui), new DiskPane(ui), new ExecPane(ui), new ExitPane(ui), new SyscallsPane(ui), new TcpPane(ui), new RunqlatPane(ui)] as TracePane[];
}
