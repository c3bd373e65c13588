// The live UI's head start: when a recorder's store (ostop record, in the
// default directory) exists, is ours and was written in the last minutes,
// the graphs' histories (vmstat, netstat, iostat) start with its recent
// ticks and the failures timeline with its recent failures, so they are full
// from the first frame instead of filling up over minutes.
//
// Cost: nothing at start-up. The store is opened (today's shard only) when
// a view with histories is first shown, or when the failure recorder opens;
// the decoded ticks are kept without their process tables (a few KB each)
// and reused by every later opening. A store that cannot be read is ignored
// (the UI is live as before); another user's store is refused by the reader.
import type { RecordedEvents, RecordedTick } from '../model/recorded.js';
import type { SampleFeed } from '../collectors/feed.js';
import type { FailuresHub } from '../failures/hub.js';
import { monotonicUsec } from '../collectors/kmsg.js';
import { ostopStateDir } from '../util/private-dir.js';

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
 * nothing recorded in the window.
 */
export async function storeHistory(dir = ostopStateDir(), now = Date.now(), windowMs = PRELOAD_WINDOW_MS): Promise<StoreHistory | undefined> {
  const [{ StoreReader }, { RecordedFeed }] = await Promise.all([import('../store/disk-store.js'), import('../views/recorded-feed.js')]);
  let reader: import('../store/disk-store.js').StoreReader<RecordedTick, RecordedEvents>;
  try {
    reader = StoreReader.open<RecordedTick, RecordedEvents>(dir, { since: now - windowMs });
  } catch {
    return undefined;
  }
  const last = reader.lastTime();
  if (last === undefined || last < now - windowMs) return undefined;
  const monoNow = monotonicUsec();
  let ticks: RecordedTick[] | undefined;
  const recent = (): RecordedTick[] => {
    if (ticks) return ticks;
    ticks = [];
    for (const { tick } of reader.ticks(now - windowMs, now)) {
      if (!sameBoot(tick.time, tick.mono, now, monoNow)) continue;
      // The graphs need the machine-wide parts only.
      tick.procs = { counts: tick.procs.counts, tasks: {}, ioUnreadable: {} };
      ticks.push(tick);
    }
    return ticks;
  };
  const hubs = new WeakSet<FailuresHub>();
  return {
    path: reader.path,
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
      // One boot through the window (its first and last ticks): event times are that boot's CLOCK_MONOTONIC.
      const a = reader.tick(Math.max(0, reader.indexFrom(now - windowMs)));
      const b = reader.tick(reader.size - 1);
      if (!a || !b || !sameBoot(a.time, a.mono, now, monoNow) || !sameBoot(b.time, b.mono, now, monoNow)) return;
      let first = Infinity;
      for (const { events } of reader.events(now - windowMs, now)) {
        // Kernel-log lines: the live hub reads the kernel's ring itself (its failures merge with these).
        hub.ingest({ failures: events.failures, kmsg: [] });
        for (const f of events.failures) first = Math.min(first, f.tsUsec);
      }
      if (first < hub.startedUsec) hub.startedUsec = first;
    },
  };
}
