// The process table's column descriptors: one table drives the screen's
// table, sorting, the F2 setup screen, the config file and `dump` output.
// Ids are stable strings stored in config files and used as JSON field
// names: never rename or reuse one. `needs` says what the collector must
// read for the column (collect only what is shown).
import type { ProcNeed } from '../collectors/proc-pid.js';
import { formatCpuTime, formatMem, formatPercent, formatRate, formatStart } from '../util/format.js';
import type { PerPidRates, ProcRow } from './process-model.js';

/**
 * The one column type: the process table, the trace panes (src/tracers/<name>/)
 * and `ostop dump` / `ostop trace` output (src/model/output.ts) all describe
 * their columns with it. `id` is the JSON key and the CSV header: stable,
 * documented (README, src/tracers/FIELDS.md); never rename one without a note.
 */
export interface Column<R> {
  id: string;
  /** Header in text output and on screen. */
  title: string;
  /** Cells in text output and on screen; 0 or undefined: as wide as needed (text) / what is left (last column on screen). */
  width?: number;
  align?: 'left' | 'right';
  /** Raw value for JSON/CSV (numbers stay numbers, units as documented). */
  value: (r: R) => string | number | boolean | null | undefined;
  /** Text rendering; defaults to String(value), '-' when null. */
  text?: (r: R) => string;
}

/** A process-table column: a Column of ProcRow plus what the table, F2 and the collector need. */
export interface ProcColumn extends Column<ProcRow> {
  description: string;
  width: number;
  align: 'left' | 'right';
  needs: ProcNeed[];
  text: (r: ProcRow) => string;
  /** JSON/CSV value with documented units. */
  value: (r: ProcRow) => string | number | boolean | null;
  /** Sort key; numbers sort numerically, strings by locale-free compare. Keys are
   * rounded as displayed, so rows that look equal stay in PID order instead of
   * swapping on every refresh (less flicker, fewer bytes to the terminal). */
  sort: (r: ProcRow) => number | string;
  /** Default direction when first chosen: true = descending (big first). */
  descending: boolean;
  /** eBPF-fed: the tracer whose per-PID rates give the value (ProcRow.ebpf). */
  tracer?: string;
}

const num = (v: number | undefined) => (v === undefined ? null : v);

/**
 * An eBPF-fed column: its value is a tracer's per-PID rate carried by the row
 * (ProcRow.ebpf, set by buildProcessModel from the rates the process Source
 * was given); '-' (JSON null) while that tracer does not run. `tracer` names
 * the tracer (src/tracers/registry.ts) that `dump processes` attaches for it.
 */
function ebpfColumn(id: string, title: string, description: string, width: number, pick: (r: PerPidRates) => number | undefined, digits: number, tracer: string): ProcColumn {
  const get = (row: ProcRow) => (row.ebpf ? pick(row.ebpf) : undefined);
  return {
    id, title, description, width, align: 'right', needs: [], tracer,
    text: (r) => {
      const v = get(r);
      return v === undefined ? '-' : v >= 10000 ? `${(v / 1000).toFixed(0)}k` : v.toFixed(digits);
    },
    value: (r) => {
      const v = get(r);
      return v === undefined ? null : Math.round(v * 100) / 100;
    },
    sort: (r) => get(r) ?? -1,
    descending: true,
  };
}

