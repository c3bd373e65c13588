// IostatModel: two DiskstatsSamples -> the columns of `iostat -dx` (sysstat 12):
//   r/s = Δrd_ios/s   rkB/s = Δrd_sectors/2/s   rrqm/s = Δrd_merges/s
//   %rrqm = rrqm/(rrqm+r)*100   r_await = Δrd_ticks/Δrd_ios (ms)   rareq-sz = Δrd_sectors/2/Δrd_ios (kB)
//   the same for w (writes) and d (discards, 4.18+); f/s = Δfl_ios/s, f_await = Δfl_ticks/Δfl_ios (5.5+)
//   aqu-sz = Δtime_in_queue/1000/s   %util = Δio_ticks/10/s, capped at 100
// Plus PidIoModel: per-process read/write bytes/s from /proc/<pid>/io.
// Invariants: pure functions; discard/flush stay null where the kernel
// does not report them; a device that appears or whose counters go
// backwards gets zeros for that interval.
import type { DiskStat, DiskstatsSample } from '../collectors/diskstats.js';
import type { PidIo, PidIoSample } from '../collectors/pid-io.js';

export interface DeviceModel {
  name: string;
  partition: boolean;
  /** Has done any I/O since boot (iostat hides devices that never did). */
  everUsed: boolean;
  rs: number; ws: number; rkBs: number; wkBs: number; rrqms: number; wrqms: number;
  rrqmPct: number; wrqmPct: number;
  rAwait: number; wAwait: number; rareqSz: number; wareqSz: number;
  ds: number | null; dkBs: number | null; drqms: number | null; drqmPct: number | null; dAwait: number | null; dareqSz: number | null;
  fs: number | null; fAwait: number | null;
  aquSz: number; util: number;
}

export interface IostatModel {
  time: number;
  interval: number;
  devices: DeviceModel[];
  hasDiscard: boolean;
  hasFlush: boolean;
}

function dd(c: number | undefined, p: number | undefined): number {
  if (c === undefined || p === undefined || c < p) return 0;
  return c - p;
}

const pct = (a: number, b: number) => (a + b > 0 ? (a * 100) / (a + b) : 0);
const div = (a: number, b: number) => (b > 0 ? a / b : 0);

export function deviceModel(p: DiskStat | undefined, c: DiskStat, sec: number): DeviceModel {
  // (field by field, not a closure over a key: this runs per device per tick)
  const rd = dd(c.rdIos, p?.rdIos), wr = dd(c.wrIos, p?.wrIos), rm = dd(c.rdMerges, p?.rdMerges), wm = dd(c.wrMerges, p?.wrMerges);
  const rsec = dd(c.rdSectors, p?.rdSectors), wsec = dd(c.wrSectors, p?.wrSectors);
  const hasD = c.dcIos !== undefined, hasF = c.flIos !== undefined;
  const dc = dd(c.dcIos, p?.dcIos), dm = dd(c.dcMerges, p?.dcMerges), dsec = dd(c.dcSectors, p?.dcSectors);
  const fl = dd(c.flIos, p?.flIos);
  return {
    name: c.name, partition: c.partition,
    everUsed: c.rdIos + c.wrIos + (c.dcIos ?? 0) + (c.flIos ?? 0) > 0,
    rs: rd / sec, ws: wr / sec, rkBs: rsec / 2 / sec, wkBs: wsec / 2 / sec,
    rrqms: rm / sec, wrqms: wm / sec, rrqmPct: pct(rm, rd), wrqmPct: pct(wm, wr),
    rAwait: div(dd(c.rdTicks, p?.rdTicks), rd), wAwait: div(dd(c.wrTicks, p?.wrTicks), wr),
    rareqSz: div(rsec / 2, rd), wareqSz: div(wsec / 2, wr),
    ds: hasD ? dc / sec : null, dkBs: hasD ? dsec / 2 / sec : null, drqms: hasD ? dm / sec : null,
    drqmPct: hasD ? pct(dm, dc) : null, dAwait: hasD ? div(dd(c.dcTicks, p?.dcTicks), dc) : null, dareqSz: hasD ? div(dsec / 2, dc) : null,
    fs: hasF ? fl / sec : null, fAwait: hasF ? div(dd(c.flTicks, p?.flTicks), fl) : null,
    aquSz: dd(c.timeInQueue, p?.timeInQueue) / 1000 / sec,
    util: Math.min(100, dd(c.ioTicks, p?.ioTicks) / 10 / sec),
  };
}

