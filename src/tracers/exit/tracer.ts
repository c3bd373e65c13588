// exit tracer (exitsnoop + fatal-signal senders + OOM kills): decoder of
// struct exit_event (native/bpf/exit.h) into a discriminated union the exit
// pane and the failures view consume, columns and an aggregator.
// Offsets must equal the C offsetof values (test/tracers/layout.test.ts).
import type { Column } from '../../model/columns.js';
import { timeColumn, pidColumn, ppidColumn, commColumn, cString, signalName, u64, type Aggregator, type DecodeContext, type SummaryTable, type TaskRecord, type TracerDescriptor, type WireLayouts } from '../types.js';
import { Ring } from '../../store/ring.js';
import { BoundedMap } from '../bounded.js';
import { formatAge } from '../../util/format.js';

export const EXIT_LAYOUTS = {
  exit_event: {
    size: 112,
    fields: {
      ts_ns: 0, age_ns: 8, total_vm_kb: 16, rss_kb: 24, kind: 32, pid: 36, tid: 40, ppid: 44, exit_code: 48, sig: 52,
      sender_pid: 56, sig_code: 60, uid: 64, oom_score_adj: 68, flags: 70, cpu_ns: 72, comm: 80, sender_comm: 96,
    },
  },
} satisfies WireLayouts;

export const EXIT_KIND = { exit: 1, signal: 2, oom: 3 } as const;
const F_CORE = 0x1, F_SENDER = 0x2, F_OOM = 0x4;

export interface Sender { pid: number; comm: string }

/** A process ended (last thread exited). */
export interface ProcessExitEvent extends TaskRecord {
  kind: 'exit';
  /** Lifetime in milliseconds (from the task's start_time). */
  ageMs: number;
  /** CPU time it used, all threads, user + system, ms (sum_exec_runtime). */
  cpuMs: number;
  /** Raw wait status: (code << 8) | 0x80 (core) | signal. */
  rawStatus: number;
  /** exit(code) value; null when killed by a signal. */
  exitCode: number | null;
  /** Killing signal number, 0 when it exited normally. */
  signal: number;
  coreDumped: boolean;
  /** Chosen by the OOM killer before it died. */
  oomKilled: boolean;
  /** Who generated the killing signal, when seen. */
  sender: Sender | null;
}

/** A signal whose default action is to terminate was generated (it may still be caught). */
export interface SignalEvent {
  kind: 'signal';
  time: number;
  pid: number;
  comm: string;
  signal: number;
  /** si_code: <= 0 sent by a process (kill/tkill/sigqueue), > 0 raised by the kernel (fault, ...). */
  code: number;
  sender: Sender;
}

/** The OOM killer picked a victim. */
export interface OomEvent {
  kind: 'oom';
  time: number;
  pid: number;
  comm: string;
  uid: number;
  totalVmKb: number;
  rssKb: number;
  oomScoreAdj: number;
  /** The task that was allocating when the OOM killer ran. */
  trigger: Sender;
}

export type ExitEvent = ProcessExitEvent | SignalEvent | OomEvent;

const F = EXIT_LAYOUTS.exit_event.fields;

export function decodeExitEvent(v: DataView, ctx: DecodeContext): ExitEvent | null {
  if (v.byteLength < EXIT_LAYOUTS.exit_event.size) return null;
  const kind = v.getUint32(F.kind, true);
  const time = ctx.wallMs(u64(v, F.ts_ns));
  const pid = v.getUint32(F.pid, true);
  const comm = cString(v, F.comm, 16);
  const flags = v.getUint16(F.flags, true);
  const sender = { pid: v.getUint32(F.sender_pid, true), comm: cString(v, F.sender_comm, 16) };
  if (kind === EXIT_KIND.exit) {
    const raw = v.getInt32(F.exit_code, true);
    const sig = raw & 0x7f;
    return {
      kind: 'exit', time, pid, comm,
      tid: v.getUint32(F.tid, true),
      ppid: v.getUint32(F.ppid, true),
      uid: v.getUint32(F.uid, true),
      ageMs: u64(v, F.age_ns) / 1e6,
      cpuMs: u64(v, F.cpu_ns) / 1e6,
      rawStatus: raw,
      exitCode: sig ? null : (raw >> 8) & 0xff,
      signal: sig,
      coreDumped: (flags & F_CORE) !== 0,
      oomKilled: (flags & F_OOM) !== 0,
      sender: flags & F_SENDER ? sender : null,
    };
  }
  if (kind === EXIT_KIND.signal) {
    return { kind: 'signal', time, pid, comm, signal: v.getUint32(F.sig, true), code: v.getInt32(F.sig_code, true), sender };
  }
  if (kind === EXIT_KIND.oom) {
    return {
      kind: 'oom', time, pid, comm,
      uid: v.getUint32(F.uid, true),
      totalVmKb: u64(v, F.total_vm_kb),
      rssKb: u64(v, F.rss_kb),
      oomScoreAdj: v.getInt16(F.oom_score_adj, true),
      trigger: sender,
    };
  }
  return null;
}

