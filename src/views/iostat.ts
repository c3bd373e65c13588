// The iostat view: per-device `iostat -dx` columns with history, the
// filesystems (df), and per-process I/O (iotop-like). Source (its screen,
// key 'i', is paired with it in src/tui.ts) + DumpViews `ostop dump iostat` (--procs for per-process I/O)
// and `ostop dump fs`.
// Invariants: /proc/diskstats every tick; statfs only while the filesystem
// pane is shown; /proc/*/io only while the process pane is shown.
import type { DumpView } from '../model/dump-view.js';
import { UsageError } from '../model/dump-view.js';
import { parseCount } from '../util/args.js';
import type { Column } from '../model/columns.js';
import type { FsRequest, IostatRequest, IostatViewModel, Source } from '../model/view-contract.js';
import { diskstatsSample, type DiskstatsSample } from '../collectors/diskstats.js';
import { MachineSampler } from '../collectors/machine.js';
import { readFsSample, type FsStat } from '../collectors/fs.js';
import { ioUnreadableNote, readPidIoSample, type PidIoSample } from '../collectors/pid-io.js';
import { buildFsModel, type FsModel, type FsSortKey } from '../model/fs.js';
import { buildIostatModel, buildPidIoModel, PID_IO_SORTS, selectDevices, type DeviceModel, type IostatModel, type PidIoModel, type PidIoRow, type PidIoSortKey } from '../model/iostat.js';
import { round, runSampledDump, timeColumn } from './vmstat-util.js';
import { formatBytes as hb } from '../util/format.js';
import { Series } from '../store/series.js';
import { TickMap } from '../store/pid-map.js';
import type { SampleFeed } from '../collectors/feed.js';

/** Interfaces / devices with a graph history at most (about 5 KB each); past it the oldest is dropped. */
const HIST_KEYS_CAP = 4096;

interface DeviceHistories { util: Series; rkB: Series; wkB: Series }

/** The pane and sort of `ostop dump iostat` and of a screen that says nothing. */
export const DEFAULT_IOSTAT_REQUEST: IostatRequest = { pane: 'fs', procSort: 'total' };

/** The filesystem table (df): statfs of every mount, sorted as the request says. iostat's lower pane and `ostop dump fs` use it. */
export class FsSource implements Source<FsModel, FsRequest> {
  private last?: FsModel;

  /** `feed`: the recorded tick's filesystems instead of statfs now. */
  constructor(private readonly feed?: SampleFeed) {}

  async collect(_now = performance.now(), req: FsRequest = { sort: 'mount' }): Promise<void> {
    const s = this.feed ? this.feed.fs() : await readFsSample();
    this.last = s ? buildFsModel(s, req.sort) : undefined;
  }

  model(): FsModel | undefined {
    return this.last;
  }
}

export class IostatSource implements Source<IostatViewModel, IostatRequest> {
  private prev?: DiskstatsSample;
  private prevIo?: PidIoSample;
  /** Per-device graphs; a device gone at a tick is dropped (src/store TickMap). */
  private hist = new TickMap<string, DeviceHistories>(HIST_KEYS_CAP);
  private last?: IostatViewModel;
  private fs?: FsModel;
  /** The filesystem pane (statfs only while it is shown). */
  private filesystems: FsSource;

  /**
   * `machine`: the tick's machine-wide sample, shared with the other views by the composition root (diskstats read once per tick).
   * `feed`: recorded samples instead of this machine's (src/collectors/feed.ts; pass feed.machine as `machine` too).
   */
  constructor(private machine = new MachineSampler(), private feed?: SampleFeed) {
    this.filesystems = new FsSource(feed);
    this.liveMachine = machine;
  }
  private readonly liveMachine: MachineSampler;

  /** Take samples from `feed` until called again without one (the live UI's preload: see VmstatSource.useFeed). */
  useFeed(feed?: SampleFeed): void {
    this.feed = feed;
    this.machine = feed?.machine ?? this.liveMachine;
    this.filesystems = new FsSource(feed);
  }

  async collect(now = performance.now(), req: IostatRequest = DEFAULT_IOSTAT_REQUEST): Promise<void> {
    const cur = diskstatsSample(this.machine, now);
    let procs: PidIoModel | undefined;
    if (req.pane === 'procs') {
      const io = this.feed ? this.feed.pidIo() : readPidIoSample();
      if (this.prevIo) procs = buildPidIoModel(this.prevIo, io, req.procSort);
      this.prevIo = io;
    } else {
      this.prevIo = undefined;
    }
    if (req.pane === 'fs') {
      await this.filesystems.collect(now, { sort: 'mount' });
      this.fs = this.filesystems.model();
    }
    if (this.prev) {
      const io = buildIostatModel(this.prev, cur);
      for (const d of io.devices) {
        const h = this.hist.touch(d.name, () => ({ util: new Series(), rkB: new Series(), wkB: new Series() }));
        h.util.push(d.util); h.rkB.push(d.rkBs); h.wkB.push(d.wkBs);
      }
      this.hist.endTick();
      this.last = {
        io, hist: this.hist, fs: req.pane === 'fs' ? this.fs : undefined, procs,
        procsNote: procs && ioUnreadableNote(procs.unreadable, undefined, true),
      };
    }
    this.prev = cur;
  }
  model(): IostatViewModel | undefined {
    return this.last;
  }
  reset(): void {
    this.prev = undefined;
    this.prevIo = undefined;
    this.last = undefined;
    this.hist.clear();
  }
}

