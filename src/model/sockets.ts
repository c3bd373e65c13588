// SocketsModel: the socket table joined with owners, filtered and sorted,
// with counts per state. Sockets have no rates, so the model is built from
// one Sample (the current table). Invariants: work is O(n log n) in the
// number of sockets with no I/O, so 10,000+ sockets stay cheap; counts per
// state are over the protocol selection before the text filter, so they
// describe the system, not the current search.
import type { SocketOwner, SocketProto, SocketSample } from '../collectors/sockets.js';

export interface SocketRow extends SocketSample {
  pid: number | null;
  comm: string | null;
}

export interface SocketFilter {
  /** Listening sockets only (TCP LISTEN, unbound-peer UDP, unix LISTEN). */
  listening?: boolean;
  protos?: ReadonlyArray<SocketProto>;
  /** State names or prefixes ('ESTAB' matches ESTABLISHED), upper-case. */
  states?: string[];
  /** Local or remote port. */
  ports?: number[];
  /** Substring of comm, or an exact pid. */
  process?: string[];
  /** Free text matched against addresses/paths. */
  text?: string[];
}

export type SocketSortKey = 'proto' | 'state' | 'local' | 'remote' | 'recvq' | 'sendq' | 'pid' | 'comm' | 'port';

export interface SocketsModel {
  time: number;
  total: number;
  rows: SocketRow[];
  counts: Array<{ state: string; count: number }>;
  countsByProto: Partial<Record<SocketProto, number>>;
  /** False when owners were not scanned (owner column hidden). */
  owners: boolean;
}

const STATE_ALIASES: Record<string, string> = { ESTAB: 'ESTABLISHED', 'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV', 'FIN-WAIT-1': 'FIN_WAIT1', 'FIN-WAIT-2': 'FIN_WAIT2', 'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT', 'LAST-ACK': 'LAST_ACK' };
const STATE_WORDS = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'UNCONN', 'CONNECTED', 'CONNECTING', 'DISCONNECTING'];

/**
 * Parse the filter line typed in the view or given with --filter:
 *   "state:estab port:22 proc:nginx pid:123 tcp udp 10.0.0.1"
 * Bare words: a number is a port, a state name/prefix is a state, a
 * protocol name selects protocols, anything else matches comm or address.
 */
export function parseSocketFilter(text: string, base: SocketFilter = {}): SocketFilter {
  const f: SocketFilter = { ...base };
  const push = (k: 'states' | 'process' | 'text', v: string) => { f[k] = [...(f[k] ?? []), v]; };
  let protos: SocketProto[] | undefined;
  for (const tok of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(\w+):(.*)$/.exec(tok);
    const key = m ? m[1].toLowerCase() : '';
    const val = m ? m[2] : tok;
    if (key === 'state' || (!key && STATE_WORDS.some((s) => s.startsWith(normState(val))) && /^[a-z_-]+$/i.test(val) && val.length >= 3)) push('states', normState(val));
    else if (key === 'port' || (!key && /^:?\d+$/.test(val))) f.ports = [...(f.ports ?? []), Number(val.replace(/^:/, ''))];
    else if (key === 'proc' || key === 'comm' || key === 'pid') push('process', val);
    else if (!key && ['tcp', 'tcp6', 'udp', 'udp6', 'unix'].includes(val.toLowerCase())) {
      const p = val.toLowerCase() as SocketProto;
      protos ??= [];
      protos.push(p);
      if (p === 'tcp' || p === 'udp') protos.push(`${p}6` as SocketProto);
      f.protos = protos;
    } else if (!key && tok.toLowerCase() === 'listening') f.listening = true;
    else push('text', val);
  }
  return f;
}

function normState(s: string): string {
  const u = s.toUpperCase();
  return STATE_ALIASES[u] ?? u.replace(/-/g, '_');
}

export function isListening(s: SocketSample): boolean {
  if (s.state === 'LISTEN') return true;
  return (s.proto === 'udp' || s.proto === 'udp6') && s.state === 'UNCONN';
}

