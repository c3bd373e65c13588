// offcpu tracer: time blocked, by stack (offcputime). tp_btf/sched_switch
// (native/bpf/offcpu.bpf.c) remembers when and where (kernel and user stack
// ids) a task that blocked was switched out and, when it runs again, adds the
// interval (>= --min-us) to `counts` by (tgid, tid, comm, stacks). The same
// core as the CPU profiler reads and symbolises it (../profile/profiler.ts).
import type { TracerDescriptor, WireLayouts } from '../types.js';
import { OFFCPU_VAL, PROFILE_KEY, PROFILE_STATS } from '../profile/profiler.js';
import { OFFCPU_STACK_COLUMNS, PROFILE_FORMATS, parseMinUs, profileReport, type StackRecord } from '../profile/report.js';

export const OFFCPU_LAYOUTS = {
  offcpu_key: PROFILE_KEY,
  offcpu_val: OFFCPU_VAL,
  offcpu_stats: PROFILE_STATS,
} satisfies WireLayouts;

export const offcpuTracer: TracerDescriptor<StackRecord> = {
  name: 'offcpu',
  summary: 'off-CPU time: how long threads blocked, by kernel and user stack (offcputime), counted in the kernel; --min-us N (default 1) ignores shorter blocks; output as profile\'s (--format folded|text|json)',
  flags: { 'min-us': 'string' },
  formats: PROFILE_FORMATS,
  layouts: OFFCPU_LAYOUTS,
  kernelSummary: true,
  streams: false,
  nativeOptions: (o) => ({ rodata: { targ_min_ns: Math.round(parseMinUs(o) * 1000) } }),
  decode: () => null,
  columns: OFFCPU_STACK_COLUMNS,
  report: (o) => profileReport('offcpu', o),
};
