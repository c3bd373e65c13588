// `ostop trace profile` / `ostop trace offcpu` (and `profile --off-cpu`):
// nothing is streamed; the kernel counts by stack; every second the maps of
// new processes are read (from the kernel's new_pids queue; their
// executable files held open, so a process that exits or a binary deleted
// meanwhile still resolves), the counts and stacks at the end (or when the
// kernel's maps near full, then cleared), and at the end everything is
// symbolised at once (as perf record leaves it to perf report: little CPU
// while sampling) and one report printed: folded (collapsed stacks:
// flamegraph.pl, inferno, speedscope), text (a perf-report-like top list) or
// json.
import type { Column } from '../../model/columns.js';
import { toObject } from '../../model/output.js';
import { jsonLine } from '../../util/output-safe.js';
import { formatCount } from '../../util/format.js';
import { fitWidth, sanitize } from '../../util/text.js';
import { loadNative } from '../../native.js';
import { Symbolizer, type ElfSymbolize } from '../../collectors/symbolize.js';
import type { TraceOptions, TraceReport, TracerHandle } from '../types.js';
import { Profiler, type ProfileKind, type ProfileStats, type StackAgg } from './profiler.js';
import { foldedLines, functionTable, type FunctionRow } from './views.js';

export const PROFILE_FORMATS = ['folded'] as const;

/** The addon's elfSymbolize (elfutils libdwfl on the thread pool), when the addon loads. */
export function nativeElf(): ElfSymbolize | undefined {
  const n = loadNative();
  if (!n.ok) return undefined;
  const addon = n.addon;
  return (p, o) => addon.elfSymbolize(p, o);
}

/** A profiler wired to the real system (kallsyms, /proc, the addon's ELF symboliser); `defer`: trace mode, symbols at the end. */
export function systemProfiler(kind: ProfileKind, defer = false): Profiler {
  return new Profiler({ kind, defer, symbolizer: new Symbolizer({ elf: nativeElf(), holdFiles: defer }) });
}

/** One folded stack as a record (the JSON `stacks` rows and the field table of FIELDS.md). */
export type StackRecord = StackAgg;

export const PROFILE_STACK_COLUMNS: readonly Column<StackRecord>[] = [
  { id: 'pid', title: 'PID', width: 7, align: 'right', value: (s) => s.pid },
  { id: 'comm', title: 'COMM', width: 15, value: (s) => s.comm },
  { id: 'stack', title: 'STACK', value: (s) => s.folded.slice(s.folded.indexOf(';') + 1) },
  { id: 'samples', title: 'SAMPLES', width: 8, align: 'right', value: (s) => s.total },
  { id: 'truncated', title: 'TRUNC', width: 5, value: (s) => s.truncated },
];

export const OFFCPU_STACK_COLUMNS: readonly Column<StackRecord>[] = [
  { id: 'pid', title: 'PID', width: 7, align: 'right', value: (s) => s.pid },
  { id: 'comm', title: 'COMM', width: 15, value: (s) => s.comm },
  { id: 'stack', title: 'STACK', value: (s) => s.folded.slice(s.folded.indexOf(';') + 1) },
  { id: 'blocked_us', title: 'BLOCKED(us)', width: 11, align: 'right', value: (s) => Math.round(s.total / 1000) },
  { id: 'blocks', title: 'BLOCKS', width: 7, align: 'right', value: (s) => s.count },
  { id: 'truncated', title: 'TRUNC', width: 5, value: (s) => s.truncated },
];

