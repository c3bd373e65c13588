// A one-line summary of the system views for the top view's header on wide
// terminals: "r 2 b 0 │ cpu us 5 sy 2 wa 0 st 0 │ free 22.0G avail 23.0G │ si 0B/s
// so 0B/s │ bi 12.0K/s bo 340K/s │ in 250 cs 400 │ net ↓1.20M/s ↑30.0K/s │ vda 12%"
// (units: src/util/format.ts). Plain text (no
// blessed tags; interface and device names are already sanitized), cut to
// `width` cells. SystemStripSource collects just what the strip needs
// (three small /proc files and /proc/net/dev), so the top view can tick it.
import { diskstatsSample, type DiskstatsSample } from '../collectors/diskstats.js';
import { MachineSampler } from '../collectors/machine.js';
import { netDevSample, type NetDevTableSample } from '../collectors/netdev.js';
import { vmstatSample, type VmstatSample } from '../collectors/vmstat.js';
import { buildIostatModel, selectDevices, type IostatModel } from '../model/iostat.js';
import { buildIfaceModels, type IfaceModel } from '../model/net.js';
import { buildVmstatModel, type VmstatModel } from '../model/vmstat.js';
import { truncateWidth } from '../util/text.js';
import { formatCount, formatKib, formatRate } from '../util/format.js';

export interface StripModels {
  vm?: VmstatModel;
  ifaces?: IfaceModel[];
  io?: IostatModel;
}

export function formatSystemStrip(m: StripModels, width: number): string {
  const parts: string[] = [];
  const v = m.vm;
  if (v) {
    const r = Math.round;
    parts.push(`r ${v.r} b ${v.b}`, `cpu us ${r(v.us)} sy ${r(v.sy)} wa ${r(v.wa)} st ${r(v.st)}`,
      // si so bi bo are KiB/s (vmstat's kB): byte rates, not counts.
      `free ${formatKib(v.free)} avail ${formatKib(v.avail)}`, `si ${formatRate(v.si * 1024)} so ${formatRate(v.so * 1024)}`,
      `bi ${formatRate(v.bi * 1024)} bo ${formatRate(v.bo * 1024)}`, `in ${formatCount(v.in)} cs ${formatCount(v.cs)}`);
  }
  if (m.ifaces) {
    const up = m.ifaces.filter((i) => i.name !== 'lo');
    const rx = up.reduce((a, i) => a + i.rxBytesPs, 0), tx = up.reduce((a, i) => a + i.txBytesPs, 0);
    const errs = up.reduce((a, i) => a + i.rxErrsPs + i.txErrsPs + i.rxDropPs + i.txDropPs, 0);
    parts.push(`net ↓${formatRate(rx)} ↑${formatRate(tx)}` + (errs > 0 ? ` err+drop ${formatCount(errs)}/s` : ''));
  }
  if (m.io) {
    const busiest = selectDevices(m.io).sort((a, b) => b.util - a.util).slice(0, 2);
    for (const d of busiest) parts.push(`${d.name} ${Math.round(d.util)}%`);
  }
  return truncateWidth(parts.join(' │ '), width, '…');
}

/** Collects the strip's inputs; call collect() once per tick, then line(width). */
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
  line(width: number): string {
    return formatSystemStrip(this.models, width);
  }
  reset(): void {
    this.vm = this.net = this.disk = undefined;
    this.models = {};
  }
}
