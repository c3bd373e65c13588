// /proc/net/dev: per-interface counters (two header lines, then
// "name: 16 numbers"). Interface names are sanitized here.
import { sanitize } from '../../util/text.js';

export interface NetDevCounters {
  rxBytes: number; rxPackets: number; rxErrs: number; rxDrop: number; rxFifo: number; rxFrame: number; rxCompressed: number; rxMulticast: number;
  txBytes: number; txPackets: number; txErrs: number; txDrop: number; txFifo: number; txColls: number; txCarrier: number; txCompressed: number;
}

/** One interface's counters, by name. */
export interface NetDevCountersOf extends NetDevCounters {
  name: string;
}

const KEYS: (keyof NetDevCounters)[] = [
  'rxBytes', 'rxPackets', 'rxErrs', 'rxDrop', 'rxFifo', 'rxFrame', 'rxCompressed', 'rxMulticast',
  'txBytes', 'txPackets', 'txErrs', 'txDrop', 'txFifo', 'txColls', 'txCarrier', 'txCompressed',
];

/** Parse /proc/net/dev (two header lines, then "name: 16 numbers"). */
export function parseNetDev(text: string): NetDevCountersOf[] {
  const out: NetDevCountersOf[] = [];
  for (const line of text.split('\n')) {
    const c = line.lastIndexOf(':');
    if (c < 0 || line.includes('|')) continue;
    const name = line.slice(0, c).trim();
    const v = line.slice(c + 1).trim().split(/\s+/).map(Number);
    if (!name || v.length < 16 || v.some((x) => !Number.isFinite(x))) continue;
    const d = { name: sanitize(name) } as NetDevCountersOf;
    KEYS.forEach((k, i) => { d[k] = v[i]; });
    out.push(d);
  }
  return out;
}
