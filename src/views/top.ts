// The top view's Source (its screen is paired with it in src/tui.ts). It
// reads what the screen's request names, exactly what the configured
// columns need (htop's column scan flags): no cmdline reads without the
// COMMAND column, no task/ reads while user threads are hidden.
import type { Source, TopModel, TopRequest } from '../model/view-contract.js';
import { ProcessCollector, type ProcessTableSample } from '../collectors/processes.js';
import type { ReniceEvents } from '../actions/index.js';
import { parseStat } from '../collectors/procfs/pid-stat.js';
import { directReader, type FileReader } from '../collectors/procfs/read.js';
import { MachineSampler } from '../collectors/machine.js';
import type { UserNames } from '../collectors/users.js';
import { buildProcessModel, newRowPool, type PerPidRates, type RowPool } from '../model/process-model.js';
import { needsOf, resolveColumns, PROC_COLUMNS } from '../model/columns.js';
import { SystemStripSource } from './vmstat-strip.js';
import { timed } from '../util/tick-stats.js';
import type { SampleFeed } from '../collectors/feed.js';

export interface TopSourceOptions {
  /** User names (cached /etc/passwd). */
  users: UserNames;
  /** -p PID,PID: read only these */
  pids?: ReadonlySet<number>;
  procRoot?: string;
  /** The machine-wide counters of each tick, shared by the header and the strip (and by other views when the composition root passes one). */
  machine?: MachineSampler;
  /** How /proc files are read (tests count reads); default: directly. */
  reader?: FileReader;
  /** Recorded samples instead of this machine's (src/collectors/feed.ts): every collect() takes the feed's current tick, whole. */
  feed?: SampleFeed;
  /**
   * Reuse the model's row objects from one model to the next (see
   * buildProcessModel's pool): a row of an older model then holds the
   * newest values. For a caller that only ever draws the newest model (the
   * TUI); a caller that keeps models (a history, a test comparing two)
   * leaves it off. Spares ~1,000 objects per tick that lived into the next
   * tick and were promoted by V8's scavenger.
   */
  reuseRows?: boolean;
}

/** What the top view takes from other features, passed in by the composition root. */
export interface TopInputs {
  /** The eBPF tracers' per-PID rates now (the trace panes' aggregators), when any tracer runs. */
  tracerRates?: () => ReadonlyMap<number, PerPidRates> | undefined;
  /** renice() events (src/actions): F7/F8 show the new nice at once. */
  renice?: ReniceEvents;
}

export class TopSource implements Source<TopModel, TopRequest> {
  private strip: SystemStripSource;
  private collector: ProcessCollector;
  private reader: FileReader;
  private prev: ProcessTableSample | undefined;
  private cur: ProcessTableSample | undefined;
  private last: TopModel | undefined;
  /** One function for every tick (a closure made per tick is re-optimized by V8 each time it gets hot). */
  private userName = (uid: number) => this.opts.users.name(uid);
  /** The model's rows, reused from model to model when the caller asks (reuseRows). */
  private rowPool: RowPool | undefined;
  /** The last collect() skipped command lines and detail columns (first frame: which rows are drawn is not known yet). */
  private deferred = false;

  /** Every task of `cur` has its command line (false after a deferred collect until completed). */
  private commandLinesRead = false;
  /** The tracers' per-PID rates read at the last collect(), for every model built from that sample. */
  private rates: ReadonlyMap<number, PerPidRates> | undefined;

  constructor(private opts: TopSourceOptions, private readonly inputs: TopInputs = {}) {
    const procRoot = opts.procRoot ?? '/proc';
    this.reader = opts.reader ?? directReader;
    this.rowPool = opts.reuseRows ? newRowPool() : undefined;
    // One MachineSampler for the header (the collector's SystemSample) and the strip: /proc/stat and meminfo once per tick.
    const machine = opts.feed?.machine ?? opts.machine ?? new MachineSampler({ procRoot, reader: opts.reader });
    // reuseSamples: this Source keeps only the current sample and the one before (prev, for rates).
    this.collector = new ProcessCollector({ procRoot, pids: opts.pids, machine, reader: opts.reader, reuseSamples: true });
    this.strip = new SystemStripSource(machine);
    this.offRenice = this.inputs.renice?.onRenice((pid) => this.rereadPriority(pid)) ?? (() => {});
  }

