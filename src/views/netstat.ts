// The netstat view: per-interface rates with history, the socket table
// with owners, and protocol counter rates. Source (its screen, key 'n', is
// paired with it in src/tui.ts) + two DumpViews: `ostop dump netstat` (interfaces, or protocol counters
// with --proto) and `ostop dump sockets`.
// Invariants: the per-tick path reads /proc/net/dev, /sys/class/net/*/
// {operstate,mtu,speed}, /proc/net/{snmp,netstat}; socket tables only
// while the socket pane is shown; the /proc/*/fd owner scan only while the
// owner column is shown, and less often when it is slow (the cost is
// measured and shown). systeminformation runs once per Source, off-tick.
import { sampleWallMs, type DumpView } from '../model/dump-view.js';
import { UsageError } from '../model/dump-view.js';
import { parseIface } from '../collectors/validate.js';
import type { Column } from '../model/columns.js';
import type { NetstatRequest, NetstatViewModel, Source } from '../model/view-contract.js';
import { inventoryFromOs, netDevSample, readIfaceInventory, type IfaceInventory, type NetDevTableSample } from '../collectors/netdev.js';
import { MachineSampler } from '../collectors/machine.js';
import { readSnmpSample, type SnmpSample } from '../collectors/snmp.js';
import { readSocketOwners, readSockets, type SocketOwner, type SocketProto } from '../collectors/sockets.js';
import { buildNetModel, type IfaceModel, type NetModel, type ProtoCounterModel } from '../model/net.js';
import { buildSocketsModel, parseSocketFilter, SOCKET_SORTS, type SocketRow, type SocketSortKey, type SocketsModel } from '../model/sockets.js';
import { round, runSampledDump, timeColumn } from './vmstat-util.js';
import { Series } from '../store/series.js';
import { TickMap } from '../store/pid-map.js';
import type { SampleFeed } from '../collectors/feed.js';

/** Interfaces / devices with a graph history at most (about 5 KB each); past it the oldest is dropped. */
const HIST_KEYS_CAP = 4096;

export const INET_PROTOS: SocketProto[] = ['tcp', 'tcp6', 'udp', 'udp6'];

/** What `ostop dump netstat` and a screen that says nothing ask for. */
export const DEFAULT_NETSTAT_REQUEST: NetstatRequest = { pane: 'sockets', filterText: '', listening: false, unix: false, owners: true, sort: 'proto' };

/**
 * The socket table: socket tables and their owners (the /proc/PID/fd scan,
 * less often when it is slow: at most ~10% of a 1 s tick on average), as
 * the request says (filter, listening, unix, owners, sort). The netstat
 * view's lower pane and `ostop dump sockets` both use it.
 */
export class SocketsSource implements Source<SocketsModel, NetstatRequest> {
  private owners?: Map<number, SocketOwner>;
  private ownersAge = 0;
  private last?: SocketsModel;
  /** Owners are rescanned every this many samples (1 = every sample). */
  ownersEvery = 1;
  /** Milliseconds the last socket-table read and owner scan took. */
  socketsMs?: number;
  ownersMs?: number;

  /** `ownersEverySample`: rescan the owners at every sample, however slow (a dump prints each sample whole). */
  /** `feed`: a recorded tick's socket counts instead of this machine's sockets (the table itself is not recorded: rows stay empty). */
  constructor(private opts: { ownersEverySample?: boolean; feed?: SampleFeed } = {}) {}

  collect(_now = performance.now(), req: NetstatRequest = DEFAULT_NETSTAT_REQUEST): void {
    if (this.opts.feed) {
      const c = this.opts.feed.socketCounts();
      this.last = { time: this.opts.feed.wallMs(), total: c.total, rows: [], counts: c.counts, countsByProto: c.countsByProto, owners: false };
      return;
    }
    const t0 = performance.now();
    const list = readSockets({ protos: req.unix ? [...INET_PROTOS, 'unix'] : INET_PROTOS });
    this.socketsMs = performance.now() - t0;
    if (req.owners) {
      if (this.opts.ownersEverySample || !this.owners || ++this.ownersAge >= this.ownersEvery) {
        const t1 = performance.now();
        this.owners = readSocketOwners();
        this.ownersMs = performance.now() - t1;
        this.ownersAge = 0;
        // Keep the scan under ~10% of a 1 s tick on average.
        this.ownersEvery = Math.min(10, Math.max(1, Math.ceil(this.ownersMs / 100)));
      }
    } else {
      this.owners = undefined;
    }
    const filter = parseSocketFilter(req.filterText, { listening: req.listening });
    this.last = buildSocketsModel(list, req.owners ? this.owners : undefined, filter, req.sort);
  }

