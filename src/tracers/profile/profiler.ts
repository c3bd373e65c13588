// The profilers' shared core (profile: on-CPU samples; offcpu: blocked
// time): reads the kernel's `counts` (cumulative, by tgid, tid, comm and
// kernel/user stack ids) and `stats` maps, turns new stack ids into
// instruction pointers (stackTraces) and frames (src/collectors/symbolize.ts),
// and keeps per distinct stack (its folded form) the total since start (the
// flame graph, trace output) and a decaying weight (the perf-top table).
// Invariants:
//  - the kernel maps are never cleared while their ids are in use: counts
//    are diffed against the previous read; when `counts` or `stacks` fills
//    up both are cleared at once and the id-keyed caches dropped (stacks
//    already folded keep their totals);
//  - a stack id is fetched and symbolised once; a collect() while another
//    is running is skipped (symbolisation is async, in slices);
//  - memory is bounded: at most MAX_STACKS folded stacks (the lightest are
//    folded into one "[other]" stack beyond that).
import { kernelOffset } from '../../collectors/procfs/kallsyms.js';
import { Symbolizer, type Frame, type UserStackRequest } from '../../collectors/symbolize.js';
import { cString, u64, type MapDump, type TracerHandle } from '../types.js';
import { sanitize } from '../../util/text.js';

/** Offsets of the wire structs (native/bpf/profile.h, offcpu.h); checked against the addon by test/tracers/profile/tracer.test.ts. */
export const PROFILE_KEY = { size: 32, fields: { pid: 0, tid: 4, kstack: 8, ustack: 12, comm: 16 } };
export const PROFILE_STATS = { size: 64, fields: { samples: 0, no_ustack: 8, no_kstack: 16, collisions: 24, stacks_full: 32, counts_full: 40, start_lost: 48, idle: 56 } };
export const OFFCPU_VAL = { size: 16, fields: { total_ns: 0, count: 8 } };

export type ProfileKind = 'profile' | 'offcpu';

/** One record of `counts`: cumulative since the map was last cleared. */
export interface CountRecord {
  pid: number;
  tid: number;
  comm: string;
  kstack: number;
  ustack: number;
  /** profile: samples; offcpu: blocked ns. */
  value: number;
  /** profile: samples; offcpu: blocked intervals. */
  count: number;
}

/** Decode a mapDump of `counts` (profile: u64 samples; offcpu: struct offcpu_val). */
export function decodeCounts(d: MapDump, kind: ProfileKind): CountRecord[] {
  const dv = new DataView(d.data);
  const rec = d.keySize + d.valueSize;
  const f = PROFILE_KEY.fields;
  const out: CountRecord[] = [];
  if (d.keySize < PROFILE_KEY.size || d.valueSize < (kind === 'offcpu' ? OFFCPU_VAL.size : 8)) return out;
  for (let i = 0; i < d.count; i++) {
    const k = i * rec;
    const v = k + d.keySize;
    const value = u64(dv, v);
    out.push({
      pid: dv.getUint32(k + f.pid, true),
      tid: dv.getUint32(k + f.tid, true),
      kstack: dv.getInt32(k + f.kstack, true),
      ustack: dv.getInt32(k + f.ustack, true),
      comm: cString(dv, k + f.comm, 16),
      value,
      count: kind === 'offcpu' ? u64(dv, v + OFFCPU_VAL.fields.count) : value,
    });
  }
  return out;
}

export interface ProfileStats {
  samples: number;
  noUstack: number;
  noKstack: number;
  collisions: number;
  stacksFull: number;
  countsFull: number;
  startLost: number;
  /** profile: samples of the idle task, not counted (CPU idle). */
  idle: number;
}

export function emptyStats(): ProfileStats {
  return { samples: 0, noUstack: 0, noKstack: 0, collisions: 0, stacksFull: 0, countsFull: 0, startLost: 0, idle: 0 };
}

