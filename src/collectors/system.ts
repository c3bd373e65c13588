// The SystemSample behind the top view's header and `dump processes`:
// /proc/stat, meminfo, loadavg and uptime of one tick, taken from the
// MachineSampler (each file read at most once per tick; parsers in
// src/collectors/procfs/). Raw counters only; percentages and rates are
// computed by the model from two samples.
import { MachineSampler } from './machine.js';
import type { ProcStat } from './procfs/stat.js';

export type { CpuTimes, ProcStat } from './procfs/stat.js';

export interface SystemSample {
  stat: ProcStat;
  mem: Record<string, number>;
  /** meminfo keys whose line was malformed (see parseMeminfoChecked). */
  memMalformed: string[];
  load: [number, number, number];
  /** Running/total scheduling entities from loadavg. */
  loadRunning: number;
  loadTotal: number;
  uptimeSec: number;
}

/** The SystemSample of `tick` (read through `machine`, shared with whatever else reads this tick). */
export function systemSample(machine: MachineSampler, tick: number): SystemSample {
  const s = machine.sample(tick, ['stat', 'meminfo', 'loadavg', 'uptime']);
  return {
    stat: s.stat!, mem: s.meminfo!.values, memMalformed: s.meminfo!.malformed,
    load: s.loadavg!.load, loadRunning: s.loadavg!.running, loadTotal: s.loadavg!.total, uptimeSec: s.uptimeSec!,
  };
}
