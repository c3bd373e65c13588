// TracePanes: the trace panes' lifecycle, without any drawing (the screen
// side, screens/trace-panes.ts, lays them out, focuses and paints them).
// One pane per registry line (src/tracers/registry.ts).
// Invariants:
//  - a pane that is off has no program attached: toggling off stops the
//    tracer (the manager destroys links and object) and unsubscribes;
//  - a tracer that cannot start (no privilege, no BTF, addon not built,
//    tracer not registered yet) never throws out of here: the pane stays
//    open and says what is missing and how to get it (explainStartError);
//  - per event the JS work is the manager's decoder plus the pane's ring
//    push / aggregate fold; a redraw is asked for at most ~10 times a second
//    on batches; kernel maps are read at most once a second (periodic());
//  - a storm (more than STORM_EVENTS_PER_SEC) makes the pane fall back to
//    in-kernel counting where it has such a mode, checked on batches too
//    (a storm starves the timers);
//  - memory is bounded: rings of RING_CAP events, capped maps.
import type { PerPidRates } from '../model/process-model.js';
import { sanitize } from '../util/text.js';
import { TracerError, tracerManager, withoutTracerName, type TracerManager } from './manager.js';
import { STORM_EVENTS_PER_SEC, type PaneUi, type TracePane } from './pane.js';
import { addWindowRates } from './rates.js';
import { REGISTRY, createPanes, type TracerEntry } from './registry.js';
import type { TraceOptions } from './types.js';

/** The part of TracerManager the panes use (tests pass a fake). */
export type PaneTracers = Pick<TracerManager, 'start' | 'stop' | 'setPid' | 'drops' | 'onEvents' | 'handle' | 'isRunning'> & Partial<Pick<TracerManager, 'users'>>;

/** What the panes ask of the shell. */
export interface PaneHooks {
  prompt(label: string, initial: string, done: (value: string | null) => void): void;
  status(msg: string, level?: 'info' | 'warn' | 'error'): void;
  /** Something changed: draw again (soon). */
  requestRender(): void;
}

export interface PaneError {
  message: string;
  howto: string[];
}

export interface PaneSlot {
  readonly pane: TracePane;
  on: boolean;
  running: boolean;
  /** Why the tracer could not start (the pane says it instead of its content). */
  error?: PaneError;
  /** Events lost (ring full, map full, drained while nobody listened), from the last periodic(). */
  drops: number;
  /** pane.events at the last periodic(), for the storm check. */
  lastEvents?: number;
  /** Storm check between periodic() runs (which a storm delays): events since winStart. */
  winStart?: number;
  winEvents?: number;
  /** Options (without pid) the tracer runs with, to tell setPid from restart. */
  optsKey?: string;
  pid?: number;
  /** PID filtered in JS because the tracer instance is shared (see TracerManager.users). */
  jsPid?: number;
  unsub?: () => void;
}

const MIN_REDRAW_MS = 100;
const COLLECT_MS = 1000;

/** What is missing and how to get it, from a failed start. */
export function explainStartError(name: string, key: number, e: unknown): PaneError {
  // Shown after the pane's title: without the tracer's name the message may start with.
  const message = sanitize(withoutTracerName(name, e instanceof Error ? e.message : String(e)));
  const reason = e instanceof TracerError ? e.reason : 'failed';
  const howto: string[] = [];
  if (reason === 'privilege') {
    if (/BTF/.test(message)) {
      howto.push('needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (/sys/kernel/btf/vmlinux); most distribution kernels have it');
    } else {
      howto.push('run ostop as root:  sudo ostop');
      // Not `setcap ... node`: file capabilities on the node binary would let
      // every node program of every user load BPF and read kernel memory.
      howto.push('without root: CAP_BPF+CAP_PERFMON on a dedicated wrapper that runs only ostop, never setcap on');
      howto.push('the node binary (that would give BPF to every node program of every user on this machine)');
      howto.push('(kernels before 5.8 have no CAP_BPF: root or CAP_SYS_ADMIN)');
    }
  } else if (reason === 'unknown') {
    howto.push(`the '${name}' tracer is not registered in this build yet (src/tracers/registry.ts);`);
    howto.push('it needs its registry line and its native/addon/tracers.def line, then: npm run build');
  } else if (reason === 'unavailable') {
    if (/not compiled into the native addon/.test(message)) howto.push(`add it to native/addon/tracers.def and rebuild: make -C native && npx node-gyp -C native rebuild`);
    else howto.push('build the native addon: npm run setup (needs clang, libbpf-dev, bpftool)');
  } else {
    howto.push(`\`ostop trace ${name}\` shows the same error on the command line (OSTOP_DEBUG=1 for details)`);
  }
  howto.push(`Counter views are unaffected. Press ${key} again to close this pane.`);
  return { message, howto };
}

