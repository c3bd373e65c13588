// The live UI's head start: when a recorder's store (ostop record, in the
// default directory) exists, is ours and was written in the last minutes,
// the graphs' histories (vmstat, netstat, iostat) start with its recent
// ticks and the failures timeline with its recent failures, so they are full
// from the first frame instead of filling up over minutes.
//
// Cost: nothing at start-up. The store is opened (today's shard only) when
// a view with histories is first shown, or when the failure recorder opens;
// the decoded ticks are kept without their process tables (a few KB each)
// and reused by every later opening of a graph view (PreloadingSource: each
// new Source of the view gets them), which reopens the store and decodes
// only the ticks recorded since. A store that cannot be read is ignored
// (the UI is live as before); another user's store is refused by the reader.
import type { RecordedEvents, RecordedTick } from '../model/recorded.js';
import type { SampleFeed } from '../collectors/feed.js';
import type { FailuresHub } from '../failures/hub.js';
import { monotonicUsec } from '../collectors/kmsg.js';
import { ostopStateDir } from '../util/private-dir.js';
import type { Source } from '../model/view-contract.js';

/** How far back the preload looks (the graphs hold 300 points: 25 minutes at 5 s). */
export const PRELOAD_WINDOW_MS = 25 * 60_000;

/** A Source whose samples can come from a feed for a while (VmstatSource, NetstatSource, IostatSource). */
export interface Preloadable<R> {
  useFeed(feed?: SampleFeed): void;
  collect(now: number, req: R): Promise<void> | void;
}

export interface StoreHistory {
  /** Where it was read. */
  path: string;
  /** Collect the recent recorded ticks into `source`, then switch it back to live samples. */
  into<R>(source: Preloadable<R>, req: R): Promise<void>;
  /** Add the recent recorded failures of this boot to the hub's timeline (once per hub). */
  failuresInto(hub: FailuresHub): void;
}

/** Same boot: the tick's wall-minus-monotonic offset is this machine's now (within 5 s). */
function sameBoot(time: number, monoSec: number, now: number, monoNowUsec: number): boolean {
  return Math.abs((time - monoSec * 1000) - (now - monoNowUsec / 1000)) < 5000;
}

/**
 * The recent history of the store in `dir` (default: where `ostop record`
 * writes), or undefined when there is none to use: no store, not readable,
 * nothing recorded in the window. `now` is the wall clock at the call (a
 * later into() takes the history up to its own time: now plus the time
 * since).
 */
export async function storeHistory(dir = ostopStateDir(), now = Date.now(), windowMs = PRELOAD_WINDOW_MS): Promise<StoreHistory | undefined> {
  const [{ StoreReader }, { RecordedFeed }] = await Promise.all([import('../store/disk-store.js'), import('../views/recorded-feed.js')]);
  type Reader = import('../store/disk-store.js').StoreReader<RecordedTick, RecordedEvents>;
  const skew = now - Date.now();
  const clock = (): number => Date.now() + skew;
  const open = (at: number): Reader | undefined => {
    try {
      return StoreReader.open<RecordedTick, RecordedEvents>(dir, { since: at - windowMs });
    } catch {
      return undefined;
    }
  };
  let reader = open(now);
  if (!reader) return undefined;
  const last = reader.lastTime();
  if (last === undefined || last < now - windowMs) {
    reader.close();
    return undefined;
  }
  const path = reader.path;
  let readAt = now;
  /** The recorded ticks of this boot read so far (without their process tables), oldest first. */
  let ticks: RecordedTick[] | undefined;
  const take = (r: Reader, from: number, to: number): void => {
    const monoNow = monotonicUsec();
    for (const { tick } of r.ticks(from, to)) {
      if (!sameBoot(tick.time, tick.mono, to, monoNow - (clock() - to) * 1000)) continue;
      if (ticks!.length && tick.time <= ticks![ticks!.length - 1].time) continue;
      // The graphs need the machine-wide parts only.
      tick.procs = { counts: tick.procs.counts, tasks: {}, ioUnreadable: {} };
      ticks!.push(tick);
    }
  };
  /**
   * The recorded ticks of the window ending now. The first call reads the
   * window; a later one (a graph view opened again) reopens the store (the
   * recorder has appended since) and reads only the ticks after the newest
   * it has: the store is read when a graph view opens, never per tick.
   */
  const recent = (): RecordedTick[] => {
    const t = clock();
    if (!ticks) {
      ticks = [];
      take(reader!, now - windowMs, now);
    } else if (t - readAt >= 1000) {
      const fresh = open(t);
      if (fresh) {
        reader!.close();
        reader = fresh;
        take(fresh, ticks.length ? ticks[ticks.length - 1].time + 1 : t - windowMs, t);
      }
      readAt = t;
      const old = ticks.findIndex((x) => x.time >= t - windowMs);
      ticks.splice(0, old < 0 ? ticks.length : old);
    }
    return ticks;
  };
  const hubs = new WeakSet<FailuresHub>();
  return {
    path,
    async into(source, req) {
      const feed = new RecordedFeed();
      source.useFeed(feed);
      try {
        let k = -1e9; // tick ids the live sampler never uses
        for (const t of recent()) {
          feed.set(t);
          await source.collect(k++, req);
        }
      } finally {
        source.useFeed(undefined);
      }
    },
    failuresInto(hub) {
      if (hubs.has(hub)) return;
      hubs.add(hub);
      const r = reader!;
      const monoNow = monotonicUsec();
      // One boot through the window (its first and last ticks): event times are that boot's CLOCK_MONOTONIC.
      const a = r.tick(Math.max(0, r.indexFrom(now - windowMs)));
      const b = r.tick(r.size - 1);
      if (!a || !b || !sameBoot(a.time, a.mono, clock(), monoNow) || !sameBoot(b.time, b.mono, clock(), monoNow)) return;
      let first = Infinity;
      for (const { events } of r.events(now - windowMs, now)) {
        // Kernel-log lines: the live hub reads the kernel's ring itself (its failures merge with these).
        hub.ingest({ failures: events.failures, kmsg: [] });
        for (const f of events.failures) first = Math.min(first, f.tsUsec);
      }
      if (first < hub.startedUsec) hub.startedUsec = first;
    },
  };
}

/**
 * A graph view's Source that takes the store's recent history on its first
 * collect(), before its first live sample: every opening of the view (the
 * app makes a new Source each time) starts with full graphs, and the store
 * is read then, not at start-up nor per tick. Without a store (history()
 * resolves undefined) it is the live Source alone.
 */
export class PreloadingSource<M, R, S extends Source<M, R> & Preloadable<R>> implements Source<M, R> {
  private pending = true;

  constructor(readonly inner: S, private readonly history: () => Promise<StoreHistory | undefined>) {}

  async collect(now: number, request: R): Promise<void> {
    if (this.pending) {
      this.pending = false;
      const h = await this.history().catch(() => undefined);
      if (h) await h.into(this.inner, request).catch(() => undefined);
    }
    await this.inner.collect(now, request);
  }

  model(): M | undefined {
    return this.inner.model();
  }

  complete(request: R): boolean {
    return this.inner.complete?.(request) ?? false;
  }

  reset(): void {
    this.inner.reset?.();
  }

  rewind(): void {
    if (this.inner.rewind) this.inner.rewind();
    else this.inner.reset?.();
  }

  dispose(): void {
    this.inner.dispose?.();
  }
}
