// The netstat screen: interfaces with rx/tx sparklines on top; below, the
// socket table (filter, listening-only, owners, sort, scroll; Enter drills
// into the owning PID) or the protocol counter rates (Tab switches).
// Draws only from NetstatViewModel; changes to what is collected go
// through request() and app.refreshNow().
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { Screen, ViewContext } from '../src/app/view.js';
import type { NetstatRequest, NetstatViewModel } from '../src/model/view-contract.js';
import { SOCKET_SORTS, type SocketSortKey } from '../src/model/sockets.js';
import { fitWidth, sanitize, truncateWidth } from '../src/util/text.js';
import { sparkline } from '../src/util/cells.js';
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

export class NetstatScreen implements Screen<NetstatViewModel, NetstatRequest> {
  private box?: Widgets.BoxElement;
  private last?: NetstatViewModel;
  private offset = 0;
  private sel = 0;
  private pageRows = 10;

  constructor(private ctx: ViewContext, private state: NetstatUiState = new NetstatUiState()) {}

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
    // Interfaces get at most half the screen; each has a numbers row and a graph row.
    const maxIf = Math.max(1, Math.floor((H / 2 - 1) / 2));
    const gw = Math.max(10, Math.floor((W - 16) / 2));
    for (const i of ifs.slice(0, maxIf)) {
      const st = i.operstate ?? '?';
      const stc = st === 'up' ? 'ok' : st === 'down' ? 'error' : 'dim';
      const errs = i.rxErrsPs + i.txErrsPs, drops = i.rxDropPs + i.txDropPs;
      L.push(esc(fitWidth(i.name, 11)) + ' ' + th.fg(stc, esc(fitWidth(st, 7))) + ' ' +
        blessed.escape(`${String(i.mtu ?? '-').padStart(5)} ${linkSpeed(i.speed).padStart(6)} ${formatRate(i.rxBytesPs).padStart(9)} ${formatRate(i.txBytesPs).padStart(9)} ${humanRate(i.rxPktsPs).padStart(8)} ${humanRate(i.txPktsPs).padStart(8)} `) +
        th.fg(errs > 0 ? 'error' : 'value', humanRate(errs).padStart(6)) + ' ' + th.fg(drops > 0 ? 'warn' : 'value', humanRate(drops).padStart(6)) + '  ' +
        esc(i.addresses.join(' ')).slice(0, Math.max(0, W - 90)));
      const h = m.hist.get(i.name);
      if (h) L.push('  ' + lab('rx ') + th.fg('graph1', sparkline(h.rx.values(), gw)) + ' ' + lab('tx ') + th.fg('graph2', sparkline(h.tx.values(), gw)));
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
        const cost = `read ${(m.socketsMs ?? 0).toFixed(0)}ms` + (m.ownersMs !== undefined ? `, owners ${m.ownersMs.toFixed(0)}ms${m.ownersEvery > 1 ? ` every ${m.ownersEvery} ticks` : ''}` : '');
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
        if (!s.owners) L.push(th.fg('dim', 'owner column off (o): no /proc/*/fd scan'));
      }
    }
    this.box.setContent(L.join('\n'));
  }

  handleKey(ch: string | undefined, name: string): boolean {
    const app = this.ctx.app;
    const n = this.last?.sockets?.rows.length ?? 0;
    switch (name) {
      // Tab stays the global view switch; the lower pane changes with ←/→ as in the failures view.
      case 'left':
      case 'right':
        this.state.pane = this.state.pane === 'sockets' ? 'proto' : 'sockets';
        app.refreshNow();
        return true;
      case 'up': this.sel = Math.max(0, this.sel - 1); return true;
      case 'down': this.sel = Math.min(Math.max(0, n - 1), this.sel + 1); return true;
      case 'pageup': this.sel = Math.max(0, this.sel - this.pageRows); return true;
      case 'pagedown': this.sel = Math.min(Math.max(0, n - 1), this.sel + this.pageRows); return true;
      case 'home': this.sel = 0; return true;
      case 'end': this.sel = Math.max(0, n - 1); return true;
      case 'enter': {
        const r = this.last?.sockets?.rows[this.sel];
        if (r?.pid != null) app.show('process', { pid: r.pid });
        else app.status('no owning process known for this socket', 'warn');
        return true;
      }
    }
    switch (ch) {
      case 'l':
        this.state.listening = !this.state.listening;
        this.state.pane = 'sockets';
        app.refreshNow();
        return true;
      case 'u':
        this.state.unix = !this.state.unix;
        app.refreshNow();
        return true;
      case 'o':
        this.state.owners = !this.state.owners;
        app.refreshNow();
        return true;
      case '/':
        app.prompt('filter (state:estab port:22 proc:nginx pid:1 tcp udp, text)', this.state.filterText, (v) => {
          if (v === null) return;
          this.state.filterText = v;
          this.state.pane = 'sockets';
          this.sel = 0;
          app.refreshNow();
        });
        return true;
      case 's':
        app.menu('sort sockets by', SORT_KEYS, (i) => {
          if (i === null) return;
          this.state.sort = SORT_KEYS[i];
          app.refreshNow();
        }, SORT_KEYS.indexOf(this.state.sort));
        return true;
    }
    return false;
  }

  footer(): Array<[string, string]> {
    return [['←/→', this.state.pane === 'sockets' ? 'counters' : 'sockets'], ['/', 'filter'], ['l', this.state.listening ? 'all' : 'listening'], ['s', 'sort'], ['o', 'owners'], ['u', this.state.unix ? 'no unix' : 'unix'], ['Enter', 'process']];
  }
  help(): Array<[string, string]> {
    return [
      ['←/→', 'switch the lower pane: sockets / protocol counters (/proc/net/snmp, netstat) per second'],
      ['/', 'filter sockets: state:NAME port:N proc:COMM pid:N, tcp/udp/unix, or text in addresses'],
      ['l', 'listening sockets only (TCP LISTEN, unconnected UDP)'],
      ['s', 'sort sockets'],
      ['o', 'owner column on/off (off: no /proc/*/fd scan, cheapest with many sockets)'],
      ['u', 'include unix sockets'],
      ['Enter', 'drill into the owning process'],
      ['RX/s TX/s', 'bytes per second from /proc/net/dev; ERR/DROP are rx+tx per second'],
    ];
  }
}