/** Sum the per-CPU `stats` array (one struct profile_stats per CPU, 8-byte aligned). */
export function decodeStats(d: MapDump): ProfileStats {
  const s = emptyStats();
  if (!d.count) return s;
  const dv = new DataView(d.data, d.keySize);
  const stride = (PROFILE_STATS.size + 7) & ~7;
  const f = PROFILE_STATS.fields;
  for (let c = 0; c + stride <= d.valueSize; c += stride) {
    s.samples += u64(dv, c + f.samples);
    s.noUstack += u64(dv, c + f.no_ustack);
    s.noKstack += u64(dv, c + f.no_kstack);
    s.collisions += u64(dv, c + f.collisions);
    s.stacksFull += u64(dv, c + f.stacks_full);
    s.countsFull += u64(dv, c + f.counts_full);
    s.startLost += u64(dv, c + f.start_lost);
    s.idle += u64(dv, c + f.idle);
  }
  return s;
}

function diffStats(a: ProfileStats, b: ProfileStats): ProfileStats {
  const o = emptyStats();
  for (const k of Object.keys(o) as (keyof ProfileStats)[]) o[k] = Math.max(0, a[k] - b[k]);
  return o;
}

function addStats(a: ProfileStats, b: ProfileStats): void {
  for (const k of Object.keys(a) as (keyof ProfileStats)[]) a[k] += b[k];
}

// ---- frames and stacks -----------------------------------------------------------

/** Where a thread's user stack starts: a stack whose outermost frame is one of these (or in the C library) is complete. */
const ROOT_FRAMES = new Set([
  '_start', '__libc_start_main', '__libc_start_call_main', '__libc_start_main_impl', '__libc_start_main_alias_2',
  'start_thread', 'clone', 'clone3', '__clone', '__clone3', '__clone_internal', 'thread_start', '_dl_start_user',
  'runtime.goexit', 'runtime.goexit.abi0', 'runtime.rt0_go', 'runtime.rt0_go.abi0', 'runtime.mstart', 'runtime.mstart.abi0',
]);
const LIBC_MODULE = /^(?:libc[.-]|libc\.so|ld-linux|ld-musl|libpthread)/;

/** Marker frames (not functions) the profiler puts into stacks. */
export const MARK = {
  truncated: '[truncated: no frame pointers]',
  collision: '[lost: stack-map collision]',
  full: '[lost: stack map full]',
  noStack: '[no stack]',
} as const;

function marker(name: string, kernel = false): Frame {
  return { name, module: '', kernel, resolved: false };
}
const MARKERS = {
  truncated: marker(MARK.truncated),
  collision: marker(MARK.collision),
  full: marker(MARK.full),
  noStack: marker(MARK.noStack),
};

/** The tracing machinery a stack taken from a tracepoint starts with (the BPF program, the tracepoint's trampolines): not where the thread waits. */
const TRACE_GLUE = /^(?:bpf_prog_\w+|bpf_trace_run\d+|__bpf_trace_\w+|__traceiter_\w+|trace_call_bpf|__bpf_prog_run\w*|bpf_dispatcher_\w+|perf_trace_\w+|__perf_event_overflow|perf_swevent_\w+)$/;

/** Kernel frames (innermost first) without the tracing machinery at their innermost end (offcpu's sched_switch stacks begin in the BPF program). */
export function dropTraceGlue(kernel: Frame[]): Frame[] {
  let i = 0;
  while (i < kernel.length && (kernel[i].module === 'bpf' || TRACE_GLUE.test(kernel[i].name))) i++;
  return i ? kernel.slice(i) : kernel;
}

/** True when a user stack (innermost first) ends before the thread's entry point: frame-pointer walking stopped early. */
export function isTruncated(user: readonly Frame[], depth: number): boolean {
  if (!user.length) return false;
  if (user.length >= depth) return true;
  const outer = user[user.length - 1];
  if (outer.resolved && ROOT_FRAMES.has(outer.name)) return false;
  // No mapping known for it (the process exited before its maps were read): nothing to tell.
  if (outer.module === '[unknown]') return false;
  return !LIBC_MODULE.test(outer.module);
}

/** A frame in the collapsed-stack format: no ';' (the separator), no controls; kernel frames end in _[k], JIT frames in _[j] (stackcollapse-perf's annotations). */
export function foldedFrame(f: Frame): string {
  const n = sanitize(f.name).replace(/;/g, ':');
  if (f.kernel && f.resolved) return `${n}_[k]`;
  if (f.module === '[jit]') return `${n}_[j]`;
  return n;
}