type DevRow = DeviceModel & { time: number };
const num = (id: string, title: string, pick: (d: DevRow) => number | null, w = 8): Column<DevRow> => ({
  id, title, width: Math.max(w, title.length), align: 'right', value: (d) => round(pick(d)), text: (d) => { const v = pick(d); return v === null ? '-' : v.toFixed(2); },
});

/** `iostat -dx` columns, in its order, with its titles; ids are the titles made identifier-safe. */
export function iostatColumns(hasDiscard: boolean, hasFlush: boolean): Column<DevRow>[] {
  const c: Column<DevRow>[] = [
    timeColumn<DevRow>(),
    { id: 'device', title: 'Device', width: 12, value: (d) => d.name },
    num('r_s', 'r/s', (d) => d.rs), num('rkB_s', 'rkB/s', (d) => d.rkBs, 9), num('rrqm_s', 'rrqm/s', (d) => d.rrqms), num('rrqm_pct', '%rrqm', (d) => d.rrqmPct, 6),
    num('r_await', 'r_await', (d) => d.rAwait, 7), num('rareq_sz', 'rareq-sz', (d) => d.rareqSz),
    num('w_s', 'w/s', (d) => d.ws), num('wkB_s', 'wkB/s', (d) => d.wkBs, 9), num('wrqm_s', 'wrqm/s', (d) => d.wrqms), num('wrqm_pct', '%wrqm', (d) => d.wrqmPct, 6),
    num('w_await', 'w_await', (d) => d.wAwait, 7), num('wareq_sz', 'wareq-sz', (d) => d.wareqSz),
  ];
  if (hasDiscard) c.push(num('d_s', 'd/s', (d) => d.ds), num('dkB_s', 'dkB/s', (d) => d.dkBs, 9), num('drqm_s', 'drqm/s', (d) => d.drqms), num('drqm_pct', '%drqm', (d) => d.drqmPct, 6), num('d_await', 'd_await', (d) => d.dAwait, 7), num('dareq_sz', 'dareq-sz', (d) => d.dareqSz));
  if (hasFlush) c.push(num('f_s', 'f/s', (d) => d.fs), num('f_await', 'f_await', (d) => d.fAwait, 7));
  c.push(num('aqu_sz', 'aqu-sz', (d) => d.aquSz, 6), num('util_pct', '%util', (d) => d.util, 6));
  return c;
}

type ProcRow = PidIoRow & { time: number };
export const PID_IO_COLUMNS: Column<ProcRow>[] = [
  timeColumn<ProcRow>(),
  { id: 'pid', title: 'PID', width: 7, align: 'right', value: (r) => r.pid },
  { id: 'read_bytes_s', title: 'READ/s', width: 12, align: 'right', value: (r) => round(r.readBps, 1) },
  { id: 'write_bytes_s', title: 'WRITE/s', width: 12, align: 'right', value: (r) => round(r.writeBps, 1) },
  { id: 'rchar_s', title: 'RCHAR/s', width: 12, align: 'right', value: (r) => round(r.rcharBps, 1) },
  { id: 'wchar_s', title: 'WCHAR/s', width: 12, align: 'right', value: (r) => round(r.wcharBps, 1) },
  { id: 'read_bytes', title: 'READ', width: 14, align: 'right', value: (r) => r.readBytes },
  { id: 'write_bytes', title: 'WRITTEN', width: 14, align: 'right', value: (r) => r.writeBytes },
  { id: 'comm', title: 'COMM', value: (r) => r.comm },
];

