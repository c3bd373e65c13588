// syscalls tracer (strace/syscount): decoder of struct syscall_event and the
// stats maps (native/bpf/syscalls.h; offsets checked against the addon's
// offsetof by test/tracers/syscalls/tracer.test.ts), strace-like columns, and the
// syscount aggregator. Three kernel modes (rodata targ_mode):
//   stream      every syscall of --pid (or of everything but ostop) as an event,
//   --summary   per-syscall count/errors/total/max counted in the kernel,
//   --by-process the same per (process, syscall), system-wide.
// Counts from the kernel are cumulative; the aggregator shows totals since
// start (trace) and the pane diffs two reads for rates.
import type { Column } from '../../model/columns.js';
import { timeColumn, tidColumn, pidColumn, commColumn, cString, u64, type Aggregator, type DecodeContext, type SummaryTable, type TraceOptions, type TracerDescriptor, type TracerHandle, type WireLayouts, mapRecords, type MapDump } from '../types.js';
import { errnoNameOf, formatCall, formatRet, syscallName } from './args.js';
import { readPidComm } from '../../collectors/names.js';

export const SYSCALLS_LAYOUTS = {
  syscall_event: {
    size: 112,
    fields: { ts_ns: 0, dur_ns: 8, args: 16, ret: 64, pid: 72, tid: 76, nr: 80, flags: 84, blob_kind: 86, blob_len: 88, comm: 96 },
  },
  syscall_stat: { size: 32, fields: { count: 0, errors: 8, total_ns: 16, max_ns: 24 } },
  syscall_pkey: { size: 8, fields: { tgid: 0, nr: 4 } },
} satisfies WireLayouts;

export const SC_MODE = { STREAM: 0, COUNT: 1, PROC: 2 } as const;
export const SC_BLOB = { NONE: 0, PATH: 1, DATA: 2, SOCKADDR: 3 } as const;
export const SC_F = { NORETURN: 1, TRUNC: 2, BLOBERR: 4 } as const;

const E = SYSCALLS_LAYOUTS.syscall_event.fields;
const EV_SIZE = SYSCALLS_LAYOUTS.syscall_event.size;

export interface SyscallEvent {
  /** Entry, CLOCK_MONOTONIC ns. */
  tsNs: number;
  /** Epoch ms of the entry. */
  time: number;
  durNs: number;
  nr: number;
  name: string;
  /** Arguments as numbers: exact for ints, negative values and user pointers (< 2^53). */
  args: number[];
  ret: number;
  pid: number;
  tid: number;
  comm: string;
  flags: number;
  blobKind: number;
  /** Captured user memory as a latin1 string (one char per byte): far cheaper than a typed-array copy per event. See blobBytes(). */
  blob?: string;
}

/** The captured bytes of an event (path, data or sockaddr). */
export function blobBytes(e: SyscallEvent): Uint8Array | undefined {
  return e.blob === undefined ? undefined : Buffer.from(e.blob, 'latin1');
}

function latin1(v: DataView, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(v.getUint8(off + i));
  return s;
}

/** A 64-bit register as a number: small negatives exact (AT_FDCWD, -errno), user pointers exact. */
export function reg64(v: DataView, off: number): number {
  const lo = v.getUint32(off, true);
  const hi = v.getUint32(off + 4, true);
  if (hi === 0) return lo;
  if (hi === 0xffffffff) return lo - 4294967296;
  if (hi & 0x80000000) return (hi - 4294967296) * 4294967296 + lo;
  return hi * 4294967296 + lo;
}

// comm decoding is the hot spot of the stream (TextDecoder costs ~1 us per
// call): ASCII is decoded by hand and the last string per thread reused
// while its bytes are unchanged.
const commCache = new Map<number, { a: number; b: number; c: number; d: number; s: string }>();
function fastComm(v: DataView, off: number, tid: number): string {
  const a = v.getUint32(off, true), b = v.getUint32(off + 4, true), c = v.getUint32(off + 8, true), d = v.getUint32(off + 12, true);
  const hit = commCache.get(tid);
  if (hit && hit.a === a && hit.b === b && hit.c === c && hit.d === d) return hit.s;
  let s = '';
  let ascii = true;
  for (let i = 0; i < 16; i++) {
    const ch = v.getUint8(off + i);
    if (ch === 0) break;
    if (ch >= 0x80) { ascii = false; break; }
    s += String.fromCharCode(ch);
  }
  if (!ascii) s = cString(v, off, 16);
  if (commCache.size > 4096) commCache.clear();
  commCache.set(tid, { a, b, c, d, s });
  return s;
}