const countKeys = new Map<string, string>();
function countKey(proto: SocketProto, state: string): string {
  const ck = proto + state;
  let k = countKeys.get(ck);
  if (k === undefined) {
    k = proto === 'unix' ? `unix ${state}` : `${proto.startsWith('tcp') ? 'tcp' : 'udp'} ${state}`;
    countKeys.set(ck, k);
  }
  return k;
}

function matches(r: SocketRow, f: SocketFilter): boolean {
  if (f.listening && !isListening(r)) return false;
  if (f.states?.length && !f.states.some((s) => r.state.startsWith(s))) return false;
  if (f.ports?.length && !f.ports.some((p) => r.localPort === p || r.remotePort === p)) return false;
  if (f.process?.length) {
    if (r.pid === null) return false;
    if (!f.process.some((p) => (/^\d+$/.test(p) ? r.pid === Number(p) : (r.comm ?? '').toLowerCase().includes(p.toLowerCase())))) return false;
  }
  if (f.text?.length && !f.text.some((t) => r.local.includes(t) || r.remote.includes(t) || (r.comm ?? '').includes(t))) return false;
  return true;
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const SOCKET_SORTS: Record<SocketSortKey, (a: SocketRow, b: SocketRow) => number> = {
  proto: (a, b) => cmpStr(a.proto, b.proto),
  state: (a, b) => cmpStr(a.state, b.state),
  local: (a, b) => cmpStr(a.localAddr, b.localAddr) || a.localPort - b.localPort,
  remote: (a, b) => cmpStr(a.remoteAddr, b.remoteAddr) || a.remotePort - b.remotePort,
  port: (a, b) => a.localPort - b.localPort,
  recvq: (a, b) => b.rxQueue - a.rxQueue,
  sendq: (a, b) => b.txQueue - a.txQueue,
  pid: (a, b) => (a.pid ?? Infinity) - (b.pid ?? Infinity),
  comm: (a, b) => cmpStr(a.comm ?? '\uffff', b.comm ?? '\uffff'),
};

export function buildSocketsModel(
  sockets: readonly SocketSample[],
  owners: Map<number, SocketOwner> | undefined,
  filter: SocketFilter = {},
  sort: SocketSortKey = 'proto',
): SocketsModel {
  const counts = new Map<string, number>();
  const countsByProto: SocketsModel['countsByProto'] = {};
  const rows: SocketRow[] = [];
  const protos = filter.protos ? new Set(filter.protos) : undefined;
  const trivial = !filter.listening && !filter.states?.length && !filter.ports?.length && !filter.process?.length && !filter.text?.length;
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (protos && !protos.has(s.proto)) continue;
    const key = countKey(s.proto, s.state);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    countsByProto[s.proto] = (countsByProto[s.proto] ?? 0) + 1;
    const o = owners && s.inode !== 0 ? owners.get(s.inode) : undefined;
    // An explicit literal (not a spread) keeps one object shape: much faster at 10,000+ rows.
    const r: SocketRow = {
      proto: s.proto, state: s.state, localAddr: s.localAddr, localPort: s.localPort, remoteAddr: s.remoteAddr, remotePort: s.remotePort,
      local: s.local, remote: s.remote, txQueue: s.txQueue, rxQueue: s.rxQueue, inode: s.inode, uid: s.uid, type: s.type, path: s.path,
      pid: o ? o.pid : null, comm: o ? o.comm : null,
    };
    if (trivial || matches(r, filter)) rows.push(r);
  }
  const cmp = SOCKET_SORTS[sort] ?? SOCKET_SORTS.proto;
  rows.sort((a, b) => cmp(a, b) || a.localPort - b.localPort || a.inode - b.inode);
  return {
    time: Date.now(),
    total: sockets.length,
    rows,
    counts: [...counts].map(([state, count]) => ({ state, count })).sort((a, b) => b.count - a.count || cmpStr(a.state, b.state)),
    countsByProto,
    owners: !!owners,
  };
}