  model(): SocketsModel | undefined {
    return this.last;
  }

  reset(): void {
    this.owners = undefined;
    this.last = undefined;
  }
}

export class NetstatSource implements Source<NetstatViewModel, NetstatRequest> {
  private prevDev?: NetDevTableSample;
  private prevSnmp?: SnmpSample;
  private inv: Map<string, IfaceInventory> = inventoryFromOs();
  private invRequested = false;
  /** Per-interface graphs; an interface gone at a tick is dropped (src/store TickMap). */
  private hist = new TickMap<string, { rx: Series; tx: Series }>(HIST_KEYS_CAP);
  private last?: NetstatViewModel;
  /** The socket pane's tables and owners (read only while the pane is shown). */
  private socks: SocketsSource;

  /**
   * `machine`: the tick's machine-wide sample, shared with the other views by the composition root (net/dev read once per tick).
   * `osInventoryOnly`: link facts from the OS only, no systeminformation helpers (`ostop dump`).
   * `feed`: recorded samples instead of this machine's (src/collectors/feed.ts; pass feed.machine as `machine` too).
   */
  constructor(private machine = new MachineSampler(), private opts: { osInventoryOnly?: boolean; feed?: SampleFeed } = {}) {
    this.socks = new SocketsSource({ feed: opts.feed });
    if (opts.feed) this.invRequested = true;
    this.liveMachine = machine;
  }
  private readonly liveMachine: MachineSampler;

  /** Take samples from `feed` until called again without one (the live UI's preload: see VmstatSource.useFeed). */
  useFeed(feed?: SampleFeed): void {
    this.opts = { ...this.opts, feed };
    this.machine = feed?.machine ?? this.liveMachine;
    this.socks = new SocketsSource({ feed });
    if (!feed) {
      this.inv = inventoryFromOs();
      this.invRequested = false;
    }
  }

  collect(now = performance.now(), req: NetstatRequest = DEFAULT_NETSTAT_REQUEST): void {
    if (this.opts.feed) this.inv = this.opts.feed.inventory();
    if (!this.invRequested) {
      this.invRequested = true;
      // Once, off the tick path: systeminformation spawns helpers.
      if (!this.opts.osInventoryOnly) readIfaceInventory().then((m) => { this.inv = m; }, () => undefined);
    }
    const dev = netDevSample(this.machine, now);
    const snmp = this.opts.feed ? this.opts.feed.snmp() : readSnmpSample();
    let sockets: SocketsModel | undefined;
    let socketsMs: number | undefined;
    if (req.pane === 'sockets') {
      this.socks.collect(now, req);
      sockets = this.socks.model();
      socketsMs = this.socks.socketsMs;
    }
    if (this.prevDev && this.prevSnmp) {
      const net = buildNetModel(this.prevDev, dev, this.prevSnmp, snmp, this.inv);
      for (const i of net.ifaces) {
        const h = this.hist.touch(i.name, () => ({ rx: new Series(), tx: new Series() }));
        h.rx.push(i.rxBytesPs); h.tx.push(i.txBytesPs);
      }
      this.hist.endTick();
      this.last = {
        net, hist: this.hist, sockets, socketsMs, ownersMs: req.owners ? this.socks.ownersMs : undefined, ownersEvery: this.socks.ownersEvery,
        socketsNote: this.opts.feed ? 'recorded: the socket counts by state only; the socket table and owners are live-only' : undefined,
      };
    } else if (this.last && sockets) {
      this.last = { ...this.last, sockets, socketsMs };
    }
    this.prevDev = dev;
    this.prevSnmp = snmp;
  }
  model(): NetstatViewModel | undefined {
    return this.last;
  }
  reset(): void {
    this.prevDev = undefined;
    this.prevSnmp = undefined;
    this.last = undefined;
    this.socks.reset();
    this.hist.clear();
  }
}