/** The `functions` rows' columns (JSON) and the pane table's; `sum`: what the percentages are of. */
export const functionColumns = (kind: ProfileKind, sum: number): Column<FunctionRow>[] => [
  { id: 'name', title: 'SYMBOL', value: (r) => r.name },
  { id: 'module', title: 'MODULE', value: (r) => r.module || null },
  { id: 'kernel', title: 'KERNEL', value: (r) => r.kernel },
  kind === 'offcpu'
    ? { id: 'self_us', title: 'SELF(us)', value: (r) => Math.round(r.self / 1000) }
    : { id: 'self', title: 'SELF', value: (r) => r.self },
  kind === 'offcpu'
    ? { id: 'total_us', title: 'TOTAL(us)', value: (r) => Math.round(r.total / 1000) }
    : { id: 'total', title: 'TOTAL', value: (r) => r.total },
  { id: 'self_pct', title: 'SELF%', value: (r) => (sum ? Math.round((r.self / sum) * 10000) / 100 : 0) },
  { id: 'total_pct', title: 'TOTAL%', value: (r) => (sum ? Math.round((r.total / sum) * 10000) / 100 : 0) },
];

/** Losses as one phrase ("" when none). */
export function lossText(s: ProfileStats, kind: ProfileKind): string {
  const parts: string[] = [];
  if (s.noUstack) parts.push(`no user stack ${formatCount(s.noUstack)}`);
  if (s.noKstack) parts.push(`no kernel stack ${formatCount(s.noKstack)}`);
  if (s.collisions) parts.push(`stack-map collisions ${formatCount(s.collisions)}`);
  if (s.stacksFull) parts.push(`stack map full ${formatCount(s.stacksFull)}`);
  if (s.countsFull) parts.push(`counts map full ${formatCount(s.countsFull)}`);
  if (kind === 'offcpu' && s.startLost) parts.push(`switch-outs not recorded ${formatCount(s.startLost)}`);
  return parts.join(', ');
}

/** The pane's and the report's advice when user stacks end early. */
export function truncationAdvice(p: Profiler): string | undefined {
  if (!p.totalValue || !p.truncatedValue) return undefined;
  const pct = (p.truncatedValue / p.totalValue) * 100;
  if (pct < 1) return undefined;
  const mods = [...p.truncatedBy].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([m]) => sanitize(m));
  return `${pct.toFixed(0)}% of ${p.kind === 'offcpu' ? 'blocked time' : 'samples'} ${p.kind === 'offcpu' ? 'has' : 'have'} user stacks cut short (innermost module: ${mods.join(', ')}): ` +
    'frame-pointer unwinding stops in code built without frame pointers; rebuild it with -fno-omit-frame-pointer (and -mno-omit-leaf-frame-pointer)';
}

export interface ProfileReportInfo {
  kind: ProfileKind;
  freq: number;
  pid?: number;
  seconds: number;
}

/** The perf-report-like top list. */
export function textReport(p: Profiler, info: ProfileReportInfo, limit = 100): string {
  const off = info.kind === 'offcpu';
  const stacks = p.all();
  const sum = p.totalValue;
  const rows = functionTable(stacks, 'all', 'total');
  const who = info.pid ? `pid ${info.pid}` : 'all CPUs';
  const head = off
    ? `# off-CPU: ${(sum / 1e6).toFixed(1)} ms blocked in ${formatCount(p.totalCount)} intervals, ${who}, ${info.seconds.toFixed(1)} s`
    : `# Samples: ${formatCount(sum)} of event 'cpu-clock' at ${info.freq} Hz, ${who}, ${info.seconds.toFixed(1)} s`;
  const out = [head];
  const lost = lossText(p.stats, info.kind);
  if (lost) out.push(`# lost: ${lost}`);
  const note = p.symbolizer.kernelProblem();
  if (note) out.push(`# ${note}`);
  const adv = truncationAdvice(p);
  if (adv) out.push(`# ${adv}`);
  out.push('#');
  const w = off ? 12 : 8;
  out.push(`# ${'Children'.padStart(8)} ${'Self'.padStart(8)} ${(off ? 'Total(ms)' : 'Samples').padStart(w)}  ${fitWidth('Command', 15)}  ${fitWidth('Shared Object', 20)}  Symbol`);
  // Off-CPU stacks all end in the scheduler: there, where the time was spent is the callers (by total, as perf report --children).
  const listed = off ? [...rows].sort((a, b) => b.total - a.total || b.self - a.self) : rows.filter((r) => r.self > 0);
  const shown = listed.slice(0, limit);
  for (const r of shown) {
    const pct = (x: number) => `${((x / sum) * 100).toFixed(2)}%`.padStart(8);
    const n = off ? (r.total / 1e6).toFixed(3) : String(r.self);
    out.push(`  ${pct(r.total)} ${pct(r.self)} ${n.padStart(w)}  ${fitWidth(sanitize(r.comms[0] ?? ''), 15)}  ${fitWidth(sanitize(r.module || '-'), 20)}  ${r.kernel ? '[k]' : '[.]'} ${sanitize(r.name)}`);
  }
  const more = listed.length - shown.length;
  if (more > 0) out.push(`# ... ${more} more functions (--format folded or json has every stack)`);
  if (!sum) out.push(off ? '# nothing blocked long enough to count' : '# no samples');
  return out.join('\n') + '\n';
}

