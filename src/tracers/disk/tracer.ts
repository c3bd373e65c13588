// disk tracer (disksnoop/biosnoop + biolatency): one record per completed
// block request, decoded from struct disk_event (native/bpf/disk.h; offsets
// checked by test/tracers/disk/tracer.test.ts against the addon's offsetof), and an
// aggregator with per device and direction counts and log2 latency
// histograms (usecs). `time` is wall-clock time like every other tracer's;
// the kernel's CLOCK_MONOTONIC seconds (what disksnoop prints) are kept as
// `monotonic_s` in JSON.
import type { Column } from '../../model/columns.js';
import { timeColumn, pidColumn, commColumn, cString, u64, type Aggregator, type DecodeContext, type SummaryTable, type TraceOptions, type TracerDescriptor, type WireLayouts } from '../types.js';
import { emptyHist, histAddNs, histColumns, histQuantile, histRows, type HistRow, type Log2Hist } from '../log2-hist.js';
import { readBlockDevName } from '../../collectors/names.js';

export const DISK_LAYOUTS: WireLayouts = {
  disk_event: {
    size: 72,
    fields: { ts_ns: 0, lat_ns: 8, queue_ns: 16, sector: 24, dev: 32, bytes: 36, pid: 40, tid: 44, op: 48, flags: 50, error: 52, comm: 56 },
  },
};
const F = DISK_LAYOUTS.disk_event.fields;

export const DISK_F = { SYNC: 1, META: 2, FUA: 4, PREFLUSH: 8, RAHEAD: 16, NOSTART: 256 } as const;

export interface DiskEvent {
  /** Completion, CLOCK_MONOTONIC ns (bpf_ktime_get_ns). */
  tsNs: number;
  /** Completion, epoch milliseconds. */
  time: number;
  latNs: number;
  queueNs: number;
  sector: number;
  major: number;
  minor: number;
  bytes: number;
  /** Submitter tgid, 0 when unknown (issued before attach, or not from a process). */
  pid: number;
  tid: number;
  /** REQ_OP_*: 0 read, 1 write, 2 flush, 3 discard, 5 secure erase, 9 write zeroes. */
  op: number;
  flags: number;
  error: number;
  comm: string;
}

export function decodeDisk(v: DataView, ctx: DecodeContext): DiskEvent | null {
  if (v.byteLength < DISK_LAYOUTS.disk_event.size) return null;
  const dev = v.getUint32(F.dev, true);
  const tsNs = u64(v, F.ts_ns);
  return {
    tsNs,
    time: ctx.wallMs(tsNs),
    latNs: u64(v, F.lat_ns),
    queueNs: u64(v, F.queue_ns),
    sector: u64(v, F.sector),
    major: dev >>> 20,
    minor: dev & 0xfffff,
    bytes: v.getUint32(F.bytes, true),
    pid: v.getUint32(F.pid, true),
    tid: v.getUint32(F.tid, true),
    op: v.getUint8(F.op),
    flags: v.getUint16(F.flags, true),
    error: v.getInt32(F.error, true),
    comm: cString(v, F.comm, 16),
  };
}

const OP_LETTER: Record<number, string> = { 0: 'R', 1: 'W', 2: 'F', 3: 'D', 5: 'E', 9: 'Z' };
/** disksnoop's T column: R, W, F(lush), D(iscard), E (secure erase), Z (write zeroes). */
export function opLetter(op: number): string {
  return OP_LETTER[op] ?? '?';
}

// Device names from sysfs (through the collectors), cached; "8:0" when the device is gone.
const devNames = new Map<string, string>();
export function devName(major: number, minor: number, sysRoot = '/sys'): string {
  const key = `${major}:${minor}`;
  let n = devNames.get(key);
  if (n === undefined) {
    n = readBlockDevName(major, minor, sysRoot) ?? key;
    devNames.set(key, n);
  }
  return n;
}

export const DISK_COLUMNS: readonly Column<DiskEvent>[] = [
  timeColumn(),
  { id: 'monotonic_s', title: 'MONO(s)', width: 18, value: (e) => e.tsNs / 1e9, text: (e) => (e.tsNs / 1e9).toFixed(6) },
  { id: 'type', title: 'T', width: 1, value: (e) => opLetter(e.op) },
  { id: 'bytes', title: 'BYTES', width: 11, align: 'right', value: (e) => e.bytes },
  { id: 'lat_ms', title: 'LAT(ms)', width: 9, align: 'right', value: (e) => e.latNs / 1e6, text: (e) => (e.latNs / 1e6).toFixed(2) },
  { id: 'dev', title: 'DEV', width: 10, value: (e) => devName(e.major, e.minor) },
  pidColumn(7, true),
  commColumn(undefined, true),
];

