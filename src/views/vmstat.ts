// The vmstat view: Source (collects /proc/stat, meminfo, vmstat, pressure
// and keeps a bounded history for the graphs; its screen, key 'v', is paired
// with it in src/tui.ts) and the `ostop dump vmstat` DumpView. Column ids are stable and
// documented in docs/system-views.md.
import type { DumpView } from '../model/dump-view.js';
import type { Column } from '../model/columns.js';
import type { Source, VmstatViewModel } from '../model/view-contract.js';
import { readPsiSample } from '../collectors/psi.js';
import { vmstatSample, type VmstatSample } from '../collectors/vmstat.js';
import { MachineSampler } from '../collectors/machine.js';
import type { PsiSample } from '../collectors/psi.js';
import { buildVmstatModel, type VmstatModel } from '../model/vmstat.js';
import { round, runSampledDump, timeColumn } from './vmstat-util.js';
import { Series } from '../store/series.js';
import { SampleStore } from '../store/sample-store.js';
import type { SampleFeed } from '../collectors/feed.js';

/** The graphs' histories as the Source keeps them (read by the screen as NumberSeries). */
interface VmstatHistories {
  us: Series; sy: Series; wa: Series; st: Series;
  busy: Series; cores: Series[];
  usedPct: Series; cachePct: Series;
  si: Series; so: Series; in: Series; cs: Series;
  bi: Series; bo: Series;
  psiCpu: Series; psiMem: Series; psiIo: Series;
}

/** CPUs given a graph each (more are left out of the per-core graphs, never of the totals). */
export const MAX_CORE_GRAPHS = 1024;

/** Samples kept for the table: more rows than any terminal shows. */
export const SAMPLES_KEPT = 200;

function newHistory(): VmstatHistories {
  return {
    us: new Series(), sy: new Series(), wa: new Series(), st: new Series(), busy: new Series(), cores: [],
    usedPct: new Series(), cachePct: new Series(), si: new Series(), so: new Series(), in: new Series(), cs: new Series(), bi: new Series(), bo: new Series(),
    psiCpu: new Series(), psiMem: new Series(), psiIo: new Series(),
  };
}

/** Add the points of one model to the graphs' histories. */
export function recordVmstatHistory(h: VmstatHistories, m: VmstatModel): void {
  h.us.push(m.us); h.sy.push(m.sy); h.wa.push(m.wa); h.st.push(m.st);
  h.busy.push(m.us + m.sy + m.st);
  const n = Math.min(m.cpus.length, MAX_CORE_GRAPHS);
  while (h.cores.length < n) {
    // A CPU that comes online later starts with zeros as long as the others' history, so the graphs stay aligned in time.
    h.cores.push(Series.from(new Array<number>(h.busy.length - 1).fill(0)));
  }
  for (let i = 0; i < h.cores.length; i++) h.cores[i].push(m.cpus[i] ?? 0);
  const total = m.memTotal || 1;
  h.usedPct.push((m.used * 100) / total); // free(1)'s used (procps 4)
  h.cachePct.push(((m.buff + m.cache) * 100) / total);
  h.si.push(m.si); h.so.push(m.so); h.in.push(m.in); h.cs.push(m.cs); h.bi.push(m.bi); h.bo.push(m.bo);
  h.psiCpu.push(m.psi.res.cpu?.some10 ?? 0);
  h.psiMem.push(m.psi.res.memory?.some10 ?? 0);
  h.psiIo.push(m.psi.res.io?.some10 ?? 0);
}

export class VmstatSource implements Source<VmstatViewModel> {
  private prev?: VmstatSample;
  private last?: VmstatViewModel;
  private hist = newHistory();
  /** The table's rows, oldest first: the last SAMPLES_KEPT models, by sample time (src/store). */
  private samples = new SampleStore<VmstatModel>(SAMPLES_KEPT);
  /** `machine`: the tick's machine-wide sample, shared with the other views by the composition root (stat, meminfo, vmstat read once per tick). */
  /** `feed`: recorded samples instead of this machine's (src/collectors/feed.ts; pass feed.machine as `machine` too). */
  constructor(private procRoot = '/proc', private machine = new MachineSampler({ procRoot }), private feed?: SampleFeed) {
    this.liveMachine = machine;
  }
  private readonly liveMachine: MachineSampler;

  /**
   * Take samples from `feed` (a recorded tick at a time) until called again
   * without one: the live UI preloads the histories from the recorder's
   * store this way, then goes on live (rates across the switch are right:
   * both clocks are CLOCK_MONOTONIC).
   */
  useFeed(feed?: SampleFeed): void {
    this.feed = feed;
    this.machine = feed?.machine ?? this.liveMachine;
  }

  collect(now = performance.now()): void {
    const cur = vmstatSample(this.machine, now);
    const psi: PsiSample = this.feed ? this.feed.psi() : readPsiSample(this.procRoot);
    if (this.prev) {
      const m = buildVmstatModel(this.prev, cur, psi);
      const h = this.hist;
      recordVmstatHistory(h, m);
      this.samples.push(m.time, m);
      this.last = { cur: m, hist: h, samples: this.samples.lastValues(SAMPLES_KEPT) };
    }
    this.prev = cur;
  }
  model(): VmstatViewModel | undefined {
    return this.last;
  }
  reset(): void {
    this.prev = undefined;
    this.last = undefined;
    this.hist = newHistory();
    this.samples.clear();
  }
}

