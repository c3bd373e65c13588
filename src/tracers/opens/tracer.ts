// opens tracer (opensnoop): decoder of struct opens_event / opens_key /
// opens_count from native/bpf/opens.h, output columns, and the summary
// aggregator (per path, per process). Offsets below must equal the C
// offsetof values: test/tracers/layout.test.ts compares them with the addon.
import type { Column } from '../../model/columns.js';
import { uidColumn, timeColumn, tidColumn, pidColumn, commColumn, cString, errnoName, u64, type Aggregator, type DecodeContext, type SummaryTable, type TraceOptions, type TracerDescriptor, type TracerHandle, type WireLayouts, mapRecords, type MapDump } from '../types.js';

export const OPENS_PATH_MAX = 256;
const SYSCALLS = ['openat', 'openat2', 'open'] as const;
/** Programs of the portable variant (syscalls:sys_enter/exit_*); the fast one is ostop_opens_fast (tp_btf/sys_exit). */
const OPENS_PORTABLE_PROGRAMS = ['ostop_opens_openat', 'ostop_opens_openat_x', 'ostop_opens_openat2', 'ostop_opens_openat2_x', 'ostop_opens_open', 'ostop_opens_open_x'];

export const OPENS_LAYOUTS = {
  opens_event: { size: 312, fields: { ts_ns: 0, pid: 8, tid: 12, uid: 16, ret: 20, flags: 24, mode: 28, path_len: 32, syscall: 34, comm: 40, path: 56 } },
  opens_key: { size: 280, fields: { pid: 0, comm: 8, path: 24 } },
  opens_count: { size: 16, fields: { count: 0, errors: 8 } },
} satisfies WireLayouts;

export interface OpensEvent {
  /** Epoch milliseconds. */
  time: number;
  pid: number;
  tid: number;
  uid: number;
  comm: string;
  /** fd, or -1 when the open failed. */
  fd: number;
  /** errno, 0 on success. */
  err: number;
  flags: number;
  mode: number;
  path: string;
  /** The path filled the kernel buffer (255 bytes) and may be cut. */
  pathTruncated: boolean;
  syscall: (typeof SYSCALLS)[number];
}

const E = OPENS_LAYOUTS.opens_event.fields;

export function decodeOpensEvent(v: DataView, ctx: DecodeContext): OpensEvent | null {
  if (v.byteLength < OPENS_LAYOUTS.opens_event.size) return null;
  const ret = v.getInt32(E.ret, true);
  const pathLen = v.getUint16(E.path_len, true);
  return {
    time: ctx.wallMs(u64(v, E.ts_ns)),
    pid: v.getUint32(E.pid, true),
    tid: v.getUint32(E.tid, true),
    uid: v.getUint32(E.uid, true),
    comm: cString(v, E.comm, 16),
    fd: ret >= 0 ? ret : -1,
    err: ret < 0 ? -ret : 0,
    flags: v.getInt32(E.flags, true),
    mode: v.getUint32(E.mode, true),
    path: cString(v, E.path, OPENS_PATH_MAX),
    pathTruncated: pathLen >= OPENS_PATH_MAX - 1,
    syscall: SYSCALLS[v.getUint8(E.syscall)] ?? 'openat',
  };
}

export interface OpensCountRow { pid: number; comm: string; path: string; count: number; errors: number }

/** Decodes a mapDump of the "summary" map: (opens_key | opens_count)*. */
export function decodeOpensSummary(dump: MapDump): OpensCountRow[] {
  const K = OPENS_LAYOUTS.opens_key.fields, C = OPENS_LAYOUTS.opens_count.fields;
  return mapRecords(dump, (dv, key, value) => {
    const k = new DataView(dv.buffer, key, dump.keySize);
    const c = new DataView(dv.buffer, value, dump.valueSize);
    return { pid: k.getUint32(K.pid, true), comm: cString(k, K.comm, 16), path: cString(k, K.path, OPENS_PATH_MAX), count: u64(c, C.count), errors: u64(c, C.errors) };
  });
}

export interface OpensPathRow { path: string; count: number; errors: number; processes: number }
export interface OpensProcessRow { pid: number; comm: string; count: number; errors: number; paths: number }

/** The opens and failed opens both tables lead with (same ids, titles, widths). */
function countColumns<R extends { count: number; errors: number }>(): Column<R>[] {
  return [
    { id: 'count', title: 'COUNT', width: 9, align: 'right', value: (r) => r.count },
    { id: 'errors', title: 'ERRORS', width: 7, align: 'right', value: (r) => r.errors },
  ];
}

/** --summary's `by_path` table, and the pane's summary (left). */
export const OPENS_PATH_COLUMNS: readonly Column<OpensPathRow>[] = [
  ...countColumns<OpensPathRow>(),
  { id: 'processes', title: 'PROCS', width: 6, align: 'right', value: (r) => r.processes },
  { id: 'path', title: 'PATH', value: (r) => r.path },
];
/** --summary's `by_process` table, and the pane's summary (right). */
export const OPENS_PROCESS_COLUMNS: readonly Column<OpensProcessRow>[] = [
  ...countColumns<OpensProcessRow>(),
  { id: 'paths', title: 'PATHS', width: 6, align: 'right', value: (r) => r.paths },
  pidColumn(8),
  commColumn(),
];

