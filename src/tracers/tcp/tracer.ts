// tcp tracer (tcplife + connect/accept + retransmits): decoder of struct
// tcp_event (native/bpf/tcp.h; offsets checked against the addon by
// test/tracers/tcp/tracer.test.ts), columns, and an aggregator of closed
// connections, per-remote totals and retransmits per connection.
// Byte counts are the kernel's tcp_sock.bytes_acked (sent and acknowledged
// payload) and bytes_received (payload received in order).
import type { Column } from '../../model/columns.js';
import { timeColumn, pidColumn, commColumn, cString, errnoName, u64, type Aggregator, type DecodeContext, type SummaryTable, type TracerDescriptor, type WireLayouts } from '../types.js';
import { BoundedMap } from '../bounded.js';

export const TCP_LAYOUTS = {
  tcp_event: {
    size: 112,
    fields: {
      ts_ns: 0, start_ns: 8, sock: 16, tx_bytes: 24, rx_bytes: 32, pid: 40, retrans: 44, saddr: 48, daddr: 64,
      sport: 80, dport: 82, family: 84, type: 86, dir: 87, oldstate: 88, newstate: 89, err: 90, srtt_us: 92, comm: 96,
    },
  },
} satisfies WireLayouts;
const F = TCP_LAYOUTS.tcp_event.fields;

export const TCP_EV = { CONNECT: 1, ACCEPT: 2, CLOSE: 3, RETRANS: 4 } as const;
const EV_NAMES = ['?', 'CONNECT', 'ACCEPT', 'CLOSE', 'RETRANS'];
const DIR_NAMES = ['?', 'active', 'passive'];
export const TCP_STATES = ['?', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE',
  'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'];

export interface TcpEvent {
  tsNs: number;
  time: number;
  /** Monotonic ns of the first state change seen, 0 when the connection predates the tracer. */
  startNs: number;
  /** Opaque connection id (hex). */
  sock: string;
  type: 'CONNECT' | 'ACCEPT' | 'CLOSE' | 'RETRANS' | '?';
  dir: 'active' | 'passive' | '?';
  pid: number;
  comm: string;
  family: 4 | 6;
  laddr: string;
  lport: number;
  raddr: string;
  rport: number;
  txBytes: number;
  rxBytes: number;
  retrans: number;
  srttUs: number;
  oldstate: string;
  newstate: string;
  /** Lifetime in ms (CLOSE with a known start), else null. */
  durMs: number | null;
  /** CLOSE: the socket's pending error (errno: 111 ECONNREFUSED for a refused connect), 0 none. */
  err: number;
}

/** A CLOSE straight from SYN_SENT: connect() never reached ESTABLISHED. */
export function failedConnect(e: TcpEvent): boolean {
  return e.type === 'CLOSE' && e.oldstate === 'SYN_SENT';
}

/** Why a connection ended abnormally, for people: '' for a normal close. */
export function closeProblem(e: TcpEvent): string {
  if (e.type !== 'CLOSE') return '';
  if (failedConnect(e)) return e.err ? `connect failed: ${errnoName(e.err)}` : 'connect failed: closed before established';
  return e.err ? `ended by ${errnoName(e.err)}` : '';
}

export function formatIp(b: Uint8Array, family: 4 | 6): string {
  if (family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i] << 8) | b[i + 1]);
  if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  // longest run of zero words -> "::"
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

export function decodeTcp(v: DataView, ctx: DecodeContext): TcpEvent | null {
  if (v.byteLength < TCP_LAYOUTS.tcp_event.size) return null;
  const family = v.getUint16(F.family, true) === 10 ? 6 : 4;
  const bytes = (off: number) => new Uint8Array(v.buffer, v.byteOffset + off, 16);
  const tsNs = u64(v, F.ts_ns);
  const startNs = u64(v, F.start_ns);
  const type = (EV_NAMES[v.getUint8(F.type)] ?? '?') as TcpEvent['type'];
  return {
    tsNs,
    time: ctx.wallMs(tsNs),
    startNs,
    sock: v.getUint32(F.sock + 4, true).toString(16).padStart(8, '0') + v.getUint32(F.sock, true).toString(16).padStart(8, '0'),
    type,
    dir: (DIR_NAMES[v.getUint8(F.dir)] ?? '?') as TcpEvent['dir'],
    pid: v.getUint32(F.pid, true),
    comm: cString(v, F.comm, 16),
    family,
    laddr: formatIp(bytes(F.saddr), family),
    lport: v.getUint16(F.sport, true),
    raddr: formatIp(bytes(F.daddr), family),
    rport: v.getUint16(F.dport, true),
    txBytes: u64(v, F.tx_bytes),
    rxBytes: u64(v, F.rx_bytes),
    retrans: v.getUint32(F.retrans, true),
    srttUs: v.getUint32(F.srtt_us, true),
    oldstate: TCP_STATES[v.getUint8(F.oldstate)] ?? '?',
    newstate: TCP_STATES[v.getUint8(F.newstate)] ?? '?',
    durMs: type === 'CLOSE' && startNs ? (tsNs - startNs) / 1e6 : null,
    err: v.getUint16(F.err, true),
  };
}

const ms = (n: number | null) => (n === null ? '-' : n.toFixed(2));

/** Who holds the connection and its two ends: the same six columns in the event table and the retransmits table. */
function connectionColumns<R extends { pid: number; comm: string; laddr: string; lport: number; raddr: string; rport: number }>(): Column<R>[] {
  return [
    pidColumn(7, true),
    commColumn(15, true),
    { id: 'laddr', title: 'LADDR', width: 15, align: 'right', value: (r) => r.laddr },
    { id: 'lport', title: 'LPORT', width: 5, align: 'right', value: (r) => r.lport },
    { id: 'raddr', title: 'RADDR', width: 15, align: 'right', value: (r) => r.raddr },
    { id: 'rport', title: 'RPORT', width: 5, align: 'right', value: (r) => r.rport },
  ];
}

