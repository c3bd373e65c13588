// A one-line summary of the system views for the top view's header on wide
// terminals: "r 2 b 0 │ cpu us 5 sy 2 wa 0 st 0 │ free 22G avail 23G │ si 0 so 0
// │ bi 12 bo 340 │ in 250 cs 400 │ net ↓1.2M ↑30K │ vda 12%". Plain text (no
// blessed tags; interface and device names are already sanitized), cut to
// `width` cells. SystemStripSource collects just what the strip needs
// (three small /proc files and /proc/net/dev), so the top view can tick it.
import type { DiskstatsSample } from '../collectors/diskstats.js';
import { readDiskstatsSample } from '../collectors/diskstats.js';
import { readNetDevSample, type NetDevTableSample } from '../collectors/netdev.js';
import { readVmstatSample, type VmstatSample } from '../collectors/vmstat.js';
import { buildIostatModel, selectDevices, type IostatModel } from '../model/iostat.js';
import { buildIfaceModels, type IfaceModel } from '../model/net.js';
import { buildVmstatModel, type VmstatModel } from '../model/vmstat.js';
import { truncateWidth } from '../util/text.js';
import { humanBytes, humanRate } from './vmstat-util.js';

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
      `free ${humanBytes(v.free * 1024)} avail ${humanBytes(v.avail * 1024)}`, `si ${humanRate(v.si)} so ${humanRate(v.so)}`,
      `bi ${humanRate(v.bi)} bo ${humanRate(v.bo)}`, `in ${humanRate(v.in)} cs ${humanRate(v.cs)}`);
  }
  if (m.ifaces) {
    const up = m.ifaces.filter((i) => i.name !== 'lo');
    const rx = up.reduce((a, i) => a + i.rxBytesPs, 0), tx = up.reduce((a, i) => a + i.txBytesPs, 0);
    const errs = up.reduce((a, i) => a + i.rxErrsPs + i.txErrsPs + i.rxDropPs + i.txDropPs, 0);
    parts.push(`net ↓${humanBytes(rx)} ↑${humanBytes(tx)}` + (errs > 0 ? ` err+drop ${humanRate(errs)}/s` : ''));
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

  collect(): void {
    const vm = readVmstatSample();
    const net = readNetDevSample({ linkFacts: false });
    const disk = readDiskstatsSample();
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