// ---- dump netstat ----

type IfRow = IfaceModel & { time: number };
export const IFACE_COLUMNS: Column<IfRow>[] = [
  timeColumn<IfRow>(),
  { id: 'iface', title: 'IFACE', width: 10, value: (r) => r.name },
  { id: 'state', title: 'STATE', width: 7, value: (r) => r.operstate ?? null },
  { id: 'mtu', title: 'MTU', width: 5, align: 'right', value: (r) => r.mtu ?? null },
  { id: 'speed_mbps', title: 'SPEED', width: 6, align: 'right', value: (r) => r.speed ?? null },
  { id: 'rx_bytes_s', title: 'RXB/s', width: 11, align: 'right', value: (r) => round(r.rxBytesPs, 1) },
  { id: 'tx_bytes_s', title: 'TXB/s', width: 11, align: 'right', value: (r) => round(r.txBytesPs, 1) },
  { id: 'rx_packets_s', title: 'RXpk/s', width: 9, align: 'right', value: (r) => round(r.rxPktsPs, 1) },
  { id: 'tx_packets_s', title: 'TXpk/s', width: 9, align: 'right', value: (r) => round(r.txPktsPs, 1) },
  { id: 'rx_errs_s', title: 'RXerr/s', width: 7, align: 'right', value: (r) => round(r.rxErrsPs, 1) },
  { id: 'tx_errs_s', title: 'TXerr/s', width: 7, align: 'right', value: (r) => round(r.txErrsPs, 1) },
  { id: 'rx_drop_s', title: 'RXdrp/s', width: 7, align: 'right', value: (r) => round(r.rxDropPs, 1) },
  { id: 'tx_drop_s', title: 'TXdrp/s', width: 7, align: 'right', value: (r) => round(r.txDropPs, 1) },
  { id: 'rx_bytes', title: 'RXBYTES', width: 14, align: 'right', value: (r) => r.rxBytes },
  { id: 'tx_bytes', title: 'TXBYTES', width: 14, align: 'right', value: (r) => r.txBytes },
  { id: 'rx_packets', title: 'RXPKTS', width: 11, align: 'right', value: (r) => r.rxPackets },
  { id: 'tx_packets', title: 'TXPKTS', width: 11, align: 'right', value: (r) => r.txPackets },
  { id: 'rx_errs', title: 'RXERR', width: 6, align: 'right', value: (r) => r.rxErrs },
  { id: 'tx_errs', title: 'TXERR', width: 6, align: 'right', value: (r) => r.txErrs },
  { id: 'rx_drop', title: 'RXDRP', width: 6, align: 'right', value: (r) => r.rxDrop },
  { id: 'tx_drop', title: 'TXDRP', width: 6, align: 'right', value: (r) => r.txDrop },
  { id: 'addresses', title: 'ADDRESSES', value: (r) => r.addresses.join(' ') },
];

type ProtoRow = ProtoCounterModel & { time: number };
export const PROTO_COLUMNS: Column<ProtoRow>[] = [
  timeColumn<ProtoRow>(),
  { id: 'counter', title: 'COUNTER', width: 22, value: (r) => r.id },
  { id: 'per_s', title: 'PER_SEC', width: 10, align: 'right', value: (r) => round(r.perSec, 2) },
  { id: 'total', title: 'TOTAL', width: 14, align: 'right', value: (r) => r.total },
  { id: 'label', title: 'MEANING', value: (r) => r.label },
];

