// The default view: htop-style meters (per-CPU, memory, swap, tasks, load,
// uptime) over the process table. Draws ProcessTableModel only; every
// process string is sanitized, cut by display width, then blessed-escaped.
import blessed from 'blessed';
import type { AppApi, Screen, ViewContext } from '../src/app/view.js';
import { footerOf, helpOf, runKey, type Keymap } from '../src/app/keymap.js';
import type { InputBarHost } from '../src/app/modals.js';
import type { ProcessTableModel, CpuModel, ProcRow } from '../src/model/process-model.js';
import { PROC_COLUMNS, columnById, resolveColumns, type ProcColumn } from '../src/model/columns.js';
import { arrangeRows, matchesFilter, type ViewRow } from '../src/model/process-view.js';
import { STRIP_MIN_WIDTH, type TopModel, type TopRequest } from '../src/model/view-contract.js';
import { formatSystemStrip } from './widgets/system-strip.js';
import { displayWidth, fitWidth, sanitize, truncateWidth } from '../src/util/text.js';
import type { ThemeColor } from '../src/app/theme.js';
import { formatDuration, formatMem } from '../src/util/format.js';
import { bar, memSegments } from './widgets/meter.js';
import { PaintedBox, type PaintedLine } from './widgets/painted-box.js';

/** What the F1 help says besides the keys (after them). */
const LEGEND: Array<[string, string]> = [
  ['mouse', 'click a row to select, a column title to sort'],
];

/** What the composition root gives the top screen besides its context. */
export interface TopScreenOptions {
  /** -u USER, then the u menu: show only this user's processes (the screen's own state). */
  uid?: number;
  /** -p PID,PID: show only these. */
  pids?: ReadonlySet<number>;
  /** A user's name for the status line. */
  userName(uid: number): string;
}

export class TopScreen implements Screen<TopModel, TopRequest> {
  private header!: blessed.Widgets.BoxElement;
  private table!: blessed.Widgets.BoxElement;
  /** The table's cells are painted directly (screens/widgets/painted-box.ts), not parsed from tags. */
  private painted!: PaintedBox;
  private rows: ViewRow[] = [];
  /** Index of the selected row in `rows`. */
  private selected = 0;
  /**
   * The selected process: what the selection really is. Rows move (refresh,
   * sort, filter, search); the selection stays on this PID until the user
   * moves it or the process exits (then it stays at the same place).
   */
  private selPid: number | undefined;
  /** The filter text changed since the rows were last arranged. */
  private filterChanged = false;
  private scroll = 0;
  private follow: number | undefined;
  private filter = '';
  private search = '';
  private collapsed = new Set<number>();
  private colX: Array<[number, number, string]> = [];
  private setup: blessed.Widgets.ListElement | undefined;
  private last: TopModel | undefined;

  /** The terminal is wide enough for the system strip (asked of the Source in request()). */
  private stripWanted = false;
  /** PIDs of the rows drawn last (their display-only columns are read: request()). */
  private visiblePids: ReadonlySet<number> | undefined;

  constructor(private ctx: ViewContext, private state: TopScreenOptions) {}

  request(): TopRequest {
    const c = this.cfg;
    return {
      columns: c.columns, sort: c.sort, hideUserThreads: c.hideUserThreads,
      visiblePids: this.visiblePids, strip: this.stripWanted, allCommandLines: !!(this.filter || this.search),
    };
  }

  mount(parent: blessed.Widgets.BoxElement): void {
    this.header = blessed.box({ parent, top: 0, left: 0, right: 0, height: 4, tags: true, wrap: false });
    this.painted = new PaintedBox({ parent, top: 4, left: 0, right: 0, bottom: 0 });
    this.table = this.painted.box;
  }

  unmount(): void {
    this.header?.destroy();
    this.table?.destroy();
    this.setup?.destroy();
    this.setup = undefined;
  }

  private get cfg() {
    return this.ctx.app.config;
  }

  private columns(): ProcColumn[] {
    return resolveColumns(this.cfg.columns.filter((id) => columnById(id)));
  }

  // ---- drawing ----------------------------------------------------------------

