// The netstat screen: interfaces with rx/tx history graphs on top; below, the
// socket table (filter, listening-only, owners, sort, scroll; Enter drills
// into the owning PID) or the protocol counter rates (Tab switches).
// Draws only from NetstatViewModel; changes to what is collected go
// through request() and app.refreshNow().
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { Screen, ViewContext } from '../src/app/view.js';
import { footerOf, helpOf, runKey, type Keymap } from '../src/app/keymap.js';
import type { NetstatRequest, NetstatViewModel } from '../src/model/view-contract.js';
import { SOCKET_SORTS, type SocketSortKey } from '../src/model/sockets.js';
import { fitWidth, sanitize, truncateWidth } from '../src/util/text.js';
import { graphLines, sideBySide } from './widgets/graph.js';
import { formatCount as humanRate, formatRate } from '../src/util/format.js';

/** Link speed (Mbit/s from sysfs) in bits, as ethtool: 100Mb, 10Gb; not a byte size. */
export function linkSpeed(mbit: number | null | undefined): string {
  if (!mbit) return '-';
  return mbit >= 1000 && mbit % 1000 === 0 ? `${mbit / 1000}Gb` : `${mbit}Mb`;
}

const SORT_KEYS = Object.keys(SOCKET_SORTS) as SocketSortKey[];

/** The view's title line. */
export const NETSTAT_TITLE = 'netstat — network interfaces (like netstat -i) and, below, sockets (like ss -tanp) or protocol counters (←/→)';

/**
 * What the screen shows, which decides what the Source reads: kept by the
 * composition root across openings of the view; the Source sees it only
 * through request().
 */
export class NetstatUiState implements NetstatRequest {
  pane: 'sockets' | 'proto' = 'sockets';
  filterText = '';
  listening = false;
  unix = false;
  owners = true;
  sort: SocketSortKey = 'proto';
}

/** The column legend of the F1 help (after the keys). */
const LEGEND: Array<[string, string]> = [
  ['RX/s TX/s', 'bytes per second from /proc/net/dev; ERR/DROP are rx+tx per second'],
];

const rowCount = (s: NetstatScreen) => s.last?.sockets?.rows.length ?? 0;

/** The view's keys: handler, footer and help in one table (src/app/keymap.ts). */
const KEYS: Keymap<NetstatScreen> = [
  // Tab stays the global view switch; the lower pane changes with ←/→ as in the failures view.
  {
    keys: ['left', 'right'], label: '←/→', footer: (s) => (s.state.pane === 'sockets' ? 'counters' : 'sockets'),
    help: 'switch the lower pane: sockets / protocol counters (/proc/net/snmp, netstat) per second',
    run: (s) => { s.state.pane = s.state.pane === 'sockets' ? 'proto' : 'sockets'; s.ctx.app.refreshNow(); },
  },
  { keys: ['up'], run: (s) => { s.sel = Math.max(0, s.sel - 1); } },
  { keys: ['down'], run: (s) => { s.sel = Math.min(Math.max(0, rowCount(s) - 1), s.sel + 1); } },
  { keys: ['pageup'], run: (s) => { s.sel = Math.max(0, s.sel - s.pageRows); } },
  { keys: ['pagedown'], run: (s) => { s.sel = Math.min(Math.max(0, rowCount(s) - 1), s.sel + s.pageRows); } },
  { keys: ['home'], run: (s) => { s.sel = 0; } },
  { keys: ['end'], run: (s) => { s.sel = Math.max(0, rowCount(s) - 1); } },
  {
    keys: ['/'], footer: 'filter', help: 'filter sockets: state:NAME port:N proc:COMM pid:N, tcp/udp/unix, or text in addresses',
    run: (s) => {
      s.ctx.app.prompt('filter (state:estab port:22 proc:nginx pid:1 tcp udp, text)', s.state.filterText, (v) => {
        if (v === null) return;
        s.state.filterText = v;
        s.state.pane = 'sockets';
        s.sel = 0;
        s.ctx.app.refreshNow();
      });
    },
  },
  {
    keys: ['l'], footer: (s) => (s.state.listening ? 'all' : 'listening'), help: 'listening sockets only (TCP LISTEN, unconnected UDP)',
    run: (s) => { s.state.listening = !s.state.listening; s.state.pane = 'sockets'; s.ctx.app.refreshNow(); },
  },
  {
    keys: ['s'], footer: 'sort', help: 'sort sockets',
    run: (s) => {
      s.ctx.app.menu('sort sockets by', SORT_KEYS, (i) => {
        if (i === null) return;
        s.state.sort = SORT_KEYS[i];
        s.ctx.app.refreshNow();
      }, SORT_KEYS.indexOf(s.state.sort));
    },
  },
  {
    keys: ['o'], footer: 'owners', help: 'owner column on/off (off: no /proc/*/fd scan, cheapest with many sockets)',
    run: (s) => { s.state.owners = !s.state.owners; s.ctx.app.refreshNow(); },
  },
  {
    keys: ['u'], footer: (s) => (s.state.unix ? 'no unix' : 'unix'), help: 'include unix sockets',
    run: (s) => { s.state.unix = !s.state.unix; s.ctx.app.refreshNow(); },
  },
  {
    keys: ['enter'], label: 'Enter', footer: 'process', help: 'drill into the owning process',
    run: (s) => {
      const r = s.last?.sockets?.rows[s.sel];
      if (r?.pid != null) s.ctx.app.open({ kind: 'pid', pid: r.pid });
      else s.ctx.app.status('no owning process known for this socket', 'warn');
    },
  },
];

