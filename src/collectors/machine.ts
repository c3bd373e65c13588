// One MachineSample per tick: /proc/stat, meminfo, loadavg, uptime, vmstat,
// diskstats and net/dev are read at most once per tick, whoever asks (the
// top view's header and its system strip, the vmstat, iostat and netstat
// views, the dumps). A MachineSampler is created by the composition root
// (or by a Source that is given none) and passed to every collector that
// needs machine-wide counters; sample(tick) returns the cached sample when
// called again for the same tick, reading only the parts not read yet.
// Invariant: the sample holds raw kernel counters only (parsed by
// src/collectors/procfs/*); every rate and percent is made by the models.
import * as fs from 'node:fs';
import { directReader, type FileReader } from './procfs/read.js';
import { parseProcStat, type ProcStat } from './procfs/stat.js';
import { parseMeminfoChecked, type MeminfoParse } from './procfs/meminfo.js';
import { parseLoadavg, type Loadavg } from './procfs/loadavg.js';
import { parseUptime } from './procfs/uptime.js';
import { parseVmstat } from './procfs/vmstat.js';
import { parseDiskstats, type DiskStat } from './procfs/diskstats.js';
import { parseNetDev, type NetDevCountersOf } from './procfs/net-dev.js';

export type MachinePart = 'stat' | 'meminfo' | 'loadavg' | 'uptime' | 'vmstat' | 'diskstats' | 'netdev';

export const MACHINE_PARTS: readonly MachinePart[] = ['stat', 'meminfo', 'loadavg', 'uptime', 'vmstat', 'diskstats', 'netdev'];

/** The file of each part, relative to the /proc root. */
export const MACHINE_FILES: Readonly<Record<MachinePart, string>> = {
  stat: 'stat', meminfo: 'meminfo', loadavg: 'loadavg', uptime: 'uptime', vmstat: 'vmstat', diskstats: 'diskstats', netdev: 'net/dev',
};

/** Machine-wide counters of one tick; a part is present once something asked for it. */
export interface MachineSample {
  /** The tick this sample belongs to (the `now` of the Sources' collect()). */
  tick: number;
  /** ms since the epoch when the sample was started. */
  time: number;
  /** Monotonic seconds when the sample was started; rates divide by differences of it. */
  mono: number;
  stat?: ProcStat;
  meminfo?: MeminfoParse;
  loadavg?: Loadavg;
  uptimeSec?: number;
  vmstat?: Record<string, number>;
  diskstats?: DiskStat[];
  netdev?: NetDevCountersOf[];
  /** Parts whose file could not be read (their value is what an empty file parses to). */
  unreadable: MachinePart[];
}

export interface MachineSamplerOptions {
  procRoot?: string;
  /** Where /proc files are read (tests inject a CountingReader). */
  reader?: FileReader;
  /** Whether a block device is a partition (default: /sys/class/block/NAME/partition exists, via the same reader's root). */
  isPartition?: (name: string, major: number, minor: number) => boolean;
}

function monoSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

export class MachineSampler {
  readonly procRoot: string;
  private reader: FileReader;
  private isPartition: (name: string, major: number, minor: number) => boolean;
  private cur: MachineSample | undefined;

  constructor(opts: MachineSamplerOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.reader = opts.reader ?? directReader;
    this.isPartition = opts.isPartition ?? sysfsPartitions();
  }

  /** The sample of `tick` with at least `parts` read (each file at most once per tick). */
  sample(tick: number, parts: Iterable<MachinePart> = MACHINE_PARTS): MachineSample {
    let s = this.cur;
    if (!s || s.tick !== tick) s = this.cur = { tick, time: Date.now(), mono: monoSeconds(), unreadable: [] };
    for (const p of parts) if (!this.has(s, p)) this.read(s, p);
    return s;
  }

  /** The last sample taken, if any. */
  last(): MachineSample | undefined {
    return this.cur;
  }

  /** True for a sampler that hands back recorded samples (src/views/recorded-feed.ts): nothing of this machine may be read beside it (link facts, partitions). */
  get recorded(): boolean {
    return false;
  }

  private has(s: MachineSample, p: MachinePart): boolean {
    switch (p) {
      case 'stat': return s.stat !== undefined;
      case 'meminfo': return s.meminfo !== undefined;
      case 'loadavg': return s.loadavg !== undefined;
      case 'uptime': return s.uptimeSec !== undefined;
      case 'vmstat': return s.vmstat !== undefined;
      case 'diskstats': return s.diskstats !== undefined;
      case 'netdev': return s.netdev !== undefined;
    }
  }

  private read(s: MachineSample, p: MachinePart): void {
    const t = this.reader.text(`${this.procRoot}/${MACHINE_FILES[p]}`);
    if (t === undefined) s.unreadable.push(p);
    const text = t ?? '';
    switch (p) {
      case 'stat': s.stat = parseProcStat(text); break;
      case 'meminfo': s.meminfo = parseMeminfoChecked(text); break;
      case 'loadavg': s.loadavg = parseLoadavg(text); break;
      case 'uptime': s.uptimeSec = parseUptime(text); break;
      case 'vmstat': s.vmstat = parseVmstat(text); break;
      case 'diskstats': s.diskstats = parseDiskstats(text, this.isPartition); break;
      case 'netdev': s.netdev = parseNetDev(text); break;
    }
  }
}

/**
 * Partition-ness from sysfs (/sys/class/block/NAME/partition), cached per
 * name and device number (it never changes while the device exists).
 */
export function sysfsPartitions(sysRoot = '/sys', exists: (path: string) => boolean = accessible): (name: string, major: number, minor: number) => boolean {
  const cache = new Map<string, boolean>();
  return (name, major, minor) => {
    const k = `${name}/${major}:${minor}`;
    let p = cache.get(k);
    if (p === undefined) {
      p = exists(`${sysRoot}/class/block/${name.replace(/\//g, '!')}/partition`);
      cache.set(k, p);
    }
    return p;
  };
}

function accessible(path: string): boolean {
  try {
    fs.accessSync(path);
    return true;
  } catch {
    return false;
  }
}