  /**
   * Makes sure every row of the last sample has its command line (a fast
   * first frame reads only the drawn rows'), reading the missing ones now
   * (cached like every command line). Returns the model rebuilt with them,
   * or undefined when nothing was missing. Done when a request asks for
   * allCommandLines (a filter or a search looks at every row).
   */
  completeCommandLines(): TopModel | undefined {
    const cur = this.cur;
    if (!cur || this.commandLinesRead) return undefined;
    this.commandLinesRead = true;
    const missing = new Set<number>();
    for (const t of cur.tasks) if (t.cmdline === undefined && !t.isKernelThread) missing.add(t.pid);
    if (!missing.size) return undefined;
    timed('cmdlines', () => this.collector.complete(cur, missing));
    // A thread row shows its process's command line.
    const byPid = new Map<number, string | undefined>();
    for (const t of cur.tasks) if (!t.isThread) byPid.set(t.pid, t.cmdline);
    for (const t of cur.tasks) if (t.isThread && t.cmdline === undefined) t.cmdline = byPid.get(t.tgid);
    const strip = this.last?.strip;
    this.last = buildProcessModel(this.prev, cur, this.userName, this.rates, this.rowPool);
    if (strip) this.last.strip = strip;
    return this.last;
  }

  collect(now: number, req: TopRequest): void {
    const cols = resolveColumns(req.columns.filter((id) => PROC_COLUMNS.some((c) => c.id === id)));
    // Every task: what sorting and filtering need. Rows on screen only: the rest.
    const needs = needsOf(resolveColumns([req.sort].filter((id) => PROC_COLUMNS.some((c) => c.id === id))));
    if (!req.everyRow) needs.add('cmdline'); // filter and search match the full command line (cached per process)
    needs.add('uid'); // from the kept-open stat file's owner: free
    this.collector.needs = needs;
    this.collector.detailNeeds = needsOf(cols);
    this.collector.detailPids = req.everyRow ? undefined : req.visiblePids;
    this.collector.threads = !req.hideUserThreads;
    this.prev = this.cur;
    // Before the screen has drawn once, reading every process's cmdline and
    // statm (two opens each: ~45 ms per 1,000 processes, cold) would only
    // delay the first frame: complete() reads the rows it drew.
    // A recorded tick is whole: nothing to defer or complete.
    this.deferred = !this.opts.feed && !req.everyRow && req.visiblePids === undefined;
    this.commandLinesRead = !this.deferred;
    this.cur = this.opts.feed ? this.opts.feed.processes() : timed('procs', () => this.collector.collect(now, { deferred: this.deferred }));
    this.rates = this.inputs.tracerRates?.();
    this.last = timed('model', () => buildProcessModel(this.prev, this.cur!, this.userName, this.rates, this.rowPool));
    if (req.strip) {
      timed('strip', () => this.strip.collect(now));
      this.last.strip = this.strip.model();
    } else this.strip.reset();
  }

  model(): TopModel | undefined {
    return this.last;
  }

  /**
   * After a render: the rows drawn (a fast first frame took a partial
   * sample) get their display-only columns, and every row its command line
   * when the request says a filter or search needs them.
   */
  complete(req: TopRequest): boolean {
    const changed = req.allCommandLines && this.completeCommandLines() !== undefined;
    const vis = req.visiblePids;
    if (!this.deferred || !this.cur || !vis) return changed;
    this.deferred = false;
    this.collector.complete(this.cur, vis);
    const strip = this.last?.strip;
    this.last = buildProcessModel(this.prev, this.cur, this.userName, this.rates, this.rowPool);
    if (strip) this.last.strip = strip;
    return true;
  }

  /** Unsubscribes from the actions' renice events. */
  private offRenice: () => void;

  /**
   * After F7/F8 (the app's actions.renice()): read the new nice and priority of
   * that process's rows into the last sample and rebuild the model, so the
   * redraw that follows the key shows them (even while paused).
   */
  rereadPriority(pid: number): void {
    const cur = this.cur;
    if (!cur || this.opts.feed) return;
    const root = this.collector.procRoot;
    let changed = false;
    for (const t of cur.tasks) {
      if (t.tgid !== pid) continue;
      const text = this.reader.text(t.isThread ? `${root}/${t.tgid}/task/${t.pid}/stat` : `${root}/${t.pid}/stat`);
      const f = text === undefined ? undefined : parseStat(text);
      if (!f || f.starttime !== t.starttime) continue; // gone, or the pid was reused
      t.nice = f.nice;
      t.priority = f.priority;
      changed = true;
    }
    if (!changed) return;
    const strip = this.last?.strip;
    this.last = buildProcessModel(this.prev, cur, this.userName, this.rates, this.rowPool);
    if (strip) this.last.strip = strip;
  }

  dispose(): void {
    this.offRenice();
    this.collector.dispose();
  }

  reset(): void {
    // Coming back from another view: the next tick's rates span the gap, which is fine.
  }
}
