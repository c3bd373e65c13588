// The iostat screen: per-device `iostat -dx` numbers with %util and
// read/write history graphs; below, filesystems (df) or per-process I/O
// (iotop-like, sortable) — Tab switches. Draws only from IostatViewModel.
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { Screen, ViewContext } from '../src/app/view.js';
import { footerOf, helpOf, runKey, type Keymap } from '../src/app/keymap.js';
import type { IostatRequest, IostatViewModel } from '../src/model/view-contract.js';
import { PID_IO_SORTS, selectDevices, type PidIoSortKey } from '../src/model/iostat.js';
import { formatRate } from '../src/util/format.js';
import { fitWidth, truncateWidth } from '../src/util/text.js';

/** A number in at most `w` characters, right-aligned: fewer decimals first, then a k/M/G/T suffix. */
export function fitNumber(x: number | null, w: number, d = 2): string {
  if (x === null || !Number.isFinite(x)) return '-'.padStart(w);
  for (let k = d; k >= 0; k--) {
    const t = x.toFixed(k);
    if (t.length <= w) return t.padStart(w);
  }
  let v = x;
  for (const u of ['k', 'M', 'G', 'T']) {
    v /= 1000;
    for (let k = 1; k >= 0; k--) {
      const t = v.toFixed(k) + u;
      if (t.length <= w) return t.padStart(w);
    }
  }
  return '#'.repeat(w);
}
import { graphLines, sideBySide } from './widgets/graph.js';
import { formatBytes as humanBytes } from '../src/util/format.js';

const PROC_SORTS = Object.keys(PID_IO_SORTS) as PidIoSortKey[];

/** The view's title line. */
export const IOSTAT_TITLE = 'iostat — block devices (like iostat -dx) and, below, filesystems (like df) or per-process I/O (←/→)';

/**
 * What the screen shows: kept by the composition root across openings of
 * the view; the Source sees only request().
 */
export class IostatUiState {
  pane: 'fs' | 'procs' = 'fs';
  partitions = false;
  all = false;
  procSort: PidIoSortKey = 'total';
}

/** The column legend of the F1 help (before the keys). */
const LEGEND: Array<[string, string]> = [
  ['r/s w/s', 'completed reads/writes per second (iostat -dx)'],
  ['read/s write/s', 'bytes read/written per second (iostat rkB/s wkB/s; `ostop dump iostat` keeps those kB columns)'],
  ['rrqm/s wrqm/s', 'requests merged per second'],
  ['r_await w_await', 'average ms per request, queue + service'],
  ['aqu-sz', 'average queue length; %util: share of time the device was busy'],
];

/** The view's keys: handler, footer and help in one table (src/app/keymap.ts). */
const KEYS: Keymap<IostatScreen> = [
  // Tab stays the global view switch; the lower pane changes with ←/→ as in the failures view.
  {
    keys: ['left', 'right'], label: '←/→', footer: (s) => (s.state.pane === 'fs' ? 'processes' : 'filesystems'),
    help: 'lower pane: filesystems (df) / per-process I/O from /proc/PID/io',
    run: (s) => { s.state.pane = s.state.pane === 'fs' ? 'procs' : 'fs'; s.offset = 0; s.ctx.app.refreshNow(); },
  },
  { keys: ['up'], run: (s) => { s.offset = Math.max(0, s.offset - 1); } },
  { keys: ['down'], run: (s) => { s.offset++; } },
  { keys: ['pageup'], run: (s) => { s.offset = Math.max(0, s.offset - s.pageRows); } },
  { keys: ['pagedown'], run: (s) => { s.offset += s.pageRows; } },
  { keys: ['home'], run: (s) => { s.offset = 0; } },
  {
    keys: ['p'], footer: (s) => (s.state.partitions ? 'no partitions' : 'partitions'), helpKeys: 'p / a', help: 'show partitions / devices that never did I/O',
    run: (s) => { s.state.partitions = !s.state.partitions; },
  },
  { keys: ['a'], footer: (s) => (s.state.all ? 'active only' : 'all devices'), run: (s) => { s.state.all = !s.state.all; } },
  {
    keys: ['s'], footer: 'sort procs', help: 'sort the process I/O pane',
    run: (s) => {
      const app = s.ctx.app;
      app.menu('sort processes by', PROC_SORTS, (i) => {
        if (i === null) return;
        s.state.procSort = PROC_SORTS[i];
        s.state.pane = 'procs';
        app.refreshNow();
      }, PROC_SORTS.indexOf(s.state.procSort));
    },
  },
];