export class NetstatScreen implements Screen<NetstatViewModel, NetstatRequest> {
  private box?: Widgets.BoxElement;
  /** The last model drawn (the keymap's Enter reads the selected socket). */
  last?: NetstatViewModel;
  private offset = 0;
  /** The selected socket row and the page size (moved by the keymap). */
  sel = 0;
  pageRows = 10;

  constructor(readonly ctx: ViewContext, readonly state: NetstatUiState = new NetstatUiState()) {}

  request(): NetstatRequest {
    const s = this.state;
    return { pane: s.pane, filterText: s.filterText, listening: s.listening, unix: s.unix, owners: s.owners, sort: s.sort };
  }

  mount(parent: Widgets.BoxElement): void {
    this.box = blessed.box({ parent, top: 0, left: 0, width: '100%', height: '100%', tags: true, content: `{bold}${blessed.escape(truncateWidth(NETSTAT_TITLE, ((parent.width as number) || 80) - 1))}{/bold}\n` + 'IFACE       STATE     MTU  SPEED      RX/s      TX/s   RXpk/s   TXpk/s  ERR/s DROP/s  ADDRESSES\n\ncollecting: rates need a second sample, shown in a moment...' });
  }
  unmount(): void {
    this.box?.destroy();
    this.box = undefined;
  }

