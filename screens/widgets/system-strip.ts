// A one-line summary of the system views for the top view's header on wide
// terminals: "r 2 b 0 │ cpu us 5 sy 2 wa 0 st 0 │ free 22.0G avail 23.0G │ si 0B/s
// so 0B/s │ bi 12.0K/s bo 340K/s │ in 250 cs 400 │ net ↓1.20M/s ↑30.0K/s │ vda 12%"
// (units: src/util/format.ts). Plain text (no
// blessed tags; interface and device names are already sanitized), cut to
// `width` cells. The models come from src/views/vmstat-strip.ts.
import type { StripModels } from '../../src/model/view-contract.js';
import { truncateWidth } from '../../src/util/text.js';
import { formatCount, formatKib, formatRate } from '../../src/util/format.js';
import { selectDevices } from '../../src/model/iostat.js';

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
