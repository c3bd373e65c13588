// runqlat tracer: run-queue latency histograms counted in the kernel (one
// system-wide, one per process) read from the maps rq_hist / rq_phist
// (struct runqlat_hist, native/bpf/runqlat.h; offsets checked against the
// addon by test/tracers/runqlat/tracer.test.ts), plus runqslower events for waits
// >= --min-us. Maps are cumulative; interval() diffs two reads.
import { toObject, type OutputFormat } from '../../model/output.js';
import type { Column } from '../../model/columns.js';
import { timeColumn, tidColumn, pidColumn, commColumn, clockTime, cString, u64, type Aggregator, type DecodeContext, type SummaryTable, type TraceOptions, type TraceReport, type TracerDescriptor, type TracerHandle, type WireLayouts, mapRecords, type MapDump } from '../types.js';
import { LOG2_SLOTS, emptyHist, formatLog2Hist, histColumns, histDiff, histQuantile, histRows, type Log2Hist } from '../log2-hist.js';

export const RUNQLAT_LAYOUTS = {
  runqlat_hist: { size: 304, fields: { slots: 0, count: 256, total_ns: 264, max_ns: 272, comm: 280, tgid: 296 } },
  runqlat_event: { size: 64, fields: { ts_ns: 0, lat_ns: 8, pid: 16, tid: 20, prev_tid: 24, cpu: 28, comm: 32, prev_comm: 48 } },
} satisfies WireLayouts;
const H = RUNQLAT_LAYOUTS.runqlat_hist;
const EV = RUNQLAT_LAYOUTS.runqlat_event.fields;

export interface RunqSlowEvent {
  tsNs: number;
  time: number;
  latNs: number;
  pid: number;
  tid: number;
  comm: string;
  prevTid: number;
  prevComm: string;
  cpu: number;
}

export function decodeRunqEvent(v: DataView, ctx: DecodeContext): RunqSlowEvent | null {
  if (v.byteLength < RUNQLAT_LAYOUTS.runqlat_event.size) return null;
  const tsNs = u64(v, EV.ts_ns);
  return {
    tsNs,
    time: ctx.wallMs(tsNs),
    latNs: u64(v, EV.lat_ns),
    pid: v.getUint32(EV.pid, true),
    tid: v.getUint32(EV.tid, true),
    prevTid: v.getUint32(EV.prev_tid, true),
    cpu: v.getUint32(EV.cpu, true),
    comm: cString(v, EV.comm, 16),
    prevComm: cString(v, EV.prev_comm, 16),
  };
}

/** One struct runqlat_hist at `off`. */
function readHist(dv: DataView, off: number): Log2Hist & { comm: string; tgid: number } {
  const slots = new Array<number>(LOG2_SLOTS);
  for (let i = 0; i < LOG2_SLOTS; i++) slots[i] = u64(dv, off + H.fields.slots + 8 * i);
  return {
    slots,
    count: u64(dv, off + H.fields.count),
    totalNs: u64(dv, off + H.fields.total_ns),
    maxNs: u64(dv, off + H.fields.max_ns),
    comm: cString(dv, off + H.fields.comm, 16),
    tgid: dv.getUint32(off + H.fields.tgid, true),
  };
}

type Dump = MapDump;

/** mapDump of rq_hist (per-CPU array[1]) -> the summed histogram. */
export function decodeGlobalHist(d: Dump): Log2Hist {
  const h = emptyHist();
  if (!d.count) return h;
  const dv = new DataView(d.data);
  const stride = (H.size + 7) & ~7;
  for (let c = 0; c + stride <= d.valueSize; c += stride) {
    const x = readHist(dv, d.keySize + c);
    x.slots.forEach((v, i) => (h.slots[i] += v));
    h.count += x.count;
    h.totalNs += x.totalNs;
    h.maxNs = Math.max(h.maxNs, x.maxNs);
  }
  return h;
}

export interface RunqProcRow extends Log2Hist { pid: number; comm: string }

/** mapDump of rq_phist (hash u32 tgid -> runqlat_hist). */
export function decodeProcHists(d: Dump): RunqProcRow[] {
  return mapRecords(d, (dv, key, value) => {
    const { comm, tgid: _t, ...h } = readHist(dv, value);
    return { pid: dv.getUint32(key, true), comm, ...h };
  });
}

/** --summary's `processes` table, and the pane's table beside the histogram. */
export const RUNQLAT_PROC_COLUMNS: readonly Column<RunqProcRow>[] = [
  pidColumn(),
  commColumn(15),
  { id: 'count', title: 'WAITS', width: 9, align: 'right', value: (r) => r.count },
  { id: 'total_ms', title: 'TOTAL(ms)', width: 10, align: 'right', value: (r) => r.totalNs / 1e6, text: (r) => (r.totalNs / 1e6).toFixed(2) },
  { id: 'avg_us', title: 'AVG(us)', width: 9, align: 'right', value: (r) => (r.count ? r.totalNs / r.count / 1000 : 0), text: (r) => (r.count ? r.totalNs / r.count / 1000 : 0).toFixed(1) },
  { id: 'p99_us', title: 'P99<(us)', width: 9, align: 'right', value: (r) => Math.min(histQuantile(r, 0.99), Math.ceil(r.maxNs / 1000)) },
  { id: 'max_us', title: 'MAX(us)', value: (r) => r.maxNs / 1000, text: (r) => (r.maxNs / 1000).toFixed(1) },
];