function optionsKey(o: TraceOptions): string {
  const { pid: _pid, ...rest } = o;
  return JSON.stringify(rest);
}

export class TracePanes {
  readonly slots: readonly PaneSlot[];
  private scopePid: number | undefined;
  private redrawTimer: NodeJS.Timeout | undefined;
  private lastDraw = 0;
  private lastCollect = 0;
  private rates = new Map<number, PerPidRates>();
  private mgr: PaneTracers | undefined;
  private disposed = false;

  constructor(private readonly hooks: PaneHooks, manager?: PaneTracers, private readonly clock: () => number = Date.now, registry: readonly TracerEntry[] = REGISTRY) {
    this.mgr = manager;
    const host = this;
    // One PaneUi for every pane; reconfigure() applies to every open pane.
    const ui: PaneUi = {
      prompt: (label, initial, done) => hooks.prompt(label, initial, (v) => { done(v); hooks.requestRender(); }),
      status: (m, level) => hooks.status(m, level),
      reconfigure: () => host.reconfigureAll(),
    };
    this.slots = createPanes(ui, registry).map((pane) => ({ pane, on: false, running: false, drops: 0 }));
  }

  private get manager(): PaneTracers {
    return (this.mgr ??= tracerManager());
  }

  slot(key: number): PaneSlot | undefined {
    return this.slots.find((s) => s.pane.key === key);
  }