export const netstatDump: DumpView = {
  name: 'netstat',
  summary: 'per-interface rx/tx bytes, packets, errors, drops per second (--proto: TCP/UDP protocol counters per second)',
  flags: { proto: 'boolean', iface: 'string' },
  fromStore: true,
  async run(opts) {
    // A recorded store's interfaces are its machine's: --iface is checked against this one's only live.
    const only = typeof opts.flags.iface === 'string' ? (opts.replay ? opts.flags.iface : parseIface(opts.flags.iface, '--iface')) : undefined;
    // The view's own Source, asked for the counters pane (no socket tables read), as the TUI ticks it.
    const feed = opts.replay?.feed;
    const source = new NetstatSource(feed?.machine, { osInventoryOnly: true, feed });
    const req: NetstatRequest = { ...DEFAULT_NETSTAT_REQUEST, pane: 'proto' };
    const take = (): NetModel | undefined => {
      source.collect(performance.now(), req);
      return source.model()?.net;
    };
    if (opts.flags.proto) {
      return runSampledDump<NetModel | undefined, ProtoRow>(opts, take, (_p, c) => c!.proto.map((r) => ({ ...r, time: sampleWallMs(opts) })), PROTO_COLUMNS, 'table');
    }
    return runSampledDump<NetModel | undefined, IfRow>(
      opts, take,
      (_p, c) => c!.ifaces.filter((r) => !only || r.name === only).map((r) => ({ ...r, time: sampleWallMs(opts) })),
      IFACE_COLUMNS, 'table');
  },
};

// ---- dump sockets ----

type SockRow = SocketRow & { time: number };
export const SOCKET_COLUMNS: Column<SockRow>[] = [
  timeColumn<SockRow>(),
  { id: 'proto', title: 'PROTO', width: 5, value: (r) => r.proto },
  { id: 'state', title: 'STATE', width: 11, value: (r) => r.state },
  { id: 'recv_q', title: 'RECV-Q', width: 7, align: 'right', value: (r) => r.rxQueue },
  { id: 'send_q', title: 'SEND-Q', width: 7, align: 'right', value: (r) => r.txQueue },
  { id: 'local', title: 'LOCAL', width: 28, value: (r) => r.local },
  { id: 'remote', title: 'REMOTE', width: 28, value: (r) => r.remote },
  { id: 'uid', title: 'UID', width: 5, align: 'right', value: (r) => (r.uid < 0 ? null : r.uid) },
  { id: 'inode', title: 'INODE', width: 9, align: 'right', value: (r) => r.inode },
  { id: 'pid', title: 'PID', width: 7, align: 'right', value: (r) => r.pid },
  { id: 'comm', title: 'COMM', value: (r) => r.comm },
];

export const socketsDump: DumpView = {
  name: 'sockets',
  summary: 'TCP/UDP (and --unix) sockets with state, addresses, queues and owning PID; --listening, --filter, --sort',
  flags: { listening: 'boolean', unix: 'boolean', filter: 'string', sort: 'string', 'no-owners': 'boolean', counts: 'boolean' },
  fromStore: true,
  async run(opts) {
    if (opts.replay && !opts.flags.counts) throw new UsageError('dump sockets --from: a store records the socket counts per state, not the socket table: add --counts');
    const sort = (typeof opts.flags.sort === 'string' ? opts.flags.sort : 'proto') as SocketSortKey;
    if (!(sort in SOCKET_SORTS)) throw new UsageError(`--sort must be one of ${Object.keys(SOCKET_SORTS).join(', ')}`);
    const filterText = typeof opts.flags.filter === 'string' ? opts.flags.filter : '';
    // The netstat view's socket Source, with the request its screen would make for these flags.
    const req: NetstatRequest = {
      pane: 'sockets', filterText, listening: !!opts.flags.listening, unix: !!opts.flags.unix,
      owners: !opts.flags['no-owners'] && !opts.flags.counts, sort,
    };
    const source = new SocketsSource({ ownersEverySample: true, feed: opts.replay?.feed });
    const take = (): SocketsModel => {
      source.collect(performance.now(), req);
      return source.model()!;
    };
    if (opts.flags.counts) {
      type C = { time: number; state: string; count: number };
      const cols: Column<C>[] = [timeColumn<C>(), { id: 'state', title: 'STATE', width: 20, value: (r) => r.state }, { id: 'count', title: 'COUNT', align: 'right', width: 7, value: (r) => r.count }];
      return runSampledDump<SocketsModel, C>(opts, take, (_p, c) => c.counts.map((x) => ({ ...x, time: c.time })), cols, 'table', false);
    }
    return runSampledDump<SocketsModel, SockRow>(opts, take, (_p, c) => c.rows.map((r) => ({ ...r, time: c.time })), SOCKET_COLUMNS, 'table', false);
  },
};
