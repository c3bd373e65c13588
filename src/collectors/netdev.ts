// Per-interface counters from /proc/net/dev (parser:
// src/collectors/procfs/net-dev.ts, read once per tick by the
// MachineSampler) plus cheap per-tick link facts
// from /sys/class/net/<if>/{operstate,mtu,speed}, and a once-only address
// inventory. Invariants: the per-tick path only reads small files (no
// process spawns); systeminformation (which spawns helpers) is called at
// most once per Source, off the tick path. Interface names are sanitized.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { sanitize } from '../util/text.js';
import type { MachineSampler } from './machine.js';
import type { NetDevCounters } from './procfs/net-dev.js';

export type { NetDevCounters } from './procfs/net-dev.js';

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

/** The interfaces of `tick` (counters read through `machine`, shared with the other readers of this tick), with their link facts unless `linkFacts` is false. */
export function netDevSample(machine: MachineSampler, tick: number, opts: { sysRoot?: string; linkFacts?: boolean } = {}): NetDevTableSample {
  const s = machine.sample(tick, ['netdev']);
  if (s.unreadable.includes('netdev')) throw new Error(`cannot read ${machine.procRoot}/net/dev`);
  const devs: NetDevSample[] = s.netdev!.map((d) => ({ ...d }));
  // A recorded sample carries the link facts of its own machine.
  if ((opts.linkFacts ?? true) && !machine.recorded) for (const d of devs) Object.assign(d, readLinkFacts(d.name, opts.sysRoot));
  return { mono: s.mono, devs };
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