export const PROC_COLUMNS: ProcColumn[] = [
  { id: 'pid', title: 'PID', description: 'Process (or thread) ID', width: 7, align: 'right', needs: [], text: (r) => String(r.pid), value: (r) => r.pid, sort: (r) => r.pid, descending: false },
  { id: 'ppid', title: 'PPID', description: 'Parent process ID', width: 7, align: 'right', needs: [], text: (r) => String(r.ppid), value: (r) => r.ppid, sort: (r) => r.ppid, descending: false },
  { id: 'user', title: 'USER', description: 'Owner user name', width: 9, align: 'left', needs: ['uid'], text: (r) => r.user, value: (r) => r.user, sort: (r) => r.user, descending: false },
  { id: 'uid', title: 'UID', description: 'Owner user ID', width: 6, align: 'right', needs: ['uid'], text: (r) => String(r.uid), value: (r) => r.uid, sort: (r) => r.uid, descending: false },
  { id: 'priority', title: 'PRI', description: 'Kernel scheduling priority', width: 3, align: 'right', needs: [], text: (r) => (r.priority <= -100 ? 'RT' : String(r.priority)), value: (r) => r.priority, sort: (r) => r.priority, descending: false },
  { id: 'nice', title: 'NI', description: 'Nice value (-20..19)', width: 3, align: 'right', needs: [], text: (r) => String(r.nice), value: (r) => r.nice, sort: (r) => r.nice, descending: false },
  { id: 'virt', title: 'VIRT', description: 'Virtual memory size (JSON: bytes)', width: 6, align: 'right', needs: [], text: (r) => formatMem(r.virtBytes), value: (r) => r.virtBytes, sort: (r) => r.virtBytes, descending: true },
  { id: 'res', title: 'RES', description: 'Resident set size (JSON: bytes)', width: 6, align: 'right', needs: [], text: (r) => formatMem(r.rssBytes), value: (r) => r.rssBytes, sort: (r) => r.rssBytes, descending: true },
  { id: 'shr', title: 'SHR', description: 'Shared resident memory (JSON: bytes)', width: 6, align: 'right', needs: ['statm'], text: (r) => formatMem(r.shrBytes), value: (r) => r.shrBytes, sort: (r) => r.shrBytes, descending: true },
  { id: 'state', title: 'S', description: 'State: R running, S sleeping, D disk wait, Z zombie, T stopped, I idle', width: 1, align: 'left', needs: [], text: (r) => r.state, value: (r) => r.state, sort: (r) => r.state, descending: false },
  { id: 'cpu', title: 'CPU%', description: 'CPU use over the last interval, 100 = one core', width: 5, align: 'right', needs: [], text: (r) => formatPercent(r.cpuPercent), value: (r) => round(r.cpuPercent, 2), sort: (r) => round(r.cpuPercent, 1), descending: true },
  { id: 'mem', title: 'MEM%', description: 'Resident memory as a percent of RAM', width: 5, align: 'right', needs: [], text: (r) => formatPercent(r.memPercent), value: (r) => round(r.memPercent, 2), sort: (r) => round(r.memPercent, 1), descending: true },
  { id: 'time', title: 'TIME+', description: 'Total CPU time (JSON: seconds)', width: 9, align: 'right', needs: [], text: (r) => formatCpuTime(r.cpuTimeSec), value: (r) => round(r.cpuTimeSec, 2), sort: (r) => r.cpuTimeSec, descending: true },
  { id: 'tty', title: 'TTY', description: 'Controlling terminal', width: 7, align: 'left', needs: [], text: (r) => r.tty, value: (r) => r.tty, sort: (r) => r.tty, descending: false },
  { id: 'threads', title: 'NLWP', description: 'Number of threads', width: 4, align: 'right', needs: [], text: (r) => String(r.threads), value: (r) => r.threads, sort: (r) => r.threads, descending: true },
  { id: 'start', title: 'START', description: 'Start time (JSON: seconds since the epoch)', width: 5, align: 'right', needs: [], text: (r) => formatStart(r.startTime), value: (r) => Math.round(r.startTime), sort: (r) => r.startTime, descending: false },
  { id: 'processor', title: 'CPU', description: 'CPU the task last ran on', width: 3, align: 'right', needs: [], text: (r) => String(r.processor), value: (r) => r.processor, sort: (r) => r.processor, descending: false },
  { id: 'io_read', title: 'IO_R', description: 'Storage read rate (JSON: bytes/s)', width: 7, align: 'right', needs: ['io'], text: (r) => formatRate(r.ioReadRate), value: (r) => num(r.ioReadRate === undefined ? undefined : Math.round(r.ioReadRate)), sort: (r) => r.ioReadRate ?? -1, descending: true },
  { id: 'io_write', title: 'IO_W', description: 'Storage write rate (JSON: bytes/s)', width: 7, align: 'right', needs: ['io'], text: (r) => formatRate(r.ioWriteRate), value: (r) => num(r.ioWriteRate === undefined ? undefined : Math.round(r.ioWriteRate)), sort: (r) => r.ioWriteRate ?? -1, descending: true },
  { id: 'majflt', title: 'MAJFLT', description: 'Major page faults since start', width: 6, align: 'right', needs: [], text: (r) => String(r.majflt), value: (r) => r.majflt, sort: (r) => r.majflt, descending: true },
  { id: 'majflt_rate', title: 'MAJF/s', description: 'Major page faults per second', width: 6, align: 'right', needs: [], text: (r) => formatPercent(r.majfltRate, 0), value: (r) => round(r.majfltRate, 1), sort: (r) => r.majfltRate, descending: true },
  { id: 'oom', title: 'OOM', description: 'OOM killer score (0..1000+)', width: 4, align: 'right', needs: ['oom'], text: (r) => (r.oomScore === undefined ? '-' : String(r.oomScore)), value: (r) => num(r.oomScore), sort: (r) => r.oomScore ?? -1, descending: true },
  { id: 'swap', title: 'SWAP', description: 'Swapped-out memory (JSON: bytes)', width: 6, align: 'right', needs: ['status'], text: (r) => (r.swapBytes === undefined ? '-' : formatMem(r.swapBytes)), value: (r) => num(r.swapBytes), sort: (r) => r.swapBytes ?? -1, descending: true },
  { id: 'cgroup', title: 'CGROUP', description: 'Control group path (v2 unified, else first v1)', width: 24, align: 'left', needs: ['cgroup'], text: (r) => r.cgroup ?? '-', value: (r) => r.cgroup ?? null, sort: (r) => r.cgroup ?? '', descending: false },
  { id: 'comm', title: 'COMM', description: 'Command name (15 bytes, from /proc/PID/stat)', width: 15, align: 'left', needs: [], text: (r) => r.comm, value: (r) => r.comm, sort: (r) => r.comm, descending: false },
  { id: 'command', title: 'COMMAND', description: 'Full command line', width: 0, align: 'left', needs: ['cmdline'], text: (r) => r.command, value: (r) => r.command, sort: (r) => r.command, descending: false },
  { id: 'is_thread', title: 'THR', description: 'A user thread (H shows them), not a process', width: 3, align: 'left', needs: [], text: (r) => (r.isThread ? 'yes' : '-'), value: (r) => r.isThread, sort: (r) => (r.isThread ? 1 : 0), descending: true },
  { id: 'is_kernel_thread', title: 'KTHR', description: 'A kernel thread (K shows them)', width: 4, align: 'left', needs: [], text: (r) => (r.isKernelThread ? 'yes' : '-'), value: (r) => r.isKernelThread, sort: (r) => (r.isKernelThread ? 1 : 0), descending: true },
  // eBPF-fed (ids are stable config/JSON names).
  ebpfColumn('opens_rate', 'OPEN/s', 'open() calls per second (eBPF: while trace pane 1 is on; dump attaches the tracer)', 6, (r) => r.opensPerSec, 0, 'opens'),
  ebpfColumn('syscalls_rate', 'SYSC/s', 'syscalls per second (eBPF: while trace pane 5 is on; dump attaches the tracer)', 7, (r) => r.syscallsPerSec, 0, 'syscalls'),
  ebpfColumn('disk_lat', 'DLAT', 'average block I/O latency in ms over the last second (eBPF: while trace pane 2 is on; dump attaches the tracer)', 6, (r) => r.diskLatMs, 2, 'disk'),
];