export function jsonReport(p: Profiler, info: ProfileReportInfo): string {
  const stacks = p.all();
  const sum = p.totalValue;
  const s = p.stats;
  const o: Record<string, unknown> = {
    tracer: info.kind,
    duration_s: Math.round(info.seconds * 1000) / 1000,
    ...(info.kind === 'profile' ? { frequency_hz: info.freq, samples: sum } : { blocked_us: Math.round(sum / 1000), blocks: p.totalCount }),
    pid: info.pid ?? null,
    lost: { no_user_stack: s.noUstack, no_kernel_stack: s.noKstack, collisions: s.collisions, stacks_full: s.stacksFull, counts_full: s.countsFull, ...(info.kind === 'offcpu' ? { start_lost: s.startLost } : {}) },
    truncated_pct: p.totalValue ? Math.round((p.truncatedValue / p.totalValue) * 10000) / 100 : 0,
    kernel_symbols: p.symbolizer.kernelProblem() ?? null,
    functions: functionTable(stacks, 'all', 'total').map((r) => toObject(r, functionColumns(info.kind, sum))),
    stacks: stacks.filter((x) => x.total > 0).map((x) => toObject(x, info.kind === 'offcpu' ? OFFCPU_STACK_COLUMNS : PROFILE_STACK_COLUMNS)),
  };
  return jsonLine(o) + '\n';
}

export function parseFreq(o: TraceOptions): number {
  const v = o.flags?.freq;
  if (v === undefined) return 49;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 100000) throw new Error(`--freq wants a whole number of samples per second (1..100000), got '${String(v)}'`);
  return n;
}

export function parseMinUs(o: TraceOptions): number {
  const v = o.flags?.['min-us'];
  if (v === undefined) return 1;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new Error(`--min-us wants a number of microseconds, got '${String(v)}'`);
  return n;
}

/** The report of a profiler run: ticks read and symbolise; print() reads once more and formats. */
export function profileReport(kind: ProfileKind, o: TraceOptions, make: (k: ProfileKind) => Profiler = (k) => systemProfiler(k, true)): TraceReport {
  const freq = kind === 'profile' ? parseFreq(o) : 0;
  if (kind === 'offcpu') parseMinUs(o);
  const p = make(kind);
  const started = Date.now();
  const what = kind === 'profile' ? `Sampling on-CPU stacks at ${freq} Hz` : `Tracing off-CPU time (blocked >= ${parseMinUs(o)} us)`;
  return {
    banner: `${what}${o.pid ? ` of pid ${o.pid}` : ', all processes'}... Hit Ctrl-C to end.`,
    tickSec: 1,
    tick: async (h: TracerHandle) => {
      await p.collect(h);
    },
    async print(h: TracerHandle, format: string): Promise<string> {
      while (p.running) await new Promise((r) => setTimeout(r, 5));
      try {
        await p.collect(h, { final: true });
      } finally {
        p.symbolizer.close();
      }
      const info: ProfileReportInfo = { kind, freq, pid: o.pid, seconds: (Date.now() - started) / 1000 };
      if (format === 'folded') {
        const lines = foldedLines(p.all(), kind);
        return lines.length ? lines.join('\n') + '\n' : '';
      }
      if (format === 'json') return jsonReport(p, info);
      return textReport(p, info);
    },
  };
}
