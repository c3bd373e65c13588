// Where a Source's samples come from when they do not come from this
// machine now: a recorded tick (src/views/recorded-feed.ts, read from the
// store by `ostop dump --from`, `ostop replay` and the live UI's preload).
// A Source given a SampleFeed takes every sample from it and reads nothing
// of the system; the models are built from the samples exactly as live
// (one model path). The machine-wide counters come through `machine`, a
// MachineSampler whose sample() hands back the recorded tick's.
import type { MachineSampler } from './machine.js';
import type { PsiSample } from './psi.js';
import type { SnmpSample } from './snmp.js';
import type { PidIoSample } from './pid-io.js';
import type { FsSample } from './fs.js';
import type { IfaceInventory } from './netdev.js';
import type { ProcessTableSample } from './processes.js';
import type { SocketProto } from './socket-types.js';

/** The socket counts a tick records (the socket table itself is live-only). */
export interface SocketCounts {
  counts: Array<{ state: string; count: number }>;
  countsByProto: Partial<Record<SocketProto, number>>;
  total: number;
}

export interface SampleFeed {
  /** The machine-wide sample of the current tick (stat, meminfo, loadavg, uptime, vmstat, diskstats, net/dev with link facts). */
  readonly machine: MachineSampler;
  /** Wall-clock ms of the current tick (what a dump prints as the sample's time). */
  wallMs(): number;
  psi(): PsiSample;
  snmp(): SnmpSample;
  /** Per-process /proc/PID/io counters of the current tick. */
  pidIo(): PidIoSample;
  /** The filesystems (df) of the current tick; undefined when none were recorded. */
  fs(): FsSample | undefined;
  /** Interface addresses of the current tick. */
  inventory(): Map<string, IfaceInventory>;
  /** The process table of the current tick (processes, no threads); `time` is on this process's performance.now() clock. */
  processes(): ProcessTableSample;
  socketCounts(): SocketCounts;
}