export function buildIostatModel(prev: DiskstatsSample, cur: DiskstatsSample): IostatModel {
  const sec = Math.max(1e-6, cur.mono - prev.mono);
  const pm = new Map(prev.disks.map((d) => [`${d.name}/${d.major}:${d.minor}`, d]));
  const devices = cur.disks.map((c) => deviceModel(pm.get(`${c.name}/${c.major}:${c.minor}`), c, sec));
  return {
    time: Date.now(), interval: sec, devices,
    hasDiscard: cur.disks.some((d) => d.dcIos !== undefined),
    hasFlush: cur.disks.some((d) => d.flIos !== undefined),
  };
}

/** iostat's default device selection: whole disks that have done I/O; partitions and idle devices on request. */
export function selectDevices(m: IostatModel, opts: { partitions?: boolean; all?: boolean } = {}): DeviceModel[] {
  return m.devices.filter((d) => (opts.partitions || !d.partition) && (opts.all || d.everUsed));
}

export interface PidIoRow {
  pid: number; comm: string;
  readBps: number; writeBps: number; rcharBps: number; wcharBps: number;
  readBytes: number; writeBytes: number;
}

export interface PidIoModel {
  time: number;
  interval: number;
  rows: PidIoRow[];
  denied: number;
  /** io files not read this sample, by errno (see ioUnreadableNote). */
  unreadable: Record<string, number>;
}

export type PidIoSortKey = 'read' | 'write' | 'total' | 'rchar' | 'wchar' | 'pid' | 'comm';

export const PID_IO_SORTS: Record<PidIoSortKey, (a: PidIoRow, b: PidIoRow) => number> = {
  read: (a, b) => b.readBps - a.readBps,
  write: (a, b) => b.writeBps - a.writeBps,
  total: (a, b) => b.readBps + b.writeBps - (a.readBps + a.writeBps),
  rchar: (a, b) => b.rcharBps - a.rcharBps,
  wchar: (a, b) => b.wcharBps - a.wcharBps,
  pid: (a, b) => a.pid - b.pid,
  comm: (a, b) => (a.comm < b.comm ? -1 : a.comm > b.comm ? 1 : 0),
};

export function buildPidIoModel(prev: PidIoSample, cur: PidIoSample, sort: PidIoSortKey = 'total'): PidIoModel {
  const sec = Math.max(1e-6, cur.mono - prev.mono);
  const pm = new Map<number, PidIo>(prev.procs.map((p) => [p.pid, p]));
  const rows: PidIoRow[] = [];
  for (const c of cur.procs) {
    const p = pm.get(c.pid);
    // A pid seen for the first time (or reused: counters went down) has no rate yet.
    const ok = p && p.comm === c.comm && c.readBytes >= p.readBytes && c.writeBytes >= p.writeBytes;
    rows.push({
      pid: c.pid, comm: c.comm,
      readBps: ok ? (c.readBytes - p!.readBytes) / sec : 0,
      writeBps: ok ? (c.writeBytes - p!.writeBytes) / sec : 0,
      rcharBps: ok ? dd(c.rchar, p!.rchar) / sec : 0,
      wcharBps: ok ? dd(c.wchar, p!.wchar) / sec : 0,
      readBytes: c.readBytes, writeBytes: c.writeBytes,
    });
  }
  const cmp = PID_IO_SORTS[sort] ?? PID_IO_SORTS.total;
  rows.sort((a, b) => cmp(a, b) || a.pid - b.pid);
  return { time: Date.now(), interval: sec, rows, denied: cur.denied, unreadable: cur.unreadable ?? {} };
}
