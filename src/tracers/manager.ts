// TracerManager: starts/stops tracers through the native addon and turns the
// addon's batches (one ArrayBuffer per ring wake-up) into decoded event
// arrays per tracer. Invariants: one running instance per tracer name; a
// stopped tracer has no program attached (native stop destroys links and
// the object); every started tracer is stopped on process 'exit'; events are
// delivered as arrays, never one callback per event.
import { loadNative, tracingUnsupportedReason, type NativeAddon, type NativeResult } from '../native.js';
import { findTracer } from './registry.js';
import { monotonicToWall, type DecodeContext, type TraceOptions, type TracerDescriptor, type TracerHandle } from './types.js';

export class TracerError extends Error {
  constructor(readonly tracer: string, message: string, readonly reason: 'unknown' | 'unavailable' | 'privilege' | 'failed' = 'failed') {
    super(message);
    this.name = 'TracerError';
  }
}

/**
 * A TracerError's message without the tracer's name in front ("opens: ...",
 * "tracer opens: ..." from the addon), for callers that name the tracer
 * themselves (a pane prefixes its title).
 */
export function withoutTracerName(tracer: string, message: string): string {
  const esc = tracer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(`^(?:tracer )?'?${esc}'?: `), '');
}

export interface TracerDrops {
  /** Events lost in the kernel because the ring was full. */
  ring: number;
  /** Events not counted because an in-kernel aggregation map was full. */
  map: number;
  /** Records drained while nobody listened (process-wide). */
  native: number;
}

export interface TracerStartInfo {
  name: string;
  attached: string[];
  disabled: { name: string; reason: string }[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDescriptor = TracerDescriptor<any>;
type Listener = (events: unknown[]) => void;

interface Running {
  name: string;
  desc: AnyDescriptor;
  id: number;
  opts: TraceOptions;
  events: number;
  /** Users sharing this instance (the failures recorder and the exit pane, say); stopped when it drops to 0. */
  users: number;
  info: TracerStartInfo;
}

/** Options equal once unset, false, 0 and empty values are dropped (at any depth). */
function sameOptions(a: TraceOptions, b: TraceOptions): boolean {
  const norm = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v === undefined || v === false || v === 0 || v === '' ? undefined : v;
    const entries = Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => [k, norm(x)] as const)
      .filter(([, x]) => x !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : 1));
    return entries.length ? entries : undefined;
  };
  return JSON.stringify(norm(a) ?? null) === JSON.stringify(norm(b) ?? null);
}

/** Routes native instance ids to the manager that owns them (the addon has one callback). */
const routesByAddon = new Map<NativeAddon, Map<number, (view: DataView) => void>>();
const pendingFlush = new Set<() => void>();

function onBatch(routes: Map<number, (view: DataView) => void>, buf: ArrayBuffer): void {
  const dv = new DataView(buf);
  let off = 0;
  while (off + 8 <= buf.byteLength) {
    const id = dv.getUint16(off, true);
    const len = dv.getUint32(off + 4, true);
    routes.get(id)?.(new DataView(buf, off + 8, len));
    off += 8 + ((len + 7) & ~7);
  }
  for (const f of pendingFlush) f();
  pendingFlush.clear();
}

export class TracerManager {
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly batches = new Map<string, unknown[]>();
  private readonly ctx: DecodeContext = monotonicToWall();
  private exitHooked = false;

  private readonly lookup: (name: string) => AnyDescriptor | undefined;
  private readonly loader: () => NativeResult;
  private readonly checkPrivilege: boolean;

  /** Options exist for tests (a fake addon, a private registry); the default is the real thing. */
  constructor(opts: { lookup?: (name: string) => AnyDescriptor | undefined; loader?: () => NativeResult; checkPrivilege?: boolean } = {}) {
    this.lookup = opts.lookup ?? findTracer;
    this.loader = opts.loader ?? loadNative;
    this.checkPrivilege = opts.checkPrivilege ?? true;
  }

  private addon(name: string): NativeAddon {
    const r = this.loader();
    if (!r.ok) throw new TracerError(name, `${r.error.message}; ${r.error.hint}`, 'unavailable');
    return r.addon;
  }

