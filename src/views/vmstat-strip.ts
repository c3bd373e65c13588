// The system strip's Source: it collects just what the one-line summary in
// the top view's header needs on wide terminals (three small /proc files
// and /proc/net/dev), so the top view can tick it. The line itself is drawn
// by screens/widgets/system-strip.ts.
import { diskstatsSample, type DiskstatsSample } from '../collectors/diskstats.js';
import { MachineSampler } from '../collectors/machine.js';
import { netDevSample, type NetDevTableSample } from '../collectors/netdev.js';
import { vmstatSample, type VmstatSample } from '../collectors/vmstat.js';
import { buildIostatModel } from '../model/iostat.js';
import { buildIfaceModels } from '../model/net.js';
import { buildVmstatModel } from '../model/vmstat.js';
import type { StripModels } from '../model/view-contract.js';

/** Collects the strip's inputs; call collect() once per tick, then model() (drawn by screens/widgets/system-strip.ts). */
export class SystemStripSource {
  private vm?: VmstatSample;
  private net?: NetDevTableSample;
  private disk?: DiskstatsSample;
  private models: StripModels = {};

  /** `machine`: the tick's machine-wide sample, shared with the header (each /proc file read once per tick). */
  constructor(private machine = new MachineSampler()) {}

  /** `now`: the tick (the same as the other readers of this tick pass to the MachineSampler). */
  collect(now = performance.now()): void {
    const vm = vmstatSample(this.machine, now);
    const net = netDevSample(this.machine, now, { linkFacts: false });
    const disk = diskstatsSample(this.machine, now);
    if (this.vm && this.net && this.disk) {
      this.models = { vm: buildVmstatModel(this.vm, vm), ifaces: buildIfaceModels(this.net, net), io: buildIostatModel(this.disk, disk) };
    }
    this.vm = vm; this.net = net; this.disk = disk;
  }
  model(): StripModels {
    return this.models;
  }
  reset(): void {
    this.vm = this.net = this.disk = undefined;
    this.models = {};
  }
}