export class RunqlatAggregator implements Aggregator<RunqSlowEvent> {
  private global: Log2Hist = emptyHist();
  private procs: RunqProcRow[] = [];
  private prevGlobal?: Log2Hist;
  private prevProcs = new Map<number, RunqProcRow>();
  private slow: RunqSlowEvent[] = [];

  add(events: readonly RunqSlowEvent[]): void {
    for (const e of events) this.slow.unshift(e);
    if (this.slow.length > 500) this.slow.length = 500;
  }

  collect(handle: TracerHandle): void {
    this.prevGlobal = this.global;
    this.prevProcs = new Map(this.procs.map((p) => [p.pid, p]));
    this.global = decodeGlobalHist(handle.mapDump('rq_hist'));
    this.procs = decodeProcHists(handle.mapDump('rq_phist'));
  }

  /** Cumulative histogram since the tracer started. */
  histogram(): Log2Hist {
    return this.global;
  }

  /** Histogram of the last collect interval. */
  interval(): Log2Hist {
    return histDiff(this.global, this.prevGlobal);
  }

  processes(): RunqProcRow[] {
    return [...this.procs].sort((a, b) => b.totalNs - a.totalNs || a.pid - b.pid);
  }

  /** Per-process rows of the last interval (processes that waited in it). */
  intervalProcesses(): RunqProcRow[] {
    return this.procs
      .map((p) => ({ pid: p.pid, comm: p.comm, ...histDiff(p, this.prevProcs.get(p.pid)) }))
      .filter((p) => p.count > 0)
      .sort((a, b) => b.totalNs - a.totalNs || a.pid - b.pid);
  }

  slowEvents(): RunqSlowEvent[] {
    return this.slow;
  }

  tables(): SummaryTable[] {
    return [
      { id: 'histogram', title: 'run queue latency (usecs)', rows: histRows(this.global), columns: histColumns('usecs') },
      { id: 'processes', title: 'run queue latency by process', rows: this.processes(), columns: RUNQLAT_PROC_COLUMNS },
    ];
  }

  reset(): void {
    this.global = emptyHist();
    this.procs = [];
    this.prevGlobal = undefined;
    this.prevProcs.clear();
    this.slow = [];
  }
}

function minUs(o: TraceOptions): number {
  const v = o.flags?.['min-us'];
  const n = typeof v === 'string' ? Number(v) : 0;
  if (!Number.isFinite(n) || n < 0) throw new Error(`--min-us wants a number of microseconds, got '${String(v)}'`);
  return Math.floor(n);
}

function intervalSec(o: TraceOptions): number | undefined {
  const v = o.flags?.interval;
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--interval: '${String(v)}' is not a positive number of seconds`);
  return n;
}

/**
 * `ostop trace runqlat` without --min-us and --summary: the system-wide (or
 * --pid) histogram of the waits since the previous report, in BCC's
 * print_log2_hist layout (text) or one object per report (JSON), every
 * --interval seconds and at the end, as BCC's `runqlat [interval]`.
 */
export function runqlatReport(o: TraceOptions): TraceReport | undefined {
  const every = intervalSec(o);
  if (minUs(o) > 0) {
    if (every !== undefined) throw new Error('--interval applies to the histogram; with --min-us every wait above it is printed as it happens');
    return undefined;
  }
  const agg = new RunqlatAggregator();
  let last = Date.now();
  const cols = histColumns('usecs');
  return {
    intervalSec: every,
    banner: `Tracing run queue latency${o.pid ? ` of pid ${o.pid}` : ''}... Hit Ctrl-C to end.`,
    print(handle: TracerHandle, format: OutputFormat): string {
      agg.collect(handle);
      const h = agg.interval();
      const now = Date.now();
      const seconds = (now - last) / 1000;
      last = now;
      if (format === 'json') {
        const rec = { time: new Date(now).toISOString(), interval_s: Math.round(seconds * 1000) / 1000, waits: h.count, histogram: histRows(h).map((r) => toObject(r, cols)) };
        return JSON.stringify(rec) + '\n';
      }
      const stamp = every !== undefined ? `\n${clockTime(now).slice(0, 8)}\n` : '';
      return `${stamp}${h.count ? formatLog2Hist(h, 'usecs') : 'no run-queue waits counted'}\n`;
    },
  };
}

export const RUNQLAT_COLUMNS: readonly Column<RunqSlowEvent>[] = [
  timeColumn(),
  pidColumn(),
  tidColumn(),
  commColumn(15),
  { id: 'lat_us', title: 'LAT(us)', width: 10, align: 'right', value: (e) => e.latNs / 1000, text: (e) => (e.latNs / 1000).toFixed(0) },
  { id: 'cpu', title: 'CPU', width: 3, align: 'right', value: (e) => e.cpu },
  { id: 'prev_tid', title: 'PREV TID', width: 8, align: 'right', value: (e) => e.prevTid },
  { id: 'prev_comm', title: 'PREV COMM', value: (e) => e.prevComm },
];

export const runqlatTracer: TracerDescriptor<RunqSlowEvent> = {
  name: 'runqlat',
  summary: 'run queue latency: log2 histogram counted in the kernel, printed at the end or every --interval SEC (runqlat); --summary adds per process; --min-us N lists waits above N us (runqslower)',
  flags: { 'min-us': 'string', interval: 'string' },
  layouts: RUNQLAT_LAYOUTS,
  kernelSummary: true,
  nativeOptions: (o) => ({ rodata: { targ_min_us: minUs(o) }, ringBytes: 1 << 18 }),
  decode: decodeRunqEvent,
  columns: RUNQLAT_COLUMNS,
  createAggregator: () => new RunqlatAggregator(),
  report: runqlatReport,
};