  /** Start (open, set rodata, probe, load, attach). Throws TracerError with a message a person can act on. */
  start(name: string, opts: TraceOptions = {}): TracerStartInfo {
    const desc = this.lookup(name);
    if (!desc) throw new TracerError(name, `unknown tracer '${name}'`, 'unknown');
    const already = this.running.get(name);
    if (already) {
      // Same options: share the attached programs instead of loading a second copy.
      if (!sameOptions(already.opts, opts)) throw new TracerError(name, `tracer '${name}' is already running with other options`);
      already.users++;
      return already.info;
    }
    const why = this.checkPrivilege ? tracingUnsupportedReason() : null;
    if (why) throw new TracerError(name, `${name}: ${why}`, 'privilege');
    const addon = this.addon(name);
    const nativeName = desc.native ?? desc.name;
    if (!addon.tracers().includes(nativeName)) {
      throw new TracerError(name, `tracer '${name}' is not compiled into the native addon (native/addon/tracers.def)`, 'unavailable');
    }
    let routes = routesByAddon.get(addon);
    if (!routes) {
      const r = (routes = new Map());
      routesByAddon.set(addon, r);
      addon.setCallback((buf) => onBatch(r, buf));
    }
    const nopts = { ...(desc.nativeOptions?.(opts, (sec) => addon.probe(sec)) ?? {}) };
    if (opts.pid) nopts.pid = opts.pid;
    let res;
    try {
      res = addon.start(nativeName, nopts);
    } catch (e) {
      const msg = (e as Error).message;
      throw new TracerError(name, msg, /EPERM|EACCES|Operation not permitted|Permission denied/.test(msg) ? 'privilege' : 'failed');
    }
    const info = { name, attached: res.attached, disabled: res.disabled };
    const run: Running = { name, desc, id: res.id, opts, events: 0, users: 1, info };
    this.running.set(name, run);
    const flush = () => this.flush(name);
    routes.set(res.id, (view) => {
      const e = desc.decode(view, this.ctx);
      if (e === null || (desc.accept && !desc.accept(e, opts))) return;
      let b = this.batches.get(name);
      if (!b) this.batches.set(name, (b = []));
      b.push(e);
      pendingFlush.add(flush);
    });
    if (!this.exitHooked) {
      this.exitHooked = true;
      process.once('exit', () => this.stopAll());
    }
    return info;
  }

  /** How many users share the running instance (0 when stopped). */
  users(name: string): number {
    return this.running.get(name)?.users ?? 0;
  }

  private flush(name: string): void {
    const b = this.batches.get(name);
    if (!b || !b.length) return;
    this.batches.delete(name);
    const run = this.running.get(name);
    if (run) run.events += b.length;
    for (const l of this.listeners.get(name) ?? []) l(b);
  }

  /** Detach and unload; remaining events are delivered first. No-op when not running. */
  stop(name: string): void {
    const run = this.running.get(name);
    if (!run) return;
    if (--run.users > 0) return;
    const addon = this.addon(name);
    try {
      addon.stop(run.id);
    } finally {
      this.flush(name);
      routesByAddon.get(addon)?.delete(run.id);
      this.running.delete(name);
    }
  }

  stopAll(): void {
    for (const [name, run] of [...this.running]) {
      run.users = 1;
      this.stop(name);
    }
  }

  /** Change the PID filter (tgid, 0/undefined = all) without reloading. */
  setPid(name: string, pid: number | undefined): void {
    const run = this.mustRun(name);
    // The kernel filter is shared: a shared instance keeps seeing every PID and users filter in JS.
    if (run.users > 1) throw new TracerError(name, `tracer '${name}' is shared; filter its events by PID in JS`, 'failed');
    this.addon(name).setFilter(run.id, pid ?? 0);
    run.opts = { ...run.opts, pid };
  }

  drops(name: string): TracerDrops {
    const run = this.mustRun(name);
    const addon = this.addon(name);
    return { ...addon.drops(run.id), native: addon.nativeDrops() };
  }

  /** Subscribe to decoded event arrays (one call per batch); returns the unsubscribe function. Works before start. */
  onEvents<E = unknown>(name: string, cb: (events: E[]) => void): () => void {
    let s = this.listeners.get(name);
    if (!s) this.listeners.set(name, (s = new Set()));
    s.add(cb as Listener);
    return () => s!.delete(cb as Listener);
  }

  active(): string[] {
    return [...this.running.keys()];
  }

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** Events delivered so far to listeners of this tracer. */
  eventCount(name: string): number {
    return this.running.get(name)?.events ?? 0;
  }

  /** Kernel-side state access for aggregators. */
  handle(name: string): TracerHandle {
    const run = this.mustRun(name);
    const addon = this.addon(name);
    return {
      mapDump: (map, clear) => addon.mapDump(run.id, map, clear),
      stackTraces: (map, ids) => addon.stackTraces(run.id, map, ids),
      stackDepth: () => addon.stackDepth(),
      mapClear: (map) => addon.mapClear(run.id, map),
    };
  }

  /** Kernel program ids attached for this tracer (empty when stopped). */
  programs(name: string): { name: string; id?: number }[] {
    const run = this.running.get(name);
    return run ? this.addon(name).programs(run.id) : [];
  }

  /** Drain the rings now (final flush before reading totals). */
  poll(): void {
    if (this.running.size) this.addon([...this.running.keys()][0]).poll();
  }

  private mustRun(name: string): Running {
    const run = this.running.get(name);
    if (!run) throw new TracerError(name, `tracer '${name}' is not running`);
    return run;
  }
}

let shared: TracerManager | undefined;
/** The process-wide manager the panes and `ostop trace` share. */
export function tracerManager(): TracerManager {
  return (shared ??= new TracerManager());
}