/** One distinct stack (its folded form) and what was counted on it. */
export interface StackAgg {
  folded: string;
  pid: number;
  comm: string;
  /** Root first: comm is not a frame here (folded puts it first). */
  frames: Frame[];
  /** Index of the first kernel frame in `frames` (frames.length: none). */
  kernelStart: number;
  truncated: boolean;
  /** profile: samples; offcpu: blocked ns (since start or clear). */
  total: number;
  /** offcpu: blocked intervals; profile: samples. */
  count: number;
  /** Decaying weight (the table's window). */
  recent: number;
}

export const MAX_STACKS = 50000;

/** Synchronous work between yields to the event loop, ms. */
const SLICE_MS = 8;

/** Work done in slices of SLICE_MS between turns of the event loop; `stop()` says how long it worked (waits left out). */
class Slices {
  private t0 = performance.now();
  private spent = 0;
  /** Yield to the event loop once this slice has run SLICE_MS. */
  async pause(): Promise<void> {
    const now = performance.now();
    if (now - this.t0 < SLICE_MS) return;
    this.spent += now - this.t0;
    await new Promise((r) => setImmediate(r));
    this.t0 = performance.now();
  }
  /** Stop counting (before waiting on something else): the time worked so far. */
  stop(): number {
    this.spent += performance.now() - this.t0;
    this.t0 = performance.now();
    return this.spent;
  }
  /** Count from now on again (after such a wait). */
  start(): void {
    this.t0 = performance.now();
  }
}

export interface ProfilerOptions {
  kind: ProfileKind;
  symbolizer?: Symbolizer;
  /** Half-life of the table's decaying window, seconds. */
  halfLifeSec?: number;
  /** Entries of the kernel maps (as loaded): above 90 % of it both are cleared. */
  mapEntries?: number;
  clock?: () => number;
  /** Symbolise only in a final collect (trace mode). */
  defer?: boolean;
}

interface Pending {
  rec: CountRecord;
  user: number[];
  kernel: number[];
  /** Counted since it was first seen, not folded yet. */
  value: number;
  count: number;
}

export interface CollectInfo {
  /** Seconds since the previous collect. */
  dt: number;
  /** Samples (profile) or blocked intervals (offcpu) counted in the interval. */
  delta: number;
  /** New distinct stacks symbolised. */
  resolved: number;
  /** Synchronous milliseconds spent (the main thread's share of the profiler's cost). */
  busyMs: number;
}

export class Profiler {
  readonly kind: ProfileKind;
  readonly symbolizer: Symbolizer;
  private readonly halfLife: number;
  private readonly mapEntries: number;
  private readonly clock: () => number;
  /** id key (pid:kstack:ustack:comm) -> its folded stack. */
  private byIds = new Map<string, StackAgg>();
  /** Folded form -> the stack. */
  private readonly stacks = new Map<string, StackAgg>();
  /** Deferred stacks by id key (addresses fetched, not symbolised yet), and those whose ids were cleared meanwhile. */
  private pendingById = new Map<string, Pending>();
  private detached: Pending[] = [];
  private readonly defer: boolean;
  private depth = 127;
  /** Raw key (with tid) -> last cumulative value and count. */
  private prev = new Map<string, { value: number; count: number }>();
  private prevStats = emptyStats();
  /** Losses and samples since start (stats map deltas summed across clears). */
  readonly stats = emptyStats();
  /** The last interval's stats. */
  lastStats = emptyStats();
  private busy = false;
  private lastCollect = 0;
  totalValue = 0;
  totalCount = 0;
  /** Stacks whose user part was truncated: their outermost module -> value. */
  readonly truncatedBy = new Map<string, number>();
  truncatedValue = 0;
  /** Bumped whenever the aggregate changes (views cache on it). */
  version = 0;
  clears = 0;

  constructor(o: ProfilerOptions) {
    this.kind = o.kind;
    this.symbolizer = o.symbolizer ?? new Symbolizer();
    this.halfLife = o.halfLifeSec ?? 5;
    this.mapEntries = o.mapEntries ?? 16384;
    this.clock = o.clock ?? Date.now;
    this.defer = o.defer ?? false;
  }

  get running(): boolean {
    return this.busy;
  }