export interface DiskDevRow {
  dev: string;
  dir: string;
  ios: number;
  bytes: number;
  errors: number;
  avgMs: number;
  p99Ms: number;
  maxMs: number;
  hist: Log2Hist;
}

const DEV_COLUMNS: readonly Column<DiskDevRow>[] = [
  { id: 'dev', title: 'DEV', width: 10, value: (r) => r.dev },
  { id: 'dir', title: 'T', width: 1, value: (r) => r.dir },
  { id: 'ios', title: 'IOS', width: 8, align: 'right', value: (r) => r.ios },
  { id: 'bytes', title: 'BYTES', width: 12, align: 'right', value: (r) => r.bytes },
  { id: 'errors', title: 'ERR', width: 5, align: 'right', value: (r) => r.errors },
  { id: 'avg_ms', title: 'AVG(ms)', width: 9, align: 'right', value: (r) => r.avgMs, text: (r) => r.avgMs.toFixed(2) },
  { id: 'p99_ms', title: 'P99<(ms)', width: 9, align: 'right', value: (r) => r.p99Ms, text: (r) => r.p99Ms.toFixed(2) },
  { id: 'max_ms', title: 'MAX(ms)', value: (r) => r.maxMs, text: (r) => r.maxMs.toFixed(2) },
];

/** Per (device, direction): counts, bytes and a log2 latency histogram (usecs, issue -> complete). */
export class DiskAggregator implements Aggregator<DiskEvent> {
  private rows = new Map<string, DiskDevRow>();
  constructor(private readonly name: (major: number, minor: number) => string = devName) {}

  add(events: readonly DiskEvent[]): void {
    for (const e of events) {
      const dev = this.name(e.major, e.minor);
      const dir = opLetter(e.op);
      const key = `${dev}\0${dir}`;
      let r = this.rows.get(key);
      if (!r) {
        r = { dev, dir, ios: 0, bytes: 0, errors: 0, avgMs: 0, p99Ms: 0, maxMs: 0, hist: emptyHist() };
        this.rows.set(key, r);
      }
      r.ios++;
      r.bytes += e.bytes;
      if (e.error) r.errors++;
      histAddNs(r.hist, e.latNs);
    }
  }

  devices(): DiskDevRow[] {
    const out = [...this.rows.values()].map((r) => ({
      ...r,
      avgMs: r.hist.count ? r.hist.totalNs / r.hist.count / 1e6 : 0,
      maxMs: r.hist.maxNs / 1e6,
      p99Ms: Math.min(histQuantile(r.hist, 0.99) / 1000, r.hist.maxNs / 1e6),
    }));
    return out.sort((a, b) => b.ios - a.ios || a.dev.localeCompare(b.dev) || a.dir.localeCompare(b.dir));
  }

  tables(): SummaryTable[] {
    const devs = this.devices();
    const t: SummaryTable[] = [{ id: 'devices', title: 'Block I/O by device and direction', rows: devs, columns: DEV_COLUMNS }];
    for (const d of devs) {
      t.push({ id: `latency.${d.dev}.${d.dir}`, title: `${d.dev} ${d.dir} latency (usecs)`, rows: histRows(d.hist) as HistRow[], columns: histColumns('usecs') });
    }
    return t;
  }

  reset(): void {
    this.rows.clear();
  }
}

export const diskTracer: TracerDescriptor<DiskEvent> = {
  name: 'disk',
  summary: 'block I/O: one line per request (size, device latency, submitter), log2 latency histograms per device',
  layouts: DISK_LAYOUTS,
  nativeOptions(_opts: TraceOptions, probe) {
    // block_io_start (>= 6.5) sees the submitter in its own context; without
    // it block_rq_insert is the next best. Never both: each overwrites the start.
    const ioStart = probe('tp_btf/block_io_start') === '';
    return { disable: [ioStart ? 'ostop_dk_insert' : 'ostop_dk_start'] };
  },
  decode: decodeDisk,
  columns: DISK_COLUMNS,
  textColumns: DISK_COLUMNS.filter((c) => c.id !== 'monotonic_s').map((c) => c.id),
  createAggregator: () => new DiskAggregator(),
};