export const iostatDump: DumpView = {
  name: 'iostat',
  summary: 'per-device r/s w/s kB/s merges await aqu-sz %util (iostat -dx definitions); --procs for per-process I/O',
  flags: { partitions: 'boolean', all: 'boolean', procs: 'boolean', sort: 'string', top: 'string' },
  fromStore: true,
  async run(opts) {
    const feed = opts.replay?.feed;
    if (opts.flags.procs) {
      const sort = (typeof opts.flags.sort === 'string' ? opts.flags.sort : 'total') as PidIoSortKey;
      if (!(sort in PID_IO_SORTS)) throw new UsageError(`--sort must be one of ${Object.keys(PID_IO_SORTS).join(', ')}`);
      const top = typeof opts.flags.top === 'string' ? parseCount(opts.flags.top, '--top') : Infinity;
      let warned = false;
      // The view's own Source, asked for the process pane sorted as the flags say (the screen's request).
      const source = new IostatSource(feed?.machine, feed);
      const req: IostatRequest = { pane: 'procs', procSort: sort };
      return runSampledDump<PidIoModel | undefined, ProcRow>(opts, async () => {
        await source.collect(performance.now(), req);
        return source.model()?.procs;
      }, (_p, c) => {
        const m = c!;
        const note = warned ? undefined : ioUnreadableNote(m.unreadable);
        if (note) { warned = true; opts.err(`ostop: ${note}\n`); }
        return m.rows.slice(0, top).map((r) => ({ ...r, time: m.time }));
      }, PID_IO_COLUMNS, 'table');
    }
    // Columns depend on what the kernel reports (discard 4.18+, flush 5.5+): decided from the first sample,
    // which the view's own Source then takes as its first (same MachineSampler, same tick: read once).
    if (opts.replay && !opts.replay.prime()) return 0;
    const machine = feed?.machine ?? new MachineSampler();
    let t: number | undefined = performance.now();
    const first = diskstatsSample(machine, t);
    const cols = iostatColumns(first.disks.some((d) => d.dcIos !== undefined), first.disks.some((d) => d.flIos !== undefined));
    const source = new IostatSource(machine, feed);
    const req: IostatRequest = { pane: 'devices', procSort: 'total' };
    const take = async (): Promise<IostatModel | undefined> => {
      await source.collect(t ?? performance.now(), req);
      t = undefined;
      return source.model()?.io;
    };
    return runSampledDump<IostatModel | undefined, DevRow>(opts, take, (_p, c) => {
      const m = c!;
      return selectDevices(m, { partitions: !!opts.flags.partitions, all: !!opts.flags.all }).map((d) => ({ ...d, time: m.time }));
    }, cols, 'table');
  },
};

type FsRow = FsStat & { time: number };
export const FS_COLUMNS: Column<FsRow>[] = [
  timeColumn<FsRow>(),
  { id: 'source', title: 'Filesystem', width: 20, value: (r) => r.source },
  { id: 'type', title: 'Type', width: 8, value: (r) => r.fsType },
  { id: 'size_bytes', title: 'Size', width: 7, align: 'right', value: (r) => r.sizeBytes, text: (r) => hb(r.sizeBytes) },
  { id: 'used_bytes', title: 'Used', width: 7, align: 'right', value: (r) => r.usedBytes, text: (r) => hb(r.usedBytes) },
  { id: 'avail_bytes', title: 'Avail', width: 7, align: 'right', value: (r) => r.availBytes, text: (r) => hb(r.availBytes) },
  { id: 'use_pct', title: 'Use%', width: 5, align: 'right', value: (r) => r.usePct, text: (r) => (r.usePct === null ? '-' : r.usePct + '%') },
  { id: 'inodes', title: 'Inodes', width: 9, align: 'right', value: (r) => r.inodes },
  { id: 'inodes_used', title: 'IUsed', width: 9, align: 'right', value: (r) => r.inodesUsed },
  { id: 'inodes_free', title: 'IFree', width: 9, align: 'right', value: (r) => r.inodesFree },
  { id: 'inode_use_pct', title: 'IUse%', width: 5, align: 'right', value: (r) => r.inodeUsePct, text: (r) => (r.inodeUsePct === null ? '-' : r.inodeUsePct + '%') },
  { id: 'mount', title: 'Mounted on', value: (r) => r.mountPoint },
];


export const fsDump: DumpView = {
  name: 'fs',
  summary: 'mounted filesystems: size, used, available, use%, inodes (df definitions)',
  flags: { sort: 'string' },
  fromStore: true,
  async run(opts) {
    const sort = typeof opts.flags.sort === 'string' ? opts.flags.sort : 'mount';
    if (!['mount', 'use', 'size', 'avail', 'iuse'].includes(sort)) throw new UsageError('--sort must be one of mount, use, size, avail, iuse');
    // iostat's filesystem Source, with the request its pane would make for this sort.
    const source = new FsSource(opts.replay?.feed);
    const req: FsRequest = { sort: sort as FsSortKey };
    const none: FsModel = { time: 0, rows: [], errors: [] }; // a tick recorded without filesystems
    return runSampledDump<FsModel, FsRow>(opts, async () => {
      await source.collect(performance.now(), req);
      const m = source.model() ?? none;
      for (const e of m.errors) opts.err(`ostop: statfs ${e.mountPoint}: ${e.error}\n`);
      return m;
    }, (_p, c) => c.rows.map((r) => ({ ...r, time: c.time })), FS_COLUMNS, 'table', false);
  },
};