  /**
   * Read the maps, symbolise new stacks, fold the deltas. Resolves to
   * undefined when a collect was already running. Deferred (trace mode):
   * new stacks are fetched as addresses and their processes' maps read, but
   * symbolised only by a `final` collect (as perf record leaves it to perf
   * report), so the profiler costs little while it samples.
   */
  async collect(h: TracerHandle, opts: { final?: boolean } = {}): Promise<CollectInfo | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      return await this.collectNow(h, !!opts.final);
    } finally {
      this.busy = false;
    }
  }

  private async collectNow(h: TracerHandle, final: boolean): Promise<CollectInfo> {
    const work = new Slices();
    let waited = 0; // work done by fetch and symbolizePending, which count their own
    const now = this.clock();
    const dt = this.lastCollect ? Math.max(0, (now - this.lastCollect) / 1000) : 0;
    this.lastCollect = now;
    if (this.clearFirst) {
      // Restarted with other options (a PID filter changed in place): what the maps hold is the old scope's.
      this.clearFirst = false;
      this.clearKernel(h);
      this.prevStats = decodeStats(h.mapDump('stats'));
      return { dt, delta: 0, resolved: 0, busyMs: work.stop() };
    }
    // Deferred, between reports: only the maps of processes seen for the first time (while they live); the
    // stacks stay in the kernel until the end, unless a map fills up (then they are fetched before it is cleared).
    // With the kernel's queue of new pids (profile's `new_pids`) a tick reads O(new processes), never `counts`.
    // Drained on every collect so the queue never fills (a full pass captures new processes' maps from their new stacks).
    const queued = this.newPids(h);
    if (this.defer && !final && queued && !this.nearlyFull(h, this.countsEntries(h))) return this.lightTick(queued, dt, work);
    const dump = h.mapDump('counts');
    if (this.defer && !final && !this.hasNewPids && !this.nearlyFull(h, dump.count)) return this.lightTick(this.pidsOf(dump), dt, work);
    // Yield every few ms of work here too: a final collect decodes every record of a long run.
    const pause = () => work.pause();
    const st = decodeStats(h.mapDump('stats'));
    this.lastStats = diffStats(st, this.prevStats);
    addStats(this.stats, this.lastStats);
    this.prevStats = st;

    // Deltas per id key; new id keys to resolve. Every record is compared by
    // its raw key bytes; only those that grew are decoded (the map is
    // cumulative: most records of a long run do not change in a second).
    const deltas = new Map<string, { value: number; count: number; rec: CountRecord }>();
    const dv = new DataView(dump.data);
    const bytes = Buffer.from(dump.data);
    const recSize = dump.keySize + dump.valueSize;
    const off = this.kind === 'offcpu';
    const f = PROFILE_KEY.fields;
    const seen = dump.keySize >= PROFILE_KEY.size && dump.valueSize >= (off ? OFFCPU_VAL.size : 8) ? dump.count : 0;
    for (let i = 0; i < seen; i++) {
      if ((i & 255) === 255) await pause();
      const k = i * recSize;
      const v = k + dump.keySize;
      const value = u64(dv, v);
      const count = off ? u64(dv, v + OFFCPU_VAL.fields.count) : value;
      const raw = bytes.toString('latin1', k, k + PROFILE_KEY.size);
      const p = this.prev.get(raw);
      if (p && p.value === value && p.count === count) continue;
      const dval = p && value >= p.value ? value - p.value : value;
      const dc = p && count >= p.count ? count - p.count : count;
      if (p) {
        p.value = value;
        p.count = count;
      } else this.prev.set(raw, { value, count });
      if (dval <= 0 && dc <= 0) continue;
      const r: CountRecord = {
        pid: dv.getUint32(k + f.pid, true), tid: dv.getUint32(k + f.tid, true),
        kstack: dv.getInt32(k + f.kstack, true), ustack: dv.getInt32(k + f.ustack, true),
        comm: cString(dv, k + f.comm, 16), value, count,
      };
      const id = `${r.pid}:${r.kstack}:${r.ustack}:${r.comm}`;
      const d = deltas.get(id);
      if (d) {
        d.value += dval;
        d.count += dc;
      } else deltas.set(id, { value: dval, count: dc, rec: r });
    }
    const records = { length: seen };
    const fresh = [...deltas].filter(([id]) => !this.byIds.has(id) && !this.pendingById.has(id)).map(([id, d]) => ({ id, rec: d.rec }));
    work.stop();
    let resolved = 0;
    if (fresh.length) {
      const r = await this.fetch(h, fresh);
      waited += r.busy;
      // Deferred: the stacks are kept as addresses and the processes' maps read now, while they live; symbols at the end.
      for (const f of r.items) this.pendingById.set(f.id, { ...f, value: 0, count: 0 });
    }
    work.start();
    // Decay the window, then add what grew.
    const decay = dt > 0 ? Math.pow(0.5, dt / this.halfLife) : 1;
    if (decay < 1) for (const s of this.stacks.values()) s.recent *= decay;
    let delta = 0;
    let n = 0;
    for (const [id, d] of deltas) {
      if ((++n & 255) === 0) await pause();
      delta += d.count;
      const s = this.byIds.get(id);
      if (s) this.fold(s, d.value, d.count);
      else {
        const p = this.pendingById.get(id);
        if (p) {
          p.value += d.value;
          p.count += d.count;
        }
      }
    }
    work.stop();
    if (!this.defer || final) {
      const r = await this.symbolizePending();
      waited += r.busy;
      resolved = r.count;
    }
    work.start();
    this.bound();
    // Processes gone whose samples are all folded: their maps are no longer needed.
    if (!this.pendingById.size && !this.detached.length) for (const pid of this.symbolizer.exited()) this.symbolizer.forget(pid);
    // A full map loses samples from now on: clear both and start the ids over.
    const s = this.lastStats;
    if (records.length > this.mapEntries * 0.9 || s.countsFull > 0 || s.stacksFull > 0) this.clearKernel(h);
    this.version++;
    return { dt, delta, resolved, busyMs: work.stop() + waited };
  }

  /** Pids whose maps were read (or tried) by lightTick. */
  private readonly seenPids = new Set<number>();

  /** The tracer has `new_pids` and `inserts` (profile; offcpu reads `counts` to find new pids). Unknown until tried. */
  private hasNewPids: boolean | undefined;
  /** `inserts` when `counts` was last cleared. */
  private insertsAtClear = 0;

  /** The pids the kernel queued since the last tick (drained), or undefined when the tracer has no such queue. */
  private newPids(h: TracerHandle): number[] | undefined {
    if (this.hasNewPids === false) return undefined;
    let d: MapDump;
    try {
      d = h.mapDump('new_pids', true);
    } catch {
      this.hasNewPids = false;
      return undefined;
    }
    this.hasNewPids = true;
    const dv = new DataView(d.data);
    const rec = d.keySize + d.valueSize;
    const out: number[] = [];
    for (let i = 0; i < d.count && d.keySize >= 4; i++) {
      const pid = dv.getUint32(i * rec, true);
      if (pid && !this.seenPids.has(pid)) {
        this.seenPids.add(pid);
        out.push(pid);
      }
    }
    return out;
  }

  /** Entries ever inserted into `counts` by the kernel (the `inserts` counter), or 0 without it. */
  private inserted(h: TracerHandle): number {
    try {
      const d = h.mapDump('inserts');
      return d.count >= 1 && d.valueSize >= 8 ? u64(new DataView(d.data), d.keySize) : 0;
    } catch {
      return 0;
    }
  }

  /** Entries in `counts` now, from the kernel's insert counter (no read of the map). */
  private countsEntries(h: TracerHandle): number {
    return Math.max(0, this.inserted(h) - this.insertsAtClear);
  }

  /** `counts` nearly full (`entries` of its mapEntries), or a map filled up since the last read: time for a full pass and a clear. */
  private nearlyFull(h: TracerHandle, entries: number): boolean {
    if (entries > this.mapEntries * 0.9) return true;
    const st = decodeStats(h.mapDump('stats'));
    return st.countsFull > this.prevStats.countsFull || st.stacksFull > this.prevStats.stacksFull;
  }

  /** The pids of a `counts` dump not seen yet that have a user stack (tracers without `new_pids`). */
  private pidsOf(dump: MapDump): number[] {
    const dv = new DataView(dump.data);
    const rec = dump.keySize + dump.valueSize;
    const f = PROFILE_KEY.fields;
    const fresh: number[] = [];
    for (let i = 0; i < dump.count; i++) {
      const pid = dv.getUint32(i * rec + f.pid, true);
      if (!pid || this.seenPids.has(pid) || dv.getInt32(i * rec + f.ustack, true) < 0) continue;
      this.seenPids.add(pid);
      fresh.push(pid);
    }
    return fresh;
  }

  /** The cheap tick of deferred mode: read the maps of processes seen for the first time. */
  private async lightTick(fresh: number[], dt: number, work: Slices): Promise<CollectInfo> {
    for (const pid of fresh) {
      if (!this.symbolizer.has(pid)) this.symbolizer.capture(pid);
      await work.pause();
    }
    return { dt, delta: 0, resolved: 0, busyMs: work.stop() };
  }

  private fold(s: StackAgg, value: number, count: number): void {
    s.total += value;
    s.count += count;
    s.recent += value;
    this.totalValue += value;
    this.totalCount += count;
    if (s.truncated) {
      this.truncatedValue += value;
      const mod = s.frames[s.frames.findIndex((f) => f.name === MARK.truncated) + 1]?.module || '?';
      this.truncatedBy.set(mod, (this.truncatedBy.get(mod) ?? 0) + value);
    }
  }

  /** Clear the kernel's counts and stacks (both: an id is only valid with its stack map) and the id-keyed caches. */
  private clearKernel(h: TracerHandle): void {
    if (h.mapClear) {
      h.mapClear('counts');
      h.mapClear('stacks');
    } else {
      h.mapDump('counts', true);
      h.mapDump('stacks', true);
    }
    if (this.hasNewPids) this.insertsAtClear = this.inserted(h);
    this.prev.clear();
    this.byIds.clear();
    // Deferred stacks keep their addresses: no longer tied to an id, they wait for the end.
    for (const p of this.pendingById.values()) this.detached.push(p);
    this.pendingById.clear();
    this.clears++;
  }

  /** The instruction pointers of new id keys' stacks (stackTraces), and the maps of their processes read now. */
  private async fetch(h: TracerHandle, fresh: Array<{ id: string; rec: CountRecord }>): Promise<{ items: Array<{ id: string; rec: CountRecord; user: number[]; kernel: number[] }>; busy: number }> {
    const work = new Slices();
    const pause = () => work.pause();
    const depth = this.depth = h.stackDepth?.() ?? 127;
    const ids = new Set<number>();
    for (const { rec } of fresh) {
      if (rec.kstack >= 0) ids.add(rec.kstack);
      if (rec.ustack >= 0) ids.add(rec.ustack);
    }
    const idList = [...ids];
    const ips = new Map<number, { user: number[]; kernel: number[] }>();
    const CHUNK = 256;
    for (let i = 0; i < idList.length && h.stackTraces; i += CHUNK) {
      await pause();
      const part = idList.slice(i, i + CHUNK);
      const dv = new DataView(h.stackTraces('stacks', part));
      part.forEach((id, j) => {
        const user: number[] = [];
        const kernel: number[] = [];
        for (let k = 0; k < depth; k++) {
          const off = (j * depth + k) * 8;
          if (off + 8 > dv.byteLength) break;
          const lo = dv.getUint32(off, true);
          const hi = dv.getUint32(off + 4, true);
          if (!lo && !hi) break;
          if (hi >= 0xffff0000) kernel.push(kernelOffset(hi, lo));
          else user.push(hi * 4294967296 + lo);
        }
        ips.set(id, { user, kernel });
      });
    }
    const items = fresh.map(({ id, rec }) => ({
      id, rec,
      user: rec.ustack >= 0 ? ips.get(rec.ustack)?.user ?? [] : [],
      kernel: rec.kstack >= 0 ? ips.get(rec.kstack)?.kernel ?? [] : [],
    }));
    // The maps of processes seen for the first time, now, while they live.
    for (const { rec } of fresh) {
      if (rec.ustack >= 0 && rec.pid && !this.symbolizer.has(rec.pid)) {
        this.symbolizer.capture(rec.pid, rec.comm);
        await pause();
      }
    }
    return { items, busy: work.stop() };
  }

  /** Symbolise every pending stack, fold what was counted on it meanwhile, and key it by its id from now on. */
  private async symbolizePending(): Promise<{ busy: number; count: number }> {
    const items = [...this.pendingById.entries()].map(([id, p]) => ({ id, p }));
    for (const p of this.detached) items.push({ id: '', p });
    this.pendingById.clear();
    this.detached = [];
    if (!items.length) return { busy: 0, count: 0 };
    const work = new Slices();
    const pause = () => work.pause();
    const depth = this.depth;
    // User stacks: one request per (pid, ustack).
    const reqs: UserStackRequest[] = [];
    const reqIndex = new Map<string, number>();
    let n = 0;
    for (const { p } of items) {
      if ((++n & 255) === 0) await pause();
      if (p.rec.ustack < 0) continue;
      const k = `${p.rec.pid}:${p.rec.ustack}:${p.user.length}:${p.user[0] ?? 0}`;
      if (reqIndex.has(k)) continue;
      reqIndex.set(k, reqs.length);
      reqs.push({ pid: p.rec.pid, comm: p.rec.comm, ips: p.user });
    }
    work.stop();
    await this.symbolizer.loadKernelAsync();
    const userFrames = reqs.length ? await this.symbolizer.userStacks(reqs) : [];
    work.start();
    for (const { id, p } of items) {
      await pause();
      const rec = p.rec;
      const user = rec.ustack >= 0 ? userFrames[reqIndex.get(`${rec.pid}:${rec.ustack}:${p.user.length}:${p.user[0] ?? 0}`)!] ?? [] : [];
      const kernel = dropTraceGlue(this.symbolizer.kernelFrames(p.kernel));
      const frames: Frame[] = [];
      const truncated = isTruncated(user, depth);
      if (rec.ustack === -17 || rec.kstack === -17) frames.push(MARKERS.collision);
      else if (rec.ustack === -12 || rec.kstack === -12) frames.push(MARKERS.full);
      if (truncated) frames.push(MARKERS.truncated);
      for (let i = user.length - 1; i >= 0; i--) frames.push(user[i]);
      const kernelStart = frames.length;
      for (let i = kernel.length - 1; i >= 0; i--) frames.push(kernel[i]);
      if (!frames.length) frames.push(MARKERS.noStack);
      const comm = sanitize(rec.comm) || '?';
      const folded = [comm.replace(/;/g, ':'), ...frames.map(foldedFrame)].join(';');
      let s = this.stacks.get(folded);
      if (!s) {
        s = { folded, pid: rec.pid, comm, frames, kernelStart, truncated, total: 0, count: 0, recent: 0 };
        this.stacks.set(folded, s);
      }
      if (id) this.byIds.set(id, s);
      this.fold(s, p.value, p.count);
    }
    return { busy: work.stop(), count: items.length };
  }

  /** Above MAX_STACKS, the lightest stacks are merged into one "[other]" stack. */
  private bound(): void {
    if (this.stacks.size <= MAX_STACKS) return;
    const sorted = [...this.stacks.values()].sort((a, b) => a.total - b.total);
    const drop = sorted.slice(0, this.stacks.size - Math.floor(MAX_STACKS * 0.9));
    const otherKey = '[other]';
    let other = this.stacks.get(otherKey);
    if (!other) {
      other = { folded: otherKey, pid: 0, comm: '[other]', frames: [marker('[other stacks]')], kernelStart: 1, truncated: false, total: 0, count: 0, recent: 0 };
    }
    const dropped = new Set<StackAgg>();
    for (const s of drop) {
      if (s === other) continue;
      other.total += s.total;
      other.count += s.count;
      other.recent += s.recent;
      this.stacks.delete(s.folded);
      dropped.add(s);
    }
    this.stacks.set(otherKey, other);
    for (const [id, s] of this.byIds) if (dropped.has(s)) this.byIds.set(id, other);
  }

  /** Every distinct stack, heaviest first. */
  all(): StackAgg[] {
    return [...this.stacks.values()].sort((a, b) => b.total - a.total || (a.folded < b.folded ? -1 : 1));
  }

  get size(): number {
    return this.stacks.size;
  }

  /** Forget what was counted (the kernel maps keep counting; the next collect starts a new baseline). */
  reset(): void {
    this.stacks.clear();
    this.byIds.clear();
    this.pendingById.clear();
    this.detached = [];
    this.seenPids.clear();
    this.truncatedBy.clear();
    this.truncatedValue = 0;
    this.totalValue = 0;
    this.totalCount = 0;
    for (const k of Object.keys(this.stats) as (keyof ProfileStats)[]) this.stats[k] = 0;
    this.lastStats = emptyStats();
    this.version++;
  }

  /**
   * Start over after the tracer was (re)started or its PID filter changed in
   * place: the next collect empties `counts` and `stacks` (which may hold the
   * old scope's counts) and counts from there.
   */
  restarted(): void {
    this.reset();
    this.prev.clear();
    this.prevStats = emptyStats();
    this.lastCollect = 0;
    this.clearFirst = true;
  }
  private clearFirst = false;
}