/** Opens per path and per process: from the in-kernel map (summary mode) and/or streamed events. */
export class OpensAggregator implements Aggregator<OpensEvent> {
  private streamed = new Map<string, OpensCountRow>();
  private kernel: OpensCountRow[] = [];
  constructor(private readonly opts: TraceOptions = {}) {}

  add(events: readonly OpensEvent[]): void {
    for (const e of events) {
      const key = `${e.pid}\0${e.comm}\0${e.path}`;
      let r = this.streamed.get(key);
      if (!r) this.streamed.set(key, (r = { pid: e.pid, comm: e.comm, path: e.path, count: 0, errors: 0 }));
      r.count++;
      if (e.err) r.errors++;
    }
  }

  collect(handle: TracerHandle): void {
    this.kernel = decodeOpensSummary(handle.mapDump('summary'));
  }

  /** Every (pid, comm, path) count, after the path filter. */
  entries(): OpensCountRow[] {
    const sub = typeof this.opts.flags?.path === 'string' ? this.opts.flags.path : '';
    return [...this.kernel, ...this.streamed.values()].filter((r) => !sub || r.path.includes(sub));
  }

  /** Per path, most opened first; `keep` selects the (pid, comm, path) counts (the pane hides ostop's own, or keeps failures only). */
  byPath(keep?: (r: OpensCountRow) => boolean): OpensPathRow[] {
    const m = new Map<string, OpensPathRow & { pids: Set<number> }>();
    for (const r of this.entries()) {
      if (keep && !keep(r)) continue;
      let p = m.get(r.path);
      if (!p) m.set(r.path, (p = { path: r.path, count: 0, errors: 0, processes: 0, pids: new Set() }));
      p.count += r.count;
      p.errors += r.errors;
      p.pids.add(r.pid);
    }
    return [...m.values()].map(({ pids, ...p }) => ({ ...p, processes: pids.size })).sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
  }

  byProcess(keep?: (r: OpensCountRow) => boolean): OpensProcessRow[] {
    const m = new Map<string, OpensProcessRow & { set: Set<string> }>();
    for (const r of this.entries()) {
      if (keep && !keep(r)) continue;
      const k = `${r.pid}\0${r.comm}`;
      let p = m.get(k);
      if (!p) m.set(k, (p = { pid: r.pid, comm: r.comm, count: 0, errors: 0, paths: 0, set: new Set() }));
      p.count += r.count;
      p.errors += r.errors;
      p.set.add(r.path);
    }
    return [...m.values()].map(({ set, ...p }) => ({ ...p, paths: set.size })).sort((a, b) => b.count - a.count || a.pid - b.pid);
  }

  total(keep?: (r: OpensCountRow) => boolean): { count: number; errors: number } {
    let count = 0, errors = 0;
    for (const r of this.entries()) {
      if (keep && !keep(r)) continue;
      count += r.count;
      errors += r.errors;
    }
    return { count, errors };
  }

  tables(): SummaryTable[] {
    return [
      { id: 'by_path', title: 'opens per path', rows: this.byPath(), columns: OPENS_PATH_COLUMNS },
      { id: 'by_process', title: 'opens per process', rows: this.byProcess(), columns: OPENS_PROCESS_COLUMNS },
    ];
  }

  reset(): void {
    this.streamed.clear();
    this.kernel = [];
  }
}

export const opensTracer: TracerDescriptor<OpensEvent> = {
  name: 'opens',
  summary: 'open/openat/openat2 calls: process, fd or error, path (opensnoop)',
  flags: { failed: 'boolean', path: 'string', variant: 'string' },
  layouts: OPENS_LAYOUTS,
  kernelSummary: true,
  nativeOptions: (o, probe) => {
    const want = o.flags?.variant;
    if (want !== undefined && want !== 'fast' && want !== 'portable') throw new Error(`opens: --variant must be fast or portable, not '${String(want)}'`);
    const fast = want === 'portable' ? false : want === 'fast' || probe('tp_btf/sys_exit') === '';
    return {
      rodata: { targ_failed: !!o.flags?.failed, targ_summary: !!o.summary },
      disable: fast ? OPENS_PORTABLE_PROGRAMS : ['ostop_opens_fast'],
    };
  },
  decode: decodeOpensEvent,
  accept: (e, o) => typeof o.flags?.path !== 'string' || e.path.includes(o.flags.path),
  columns: [
    timeColumn(),
    pidColumn(),
    tidColumn(),
    uidColumn(),
    commColumn(16),
    { id: 'fd', title: 'FD', width: 4, align: 'right', value: (e) => e.fd },
    { id: 'err', title: 'ERR', width: 7, value: (e) => e.err, text: (e) => (e.err ? errnoName(e.err) : '0') },
    { id: 'flags', title: 'FLAGS', width: 8, value: (e) => e.flags, text: (e) => '0' + (e.flags >>> 0).toString(8) },
    { id: 'path', title: 'PATH', value: (e) => e.path, text: (e) => e.path + (e.pathTruncated ? '...' : '') },
  ],
  createAggregator: (o) => new OpensAggregator(o),
};
