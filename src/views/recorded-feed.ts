// A SampleFeed (src/collectors/feed.ts) over recorded ticks: what makes
// every view's Source work on the store's samples (`ostop dump --from`,
// `ostop replay`, the live UI's preload) through its one model path. The
// caller moves the feed from tick to tick with set(); a Source constructed
// with the feed takes the current tick's samples on each collect().
//
//   const reader = StoreReader.open<RecordedTick, RecordedEvents>(dir);
//   const feed = new RecordedFeed();
//   const vm = new VmstatSource(undefined, feed.machine, feed);
//   feed.set(reader.tick(i - 1)!); vm.collect(0);   // rates need the tick before
//   feed.set(reader.tick(i)!); vm.collect(1);       // vm.model(): tick i as live shows it
//
// Each collect() must pass a `now` that differs from the previous call's
// (the MachineSampler's tick): the tick index does.
import { MachineSampler, type MachineSample, type MachinePart } from '../collectors/machine.js';
import type { SampleFeed, SocketCounts } from '../collectors/feed.js';
import type { PsiSample } from '../collectors/psi.js';
import type { SnmpSample } from '../collectors/snmp.js';
import type { PidIo, PidIoSample } from '../collectors/pid-io.js';
import type { FsSample } from '../collectors/fs.js';
import type { IfaceInventory } from '../collectors/netdev.js';
import type { ProcessTableSample } from '../collectors/processes.js';
import type { ProcSample } from '../collectors/proc-pid.js';
import { systemSample } from '../collectors/system.js';
import { PF_KTHREAD } from '../collectors/procfs/pid-stat.js';
import type { RecordedEvents, RecordedTick } from '../model/recorded.js';
import type { DumpReplay } from '../model/dump-view.js';
import type { StoreReader } from '../store/disk-store.js';

/** A MachineSampler that hands back the feed's current tick. */
class RecordedMachine extends MachineSampler {
  constructor(private readonly feed: RecordedFeed) {
    super({ isPartition: () => false });
  }
  override sample(tick: number, _parts?: Iterable<MachinePart>): MachineSample {
    // A copy: Sources keep the previous sample (rates), and replay reads ticks with StoreReader.tickShared, changed in place by the next one.
    return { ...structuredClone(this.feed.current().machine), tick };
  }
  override last(): MachineSample | undefined {
    return this.feed.peek()?.machine;
  }
  override get recorded(): boolean {
    return true;
  }
}

/** ms between CLOCK_MONOTONIC and this process's performance.now() (the process table's clock). */
const PERF_OFFSET_MS = Number(process.hrtime.bigint()) / 1e6 - performance.now();

export class RecordedFeed implements SampleFeed {
  private tick: RecordedTick | undefined;
  readonly machine: MachineSampler = new RecordedMachine(this);

  /** Make `tick` the current one (a tick from StoreReader.tick(): the feed hands out copies of its parts). */
  set(tick: RecordedTick): void {
    this.tick = tick;
  }

  /** The current tick; throws when none was set. */
  current(): RecordedTick {
    if (!this.tick) throw new Error('recorded feed: no tick set');
    return this.tick;
  }

  peek(): RecordedTick | undefined {
    return this.tick;
  }

  wallMs(): number {
    return this.current().time;
  }

  psi(): PsiSample {
    return structuredClone(this.current().psi);
  }

  snmp(): SnmpSample {
    return structuredClone(this.current().snmp);
  }

  fs(): FsSample | undefined {
    const f = this.current().fs;
    return f ? structuredClone(f) : undefined;
  }

  inventory(): Map<string, IfaceInventory> {
    return new Map(this.current().inventory.map((i) => [i.name, structuredClone(i)]));
  }

  socketCounts(): SocketCounts {
    return structuredClone(this.current().sockets);
  }

