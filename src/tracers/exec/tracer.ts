// exec tracer (execsnoop): decoder of struct exec_event (native/bpf/exec.h),
// output columns, and an aggregator counting execs per program and parent.
// Offsets must equal the C offsetof values (test/tracers/layout.test.ts).
import type { Column } from '../../model/columns.js';
import { uidColumn, timeColumn, pidColumn, ppidColumn, commColumn, cString, errnoName, u64, type Aggregator, type DecodeContext, type SummaryTable, type TraceOptions, type TaskRecord, type TracerDescriptor, type WireLayouts } from '../types.js';

export const EXEC_FILENAME_MAX = 256;
export const EXEC_ARGS_MAX = 1024;

export const EXEC_LAYOUTS = {
  exec_event: { size: 1336, fields: { ts_ns: 0, pid: 8, tid: 12, ppid: 16, uid: 20, ret: 24, args_len: 28, args_size: 32, comm: 40, filename: 56, args: 312 } },
} satisfies WireLayouts;

export interface ExecEvent extends TaskRecord {
  /** 0 = exec succeeded; otherwise -errno. */
  ret: number;
  filename: string;
  /** argv; empty for failed execs (only filename is known). */
  args: string[];
  /** argv did not fit the 1024-byte buffer. */
  argsTruncated: boolean;
}

const F = EXEC_LAYOUTS.exec_event.fields;
const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeExecEvent(v: DataView, ctx: DecodeContext): ExecEvent | null {
  if (v.byteLength < EXEC_LAYOUTS.exec_event.size) return null;
  const len = Math.min(v.getUint32(F.args_len, true), EXEC_ARGS_MAX);
  const size = v.getUint32(F.args_size, true);
  const raw = new Uint8Array(v.buffer, v.byteOffset + F.args, len);
  const parts = len ? utf8.decode(raw).split('\0') : [];
  // The argv area ends with a NUL, which leaves one empty string at the end.
  if (parts.length && parts[parts.length - 1] === '' && (len === size || raw[len - 1] === 0)) parts.pop();
  return {
    time: ctx.wallMs(u64(v, F.ts_ns)),
    pid: v.getUint32(F.pid, true),
    tid: v.getUint32(F.tid, true),
    ppid: v.getUint32(F.ppid, true),
    uid: v.getUint32(F.uid, true),
    comm: cString(v, F.comm, 16),
    ret: v.getInt32(F.ret, true),
    filename: cString(v, F.filename, EXEC_FILENAME_MAX),
    args: parts,
    argsTruncated: size > len,
  };
}

/** argv as one line: each argument quoted when it has spaces or is empty. */
export function argsLine(e: ExecEvent): string {
  const a = e.args.length ? e.args : [e.filename];
  return a.map((s) => (s === '' || /\s|["'\\]/.test(s) ? JSON.stringify(s) : s)).join(' ') + (e.argsTruncated ? ' ...' : '');
}

interface ExecCountRow { comm: string; filename: string; count: number; failed: number }

const countColumns: Column<ExecCountRow>[] = [
  { id: 'count', title: 'COUNT', width: 8, align: 'right', value: (r) => r.count },
  { id: 'failed', title: 'FAILED', width: 7, align: 'right', value: (r) => r.failed },
  commColumn(16),
  { id: 'filename', title: 'FILENAME', value: (r) => r.filename },
];

export class ExecAggregator implements Aggregator<ExecEvent> {
  private byProg = new Map<string, ExecCountRow>();
  add(events: readonly ExecEvent[]): void {
    for (const e of events) {
      const k = `${e.comm}\0${e.filename}`;
      let r = this.byProg.get(k);
      if (!r) this.byProg.set(k, (r = { comm: e.comm, filename: e.filename, count: 0, failed: 0 }));
      r.count++;
      if (e.ret) r.failed++;
    }
  }
  tables(): SummaryTable[] {
    const rows = [...this.byProg.values()].sort((a, b) => b.count - a.count || a.filename.localeCompare(b.filename));
    return [{ id: 'by_program', title: 'execs per program', rows, columns: countColumns }];
  }
  reset(): void {
    this.byProg.clear();
  }
}

export const execTracer: TracerDescriptor<ExecEvent> = {
  name: 'exec',
  summary: 'new programs: pid, parent, arguments, result (execsnoop)',
  flags: { failed: 'boolean' },
  layouts: EXEC_LAYOUTS,
  decode: decodeExecEvent,
  accept: (e: ExecEvent, o: TraceOptions) => !o.flags?.failed || e.ret !== 0,
  columns: [
    timeColumn(),
    pidColumn(),
    ppidColumn(),
    uidColumn(),
    commColumn(16),
    { id: 'ret', title: 'RET', width: 7, value: (e) => e.ret, text: (e) => (e.ret ? errnoName(-e.ret) : '0') },
    { id: 'filename', title: 'FILENAME', value: (e) => e.filename },
    { id: 'args', title: 'ARGS', value: (e) => e.args as unknown as string, text: argsLine },
  ],
  textColumns: ['time', 'pid', 'ppid', 'comm', 'ret', 'args'],
  createAggregator: () => new ExecAggregator(),
};