  render(vm: NetstatViewModel | undefined): void {
    this.last = vm ?? this.last;
    if (!this.box || !this.last) return;
    const m = this.last;
    const th = this.ctx.theme;
    const W = Math.max(60, (this.box.width as number) || 80);
    const H = Math.max(10, (this.box.height as number) || 24);
    const lab = (s: string) => th.fg('label', blessed.escape(s));
    const esc = (s: string) => blessed.escape(sanitize(s));
    const L: string[] = [];
    L.push(`{bold}${blessed.escape(truncateWidth(NETSTAT_TITLE, W - 1))}{/bold}`); // (blessed wraps a tagged line as wide as the box)
    L.push(lab(fitWidth('IFACE', 12) + fitWidth('STATE', 8) + '  MTU  SPEED      RX/s      TX/s   RXpk/s   TXpk/s  ERR/s DROP/s  ADDRESSES'));
    const ifs = m.net.ifaces;
    // Interfaces get at most half the screen; each has a numbers row and rx/tx graphs 1-3 rows tall.
    const gh = H >= 40 ? 3 : H >= 30 ? 2 : 1;
    const maxIf = Math.max(1, Math.floor((H / 2 - 1) / (1 + gh)));
    const gw = Math.floor((W - 3) / 2);
    for (const i of ifs.slice(0, maxIf)) {
      const st = i.operstate ?? '?';
      const stc = st === 'up' ? 'ok' : st === 'down' ? 'error' : 'dim';
      const errs = i.rxErrsPs + i.txErrsPs, drops = i.rxDropPs + i.txDropPs;
      L.push(esc(fitWidth(i.name, 11)) + ' ' + th.fg(stc, esc(fitWidth(st, 7))) + ' ' +
        blessed.escape(`${String(i.mtu ?? '-').padStart(5)} ${linkSpeed(i.speed).padStart(6)} ${formatRate(i.rxBytesPs).padStart(9)} ${formatRate(i.txBytesPs).padStart(9)} ${humanRate(i.rxPktsPs).padStart(8)} ${humanRate(i.txPktsPs).padStart(8)} `) +
        th.fg(errs > 0 ? 'error' : 'value', humanRate(errs).padStart(6)) + ' ' + th.fg(drops > 0 ? 'warn' : 'value', humanRate(drops).padStart(6)) + '  ' +
        esc(i.addresses.join(' ')).slice(0, Math.max(0, W - 90)));
      const h = m.hist.get(i.name);
      if (h) {
        const rx = graphLines(th, { label: 'rx', value: formatRate(i.rxBytesPs), series: h.rx, color: 'graph1', scale: formatRate }, gw, gh);
        const tx = graphLines(th, { label: 'tx', value: formatRate(i.txBytesPs), series: h.tx, color: 'graph2', scale: formatRate }, gw, gh);
        if (rx.length && tx.length) for (const line of sideBySide([rx, tx], [gw, gw])) L.push('  ' + line);
      }
    }
    if (ifs.length > maxIf) L.push(th.fg('dim', `  ... ${ifs.length - maxIf} more interfaces (ostop dump netstat lists all)`));
    L.push('');
    const room = Math.max(3, H - L.length - 2);
    if (this.state.pane === 'proto') {
      L.push(lab(fitWidth('PROTOCOL COUNTER', 28) + '     PER SEC            TOTAL'));
      for (const p of m.net.proto.slice(0, room)) {
        const bad = /Retrans|Rsts|Resets|Fails|Errs|Errors|Drops|Overflows|NoPorts|Timeouts/.test(p.id) && (p.perSec ?? 0) > 0;
        L.push(blessed.escape(fitWidth(p.label, 28)) + th.fg(bad ? 'warn' : 'value', (p.gauge ? '' : humanRate(p.perSec)).padStart(12)) + blessed.escape(String(p.total ?? '-').padStart(17)));
      }
    } else {
      const s = m.sockets;
      if (!s) {
        L.push(th.fg('dim', 'reading sockets...'));
      } else {
        const counts = s.counts.slice(0, 8).map((c) => `${c.state} ${c.count}`).join('  ');
        const cost = m.socketsNote ? '' : `read ${(m.socketsMs ?? 0).toFixed(0)}ms` + (m.ownersMs !== undefined ? `, owners ${m.ownersMs.toFixed(0)}ms${m.ownersEvery > 1 ? ` every ${m.ownersEvery} ticks` : ''}` : '');
        L.push(lab(`sockets ${s.rows.length}/${s.total}`) + (this.state.filterText ? ' ' + th.fg('warn', 'filter: ' + esc(this.state.filterText)) : '') + (this.state.listening ? th.fg('warn', ' listening') : '') + '  ' + th.fg('dim', blessed.escape(cost)));
        L.push(th.fg('dim', blessed.escape(counts.slice(0, W))));
        const aw = Math.max(16, Math.floor((W - 50) / 2));
        L.push(lab(fitWidth('PROTO', 6) + fitWidth('STATE', 12) + 'RECV-Q SEND-Q ' + fitWidth('LOCAL', aw) + ' ' + fitWidth('REMOTE', aw) + '     PID COMM'));
        const rows = Math.max(1, room - 3);
        this.pageRows = rows;
        this.sel = Math.min(this.sel, Math.max(0, s.rows.length - 1));
        if (this.sel < this.offset) this.offset = this.sel;
        if (this.sel >= this.offset + rows) this.offset = this.sel - rows + 1;
        this.offset = Math.max(0, Math.min(this.offset, Math.max(0, s.rows.length - rows)));
        for (let k = this.offset; k < Math.min(s.rows.length, this.offset + rows); k++) {
          const r = s.rows[k];
          const text = fitWidth(r.proto, 6) + fitWidth(r.state, 12) + String(r.rxQueue).padStart(6) + ' ' + String(r.txQueue).padStart(6) + ' ' +
            fitWidth(r.local, aw) + ' ' + fitWidth(r.remote, aw) + ' ' + (r.pid === null ? (s.owners ? '-' : '') : String(r.pid)).padStart(7) + ' ' + (r.comm ?? '');
          const line = blessed.escape(fitWidth(text, W));
          L.push(k === this.sel ? `{inverse}${line}{/inverse}` : r.state === 'LISTEN' ? th.fg('ok', line) : line);
        }
        if (m.socketsNote) L.push(th.fg('warn', blessed.escape(truncateWidth(m.socketsNote, W))));
        else if (!s.owners) L.push(th.fg('dim', 'owner column off (o): no /proc/*/fd scan'));
      }
    }
    this.box.setContent(L.join('\n'));
  }

  handleKey(ch: string | undefined, name: string, full: string): boolean {
    return runKey(KEYS, this, { ch, name, full }, { byName: true });
  }

  footer(): Array<[string, string]> {
    return footerOf(KEYS, this);
  }
  help(): Array<[string, string]> {
    return [...helpOf(KEYS), ...LEGEND];
  }
}
