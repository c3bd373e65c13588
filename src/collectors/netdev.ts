// Per-interface counters from /proc/net/dev plus cheap per-tick link facts
// from /sys/class/net/<if>/{operstate,mtu,speed}, and a once-only address
// inventory. Invariants: the per-tick path only reads small files (no
// process spawns); systeminformation (which spawns helpers) is called at
// most once per Source, off the tick path. Interface names are sanitized.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { sanitize } from '../util/text.js';

export interface NetDevCounters {
  rxBytes: number; rxPackets: number; rxErrs: number; rxDrop: number; rxFifo: number; rxFrame: number; rxCompressed: number; rxMulticast: number;
  txBytes: number; txPackets: number; txErrs: number; txDrop: number; txFifo: number; txColls: number; txCarrier: number; txCompressed: number;
}

export interface NetDevSample extends NetDevCounters {
  name: string;
  /** From /sys/class/net: 'up', 'down', 'unknown' (loopback), ... ; undefined when unreadable. */
  operstate?: string;
  mtu?: number;
  /** Mb/s; undefined where the driver does not report it (virtual links, link down). */
  speed?: number;
}

export interface NetDevTableSample {
  mono: number;
  devs: NetDevSample[];
}

const KEYS: (keyof NetDevCounters)[] = [
  'rxBytes', 'rxPackets', 'rxErrs', 'rxDrop', 'rxFifo', 'rxFrame', 'rxCompressed', 'rxMulticast',
  'txBytes', 'txPackets', 'txErrs', 'txDrop', 'txFifo', 'txColls', 'txCarrier', 'txCompressed',
];

/** Parse /proc/net/dev (two header lines, then "name: 16 numbers"). */
export function parseNetDev(text: string): NetDevSample[] {
  const out: NetDevSample[] = [];
  for (const line of text.split('\n')) {
    const c = line.lastIndexOf(':');
    if (c < 0 || line.includes('|')) continue;
    const name = line.slice(0, c).trim();
    const v = line.slice(c + 1).trim().split(/\s+/).map(Number);
    if (!name || v.length < 16 || v.some((x) => !Number.isFinite(x))) continue;
    const d = { name: sanitize(name) } as NetDevSample;
    KEYS.forEach((k, i) => { d[k] = v[i]; });
    out.push(d);
  }
  return out;
}

function readSmall(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'latin1').trim();
  } catch {
    return undefined;
  }
}

/** operstate/mtu/speed for one interface (3 tiny reads). */
export function readLinkFacts(name: string, sysRoot = '/sys'): { operstate?: string; mtu?: number; speed?: number } {
  if (name.includes('/') || name === '.' || name === '..') return {};
  const base = `${sysRoot}/class/net/${name}`;
  const op = readSmall(`${base}/operstate`);
  const mtu = readSmall(`${base}/mtu`);
  const sp = readSmall(`${base}/speed`);
  const speed = sp !== undefined ? Number(sp) : NaN;
  return {
    operstate: op,
    mtu: mtu !== undefined && Number.isFinite(Number(mtu)) ? Number(mtu) : undefined,
    speed: Number.isFinite(speed) && speed > 0 ? speed : undefined,
  };
}

export function readNetDevSample(opts: { procRoot?: string; sysRoot?: string; linkFacts?: boolean } = {}): NetDevTableSample {
  const mono = Number(process.hrtime.bigint()) / 1e9;
  const devs = parseNetDev(fs.readFileSync(`${opts.procRoot ?? '/proc'}/net/dev`, 'latin1'));
  if (opts.linkFacts ?? true) for (const d of devs) Object.assign(d, readLinkFacts(d.name, opts.sysRoot));
  return { mono, devs };
}

export interface IfaceInventory {
  name: string;
  mac?: string;
  addresses: string[];
  /** Driver/type text from systeminformation when it could tell. */
  type?: string;
}

/** Addresses from getifaddrs (no process spawn): the fallback and the refresh for addresses. */
export function inventoryFromOs(): Map<string, IfaceInventory> {
  const m = new Map<string, IfaceInventory>();
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    const inv: IfaceInventory = { name: sanitize(name), addresses: [] };
    for (const a of addrs ?? []) {
      inv.addresses.push(a.cidr ?? a.address);
      if (a.mac && a.mac !== '00:00:00:00:00:00') inv.mac = a.mac;
    }
    m.set(inv.name, inv);
  }
  return m;
}

/**
 * Interface inventory from systeminformation, once (it spawns helpers: never
 * call this per tick). Falls back to getifaddrs when it fails or is slow.
 */
export async function readIfaceInventory(timeoutMs = 5000): Promise<Map<string, IfaceInventory>> {
  const base = inventoryFromOs();
  try {
    const si = await import('systeminformation');
    const list = await Promise.race([
      si.networkInterfaces(),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), timeoutMs).unref()),
    ]);
    for (const i of Array.isArray(list) ? list : [list]) {
      const name = sanitize(String(i.iface));
      const inv = base.get(name) ?? { name, addresses: [] };
      if (i.mac) inv.mac = sanitize(String(i.mac));
      if (i.type) inv.type = sanitize(String(i.type));
      if (inv.addresses.length === 0) {
        if (i.ip4) inv.addresses.push(`${i.ip4}${i.ip4subnet ? '/' + i.ip4subnet : ''}`);
        if (i.ip6) inv.addresses.push(String(i.ip6));
      }
      base.set(name, inv);
    }
  } catch {
    // keep the getifaddrs view
  }
  return base;
}
