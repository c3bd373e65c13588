// The tracer registry: one line per tracer. Everything else about a tracer
// lives in its folder, src/tracers/<name>/ (tracer.ts: wire decoder, output
// columns, aggregator and descriptor; pane.ts: its trace pane); its eBPF
// side is native/bpf/<name>.bpf.c + <name>.h and one line in
// native/addon/tracers.def. The pane keys (1-9), the panes' titles and help,
// `ostop trace`'s list and the sections of FIELDS.md (checked by
// test/tracers/fields-doc.test.ts) all come from here.
import type { PaneUi, TracePane } from './pane.js';
import type { TracerDescriptor } from './types.js';
import { opensTracer } from './opens/tracer.js';
import { OpensPane } from './opens/pane.js';
import { diskTracer } from './disk/tracer.js';
import { DiskPane } from './disk/pane.js';
import { execTracer } from './exec/tracer.js';
import { ExecPane } from './exec/pane.js';
import { exitTracer } from './exit/tracer.js';
import { ExitPane } from './exit/pane.js';
import { syscallsTracer } from './syscalls/tracer.js';
import { SyscallsPane } from './syscalls/pane.js';
import { tcpTracer } from './tcp/tracer.js';
import { TcpPane } from './tcp/pane.js';
import { runqlatTracer } from './runqlat/tracer.js';
import { RunqlatPane } from './runqlat/pane.js';
import { profileTracer } from './profile/tracer.js';
import { ProfilePane } from './profile/pane.js';
import { offcpuTracer } from './offcpu/tracer.js';
import { OffcpuPane } from './offcpu/pane.js';

export interface TracerEntry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tracer: TracerDescriptor<any>;
  /** The key that toggles its pane (from any view), shown in the footer and F1. */
  key: number;
  /** The pane's title (border, status line, F1). */
  title: string;
  pane(ui: PaneUi): TracePane;
}

/** In pane-key order. */
export const REGISTRY: readonly TracerEntry[] = [
  { key: 1, title: 'opens', tracer: opensTracer, pane: (ui) => new OpensPane(ui) },
  { key: 2, title: 'disk I/O', tracer: diskTracer, pane: (ui) => new DiskPane(ui) },
  { key: 3, title: 'exec', tracer: execTracer, pane: (ui) => new ExecPane(ui) },
  { key: 4, title: 'exit', tracer: exitTracer, pane: (ui) => new ExitPane(ui) },
  { key: 5, title: 'syscalls', tracer: syscallsTracer, pane: (ui) => new SyscallsPane(ui) },
  { key: 6, title: 'TCP', tracer: tcpTracer, pane: (ui) => new TcpPane(ui) },
  { key: 7, title: 'run queue latency', tracer: runqlatTracer, pane: (ui) => new RunqlatPane(ui) },
  // Two panes, not one with a toggle: on-CPU and off-CPU are two tracers that can run together, side by side for one PID.
  { key: 8, title: 'CPU profile', tracer: profileTracer, pane: (ui) => new ProfilePane(ui) },
  { key: 9, title: 'off-CPU time', tracer: offcpuTracer, pane: (ui) => new OffcpuPane(ui) },
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TRACERS: readonly TracerDescriptor<any>[] = REGISTRY.map((e) => e.tracer);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function findTracer(name: string): TracerDescriptor<any> | undefined {
  return TRACERS.find((t) => t.name === name);
}

/** A pane of each registered tracer (tests pass their own list), its key and title set from the registry line. */
export function createPanes(ui: PaneUi, registry: readonly TracerEntry[] = REGISTRY): TracePane[] {
  return registry.map((e) => {
    const p = e.pane(ui);
    p.key = e.key;
    p.title = e.title;
    return p;
  });
}