const r0 = (n: number) => Math.round(n);
type V = VmstatModel;
const psiCol = (id: string, title: string, pick: (m: V) => number | undefined): Column<V> => ({
  id, title, width: title.length, align: 'right',
  value: (m) => round(pick(m) ?? null),
  text: (m) => { const x = pick(m); return x === undefined ? '-' : x.toFixed(2); },
});

/** vmstat's columns first, with its titles and rounding in text; then ostop's additions. */
export const VMSTAT_COLUMNS: Column<V>[] = [
  timeColumn<V>(),
  { id: 'r', title: 'r', width: 2, align: 'right', value: (m) => m.r },
  { id: 'b', title: 'b', width: 2, align: 'right', value: (m) => m.b },
  { id: 'swpd', title: 'swpd', width: 6, align: 'right', value: (m) => m.swpd },
  { id: 'free', title: 'free', width: 8, align: 'right', value: (m) => m.free },
  { id: 'buff', title: 'buff', width: 6, align: 'right', value: (m) => m.buff },
  { id: 'cache', title: 'cache', width: 8, align: 'right', value: (m) => m.cache },
  { id: 'avail', title: 'avail', width: 8, align: 'right', value: (m) => m.avail },
  { id: 'used', title: 'used', width: 8, align: 'right', value: (m) => m.used },
  { id: 'si', title: 'si', width: 4, align: 'right', value: (m) => round(m.si), text: (m) => String(r0(m.si)) },
  { id: 'so', title: 'so', width: 4, align: 'right', value: (m) => round(m.so), text: (m) => String(r0(m.so)) },
  { id: 'bi', title: 'bi', width: 6, align: 'right', value: (m) => round(m.bi), text: (m) => String(r0(m.bi)) },
  { id: 'bo', title: 'bo', width: 6, align: 'right', value: (m) => round(m.bo), text: (m) => String(r0(m.bo)) },
  { id: 'in', title: 'in', width: 5, align: 'right', value: (m) => round(m.in), text: (m) => String(r0(m.in)) },
  { id: 'cs', title: 'cs', width: 5, align: 'right', value: (m) => round(m.cs), text: (m) => String(r0(m.cs)) },
  { id: 'us', title: 'us', width: 3, align: 'right', value: (m) => round(m.us, 1), text: (m) => String(r0(m.us)) },
  { id: 'sy', title: 'sy', width: 3, align: 'right', value: (m) => round(m.sy, 1), text: (m) => String(r0(m.sy)) },
  { id: 'id', title: 'id', width: 3, align: 'right', value: (m) => round(m.id, 1), text: (m) => String(r0(m.id)) },
  { id: 'wa', title: 'wa', width: 3, align: 'right', value: (m) => round(m.wa, 1), text: (m) => String(r0(m.wa)) },
  { id: 'st', title: 'st', width: 3, align: 'right', value: (m) => round(m.st, 1), text: (m) => String(r0(m.st)) },
  { id: 'minflt', title: 'minflt', width: 7, align: 'right', value: (m) => round(m.minflt), text: (m) => String(r0(m.minflt)) },
  { id: 'majflt', title: 'majflt', width: 6, align: 'right', value: (m) => round(m.majflt), text: (m) => String(r0(m.majflt)) },
  { id: 'forks', title: 'forks', width: 5, align: 'right', value: (m) => round(m.forks), text: (m) => String(r0(m.forks)) },
  psiCol('psi_cpu_some10', 'cpu10', (m) => m.psi.res.cpu?.some10),
  psiCol('psi_mem_some10', 'mem10', (m) => m.psi.res.memory?.some10),
  psiCol('psi_mem_full10', 'memF10', (m) => m.psi.res.memory?.full10),
  psiCol('psi_io_some10', 'io10', (m) => m.psi.res.io?.some10),
  psiCol('psi_io_full10', 'ioF10', (m) => m.psi.res.io?.full10),
];

export const vmstatDump: DumpView = {
  name: 'vmstat',
  fromStore: true,
  summary: 'procs, memory, swap, io, system, cpu (vmstat definitions) plus faults, forks and PSI, per interval',
  async run(opts) {
    let warned = false;
    let memWarned = false;
    // The view's own Source (its request is empty: nothing to choose), as the TUI ticks it.
    const feed = opts.replay?.feed;
    const source = feed ? new VmstatSource(undefined, feed.machine, feed) : new VmstatSource();
    return runSampledDump<VmstatViewModel | undefined, V>(
      opts,
      () => {
        source.collect(performance.now());
        return source.model();
      },
      (_prev, cur) => {
        const m = cur!.cur;
        if (!m.psi.available && !warned) { warned = true; opts.err(`ostop: ${m.psi.reason}\n`); }
        if (m.memProblem && !memWarned) { memWarned = true; opts.err(`ostop: ${m.memProblem}\n`); }
        return [m];
      },
      VMSTAT_COLUMNS,
      'stream',
    );
  },
};