/** True for exits a person should notice: killed by a signal, core dump, OOM. */
export function isAbnormalExit(e: ExitEvent): boolean {
  return e.kind === 'oom' || (e.kind === 'exit' && (e.signal !== 0 || e.coreDumped || e.oomKilled));
}

function describe(e: ExitEvent): string {
  if (e.kind === 'exit') {
    const parts: string[] = [];
    if (e.signal) parts.push(`killed by ${signalName(e.signal)}${e.coreDumped ? ' (core dumped)' : ''}`);
    else parts.push(`exit ${e.exitCode}`);
    if (e.oomKilled) parts.push('OOM-killed');
    if (e.sender) parts.push(`sent by ${e.sender.comm}[${e.sender.pid}]`);
    return parts.join(', ');
  }
  if (e.kind === 'signal') {
    return `${signalName(e.signal)} from ${e.code > 0 ? 'kernel' : 'process'} ${e.sender.comm}[${e.sender.pid}]`;
  }
  return `OOM victim: vm ${e.totalVmKb} kB, rss ${e.rssKb} kB, oom_score_adj ${e.oomScoreAdj}; allocating: ${e.trigger.comm}[${e.trigger.pid}]`;
}

const val = <K extends string>(e: ExitEvent, k: K): unknown => (k in e ? (e as unknown as Record<string, unknown>)[k] : null);

export const exitColumns: Column<ExitEvent>[] = [
  timeColumn(),
  { id: 'kind', title: 'KIND', width: 6, value: (e) => e.kind },
  pidColumn(),
  ppidColumn<ExitEvent>(),
  commColumn(16),
  { id: 'age_ms', title: 'AGE', width: 8, align: 'right', value: (e) => (e.kind === 'exit' ? Math.round(e.ageMs * 1000) / 1000 : null), text: (e) => (e.kind === 'exit' ? formatAge(e.ageMs) : '-') },
  { id: 'cpu_ms', title: 'CPU_MS', value: (e) => (e.kind === 'exit' ? Math.round(e.cpuMs * 1000) / 1000 : null) },
  { id: 'exit_code', title: 'CODE', width: 4, align: 'right', value: (e) => (e.kind === 'exit' ? e.exitCode : null) },
  { id: 'signal', title: 'SIG', width: 8, value: (e) => (e.kind === 'oom' ? null : e.signal), text: (e) => (e.kind !== 'oom' && e.signal ? signalName(e.signal) : '-') },
  { id: 'core', title: 'CORE', width: 4, value: (e) => (e.kind === 'exit' ? e.coreDumped : null), text: (e) => (e.kind === 'exit' && e.coreDumped ? 'core' : '-') },
  { id: 'oom', title: 'OOM', width: 3, value: (e) => e.kind === 'oom' || (e.kind === 'exit' && e.oomKilled), text: (e) => (e.kind === 'oom' || (e.kind === 'exit' && e.oomKilled) ? 'oom' : '-') },
  { id: 'sender_pid', title: 'SENDER', width: 7, align: 'right', value: (e) => (e.kind === 'oom' ? e.trigger.pid : e.sender?.pid ?? null) },
  { id: 'sender_comm', title: 'SENDER_COMM', width: 16, value: (e) => (e.kind === 'oom' ? e.trigger.comm : e.sender?.comm ?? null) },
  { id: 'si_code', title: 'SI_CODE', value: (e) => (e.kind === 'signal' ? e.code : null) },
  { id: 'uid', title: 'UID', value: (e) => val(e, 'uid') as number | null },
  { id: 'raw_status', title: 'STATUS', value: (e) => (e.kind === 'exit' ? e.rawStatus : null) },
  { id: 'total_vm_kb', title: 'VM_KB', value: (e) => (e.kind === 'oom' ? e.totalVmKb : null) },
  { id: 'rss_kb', title: 'RSS_KB', value: (e) => (e.kind === 'oom' ? e.rssKb : null) },
  { id: 'oom_score_adj', title: 'OOM_ADJ', value: (e) => (e.kind === 'oom' ? e.oomScoreAdj : null) },
  { id: 'detail', title: 'DETAIL', value: (e) => describe(e) },
];