  /**
   * Rows for the current filter, sort and tree state, with the selection put
   * back on its process. A filter or search needs every command line, so
   * those a fast first frame did not read are read first.
   */
  private arrange(): void {
    let m = this.last;
    if (!m) return;
    if (this.filter || this.search) {
      const full = this.ctx.completeNow?.() as TopModel | undefined;
      if (full) m = this.last = full;
    }
    this.rows = arrangeRows(m.rows, {
      sort: this.cfg.sort, descending: this.cfg.descending, tree: this.cfg.tree, collapsed: this.collapsed, filter: this.filter,
      uid: this.state.uid, pids: this.state.pids, hideUserThreads: this.cfg.hideUserThreads, hideKernelThreads: this.cfg.hideKernelThreads,
    });
    const want = this.follow ?? this.selPid;
    let at = -1;
    if (want !== undefined) for (let i = 0; i < this.rows.length && at < 0; i++) if (this.rows[i].row.pid === want) at = i;
    if (at >= 0) this.selected = at;
    else {
      // Gone: it exited (the selection stays where it was) or a new filter
      // hides it (the selection goes to the first match).
      if (this.follow !== undefined) this.follow = undefined;
      if (this.filterChanged) this.selected = 0;
    }
    this.filterChanged = false;
    this.selected = Math.max(0, Math.min(this.selected, this.rows.length - 1));
    this.selPid = this.rows[this.selected]?.row.pid;
  }

  /** Select row i (clamped): the selection is now that row's process. */
  private select(i: number): void {
    this.selected = Math.max(0, Math.min(this.rows.length - 1, i));
    this.selPid = this.rows[this.selected]?.row.pid;
  }

  render(m: TopModel | undefined): void {
    this.last = m;
    const width = (this.ctx.screen.width as number) || 80;
    this.stripWanted = width >= STRIP_MIN_WIDTH;
    const headerLines = m ? this.meterLines(m, width) : ['Collecting…'];
    if (m?.strip && this.stripWanted && m.strip.vm) headerLines.push(this.ctx.theme.fg('dim', blessed.escape(formatSystemStrip(m.strip, width))));
    this.header.height = headerLines.length + 1;
    this.header.setContent(headerLines.join('\n'));
    this.table.top = headerLines.length + 1;
    if (!m) return;
    this.arrange();
    this.drawTable(width);
  }

  private tableHeight(): number {
    const h = (this.ctx.screen.height as number) - 2 - (this.table.top as number) - 1;
    return Math.max(1, h);
  }

  private drawTable(width: number): void {
    const t = this.ctx.theme;
    const cols = shownColumns(this.columns(), width, this.cfg.sort);
    const fixed = cols.reduce((a, c) => a + (c.width ? c.width + 1 : 0), 0);
    const flexW = Math.max(8, width - fixed);
    const widthOf = (c: ProcColumn) => (c.width ? c.width : flexW);
    this.colX = [];
    let x = 0;
    for (const c of cols) {
      const w = widthOf(c);
      this.colX.push([x, x + w, c.id]);
      x += w + 1;
    }
    const headerText = fitWidth(headerLine(cols, cols.map(widthOf), this.cfg.sort, this.cfg.descending), width);
    const pb = this.painted;
    const lines: PaintedLine[] = [[[headerText, t.mono ? pb.attrOf({ inverse: true }) : pb.attrOf({ fg: 'black', bg: 'green' })]]];
    const h = this.tableHeight();
    const n = this.rows.length;
    this.select(this.selected);
    if (this.selected < this.scroll) this.scroll = this.selected;
    if (this.selected >= this.scroll + h) this.scroll = this.selected - h + 1;
    this.scroll = Math.max(0, Math.min(this.scroll, Math.max(0, n - h)));
    const visible = new Set<number>();
    const prefixCol = cols.some((c) => c.id === 'command') ? 'command' : 'comm';
    const widths = cols.map(widthOf);
    for (let i = this.scroll; i < Math.min(n, this.scroll + h); i++) {
      lines.push(this.rowLine(this.rows[i], cols, widths, width, i === this.selected, prefixCol));
      visible.add(this.rows[i].row.pid);
    }
    // Rows just scrolled into view get their display-only columns on the
    // next read (until then they show the last value read, or '-').
    this.visiblePids = visible;
    if (n === 0) {
      const msg = this.filter ? `no process matches filter '${sanitize(this.filter)}'` : 'no processes';
      lines.push([[msg, pb.attrOf({ fg: t.colors.dim })]]);
    }
    pb.setLines(lines);
  }

