// Pane 9 (off-CPU time): the CPU profile's pane (../profile/pane.ts) over
// the offcpu tracer: where threads block and for how long, by stack (table
// by blocked time over a decaying window, flame graph of the total).
import type { TraceOptions } from '../types.js';
import { ProfilePane } from '../profile/pane.js';
import type { ProfileKind } from '../profile/profiler.js';

export class OffcpuPane extends ProfilePane {
  override readonly tracer: string = 'offcpu';
  protected override kind: ProfileKind = 'offcpu';
  /** Blocks shorter than this are not counted (the tracer's --min-us). */
  minUs = 1;

  override traceOptions(): TraceOptions {
    return { pid: this.pid, flags: { 'min-us': String(this.minUs) } };
  }
}