export function decodeSyscall(v: DataView, ctx: DecodeContext): SyscallEvent | null {
  if (v.byteLength < EV_SIZE) return null;
  const nr = v.getInt32(E.nr, true);
  const blobLen = Math.min(v.getUint16(E.blob_len, true), v.byteLength - EV_SIZE);
  const blobKind = v.getUint8(E.blob_kind);
  const tsNs = u64(v, E.ts_ns);
  const args = new Array<number>(6);
  for (let i = 0; i < 6; i++) args[i] = reg64(v, E.args + 8 * i);
  return {
    tsNs,
    time: ctx.wallMs(tsNs),
    durNs: u64(v, E.dur_ns),
    nr,
    name: syscallName(nr),
    args,
    ret: reg64(v, E.ret),
    pid: v.getUint32(E.pid, true),
    tid: v.getUint32(E.tid, true),
    comm: fastComm(v, E.comm, v.getUint32(E.tid, true)),
    flags: v.getUint16(E.flags, true),
    blobKind,
    blob: blobKind !== SC_BLOB.NONE ? latin1(v, EV_SIZE, blobLen) : undefined,
  };
}

/** strace-style "openat(AT_FDCWD, "/x", O_RDONLY)". */
export function syscallCall(e: SyscallEvent): string {
  return formatCall({
    name: e.name,
    args: e.args,
    ret: e.ret,
    blob: blobBytes(e),
    blobTruncated: (e.flags & SC_F.TRUNC) !== 0,
    blobFailed: (e.flags & SC_F.BLOBERR) !== 0,
  });
}

export function isError(ret: number): boolean {
  return ret < 0 && ret >= -4095;
}

export const SYSCALL_COLUMNS: readonly Column<SyscallEvent>[] = [
  timeColumn(),
  pidColumn(),
  tidColumn(),
  commColumn(15),
  { id: 'dur_us', title: 'DUR(us)', width: 9, align: 'right', value: (e) => (e.flags & SC_F.NORETURN ? null : e.durNs / 1000), text: (e) => (e.flags & SC_F.NORETURN ? '-' : (e.durNs / 1000).toFixed(1)) },
  { id: 'syscall', title: 'SYSCALL', width: 12, value: (e) => e.name },
  { id: 'ret', title: 'RET', width: 14, align: 'right', value: (e) => (e.flags & SC_F.NORETURN ? null : e.ret), text: (e) => (isError(e.ret) ? '-1' : formatRet(e.name, e.ret, (e.flags & SC_F.NORETURN) !== 0)) },
  { id: 'errno', title: 'ERRNO', width: 12, value: (e) => (isError(e.ret) ? errnoNameOf(-e.ret) : null), text: (e) => (isError(e.ret) ? errnoNameOf(-e.ret) : '') },
  { id: 'call', title: 'CALL', value: (e) => syscallCall(e) },
];

// ---- stats -------------------------------------------------------------

export interface SyscallStat { count: number; errors: number; totalNs: number; maxNs: number }
export interface SyscallRow extends SyscallStat { nr: number; syscall: string }
export interface SyscallProcRow extends SyscallStat { pid: number; comm: string; syscalls: number; top: string }

const zeroStat = (): SyscallStat => ({ count: 0, errors: 0, totalNs: 0, maxNs: 0 });

/** Sums one per-CPU struct syscall_stat value (valueSize = stride x CPUs). */
function sumPerCpu(dv: DataView, off: number, valueSize: number): SyscallStat {
  const S = SYSCALLS_LAYOUTS.syscall_stat;
  const stride = (S.size + 7) & ~7;
  const s = zeroStat();
  for (let c = 0; c + stride <= valueSize; c += stride) {
    s.count += u64(dv, off + c + S.fields.count);
    s.errors += u64(dv, off + c + S.fields.errors);
    s.totalNs += u64(dv, off + c + S.fields.total_ns);
    s.maxNs = Math.max(s.maxNs, u64(dv, off + c + S.fields.max_ns));
  }
  return s;
}

type Dump = MapDump;

/** mapDump of sc_stats (per-CPU array indexed by nr) -> rows with count > 0. */
export function decodeSyscallStats(d: Dump): SyscallRow[] {
  return mapRecords(d, (dv, key, value) => {
    const nr = dv.getUint32(key, true);
    const s = sumPerCpu(dv, value, d.valueSize);
    return s.count ? { nr, syscall: syscallName(nr), ...s } : undefined;
  });
}