function round(v: number, d: number): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

export const DEFAULT_COLUMNS = ['pid', 'user', 'priority', 'nice', 'virt', 'res', 'shr', 'state', 'cpu', 'mem', 'time', 'command'];
export const DEFAULT_SORT = 'cpu';

const BY_ID = new Map(PROC_COLUMNS.map((c) => [c.id, c]));
export function columnById(id: string): ProcColumn | undefined {
  return BY_ID.get(id);
}

/** Resolve ids, throwing a message that names the unknown id and lists the valid ones. */
export function resolveColumns(ids: readonly string[]): ProcColumn[] {
  return ids.map((id) => {
    const c = BY_ID.get(id);
    if (!c) throw new Error(`unknown column '${id}' (valid: ${PROC_COLUMNS.map((x) => x.id).join(', ')})`);
    return c;
  });
}

export function needsOf(cols: readonly ProcColumn[]): Set<ProcNeed> {
  const s = new Set<ProcNeed>();
  for (const c of cols) for (const n of c.needs) s.add(n);
  return s;
}

export function compareRows(col: ProcColumn, descending: boolean): (a: ProcRow, b: ProcRow) => number {
  const dir = descending ? -1 : 1;
  return (a, b) => {
    const x = col.sort(a);
    const y = col.sort(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
    return c !== 0 ? c * dir : a.pid - b.pid;
  };
}
