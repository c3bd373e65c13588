// profile tracer: on-CPU sampling. A perf_event program on a software
// cpu-clock event of every online CPU (native/bpf/profile.bpf.c) counts
// samples in the kernel by (tgid, tid, comm, kernel stack id, user stack id);
// user space reads `counts`, `stats` and the stacks (profiler.ts), never a
// stream of samples. `--off-cpu` runs the offcpu tracer instead.
import type { TraceOptions, TracerDescriptor, WireLayouts } from '../types.js';
import { PROFILE_KEY, PROFILE_STATS } from './profiler.js';
import { PROFILE_FORMATS, PROFILE_STACK_COLUMNS, parseFreq, profileReport, type StackRecord } from './report.js';

export const PROFILE_LAYOUTS = {
  profile_key: PROFILE_KEY,
  profile_stats: PROFILE_STATS,
} satisfies WireLayouts;

export const profileTracer: TracerDescriptor<StackRecord> = {
  name: 'profile',
  summary: 'on-CPU profile: stacks sampled at --freq HZ (default 49) on every CPU, counted in the kernel; printed at the end as --format folded (flamegraph.pl, inferno, speedscope), text (top functions, as perf report) or json; --off-cpu: blocked time instead (offcpu)',
  flags: { freq: 'string', 'off-cpu': 'boolean', 'min-us': 'string' },
  formats: PROFILE_FORMATS,
  layouts: PROFILE_LAYOUTS,
  kernelSummary: true,
  streams: false,
  variant: (o: TraceOptions) => {
    if (!o.flags?.['off-cpu']) {
      if (o.flags?.['min-us'] !== undefined) throw new Error('--min-us applies to --off-cpu (the minimum blocked time counted)');
      return undefined;
    }
    if (o.flags?.freq !== undefined) throw new Error('--freq applies to on-CPU sampling; --off-cpu counts every blocked interval');
    return 'offcpu';
  },
  nativeOptions: (o) => ({ perfFreq: parseFreq(o), rodata: { targ_idle: false } }),
  decode: () => null,
  columns: PROFILE_STACK_COLUMNS,
  report: (o) => profileReport('profile', o),
};