/** mapDump of sc_pstats (per-CPU hash keyed by syscall_pkey). */
export function decodeSyscallProcStats(d: Dump): Array<SyscallStat & { pid: number; nr: number }> {
  const K = SYSCALLS_LAYOUTS.syscall_pkey.fields;
  return mapRecords(d, (dv, key, value) => {
    const s = sumPerCpu(dv, value, d.valueSize);
    return s.count ? { pid: dv.getUint32(key + K.tgid, true), nr: dv.getInt32(key + K.nr, true), ...s } : undefined;
  });
}

/** A process's name through the collectors (kernel-counted rows carry only its pid); '[exited]' when it is gone. */
function procComm(pid: number): string {
  return readPidComm(pid) ?? '[exited]';
}

const statCols = <R extends SyscallStat>(): Column<R>[] => [
  { id: 'count', title: 'COUNT', width: 10, align: 'right', value: (r) => r.count },
  { id: 'errors', title: 'ERRORS', width: 8, align: 'right', value: (r) => r.errors },
  { id: 'total_ms', title: 'TOTAL(ms)', width: 11, align: 'right', value: (r) => r.totalNs / 1e6, text: (r) => (r.totalNs / 1e6).toFixed(3) },
  { id: 'avg_us', title: 'AVG(us)', width: 9, align: 'right', value: (r) => (r.count ? r.totalNs / r.count / 1000 : 0), text: (r) => (r.count ? r.totalNs / r.count / 1000 : 0).toFixed(2) },
  { id: 'max_us', title: 'MAX(us)', width: 10, align: 'right', value: (r) => r.maxNs / 1000, text: (r) => (r.maxNs / 1000).toFixed(1) },
];

/** --summary's `syscalls` table (syscount), and the pane's counts beside the stream. */
export const SYSCALL_ROW_COLUMNS: readonly Column<SyscallRow>[] = [
  { id: 'syscall', title: 'SYSCALL', width: 20, value: (r) => r.syscall },
  ...statCols<SyscallRow>(),
];
/** --summary --by-process's `processes` table, and the pane's system-wide table. */
export const SYSCALL_PROC_COLUMNS: readonly Column<SyscallProcRow>[] = [
  pidColumn(),
  commColumn(15),
  ...statCols<SyscallProcRow>(),
  { id: 'top', title: 'TOP SYSCALLS', value: (r) => r.top },
];

/**
 * syscount: per syscall count, errors, total/avg/max latency, from streamed
 * events (stream mode) and/or the kernel maps (summary, by-process modes).
 */
export class SyscallAggregator implements Aggregator<SyscallEvent> {
  private streamed = new Map<number, SyscallStat>();
  private streamedProc = new Map<string, SyscallStat & { pid: number; nr: number }>();
  private kernel: SyscallRow[] = [];
  private kernelProc: Array<SyscallStat & { pid: number; nr: number }> = [];
  private comms = new Map<number, string>();
  constructor(private readonly opts: TraceOptions = {}, private readonly comm: (pid: number) => string = procComm) {}

  add(events: readonly SyscallEvent[]): void {
    for (const e of events) {
      if (e.flags & SC_F.NORETURN) continue;
      let s = this.streamed.get(e.nr);
      if (!s) this.streamed.set(e.nr, (s = zeroStat()));
      s.count++;
      if (isError(e.ret)) s.errors++;
      s.totalNs += e.durNs;
      if (e.durNs > s.maxNs) s.maxNs = e.durNs;
      if (!this.comms.has(e.pid)) this.comms.set(e.pid, e.comm);
      if (this.opts.flags?.['by-process']) {
        const k = `${e.pid}:${e.nr}`;
        let p = this.streamedProc.get(k);
        if (!p) this.streamedProc.set(k, (p = { pid: e.pid, nr: e.nr, ...zeroStat() }));
        p.count++;
        if (isError(e.ret)) p.errors++;
        p.totalNs += e.durNs;
        if (e.durNs > p.maxNs) p.maxNs = e.durNs;
      }
    }
  }

  collect(handle: TracerHandle): void {
    const mode = syscallsMode(this.opts);
    if (mode === SC_MODE.COUNT) this.kernel = decodeSyscallStats(handle.mapDump('sc_stats'));
    if (mode === SC_MODE.PROC) this.kernelProc = decodeSyscallProcStats(handle.mapDump('sc_pstats'));
  }

