// The failure recorder: one timeline fed by the kernel log and, with
// privilege, the exit tracer, living as long as ostop (or one dump).
//
// The TUI's hub is made once by the composition root (src/tui.ts
// failureRecorder) and kept: the timeline must keep entries
// "since ostop started" although the app rebuilds a view's Source on every
// show, and the drill-in asks it how a process ended (exitsOf). The kernel
// log is re-read from where the hub left off (its backlog covers the time
// the view was hidden). As root the shell starts the exit tracer at launch
// (pinned: it keeps running while the view is hidden); otherwise it runs
// only while the failures view is shown.
// The eBPF feed is chosen explicitly (HubOptions.ebpfFeed; default the exit
// tracer's): nothing is installed by importing a module.
import { KmsgReader, monoUsecToWallMs, monotonicUsec } from '../collectors/kmsg.js';
import type { FailureEvent, FeedStatus, KmsgLine, RecordedExit } from '../model/failures.js';
import type { CoreDumpFile } from '../collectors/coredump.js';
import type { RecordedClock } from '../model/recorded.js';
import { FailureTimeline } from './timeline.js';
import { KmsgFailureClassifier } from './kmsg-classifier.js';
import type { FailureFeed } from './exit-correlator.js';
import { createExitTracerFeed } from './exit-feed.js';
import { kmsgLine } from './model.js';
import { Ring } from '../store/ring.js';

/** Most kernel-log lines kept in memory (the kernel ring holds fewer on most machines). */
const KMSG_KEEP = 20000;

export interface HubOptions {
  kmsgPath?: string;
  procRoot?: string;
  /**
   * Creates the eBPF feed when startEbpf() is called (default: the exit
   * tracer's, createExitTracerFeed); null when there is none.
   */
  ebpfFeed?: (() => FailureFeed) | null;
  /**
   * A hub of recorded events (replay, `dump failures --from`, the live UI's
   * preload of a store): it reads neither the kernel log nor a tracer; its
   * timeline and lines come from ingest().
   */
  recorded?: boolean;
}

/** What a recorder keeps of a hub's interval (src/model/recorded.ts RecordedEvents' failure part). */
export interface HubEvents {
  failures: FailureEvent[];
  kmsg: KmsgLine[];
  feeds?: FeedStatus[];
  dumps?: CoreDumpFile[];
  /** The clocks of the tick these came with (recorded events; a recorded hub converts their times with them). */
  clock?: RecordedClock;
}

const NO_EBPF_FEED = 'eBPF exit tracer not wired in this build: deaths by kill(2), non-zero exits and short-lived processes that did not fault are not seen';

export class FailuresHub {
  readonly timeline = new FailureTimeline();
  /** Entries from this CLOCK_MONOTONIC µs on are "since ostop started" (the live UI's preload moves it back to the first recorded event it adds). */
  startedUsec = monotonicUsec();
  private reader: KmsgReader;
  private classifier = new KmsgFailureClassifier();
  /** The newest KMSG_KEEP kernel-log lines (src/store Ring). */
  private lines = new Ring<KmsgLine>(KMSG_KEEP);
  kmsgError: string | null = null;
  private ebpf: FailureFeed | null = null;
  ebpfNote: string | null = null;
  private ebpfDropsBase = 0;
  readonly procRoot: string;
  private feedFactory: (() => FailureFeed) | null;

  readonly recorded: boolean;
  /** A recorded hub's feeds and core dumps, as last ingested. */
  private recordedFeeds: FeedStatus[] | null = null;
  recordedDumps: CoreDumpFile[] = [];
  private eventListeners: Array<(ev: FailureEvent) => void> = [];
  private lineListeners: Array<(line: KmsgLine) => void> = [];

  constructor(opts: HubOptions = {}) {
    this.reader = new KmsgReader(opts.kmsgPath ?? '/dev/kmsg');
    this.procRoot = opts.procRoot ?? '/proc';
    this.recorded = opts.recorded ?? false;
    this.feedFactory = this.recorded ? null : opts.ebpfFeed === undefined ? () => createExitTracerFeed() : opts.ebpfFeed;
  }

  /** Called with every failure event added to the timeline and every kernel-log line read (the recorder keeps them). Returns the unsubscribe. */
  onEvents(onEvent: (ev: FailureEvent) => void, onLine: (line: KmsgLine) => void): () => void {
    this.eventListeners.push(onEvent);
    this.lineListeners.push(onLine);
    return () => {
      this.eventListeners = this.eventListeners.filter((f) => f !== onEvent);
      this.lineListeners = this.lineListeners.filter((f) => f !== onLine);
    };
  }

  private add(ev: FailureEvent): void {
    for (const f of this.eventListeners) f(ev);
    this.timeline.add(ev);
  }

  private addLine(l: KmsgLine): void {
    for (const f of this.lineListeners) f(l);
    this.lines.push(l);
  }

