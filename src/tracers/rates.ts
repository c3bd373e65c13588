// Per-PID rates for the process table's eBPF-fed columns (opens_rate,
// syscalls_rate, disk_lat; src/model/columns.ts). The values travel through
// the model: whoever runs the tracers turns their counts into a
// Map<pid, PerPidRates> once per rate window, and the process Source passes
// it to buildProcessModel (ProcRow.ebpf). Two producers: the trace panes
// while their pane is on (src/tracers/pane-host.ts), and TracerRateFeed for
// `ostop dump processes --columns ...,opens_rate`, which attaches the
// tracers the chosen columns need for the length of the run.
import type { PerPidRates } from '../model/process-model.js';
import { OpensAggregator } from './opens/tracer.js';
import { SyscallAggregator } from './syscalls/tracer.js';
import type { DiskEvent } from './disk/tracer.js';
import type { TraceOptions, TracerHandle } from './types.js';

export type PerPidMetric = keyof PerPidRates;

/** Per-PID counts of the current rate window (n events, sum of a value). Bounded. */
export class PidWindow {
  private m = new Map<number, { n: number; sum: number }>();
  constructor(private readonly cap = 8192) {}
  add(pid: number, n = 1, sum = 0): void {
    let r = this.m.get(pid);
    if (!r) {
      if (this.m.size >= this.cap) return;
      this.m.set(pid, (r = { n: 0, sum: 0 }));
    }
    r.n += n;
    r.sum += sum;
  }
  take(): Map<number, { n: number; sum: number }> {
    const m = this.m;
    this.m = new Map();
    return m;
  }
}

/** Fold one window of `metric` over `dtSec` seconds into `into`: a count per second, or (diskLatMs) the mean of the summed values. */
export function addWindowRates(into: Map<number, PerPidRates>, metric: PerPidMetric, window: ReadonlyMap<number, { n: number; sum: number }>, dtSec: number): void {
  if (dtSec <= 0) return;
  for (const [pid, c] of window) {
    let r = into.get(pid);
    if (!r) into.set(pid, (r = {}));
    if (metric === 'diskLatMs') r.diskLatMs = c.n ? c.sum / c.n : undefined;
    else r[metric] = c.n / dtSec;
  }
}

/** Cumulative kernel counts per PID -> the increase since the previous read, into a window. */
export class CountDeltas {
  private prev = new Map<number, number>();
  feed(totals: ReadonlyMap<number, number>, window: PidWindow, skipPid?: number): void {
    for (const [pid, n] of totals) {
      const d = n - (this.prev.get(pid) ?? 0);
      if (d > 0 && pid !== skipPid) window.add(pid, d);
    }
    this.prev = new Map(totals);
  }
  clear(): void {
    this.prev.clear();
  }
}

/** The part of the TracerManager (src/tracers/manager.ts) a rate feed uses. */
export interface RateFeedTracers {
  start(name: string, opts: TraceOptions): unknown;
  stop(name: string): void;
  onEvents(name: string, cb: (events: unknown[]) => void): () => void;
  handle(name: string): TracerHandle;
  poll(): void;
}

/** How each eBPF-fed metric is measured without a pane. */
interface Feed {
  tracer: string;
  metric: PerPidMetric;
  opts: TraceOptions;
  window: PidWindow;
  /** Reads the kernel maps into the window (in-kernel counting modes). */
  collect?(mgr: RateFeedTracers): void;
  onEvents?(events: unknown[]): void;
  unsub?: () => void;
}

const SELF = process.pid;

function opensFeed(): Feed {
  // In-kernel counts per (pid, comm, path): nothing streamed, no drops under a storm.
  const agg = new OpensAggregator();
  const deltas = new CountDeltas();
  const window = new PidWindow();
  return {
    tracer: 'opens', metric: 'opensPerSec', opts: { summary: true }, window,
    collect(mgr) {
      agg.collect(mgr.handle('opens'));
      const totals = new Map<number, number>();
      for (const r of agg.entries()) totals.set(r.pid, (totals.get(r.pid) ?? 0) + r.count);
      deltas.feed(totals, window, SELF); // not ostop's own /proc reads
    },
  };
}

function syscallsFeed(): Feed {
  const opts: TraceOptions = { summary: true, flags: { 'by-process': true } };
  const agg = new SyscallAggregator(opts);
  const deltas = new CountDeltas();
  const window = new PidWindow();
  return {
    tracer: 'syscalls', metric: 'syscallsPerSec', opts, window,
    collect(mgr) {
      agg.collect(mgr.handle('syscalls'));
      deltas.feed(new Map(agg.byProcess().map((p) => [p.pid, p.count])), window);
    },
  };
}

function diskFeed(): Feed {
  const window = new PidWindow();
  return {
    tracer: 'disk', metric: 'diskLatMs', opts: {}, window,
    onEvents(events) {
      for (const e of events as DiskEvent[]) if (e.pid) window.add(e.pid, 1, e.latNs / 1e6);
    },
  };
}

const FEEDS: Record<string, () => Feed> = { opens: opensFeed, syscalls: syscallsFeed, disk: diskFeed };

/**
 * The eBPF-fed column values without a terminal: start() attaches the tracers
 * named (the `tracer` of the chosen columns), take() returns each process's
 * rates since the previous take(), stop() detaches everything.
 */
export class TracerRateFeed {
  private feeds: Feed[] = [];
  private last = 0;

  constructor(private readonly mgr: RateFeedTracers, private readonly clock: () => number = Date.now) {}

  /** Starts what it can; returns one message per tracer that could not start (its column then shows '-'). */
  start(tracers: Iterable<string>): string[] {
    const errors: string[] = [];
    for (const name of new Set(tracers)) {
      const make = FEEDS[name];
      if (!make) {
        errors.push(`${name}: no per-process rate for this tracer`);
        continue;
      }
      const f = make();
      if (f.onEvents) f.unsub = this.mgr.onEvents(name, (b) => f.onEvents!(b));
      try {
        this.mgr.start(name, f.opts);
        this.feeds.push(f);
      } catch (e) {
        f.unsub?.();
        errors.push((e as Error).message);
      }
    }
    this.last = this.clock();
    return errors;
  }

  /** Rates of every process seen since the last call (or start). */
  take(): Map<number, PerPidRates> {
    const now = this.clock();
    const dt = (now - this.last) / 1000;
    this.last = now;
    try { this.mgr.poll(); } catch { /* nothing running */ }
    const rates = new Map<number, PerPidRates>();
    for (const f of this.feeds) {
      f.collect?.(this.mgr);
      addWindowRates(rates, f.metric, f.window.take(), dt);
    }
    return rates;
  }

  stop(): void {
    for (const f of this.feeds) {
      f.unsub?.();
      try { this.mgr.stop(f.tracer); } catch { /* already gone */ }
    }
    this.feeds = [];
  }
}