  onSlots(): PaneSlot[] {
    return this.slots.filter((s) => s.on);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---- lifecycle ------------------------------------------------------------

  /** Open or close the pane of `key`; false when there is no such pane. */
  toggle(key: number): boolean {
    const s = this.slot(key);
    if (!s || this.disposed) return false;
    if (s.on) {
      this.stopSlot(s);
      s.on = false;
      s.error = undefined;
      s.pane.clear();
    } else {
      s.on = true;
      this.startSlot(s);
    }
    return true;
  }

  private startSlot(s: PaneSlot): void {
    const p = s.pane;
    p.scopePid = this.scopePid;
    const opts = p.traceOptions();
    s.error = undefined;
    s.drops = 0;
    s.lastEvents = undefined;
    s.winStart = undefined;
    p.events = 0;
    s.unsub ??= this.manager.onEvents(p.tracer, (batch: unknown[]) => this.onBatch(s, batch));
    try {
      s.jsPid = undefined;
      try {
        this.manager.start(p.tracer, opts);
      } catch (e) {
        // Already running unfiltered for another user: share it and filter by PID here.
        if (!opts.pid || !this.manager.isRunning(p.tracer)) throw e;
        this.manager.start(p.tracer, { ...opts, pid: undefined });
        s.jsPid = opts.pid;
      }
      s.running = true;
      s.optsKey = optionsKey(opts);
      s.pid = opts.pid;
      p.started();
    } catch (e) {
      s.running = false;
      s.unsub?.();
      s.unsub = undefined;
      s.error = explainStartError(p.tracer, p.key, e);
    }
  }

  private stopSlot(s: PaneSlot): void {
    s.unsub?.();
    s.unsub = undefined;
    if (!s.running) return;
    s.running = false;
    try {
      this.manager.stop(s.pane.tracer);
    } catch (e) {
      this.hooks.status(`stopping ${s.pane.tracer}: ${(e as Error).message}`, 'error');
    }
  }

  /** Apply a pane's (or the scope's) option change: PID map update when only the PID changed, else restart. */
  private reconfigure(s: PaneSlot): void {
    if (!s.on) return;
    s.pane.scopePid = this.scopePid;
    if (!s.running) {
      this.startSlot(s);
      return;
    }
    const opts = s.pane.traceOptions();
    const key = optionsKey(opts);
    if (key !== s.optsKey) {
      this.stopSlot(s);
      this.startSlot(s);
      return;
    }
    if (opts.pid !== s.pid) {
      try {
        if ((this.manager.users?.(s.pane.tracer) ?? 1) > 1) {
          s.jsPid = opts.pid;
          s.pid = opts.pid;
          s.pane.started();
          return;
        }
        this.manager.setPid(s.pane.tracer, opts.pid);
        s.pid = opts.pid;
        s.pane.started();
      } catch {
        this.stopSlot(s);
        this.startSlot(s);
      }
    }
  }

  private reconfigureAll(): void {
    for (const s of this.onSlots()) this.reconfigure(s);
    this.hooks.requestRender();
  }

  /** The drilled-in process (undefined: system-wide): every pane follows it unless it has its own PID. */
  setScopePid(pid: number | undefined): void {
    if (pid === this.scopePid) return;
    this.scopePid = pid;
    for (const s of this.slots) s.pane.scopePid = pid;
    for (const s of this.onSlots()) this.reconfigure(s);
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
    for (const s of this.slots) {
      this.stopSlot(s);
      s.on = false;
    }
    this.disposed = true;
  }

  // ---- events -----------------------------------------------------------------

  private onBatch(s: PaneSlot, batch: unknown[]): void {
    if (!s.running) return;
    // A tracer shared with another user (the failures recorder) keeps its kernel filter off: filter here.
    if (s.jsPid) batch = batch.filter((e) => (e as { pid?: number }).pid === s.jsPid);
    s.pane.events += batch.length;
    try {
      s.pane.add(batch as never[]);
    } catch (e) {
      this.hooks.status(`${s.pane.title} pane: ${(e as Error).message}`, 'error');
    }
    // A storm starves the timers that run periodic(): check the rate here too.
    const now = this.clock();
    if (s.winStart === undefined || now - s.winStart >= 1000) {
      s.winStart = now;
      s.winEvents = 0;
    }
    s.winEvents = (s.winEvents ?? 0) + batch.length;
    if (s.winEvents > STORM_EVENTS_PER_SEC && s.pane.stormFallback) {
      const rate = s.winEvents / Math.max(0.05, (now - s.winStart) / 1000);
      s.winStart = undefined;
      if (s.pane.stormFallback(rate)) {
        this.reconfigure(s);
        this.hooks.requestRender();
        return;
      }
    }
    this.scheduleRedraw();
  }

  private scheduleRedraw(): void {
    if (this.redrawTimer || this.disposed) return;
    const wait = Math.max(0, MIN_REDRAW_MS - (this.clock() - this.lastDraw));
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      this.hooks.requestRender();
    }, wait);
  }

  /** The screen drew the panes now (redraws on batches are throttled from there). */
  drawn(): void {
    this.lastDraw = this.clock();
  }

  /** Kernel maps, drops and per-PID rate windows, at most once a second (the screen calls it before drawing). */
  periodic(now = this.clock(), force = false): void {
    if (this.disposed || (!force && now - this.lastCollect < COLLECT_MS)) return;
    const dt = this.lastCollect ? (now - this.lastCollect) / 1000 : 0;
    this.lastCollect = now;
    const rates = new Map<number, PerPidRates>();
    for (const s of this.slots) {
      if (!s.running) continue;
      const p = s.pane;
      try {
        if (p.collect) p.collect(this.manager.handle(p.tracer));
      } catch (e) {
        this.hooks.status(`${p.title}: ${withoutTracerName(p.tracer, (e as Error).message)}`, 'error');
      }
      try {
        const d = this.manager.drops(p.tracer);
        s.drops = d.ring + d.map + d.native;
      } catch {
        /* keep the last count */
      }
      const rate = dt > 0 && s.lastEvents !== undefined ? (p.events - s.lastEvents) / dt : 0;
      s.lastEvents = p.events;
      if (rate > STORM_EVENTS_PER_SEC && p.stormFallback?.(rate)) {
        this.reconfigure(s);
        s.lastEvents = p.events;
      }
      const w = p.window.take();
      if (p.metric) addWindowRates(rates, p.metric, w, dt);
    }
    if (dt > 0 || !this.onSlots().some((s) => s.running)) this.rates = rates;
  }

  /** The last rate window's per-PID rates: the process Source's input for the eBPF-fed columns. */
  perPid(): Map<number, PerPidRates> {
    return this.rates;
  }

  active(): Array<{ key: number; name: string; drops: number; error?: string }> {
    return this.onSlots().map((s) => ({ key: s.pane.key, name: s.pane.title, drops: s.drops, ...(s.error ? { error: s.error.message } : {}) }));
  }

  /** F1 lines: each pane's toggle key and title, then the keys of focused panes (once each). */
  help(): Array<[string, string]> {
    const out: Array<[string, string]> = this.slots.map((s) => [String(s.pane.key), `trace pane: ${s.pane.title} (toggle)`]);
    out.push(['` 0', 'focus the next open trace pane'], ['Esc', 'leave the focused pane']);
    const seen = new Set<string>();
    for (const s of this.slots) {
      for (const [k, d] of s.pane.keys()) {
        const key = `${k}:${d}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([`${k} (pane ${s.pane.key})`, d]);
      }
    }
    return out;
  }
}
