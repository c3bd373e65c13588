// The DiskstatsSample behind iostat and the top view's strip: /proc/diskstats
// of one tick from the MachineSampler (read at most once per tick; parser
// in src/collectors/procfs/diskstats.ts).
import type { MachineSampler } from './machine.js';
import type { DiskStat } from './procfs/diskstats.js';

export type { DiskStat } from './procfs/diskstats.js';

export interface DiskstatsSample {
  mono: number;
  disks: DiskStat[];
}

/** The DiskstatsSample of `tick`; throws when /proc/diskstats cannot be read. */
export function diskstatsSample(machine: MachineSampler, tick: number): DiskstatsSample {
  const s = machine.sample(tick, ['diskstats']);
  if (s.unreadable.includes('diskstats')) throw new Error(`cannot read ${machine.procRoot}/diskstats`);
  return { mono: s.mono, disks: s.diskstats! };
}