  private rowLine(v: ViewRow, cols: ProcColumn[], widths: number[], width: number, selected: boolean, prefixCol: string): PaintedLine {
    const t = this.ctx.theme;
    const pb = this.painted;
    const r = v.row;
    const blank = pb.attrOf();
    const spans: PaintedLine = [];
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i];
      let text = sanitize(c.text(r));
      if (c.id === prefixCol) text = v.prefix + text;
      const cell = fitWidth(text, widths[i], c.align);
      if (i > 0) pushSpan(spans, ' ', blank);
      const color = selected ? undefined : this.cellColor(c, r);
      pushSpan(spans, cell, color ? pb.attrOf({ fg: t.colors[color] }) : blank);
    }
    if (!selected) return spans;
    const plain = fitWidth(spans.map((s) => s[0]).join(''), width);
    return [[plain, t.mono ? pb.attrOf({ inverse: true }) : pb.attrOf({ fg: 'black', bg: 'cyan' })]];
  }

  /** The theme colour of one cell, if it has one. */
  private cellColor(c: ProcColumn, r: ProcRow): ThemeColor | undefined {
    switch (c.id) {
      case 'state':
        return r.state === 'R' ? 'stateRunning' : r.state === 'D' ? 'stateDisk' : r.state === 'Z' ? 'stateZombie' : undefined;
      case 'command':
      case 'comm':
        return r.isKernelThread ? 'kernelThread' : r.isThread ? 'thread' : undefined;
      case 'cpu':
        return r.cpuPercent >= 90 ? 'error' : r.cpuPercent >= 1 ? undefined : 'dim';
      case 'res':
        return r.rssBytes >= 1 << 30 ? 'warn' : undefined;
      default:
        return undefined;
    }
  }

  private cpuBar(label: string, c: CpuModel, width: number): string {
    const t = this.ctx.theme;
    const pct = c.busy.toFixed(1) + '%';
    return t.fg('label', label) + bar(t, [
      { value: c.nice, color: 'cpuNice' },
      { value: c.user, color: 'cpuUser' },
      { value: c.system, color: 'cpuSystem' },
      { value: c.irq, color: 'cpuIrq' },
      { value: c.steal, color: 'cpuSteal' },
      { value: c.iowait, color: 'cpuIowait' },
    ], 100, width - label.length, pct);
  }

  private meterLines(m: ProcessTableModel, width: number): string[] {
    const t = this.ctx.theme;
    const half = Math.floor(width / 2);
    const ncpu = m.cpus.length;
    const lw = String(Math.max(0, ncpu - 1)).length;
    // CPU bars: up to 8 rows, in as many sub-columns as needed within the left half.
    const rowsPerCol = Math.max(1, Math.min(8, ncpu));
    const subCols = Math.max(1, Math.ceil(ncpu / rowsPerCol));
    const subW = Math.max(10, Math.floor((subCols > 1 ? width : half) / subCols) - 1);
    const left: string[] = [];
    for (let r = 0; r < rowsPerCol; r++) {
      const parts: string[] = [];
      for (let s = 0; s < subCols; s++) {
        const i = s * rowsPerCol + r;
        if (i < ncpu) parts.push(this.cpuBar(String(i).padStart(lw) + ' ', m.cpus[i], subW));
      }
      left.push(parts.join(' '));
    }
    const mem = m.mem;
    const memLabel = `${formatMem(mem.usedBytes)}/${formatMem(mem.totalBytes)}`;
    const memLine = t.fg('label', 'Mem'.padEnd(lw + 1)) + bar(t, memSegments(mem), mem.totalBytes, half - lw - 1, memLabel);
    const swpLine = t.fg('label', 'Swp'.padEnd(lw + 1)) + bar(t, [{ value: mem.swapUsedBytes, color: 'swap' }], mem.swapTotalBytes || 1, half - lw - 1, `${formatMem(mem.swapUsedBytes)}/${formatMem(mem.swapTotalBytes)}`);
    const tk = m.tasks;
    // Right column: segments of [text, colour], cut to the cells left of the meters.
    const rw = Math.max(0, width - half - 1);
    const fit = (segs: Array<[string, ThemeColor?]>): string => {
      let out = '';
      let room = rw;
      for (const [text, color] of segs) {
        if (room <= 0) break;
        const piece = truncateWidth(text, room);
        room -= displayWidth(piece);
        out += color ? t.fg(color, blessed.escape(piece)) : blessed.escape(piece);
      }
      return out;
    };
    const right = [
      fit([['Tasks:', 'label'], [` ${tk.total}, ${tk.threads} thr, ${tk.kernelThreads} kthr; `], [String(tk.running), 'stateRunning'], [` running, ${tk.sleeping} sleeping`],
        [tk.stopped ? `, ${tk.stopped} stopped` : ''], [`, ${tk.zombie} zombie`, tk.zombie ? 'stateZombie' : undefined]]),
      fit([['Load average:', 'label'], [` ${m.load.map((x) => x.toFixed(2)).join(' ')}`]]),
      fit([['Uptime:', 'label'], [` ${formatDuration(m.uptimeSec)}`]]),
    ];
    const status: string[] = [];
    if (this.filter) status.push(`filter: ${sanitize(this.filter)}`);
    if (this.state.uid !== undefined) status.push(`user: ${sanitize(this.state.userName(this.state.uid))}`);
    if (this.follow !== undefined) status.push(`following ${this.follow}`);
    if (this.cfg.tree) status.push('tree');
    if (status.length) right.push(fit([[status.join('  '), 'warn']]));
    if (subCols > 1) {
      // Many CPUs: bars take the full width, memory and tasks go below.
      return [...left, memLine + ' ' + right[0], swpLine + ' ' + right[1], ' '.repeat(half) + right[2], ...(right[3] ? [' '.repeat(half) + right[3]] : [])];
    }
    const leftAll = [...left, memLine, swpLine];
    const n = Math.max(leftAll.length, right.length);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push((leftAll[i] ?? ' '.repeat(half)) + ' ' + (right[i] ?? ''));
    return out;
  }

  // ---- input --------------------------------------------------------------------

  private selectedRow(): ProcRow | undefined {
    return this.rows[this.selected]?.row;
  }

  private move(delta: number): void {
    this.follow = undefined;
    this.select(this.selected + delta);
  }

  /** The top view's F2 setup is open: the shell gives it every key. */
  modalOpen(): boolean {
    return !!this.setup;
  }

  private setSort(id: string, descending?: boolean): void {
    const c = columnById(id);
    if (!c) return;
    if (this.cfg.sort === id && descending === undefined) this.cfg.descending = !this.cfg.descending;
    else this.cfg.descending = descending ?? c.descending;
    this.cfg.sort = id;
    this.ctx.app.saveConfig();
  }

  handleMouse(action: string, x: number, y: number): boolean {
    if (this.setup) return false;
    const top = this.table.top as number;
    if (action === 'wheelup' || action === 'wheeldown') {
      this.move(action === 'wheelup' ? -3 : 3);
      return true;
    }
    if (y === top) {
      const hit = this.colX.find(([a, b]) => x >= a && x <= b);
      if (hit) this.setSort(hit[2]);
      return true;
    }
    const i = this.scroll + (y - top - 1);
    if (y > top && i < this.rows.length) {
      this.follow = undefined;
      this.select(i);
      return true;
    }
    return false;
  }

  handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (this.setup) return true; // the setup list handles its own keys
    return runKey(TopScreen.KEYS, this, { ch, name, full });
  }

  /**
   * The view's keys, once: the handler above, the footer (htop's F-key bar)
   * and the F1 help come from this table (src/app/keymap.ts).
   */
  private static readonly KEYS: Keymap<TopScreen> = [
    // F1 is the shell's (its help shows this table); the footer starts with it, as htop's.
    { keys: [], label: 'F1', footer: 'Help', run: () => false },
    { keys: ['up'], helpKeys: 'Up/Down PgUp/PgDn Home/End', help: 'move the selection (it stays on its process through refreshes, sorting, search and filter)', run: (s) => s.move(-1) },
    { keys: ['down'], run: (s) => s.move(1) },
    { keys: ['pageup'], run: (s) => s.move(-s.tableHeight()) },
    { keys: ['pagedown'], run: (s) => s.move(s.tableHeight()) },
    { keys: ['home'], run: (s) => { s.follow = undefined; s.select(0); } },
    { keys: ['end'], run: (s) => { s.follow = undefined; s.select(s.rows.length - 1); } },
    {
      keys: ['enter'], label: 'Enter', help: 'drill into the selected process',
      run: (s) => { const r = s.selectedRow(); if (r) s.ctx.app.open({ kind: 'pid', pid: r.pid }); },
    },
    { keys: ['f2'], label: 'F2', footer: 'Setup', help: 'setup: choose and order columns', run: (s) => s.openSetup() },
    {
      keys: ['f3', '/'], label: 'F3', footer: 'Search', helpKeys: 'F3 /',
      help: 'search as you type (a new search starts empty): F3 / S-F3 next / previous match, Enter keeps the match, Esc goes back',
      run: (s) => s.openSearch(),
    },
    { keys: ['f4', '\\'], label: 'F4', footer: 'Filter', helpKeys: 'F4 \\', help: 'filter as you type: Enter keeps it, Esc clears it, Ctrl-U erases the line', run: (s) => s.openFilter() },
    {
      keys: ['t', 'f5'], label: 'F5', footer: (s) => (s.cfg.tree ? 'List' : 'Tree'), helpKeys: 'F5 t', help: 'tree view',
      run: (s) => { s.cfg.tree = !s.cfg.tree; s.ctx.app.saveConfig(); },
    },
    {
      keys: ['-', '+', '='], helpKeys: '+ -', help: 'expand / collapse the subtree (tree view)',
      run: (s, k) => {
        const r = s.selectedRow();
        if (r && s.cfg.tree) {
          if (k.full === '-') s.collapsed.add(r.pid);
          else s.collapsed.delete(r.pid);
        }
      },
    },
    { keys: ['*'], run: (s) => { s.collapsed.clear(); } },
    {
      keys: ['f6'], label: 'F6', footer: 'SortBy', help: 'sort by column (menu)',
      run: (s) => {
        const app = s.ctx.app;
        const cols = s.columns();
        app.menu('Sort by', cols.map((c) => `${c.title.padEnd(8)} ${c.description}`), (i) => {
          if (i !== null) s.setSort(cols[i].id, cols[i].descending);
          app.requestRender();
        }, Math.max(0, cols.findIndex((c) => c.id === s.cfg.sort)));
      },
    },
    { keys: ['S-p', 'P'], helpKeys: 'P M T N', help: 'sort by CPU%, MEM%, TIME+, PID', run: (s) => s.setSort('cpu', true) },
    { keys: ['S-m', 'M'], run: (s) => s.setSort('mem', true) },
    { keys: ['S-t', 'T'], run: (s) => s.setSort('time', true) },
    { keys: ['S-n', 'N'], run: (s) => s.setSort('pid', false) },
    {
      keys: ['<', '>', 'S-,', 'S-.'], helpKeys: '< >', help: 'sort by the previous / next column',
      run: (s, k) => {
        const ids = s.cfg.columns;
        const i = Math.max(0, ids.indexOf(s.cfg.sort));
        const next = ids[(i + (k.full === '<' || k.full === 'S-,' ? ids.length - 1 : 1)) % ids.length];
        s.setSort(next, columnById(next)?.descending);
      },
    },
    { keys: ['S-i', 'I'], helpKeys: 'I', help: 'invert the sort order', run: (s) => { s.cfg.descending = !s.cfg.descending; s.ctx.app.saveConfig(); } },
    {
      keys: ['S-f', 'F'], helpKeys: 'F', help: 'follow the selected process',
      run: (s) => {
        const r = s.selectedRow();
        s.follow = s.follow === undefined && r ? r.pid : undefined;
        s.ctx.app.status(s.follow !== undefined ? `following PID ${s.follow}` : 'follow off');
      },
    },
    {
      keys: ['S-h', 'H'], helpKeys: 'H', help: 'hide / show user threads',
      run: (s) => {
        s.cfg.hideUserThreads = !s.cfg.hideUserThreads;
        s.ctx.app.saveConfig();
        s.ctx.app.status(s.cfg.hideUserThreads ? 'user threads hidden' : 'user threads shown');
        s.ctx.app.refreshNow();
      },
    },
    {
      keys: ['S-k', 'K'], helpKeys: 'K', help: 'show / hide kernel threads (hidden by default, as in htop)',
      run: (s) => {
        s.cfg.hideKernelThreads = !s.cfg.hideKernelThreads;
        s.ctx.app.saveConfig();
        s.ctx.app.status(s.cfg.hideKernelThreads ? 'kernel threads hidden' : 'kernel threads shown');
      },
    },
    {
      keys: ['u'], help: 'show only one user\'s processes',
      run: (s) => {
        const m = s.last;
        if (!m) return;
        const app = s.ctx.app;
        const users = [...new Map(m.rows.map((x) => [x.uid, x.user])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
        app.menu('Show processes of', ['All users', ...users.map(([, n]) => sanitize(n))], (i) => {
          if (i === null) return;
          s.state.uid = i === 0 ? undefined : users[i - 1][0];
          app.requestRender();
        });
      },
    },
    { keys: ['f7', ']'], label: 'F7', footer: 'Nice-', helpKeys: 'F7 F8', help: 'renice: raise / lower priority', run: (s) => s.renice(-1) },
    { keys: ['f8', '['], label: 'F8', footer: 'Nice+', run: (s) => s.renice(1) },
    {
      keys: ['k', 'f9'], label: 'F9', footer: 'Kill', helpKeys: 'F9 k', help: 'send a signal (kill)',
      run: (s) => {
        const r = s.selectedRow();
        if (!r) return;
        const app = s.ctx.app;
        if (app.actions.refusal) return app.status(app.actions.refusal, 'error');
        app.menu(`Send signal to ${r.pid} ${sanitize(r.comm)}`, app.actions.signalMenuItems(), (i) => {
          if (i === null) return;
          const sig = app.actions.signals[i];
          app.confirm(`Send ${sig.name} to PID ${r.pid} (${sanitize(r.comm)})?`, (yes) => {
            if (!yes) return app.status('cancelled');
            const res = app.actions.sendSignal(r.pid, sig.name);
            app.status(res.message, res.ok ? 'info' : 'error');
            app.refreshNow();
          });
        }, app.actions.defaultSignalIndex);
      },
    },
  ];

  /** F7/F8: renice the selected process by `delta` (through the app's actions). */
  private renice(delta: number): void {
    const r = this.selectedRow();
    if (!r) return;
    const app = this.ctx.app;
    const res = app.actions.renice(r.pid, delta);
    app.status(res.message, res.ok ? 'info' : 'error');
    app.refreshNow();
  }

  /**
   * Select the next match of the search, from the row `from` rows after the
   * selection, going forward (dir 1) or backward (-1) and wrapping; false
   * when no row matches.
   */
  private findMatch(from: number, dir: 1 | -1 = 1): boolean {
    const n = this.rows.length;
    for (let k = 0; k < n; k++) {
      const i = (((this.selected + dir * (from + k)) % n) + n) % n;
      if (matchesFilter(this.rows[i].row, this.search)) {
        this.follow = undefined;
        this.select(i);
        return true;
      }
    }
    return false;
  }

  private bar(): InputBarHost['inputBar'] | undefined {
    const app = this.ctx.app as AppApi & Partial<InputBarHost>;
    return app.inputBar?.bind(app);
  }

  /**
   * htop's search: a new search starts empty; each key selects the first
   * match from the top of the list (F3 / S-F3: next / previous). Enter keeps
   * the match selected, Esc puts the selection back where it was.
   */
  private openSearch(): void {
    const app = this.ctx.app;
    const before = this.selPid;
    const lastSearch = this.search;
    const show = (v: string): string | undefined => {
      this.search = v;
      if (!v) return undefined;
      this.arrange();
      this.selected = 0;
      return this.findMatch(0) ? undefined : 'not found';
    };
    const bar = this.bar();
    if (!bar) {
      app.prompt('Search: ', '', (v) => {
        if (v === null) return;
        const note = show(v);
        if (note) app.status(`'${sanitize(v)}' not found`, 'warn');
        app.requestRender();
      });
      return;
    }
    this.search = '';
    bar({
      label: 'Search: ',
      hint: 'F3 next  S-F3 prev  Enter done  Esc cancel',
      onChange: show,
      onKey: (full) => {
        if (full !== 'f3' && full !== 'S-f3') return false;
        if (!this.search) return true;
        this.arrange();
        return this.findMatch(1, full === 'f3' ? 1 : -1) ? true : 'not found';
      },
      done: (v) => {
        if (v !== null) return;
        // Cancelled: back to the process selected before the search; n goes on with the last search.
        this.search = lastSearch;
        if (before !== undefined) {
          this.selPid = before;
          this.arrange();
        }
      },
    });
  }

  /**
   * htop's filter: the rows narrow as you type; Enter keeps the filter, Esc
   * clears it (Ctrl-U erases the line). The selection stays on its process
   * while it matches, else goes to the first row.
   */
  private openFilter(): void {
    const app = this.ctx.app;
    const set = (v: string) => {
      if (v === this.filter) return;
      this.filter = v;
      this.filterChanged = true;
      this.arrange();
    };
    const bar = this.bar();
    if (!bar) {
      app.prompt('Filter: ', this.filter, (v) => {
        if (v === null) return;
        set(v);
        app.requestRender();
      });
      return;
    }
    bar({
      label: 'Filter: ',
      initial: this.filter,
      hint: 'Enter done  Esc clear  Ctrl-U erase',
      onChange: (v) => {
        set(v);
        return this.filter && this.rows.length === 0 ? 'no match' : undefined;
      },
      done: (v) => {
        if (v === null) set('');
      },
    });
  }

  // ---- F2 setup: choose and order columns ----------------------------------------

  private openSetup(): void {
    const t = this.ctx.theme;
    const order = (): ProcColumn[] => [
      ...this.cfg.columns.map((id) => columnById(id)!).filter(Boolean),
      ...PROC_COLUMNS.filter((c) => !this.cfg.columns.includes(c.id)),
    ];
    const items = () => order().map((c) => `${this.cfg.columns.includes(c.id) ? '[x]' : '[ ]'} ${c.title.padEnd(8)} ${c.id.padEnd(12)} ${c.description}`);
    const list = blessed.list({
      parent: this.ctx.screen, top: 1, left: 'center', width: Math.min(90, (this.ctx.screen.width as number) - 2), bottom: 2,
      label: ' Setup: columns — Space toggle, F7/F8 or [ ] move, Esc done ', border: 'line', keys: true, mouse: true,
      items: items(), tags: false,
      style: t.mono ? { selected: { inverse: true } } : { selected: { bg: 'cyan', fg: 'black' }, border: { fg: 'cyan' } },
    });
    this.setup = list;
    list.focus();
    const refresh = (sel: number) => {
      list.setItems(items() as unknown as blessed.Widgets.BlessedElement[]);
      list.select(sel);
      this.ctx.screen.render();
    };
    list.on('keypress', (_ch: string, key: { full: string }) => {
      const sel = (list as unknown as { selected: number }).selected;
      const cols = order();
      const c = cols[sel];
      if (!c) return;
      const ids = this.cfg.columns;
      if (key.full === 'space' || key.full === 'enter') { // blessed also sends 'return' for the same Enter
        if (ids.includes(c.id)) {
          if (ids.length > 1) ids.splice(ids.indexOf(c.id), 1);
        } else ids.push(c.id);
        this.ctx.app.saveConfig();
        refresh(sel);
      } else if (key.full === 'f7' || key.full === 'f8' || key.full === '[' || key.full === ']') {
        const i = ids.indexOf(c.id);
        if (i < 0) return;
        const j = key.full === 'f7' || key.full === '[' ? i - 1 : i + 1;
        if (j < 0 || j >= ids.length) return;
        [ids[i], ids[j]] = [ids[j], ids[i]];
        this.ctx.app.saveConfig();
        refresh(j);
      } else if (key.full === 'escape' || key.full === 'f10' || key.full === 'q' || key.full === 'f2') {
        list.destroy();
        this.setup = undefined;
        this.ctx.app.refreshNow();
      }
    });
    this.ctx.screen.render();
  }

  footer(): Array<[string, string]> {
    return footerOf(TopScreen.KEYS, this);
  }
  help(): Array<[string, string]> {
    return [...helpOf(TopScreen.KEYS), ...LEGEND];
  }
}

/** Cells the COMMAND column keeps before columns are left out of a narrow terminal. */
export const MIN_COMMAND_WIDTH = 20;
/** Left out of the display, in this order, while COMMAND would be narrower than MIN_COMMAND_WIDTH (F2 still lists them). */
export const NARROW_DROP = ['priority', 'nice', 'shr', 'virt', 'tty', 'start', 'processor', 'ppid', 'uid'];

/**
 * The configured columns that fit: on a narrow terminal (htop's columns at
 * 80 cells leave COMMAND 9) the least telling ones are left out until the
 * flexible column has MIN_COMMAND_WIDTH cells. The sort column always stays.
 */
export function shownColumns(cols: ProcColumn[], width: number, sort: string): ProcColumn[] {
  if (!cols.some((c) => !c.width)) return cols;
  let shown = cols;
  const flex = (l: ProcColumn[]) => width - l.reduce((a, c) => a + (c.width ? c.width + 1 : 0), 0);
  for (const id of NARROW_DROP) {
    if (flex(shown) >= MIN_COMMAND_WIDTH) break;
    if (id === sort) continue;
    shown = shown.filter((c) => c.id !== id);
  }
  return shown;
}

/**
 * The table's title line. The sort column's title carries ▽ (descending) or
 * △; where title and arrow are wider than the column (S, PRI, NLWP...) the
 * arrow takes the blank between it and its neighbour (left of a
 * right-aligned column, right of a left-aligned one), and only when there is
 * no such blank is the title cut, never the arrow.
 */
export function headerLine(cols: readonly ProcColumn[], widths: readonly number[], sort: string, descending: boolean): string {
  const mark = descending ? '▽' : '△';
  const cells = cols.map((c, i) => fitWidth(c.title, widths[i], c.align));
  const seps = cols.map((_, i) => (i === 0 ? '' : ' '));
  const i = cols.findIndex((c) => c.id === sort);
  if (i >= 0) {
    const c = cols[i];
    const w = widths[i];
    const text = c.align === 'right' ? mark + c.title : c.title + mark;
    if (displayWidth(text) <= w) cells[i] = fitWidth(text, w, c.align);
    else if (c.align === 'right' && i > 0) {
      seps[i] = '';
      cells[i] = fitWidth(mark + truncateWidth(c.title, w), w + 1, 'right');
    } else if (c.align === 'left' && i < cols.length - 1) {
      seps[i + 1] = '';
      cells[i] = fitWidth(truncateWidth(c.title, w) + mark, w + 1, 'left');
    } else {
      const title = truncateWidth(c.title, Math.max(0, w - 1));
      cells[i] = fitWidth(c.align === 'right' ? mark + title : title + mark, w, c.align);
    }
  }
  return cells.map((cell, k) => seps[k] + cell).join('');
}

/** Append text to a painted line, merging it into the last span when the attribute is the same. */
function pushSpan(spans: PaintedLine, text: string, attr: number): void {
  const last = spans[spans.length - 1];
  if (last && last[1] === attr) last[0] += text;
  else spans.push([text, attr]);
}
