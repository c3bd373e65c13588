// NetModel: per-interface rates from two NetDevTableSamples and protocol
// counter rates from two SnmpSamples. Counters that go backwards (device
// re-created, counter reset) give a rate of 0 for that interval, not a
// negative or huge number. Totals are kept so dumps can be checked against
// `ip -s link`, which prints cumulative counters.
import type { IfaceInventory, NetDevSample, NetDevTableSample } from '../collectors/netdev.js';
import type { SnmpSample } from '../collectors/snmp.js';

export interface IfaceModel {
  name: string;
  operstate?: string; mtu?: number; speed?: number;
  addresses: string[]; mac?: string;
  rxBytesPs: number; txBytesPs: number; rxPktsPs: number; txPktsPs: number;
  rxErrsPs: number; txErrsPs: number; rxDropPs: number; txDropPs: number;
  rxBytes: number; txBytes: number; rxPackets: number; txPackets: number;
  rxErrs: number; txErrs: number; rxDrop: number; txDrop: number;
}

/** Protocol counters shown as rates; id is the "Section.Name" key of /proc/net/{snmp,netstat}. */
export const PROTO_COUNTERS: ReadonlyArray<{ id: string; label: string; gauge?: boolean }> = [
  { id: 'Tcp.ActiveOpens', label: 'tcp active opens' },
  { id: 'Tcp.PassiveOpens', label: 'tcp passive opens' },
  { id: 'Tcp.CurrEstab', label: 'tcp established (now)', gauge: true },
  { id: 'Tcp.InSegs', label: 'tcp segments in' },
  { id: 'Tcp.OutSegs', label: 'tcp segments out' },
  { id: 'Tcp.RetransSegs', label: 'tcp retransmitted segs' },
  { id: 'Tcp.OutRsts', label: 'tcp resets sent' },
  { id: 'Tcp.EstabResets', label: 'tcp established resets' },
  { id: 'Tcp.AttemptFails', label: 'tcp failed attempts' },
  { id: 'Tcp.InErrs', label: 'tcp bad segments in' },
  { id: 'TcpExt.ListenDrops', label: 'tcp listen drops' },
  { id: 'TcpExt.ListenOverflows', label: 'tcp listen overflows' },
  { id: 'TcpExt.TCPTimeouts', label: 'tcp timeouts' },
  { id: 'Udp.InDatagrams', label: 'udp datagrams in' },
  { id: 'Udp.OutDatagrams', label: 'udp datagrams out' },
  { id: 'Udp.InErrors', label: 'udp receive errors' },
  { id: 'Udp.NoPorts', label: 'udp to no port' },
  { id: 'Udp.RcvbufErrors', label: 'udp rcvbuf errors' },
  { id: 'Udp.SndbufErrors', label: 'udp sndbuf errors' },
];

export interface ProtoCounterModel { id: string; label: string; perSec: number | null; total: number | null; gauge: boolean }

export interface NetModel {
  time: number;
  interval: number;
  ifaces: IfaceModel[];
  proto: ProtoCounterModel[];
}

function dd(c: number, p: number | undefined): number {
  return p === undefined || c < p ? 0 : c - p;
}

export function buildIfaceModels(prev: NetDevTableSample, cur: NetDevTableSample, inv?: Map<string, IfaceInventory>): IfaceModel[] {
  const sec = Math.max(1e-6, cur.mono - prev.mono);
  const pm = new Map<string, NetDevSample>(prev.devs.map((x) => [x.name, x]));
  return cur.devs.map((c) => {
    const p = pm.get(c.name);
    const r = (k: keyof NetDevSample) => (p ? dd(c[k] as number, p[k] as number) / sec : 0);
    const i = inv?.get(c.name);
    return {
      name: c.name, operstate: c.operstate, mtu: c.mtu, speed: c.speed,
      addresses: i?.addresses ?? [], mac: i?.mac,
      rxBytesPs: r('rxBytes'), txBytesPs: r('txBytes'), rxPktsPs: r('rxPackets'), txPktsPs: r('txPackets'),
      rxErrsPs: r('rxErrs'), txErrsPs: r('txErrs'), rxDropPs: r('rxDrop'), txDropPs: r('txDrop'),
      rxBytes: c.rxBytes, txBytes: c.txBytes, rxPackets: c.rxPackets, txPackets: c.txPackets,
      rxErrs: c.rxErrs, txErrs: c.txErrs, rxDrop: c.rxDrop, txDrop: c.txDrop,
    };
  });
}

export function buildProtoModels(prev: SnmpSample, cur: SnmpSample): ProtoCounterModel[] {
  const sec = Math.max(1e-6, cur.mono - prev.mono);
  return PROTO_COUNTERS.map(({ id, label, gauge }) => {
    const c = cur.counters[id];
    const p = prev.counters[id];
    if (c === undefined) return { id, label, perSec: null, total: null, gauge: !!gauge };
    return { id, label, perSec: gauge ? null : dd(c, p) / sec, total: c, gauge: !!gauge };
  });
}

export function buildNetModel(prevDev: NetDevTableSample, curDev: NetDevTableSample, prevSnmp: SnmpSample, curSnmp: SnmpSample, inv?: Map<string, IfaceInventory>): NetModel {
  return {
    time: Date.now(),
    interval: curDev.mono - prevDev.mono,
    ifaces: buildIfaceModels(prevDev, curDev, inv),
    proto: buildProtoModels(prevSnmp, curSnmp),
  };
}