  /** Per syscall, most frequent first (syscount's order). */
  bySyscall(): SyscallRow[] {
    const m = new Map<number, SyscallRow>();
    const fold = (nr: number, s: SyscallStat) => {
      let r = m.get(nr);
      if (!r) m.set(nr, (r = { nr, syscall: syscallName(nr), ...zeroStat() }));
      r.count += s.count;
      r.errors += s.errors;
      r.totalNs += s.totalNs;
      r.maxNs = Math.max(r.maxNs, s.maxNs);
    };
    for (const [nr, s] of this.streamed) fold(nr, s);
    for (const r of this.kernel) fold(r.nr, r);
    for (const r of this.kernelProc) fold(r.nr, r);
    return [...m.values()].sort((a, b) => b.count - a.count || a.nr - b.nr);
  }

  /** Per process: totals and its three most frequent syscalls. */
  byProcess(): SyscallProcRow[] {
    const m = new Map<number, SyscallProcRow & { per: Map<number, number> }>();
    for (const r of [...this.kernelProc, ...this.streamedProc.values()]) {
      let p = m.get(r.pid);
      if (!p) m.set(r.pid, (p = { pid: r.pid, comm: '', syscalls: 0, top: '', per: new Map(), ...zeroStat() }));
      p.count += r.count;
      p.errors += r.errors;
      p.totalNs += r.totalNs;
      p.maxNs = Math.max(p.maxNs, r.maxNs);
      p.per.set(r.nr, (p.per.get(r.nr) ?? 0) + r.count);
    }
    return [...m.values()]
      .map(({ per, ...p }) => {
        let comm = this.comms.get(p.pid);
        if (comm === undefined) this.comms.set(p.pid, (comm = this.comm(p.pid)));
        const top = [...per].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([nr, c]) => `${syscallName(nr)}:${c}`).join(' ');
        return { ...p, comm, syscalls: per.size, top };
      })
      .sort((a, b) => b.count - a.count || a.pid - b.pid);
  }

  total(): SyscallStat {
    const t = zeroStat();
    for (const r of this.bySyscall()) {
      t.count += r.count;
      t.errors += r.errors;
      t.totalNs += r.totalNs;
      t.maxNs = Math.max(t.maxNs, r.maxNs);
    }
    return t;
  }

  tables(): SummaryTable[] {
    const t: SummaryTable[] = [{ id: 'syscalls', title: 'syscalls by count', rows: this.bySyscall(), columns: SYSCALL_ROW_COLUMNS }];
    if (syscallsMode(this.opts) === SC_MODE.PROC || this.opts.flags?.['by-process']) {
      t.push({ id: 'processes', title: 'syscalls by process', rows: this.byProcess(), columns: SYSCALL_PROC_COLUMNS });
    }
    return t;
  }

  reset(): void {
    this.streamed.clear();
    this.streamedProc.clear();
    this.kernel = [];
    this.kernelProc = [];
  }
}

export function syscallsMode(o: TraceOptions): number {
  if (o.summary && o.flags?.['by-process']) return SC_MODE.PROC;
  return o.summary ? SC_MODE.COUNT : SC_MODE.STREAM;
}

/** --summary --no-latency: count calls and errors from sys_exit only (about half the overhead). */
export function countsOnly(o: TraceOptions): boolean {
  return syscallsMode(o) !== SC_MODE.STREAM && !!o.flags?.['no-latency'];
}

export const syscallsTracer: TracerDescriptor<SyscallEvent> = {
  name: 'syscalls',
  summary: 'syscalls of one process like strace (args, result, errno, duration); --data: also the first 32 bytes of read/write buffers (slower); --summary counts per syscall in the kernel; --summary --by-process: top syscalls by process, system-wide; --summary --no-latency: counts only, cheapest',
  flags: { 'by-process': 'boolean', 'no-latency': 'boolean', data: 'boolean' },
  textColumns: ['time', 'pid', 'tid', 'comm', 'dur_us', 'ret', 'errno', 'call'],
  layouts: SYSCALLS_LAYOUTS,
  kernelSummary: true,
  nativeOptions: (o) => ({
    rodata: { targ_mode: syscallsMode(o), targ_self: process.pid, targ_lat: countsOnly(o) ? 0 : 1, targ_data: o.flags?.data ? 1 : 0 },
    // counts only: sys_exit alone, no entry hook
    disable: countsOnly(o) ? ['ostop_sc_enter'] : [],
    // The stream carries ~150 bytes per syscall: a bigger ring rides out
    // render stalls at high syscall rates.
    ringBytes: syscallsMode(o) === SC_MODE.STREAM ? 16 << 20 : 4096,
  }),
  decode: decodeSyscall,
  columns: SYSCALL_COLUMNS,
  createAggregator: (o) => new SyscallAggregator(o),
};
