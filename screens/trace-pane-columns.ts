// eBPF-fed process-table columns (opens/s, syscalls/s, disk latency per
// process). The pane host (src/app/panes.ts) publishes per-PID rates once a
// second while the matching pane is on; the columns read the last snapshot
// and show '-' otherwise. Kept free of blessed and native imports so the
// column table (src/model/columns.ts) and `ostop dump` can import it cheaply.
import type { ProcColumn } from '../src/model/columns.js';
import type { ProcRow } from '../src/model/process-model.js';

export interface PerPidRates {
  opensPerSec?: number;
  syscallsPerSec?: number;
  diskLatMs?: number;
}

let snapshot: ReadonlyMap<number, PerPidRates> = new Map();

/** Called by the pane host after each rate window (about once a second). */
export function publishPerPid(m: ReadonlyMap<number, PerPidRates>): void {
  snapshot = m;
}

export function perPidSnapshot(): ReadonlyMap<number, PerPidRates> {
  return snapshot;
}

function col(id: string, title: string, description: string, width: number, pick: (r: PerPidRates) => number | undefined, digits: number): ProcColumn {
  const get = (row: ProcRow) => {
    const r = snapshot.get(row.pid);
    return r ? pick(r) : undefined;
  };
  return {
    id, title, description, width, align: 'right', needs: [],
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

/** Append to PROC_COLUMNS; ids are stable config/JSON names. */
export const EBPF_PROC_COLUMNS: ProcColumn[] = [
  col('opens_rate', 'OPEN/s', 'open() calls per second (eBPF; while trace pane 1 is on)', 6, (r) => r.opensPerSec, 0),
  col('syscalls_rate', 'SYSC/s', 'syscalls per second (eBPF; while trace pane 5 is on)', 7, (r) => r.syscallsPerSec, 0),
  col('disk_lat', 'DLAT', 'average block I/O latency in ms over the last second (eBPF; while trace pane 2 is on)', 6, (r) => r.diskLatMs, 2),
];