export const TCP_COLUMNS: readonly Column<TcpEvent>[] = [
  timeColumn(),
  { id: 'event', title: 'EVENT', width: 7, value: (e) => e.type },
  ...connectionColumns<TcpEvent>(),
  { id: 'tx_bytes', title: 'TX_B', width: 10, align: 'right', value: (e) => e.txBytes },
  { id: 'rx_bytes', title: 'RX_B', width: 10, align: 'right', value: (e) => e.rxBytes },
  { id: 'retrans', title: 'RETR', width: 5, align: 'right', value: (e) => e.retrans },
  { id: 'dur_ms', title: 'MS', width: 9, align: 'right', value: (e) => e.durMs, text: (e) => ms(e.durMs) },
  { id: 'dir', title: 'DIR', width: 7, value: (e) => e.dir },
  { id: 'state', title: 'STATE', width: 22, value: (e) => (e.type === 'RETRANS' ? e.newstate : `${e.oldstate}>${e.newstate}`) },
  { id: 'error', title: 'ERROR', value: (e) => (e.err ? errnoName(e.err) : null) },
];

export interface TcpRemoteRow { raddr: string; rport: number; connections: number; txBytes: number; rxBytes: number; retrans: number }
export interface TcpRetransRow { sock: string; pid: number; comm: string; laddr: string; lport: number; raddr: string; rport: number; retrans: number; state: string }

export const TCP_REMOTE_COLUMNS: readonly Column<TcpRemoteRow>[] = [
  { id: 'raddr', title: 'RADDR', width: 39, align: 'right', value: (r) => r.raddr },
  { id: 'rport', title: 'RPORT', width: 5, align: 'right', value: (r) => r.rport },
  { id: 'connections', title: 'CONNS', width: 7, align: 'right', value: (r) => r.connections },
  { id: 'tx_bytes', title: 'TX_B', width: 12, align: 'right', value: (r) => r.txBytes },
  { id: 'rx_bytes', title: 'RX_B', width: 12, align: 'right', value: (r) => r.rxBytes },
  { id: 'retrans', title: 'RETR', value: (r) => r.retrans },
];
/** --summary's `retransmits` table, and the pane's `s` table. */
export const TCP_RETRANS_COLUMNS: readonly Column<TcpRetransRow>[] = [
  { id: 'retrans', title: 'RETR', width: 6, align: 'right', value: (r) => r.retrans },
  ...connectionColumns<TcpRetransRow>(),
  { id: 'state', title: 'STATE', value: (r) => r.state },
];

/** Closed connections (newest first, bounded), totals per remote endpoint, retransmits per connection. */
export class TcpAggregator implements Aggregator<TcpEvent> {
  private closed: TcpEvent[] = [];
  /** Bounded: a storm of distinct endpoints or connections evicts the smallest. */
  private remotes = new BoundedMap<string, TcpRemoteRow>(4096, (r) => r.txBytes + r.rxBytes);
  private retx = new BoundedMap<string, TcpRetransRow>(512, (r) => r.retrans);
  constructor(private readonly keep = 1000) {}

  add(events: readonly TcpEvent[]): void {
    for (const e of events) {
      if (e.type === 'RETRANS') {
        const r = this.retx.get(e.sock, () => ({ sock: e.sock, pid: e.pid, comm: e.comm, laddr: e.laddr, lport: e.lport, raddr: e.raddr, rport: e.rport, retrans: 0, state: e.newstate }));
        r.retrans++;
        r.state = e.newstate;
        if (!r.pid && e.pid) { r.pid = e.pid; r.comm = e.comm; }
      } else if (e.type === 'CLOSE') {
        this.closed.unshift(e);
        if (this.closed.length > this.keep) this.closed.length = this.keep;
        const k = `${e.raddr}\0${e.rport}`;
        const r = this.remotes.get(k, () => ({ raddr: e.raddr, rport: e.rport, connections: 0, txBytes: 0, rxBytes: 0, retrans: 0 }));
        r.connections++;
        r.txBytes += e.txBytes;
        r.rxBytes += e.rxBytes;
        r.retrans += e.retrans;
        const x = this.retx.map.get(e.sock);
        if (x) x.state = 'CLOSE';
      }
    }
  }

  connections(): TcpEvent[] {
    return this.closed;
  }

  /** Retransmits per connection, most first. */
  retransmits(): TcpRetransRow[] {
    return this.retx.values().sort((a, b) => b.retrans - a.retrans);
  }

  tables(): SummaryTable[] {
    return [
      { id: 'connections', title: 'closed connections (tcplife)', rows: this.closed, columns: TCP_COLUMNS },
      { id: 'remotes', title: 'by remote endpoint', rows: this.remotes.values().sort((a, b) => b.txBytes + b.rxBytes - (a.txBytes + a.rxBytes)), columns: TCP_REMOTE_COLUMNS },
      { id: 'retransmits', title: 'retransmits per connection', rows: this.retransmits(), columns: TCP_RETRANS_COLUMNS },
    ];
  }

  reset(): void {
    this.closed = [];
    this.remotes.clear();
    this.retx.clear();
  }
}

export const tcpTracer: TracerDescriptor<TcpEvent> = {
  name: 'tcp',
  summary: 'TCP connections: connect/accept, lifetime with bytes and duration at close (tcplife), retransmits',
  layouts: TCP_LAYOUTS,
  decode: decodeTcp,
  columns: TCP_COLUMNS,
  createAggregator: () => new TcpAggregator(),
};