export interface ExitCountRow { comm: string; exits: number; signaled: number; cores: number; oom: number; max_age_ms: number }
/** --summary's `by_comm` table, and the pane's `s` table. */
export const EXIT_COUNT_COLUMNS: readonly Column<ExitCountRow>[] = [
  { id: 'exits', title: 'EXITS', width: 7, align: 'right', value: (r) => r.exits },
  { id: 'signaled', title: 'SIGNALED', width: 8, align: 'right', value: (r) => r.signaled },
  { id: 'cores', title: 'CORES', width: 6, align: 'right', value: (r) => r.cores },
  { id: 'oom', title: 'OOM', width: 4, align: 'right', value: (r) => r.oom },
  { id: 'max_age_ms', title: 'MAX_AGE', width: 9, align: 'right', value: (r) => r.max_age_ms, text: (r) => formatAge(r.max_age_ms) },
  commColumn(),
];

export class ExitAggregator implements Aggregator<ExitEvent> {
  /** Bounded: a storm of distinct commands evicts the least interesting (fewest signal deaths, then exits). */
  private byComm = new BoundedMap<string, ExitCountRow>(512, (r) => r.signaled * 1000 + r.exits);
  /** The last 200 abnormal exits (src/store Ring). */
  private recentAbnormal = new Ring<ExitEvent>(200);
  add(events: readonly ExitEvent[]): void {
    for (const e of events) {
      if (isAbnormalExit(e)) {
        this.recentAbnormal.push(e);
      }
      if (e.kind !== 'exit') continue;
      const r = this.byComm.get(e.comm, () => ({ comm: e.comm, exits: 0, signaled: 0, cores: 0, oom: 0, max_age_ms: 0 }));
      r.exits++;
      if (e.signal) r.signaled++;
      if (e.coreDumped) r.cores++;
      if (e.oomKilled) r.oom++;
      r.max_age_ms = Math.max(r.max_age_ms, Math.round(e.ageMs));
    }
  }
  /** The last abnormal exits (signal deaths, core dumps, OOM), oldest first. */
  abnormal(): readonly ExitEvent[] {
    return this.recentAbnormal.toArray();
  }
  /** Exits per command, signal deaths first. */
  byCommand(): ExitCountRow[] {
    return this.byComm.values().sort((a, b) => b.signaled - a.signaled || b.exits - a.exits || a.comm.localeCompare(b.comm));
  }
  tables(): SummaryTable[] {
    const rows = this.byCommand();
    return [
      { id: 'by_comm', title: 'exits per command', rows, columns: EXIT_COUNT_COLUMNS },
      { id: 'abnormal', title: 'deaths by signal, core dumps, OOM kills', rows: this.recentAbnormal.toArray(), columns: exitColumns.filter((c) => ['time', 'kind', 'pid', 'comm', 'detail'].includes(c.id)) },
    ];
  }
  reset(): void {
    this.byComm.clear();
    this.recentAbnormal.clear();
  }
}

export const exitTracer: TracerDescriptor<ExitEvent> = {
  name: 'exit',
  summary: 'process exits with age, exit code, signal, core dump; fatal signals and OOM kills (exitsnoop)',
  flags: { failed: 'boolean' },
  layouts: EXIT_LAYOUTS,
  decode: decodeExitEvent,
  accept: (e, o) => !o.flags?.failed || isAbnormalExit(e) || e.kind === 'signal' || (e.kind === 'exit' && e.exitCode !== 0),
  columns: exitColumns,
  textColumns: ['time', 'kind', 'pid', 'ppid', 'comm', 'age_ms', 'exit_code', 'signal', 'core', 'detail'],
  createAggregator: () => new ExitAggregator(),
};