  processes(): ProcessTableSample {
    const t = this.current();
    const tasks: ProcSample[] = [];
    for (const r of Object.values(t.procs.tasks)) {
      const { io, ...task } = r;
      const s = task as ProcSample;
      s.tgid = s.pid;
      s.isThread = false;
      s.isKernelThread = (s.flags & PF_KTHREAD) !== 0;
      if (io) {
        s.ioReadBytes = io.readBytes;
        s.ioWriteBytes = io.writeBytes;
      }
      tasks.push(s);
    }
    tasks.sort((a, b) => a.pid - b.pid);
    return {
      time: t.mono * 1000 - PERF_OFFSET_MS,
      system: systemSample(this.machine, t.time),
      tasks,
      counts: { ...t.procs.counts },
    };
  }

  pidIo(): PidIoSample {
    const t = this.current();
    const procs: PidIo[] = [];
    for (const r of Object.values(t.procs.tasks)) if (r.io) procs.push({ pid: r.pid, comm: r.comm, syscr: 0, syscw: 0, cancelledWriteBytes: 0, ...r.io });
    procs.sort((a, b) => a.pid - b.pid);
    const unreadable = { ...t.procs.ioUnreadable };
    return { mono: t.mono, procs, denied: (unreadable.EACCES ?? 0) + (unreadable.EPERM ?? 0), unreadable };
  }
}

/**
 * The events of the ticks in [t0, t1], oldest first, each with the clocks of
 * its tick (RecordedEvents.clock: a recorded hub converts event times with
 * them, one boot's monotonic clock at a time). A store written before the
 * clock was recorded has none: it is read from the record's tick (a tick
 * that does not decode lends the nearest earlier clock, or the next one).
 * The ticks decoded are copies, earlier than or at the last one decoded in
 * replay's case (the replay cursor's tick, shared with the feed, is not
 * changed).
 */
export function* recordedEvents(reader: StoreReader<RecordedTick, RecordedEvents>, t0 = -Infinity, t1 = Infinity): Generator<{ index: number; time: number; events: RecordedEvents }> {
  let last: RecordedEvents['clock'];
  for (const e of reader.events(t0, t1)) {
    if (!e.events.clock) {
      const t = reader.tick(e.index);
      if (t) e.events.clock = { wallMs: t.time, mono: t.mono, boot: null };
      else if (last) e.events.clock = last;
      else {
        for (let j = e.index + 1; j < reader.size && !e.events.clock; j++) {
          const n = reader.tick(j);
          if (n) e.events.clock = { wallMs: n.time, mono: n.mono, boot: null };
        }
      }
    }
    last = e.events.clock;
    yield e;
  }
}

/** The ticks of a store in [begin, end] for `ostop dump VIEW --from` (DumpReplay, src/model/dump-view.ts). */
export class RecordedDump implements DumpReplay {
  readonly feed = new RecordedFeed();
  private readonly first: number;
  private readonly last: number;
  private i: number;

  constructor(private readonly reader: StoreReader<RecordedTick, RecordedEvents>, readonly path: string, readonly begin: number, readonly end: number) {
    this.first = reader.indexFrom(begin);
    this.last = reader.indexAt(end);
    this.i = this.first - 1;
  }

  prime(): boolean {
    if (this.first > this.last) return false;
    this.i = this.first > 0 ? this.first - 1 : this.first;
    const t = this.reader.tick(this.i);
    if (!t) return this.next();
    this.feed.set(t);
    return true;
  }

  next(): boolean {
    while (++this.i <= this.last) {
      const t = this.reader.tick(this.i);
      if (t) {
        this.feed.set(t);
        return true;
      }
    }
    return false;
  }

  *events(): Generator<{ time: number; events: RecordedEvents }> {
    for (const e of recordedEvents(this.reader, this.begin, this.end)) yield { time: e.time, events: e.events };
  }

  endClock(): { wallMs: number; monoUsec: number } | undefined {
    for (let i = this.last; i >= this.first; i--) {
      const t = this.reader.tick(i);
      if (t) return { wallMs: t.time, monoUsec: t.mono * 1e6 };
    }
    return undefined;
  }
}