  /**
   * Set when a recorded hub's times are epoch µs (events ingested with
   * their tick's clock): a recording can span reboots, whose monotonic
   * clocks cannot be compared, so each event's time is converted with the
   * clocks of its own tick. "Now" for its model is then the wall clock
   * (collectModel).
   */
  epochClock = false;
  /**
   * The clock of the last recorded events ingested, for a record that lacks
   * one (readers fill it in from the record's tick: recordedEvents in
   * src/views/recorded-feed.ts; a record none of whose ticks decode keeps its
   * monotonic times).
   */
  private lastClock: RecordedClock | undefined;

  /** A recorded interval's events, added as the live hub added them (the timeline merges them the same way). */
  ingest(ev: HubEvents): void {
    const clock = this.recorded ? ev.clock ?? this.lastClock : undefined;
    if (clock) {
      this.epochClock = true;
      this.lastClock = clock;
      // µs since the epoch: the tick's wall time minus how long before the tick (on its boot's monotonic clock) it happened.
      const epochUsec = (usec: number) => Math.round(clock.wallMs * 1000 - (clock.mono * 1e6 - usec));
      for (const e of ev.failures) this.timeline.add({ ...e, tsUsec: epochUsec(e.tsUsec), bootUsec: e.bootUsec ?? e.tsUsec });
      // Kernel-log lines keep their boot's µs: their wall time was recorded with them, and the timeline links them by sequence number.
      for (const l of ev.kmsg) this.lines.push(l);
    } else {
      for (const e of ev.failures) this.timeline.add(e);
      for (const l of ev.kmsg) this.lines.push(l);
    }
    if (ev.feeds) this.recordedFeeds = ev.feeds;
    if (ev.dumps) this.recordedDumps = ev.dumps;
  }

  /** Read new kernel-log records and feed the timeline. `final` flushes reports still waiting for their last line. */
  async pollKmsg(final = false): Promise<void> {
    if (this.recorded) return;
    if (this.kmsgError && !final) return;
    try {
      const res = await this.reader.drain();
      for (const r of res.records) {
        for (const ev of this.classifier.feed(r)) this.add(ev);
        this.addLine(kmsgLine(r, monoUsecToWallMs(r.usec), null)); // only the kernel's own lines are marked
      }
      // Give the kernel a second to finish a multi-line report before emitting it half-known.
      for (const ev of this.classifier.flush(final ? Infinity : monotonicUsec() - 1_000_000)) this.add(ev);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.kmsgError = err.code === 'EACCES' || err.code === 'EPERM'
        ? `cannot read ${this.reader.path} (${err.code}): run as root, or set kernel.dmesg_restrict=0`
        : `cannot read ${this.reader.path}: ${err.message}`;
    }
  }

  get kmsgLines(): readonly KmsgLine[] {
    return this.lines.toArray();
  }

  get kmsgOverwritten(): number {
    return this.reader.totalOverwritten;
  }

  get kmsgLost(): number {
    return this.reader.totalLost;
  }

  async startEbpf(): Promise<void> {
    if (this.ebpf || this.recorded) return;
    const factory = this.feedFactory;
    if (!factory) {
      this.ebpfNote = NO_EBPF_FEED;
      return;
    }
    try {
      const feed = factory();
      await feed.start();
      this.ebpf = feed;
      this.ebpfNote = null;
    } catch (e) {
      this.ebpfNote = `eBPF exit tracer unavailable: ${(e as Error).message}`;
    }
  }

  async pollEbpf(): Promise<void> {
    if (!this.ebpf) return;
    try {
      for (const ev of await this.ebpf.poll()) this.add(ev);
    } catch (e) {
      this.ebpfNote = `eBPF exit tracer failed: ${(e as Error).message}`;
      this.stopEbpf();
    }
  }

  /**
   * Recent ends of `pid` the exit tracer saw (normal ones too), oldest
   * first; null when no exit tracer runs (not root, or stopped). The
   * drill-in asks this to say how a process it showed ended, so no second
   * exit tracer is attached for it.
   */
  exitsOf(pid: number): readonly RecordedExit[] | null {
    return this.ebpf?.exitsOf ? this.ebpf.exitsOf(pid) : null;
  }

  /** Keep the eBPF feed running when the view hides (the app records from launch); close() still stops it. */
  pinned = false;

  stopEbpf(force = false): void {
    if (this.pinned && !force) return;
    if (this.ebpf) {
      this.ebpfDropsBase += this.ebpf.drops();
      this.ebpf.stop();
      this.ebpf = null;
    }
  }

  feedStatus(): FeedStatus[] {
    if (this.recorded) return this.recordedFeeds ?? [{ name: 'ebpf', active: false, note: 'recorded: no feed status in the store', drops: 0 }, { name: 'kmsg', active: false, note: 'recorded: no feed status in the store', drops: 0 }];
    return [
      { name: 'ebpf', active: this.ebpf !== null, note: this.ebpf ? null : this.ebpfNote, drops: this.ebpfDropsBase + (this.ebpf?.drops() ?? 0) },
      { name: 'kmsg', active: this.reader.isOpen && !this.kmsgError, note: this.kmsgError, drops: this.reader.totalLost },
    ];
  }

  close(): void {
    this.stopEbpf(true);
    this.reader.close();
  }
}