export class IostatScreen implements Screen<IostatViewModel, IostatRequest> {
  private box?: Widgets.BoxElement;
  private last?: IostatViewModel;
  /** Scroll of the lower pane (the keymap moves it). */
  offset = 0;
  pageRows = 10;

  constructor(readonly ctx: ViewContext, readonly state: IostatUiState = new IostatUiState()) {}

  request(): IostatRequest {
    return { pane: this.state.pane, procSort: this.state.procSort };
  }

  mount(parent: Widgets.BoxElement): void {
    this.box = blessed.box({ parent, top: 0, left: 0, width: '100%', height: '100%', tags: true, content: `{bold}${blessed.escape(truncateWidth(IOSTAT_TITLE, ((parent.width as number) || 80) - 1))}{/bold}\n` + 'Device           r/s   read/s  rrqm/s r_await     w/s  write/s  wrqm/s w_await  aqu-sz  %util\n\ncollecting: rates need a second sample, shown in a moment...' });
  }
  unmount(): void {
    this.box?.destroy();
    this.box = undefined;
  }

  render(vm: IostatViewModel | undefined): void {
    this.last = vm ?? this.last;
    if (!this.box || !this.last) return;
    const m = this.last;
    const th = this.ctx.theme;
    const W = Math.max(60, (this.box.width as number) || 80);
    const H = Math.max(10, (this.box.height as number) || 24);
    const lab = (s: string) => th.fg('label', blessed.escape(s));
    const L: string[] = [];
    L.push(`{bold}${blessed.escape(truncateWidth(IOSTAT_TITLE, W - 1))}{/bold}`); // (blessed wraps a tagged line as wide as the box)
    // Always one space between columns: fewer decimals, then a decimal k/M/G suffix (counts only), when a value is wide.
    const f = (x: number | null, w: number, d = 2) => ' ' + fitNumber(x, w - 1, d);
    const showD = m.io.hasDiscard && W >= 140, showF = m.io.hasFlush && W >= 120;
    // Byte rates as sizes per second (src/util/format.ts), not kB with a k suffix.
    const rate = (kBs: number | null) => ' ' + formatRate(kBs === null ? null : kBs * 1024).padStart(8);
    L.push(lab(fitWidth('Device', 12) + '     r/s   read/s  rrqm/s r_await     w/s  write/s  wrqm/s w_await' + (showD ? '     d/s   disc/s d_await' : '') + (showF ? '     f/s f_await' : '') + '  aqu-sz  %util'));
    const devices = selectDevices(m.io, this.state);
    // Devices get at most half the screen; each has a numbers row and %util, read and write graphs 1-3 rows tall.
    const gh = H >= 40 ? 3 : H >= 30 ? 2 : 1;
    const maxDev = Math.max(1, Math.floor((H / 2 - 1) / (1 + gh)));
    const gw = Math.floor((W - 4) / 3);
    for (const d of devices.slice(0, maxDev)) {
      const uc = d.util >= 90 ? 'error' : d.util >= 60 ? 'warn' : 'value';
      L.push(blessed.escape(fitWidth(d.name, 11) + ' ' + f(d.rs, 8) + rate(d.rkBs) + f(d.rrqms, 8) + f(d.rAwait, 8) + f(d.ws, 8) + rate(d.wkBs) + f(d.wrqms, 8) + f(d.wAwait, 8) +
        (showD ? f(d.ds, 8) + rate(d.dkBs) + f(d.dAwait, 8) : '') + (showF ? f(d.fs, 8) + f(d.fAwait, 8) : '') + f(d.aquSz, 8)) + th.fg(uc, f(d.util, 7)));
      const h = m.hist.get(d.name);
      if (h) {
        const kB = (x: number) => formatRate(x * 1024);
        const util = graphLines(th, { label: '%util', value: fitNumber(d.util, 6, 1).trim(), series: h.util, color: 'graph3', max: 100 }, gw, gh);
        const rd = graphLines(th, { label: 'read', value: kB(d.rkBs ?? 0), series: h.rkB, color: 'graph1', scale: kB }, gw, gh);
        const wr = graphLines(th, { label: 'write', value: kB(d.wkBs ?? 0), series: h.wkB, color: 'graph2', scale: kB }, gw, gh);
        if (util.length && rd.length && wr.length) for (const line of sideBySide([util, rd, wr], [gw, gw, gw])) L.push('  ' + line);
      }
    }
    if (devices.length === 0) L.push(th.fg('dim', 'no block device has done I/O since boot (a: show all)'));
    if (devices.length > maxDev) L.push(th.fg('dim', `  ... ${devices.length - maxDev} more devices (ostop dump iostat lists all)`));
    L.push('');
    const room = Math.max(3, H - L.length - 1);
    if (this.state.pane === 'fs') {
      L.push(lab(fitWidth('Filesystem', 22) + fitWidth('Type', 8) + '    Size    Used   Avail  Use%    Inodes  IUse% Mounted on'));
      const rows = m.fs?.rows ?? [];
      this.pageRows = room - 1;
      this.offset = Math.max(0, Math.min(this.offset, rows.length - this.pageRows));
      for (const r of rows.slice(this.offset, this.offset + this.pageRows)) {
        const uc = (r.usePct ?? 0) >= 95 ? 'error' : (r.usePct ?? 0) >= 85 ? 'warn' : 'value';
        L.push(blessed.escape(fitWidth(r.source, 21) + ' ' + fitWidth(r.fsType, 7) + ' ' + humanBytes(r.sizeBytes).padStart(8) + humanBytes(r.usedBytes).padStart(8) + humanBytes(r.availBytes).padStart(8)) +
          th.fg(uc, (r.usePct === null ? '-' : r.usePct + '%').padStart(6)) + blessed.escape(String(r.inodes).padStart(10) + (r.inodeUsePct === null ? '-' : r.inodeUsePct + '%').padStart(7) + ' ' + r.mountPoint));
      }
      for (const e of (m.fs?.errors ?? []).slice(0, 2)) L.push(th.fg('warn', blessed.escape(`statfs ${e.mountPoint}: ${e.error}`)));
    } else {
      const p = m.procs;
      const ioNote = p && m.procsNote;
      L.push(lab(`process I/O, sorted by ${this.state.procSort}`) + (ioNote ? th.fg('warn', blessed.escape(`  ${ioNote}`)) : ''));
      L.push(lab('    PID      READ/s     WRITE/s     RCHAR/s     WCHAR/s COMM'));
      const rows = p?.rows ?? [];
      this.pageRows = room - 2;
      this.offset = Math.max(0, Math.min(this.offset, rows.length - this.pageRows));
      for (const r of rows.slice(this.offset, this.offset + this.pageRows)) {
        const line = String(r.pid).padStart(7) + formatRate(r.readBps).padStart(12) + formatRate(r.writeBps).padStart(12) + formatRate(r.rcharBps).padStart(12) + formatRate(r.wcharBps).padStart(12) + ' ' + r.comm;
        L.push(r.readBps + r.writeBps > 0 ? th.fg('value', blessed.escape(line)) : th.fg('dim', blessed.escape(line)));
      }
      if (!p) L.push(th.fg('dim', 'measuring...'));
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
    return [...LEGEND, ...helpOf(KEYS)];
  }
}
