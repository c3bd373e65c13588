// The process drill-in screen: one PID's identity, live CPU/RSS/I/O
// sparklines, and scrollable sections (threads, fds, sockets, memory,
// limits, environment, info). Draws a ProcessDetailModel; never reads /proc.
//
// Layout: an identity + graphs block on top, a one-line section bar, then
// a grid of section panes (1 at 80x24; 2 side by side from 160 columns; two
// rows of them from ~30 free rows). Tab / Shift-Tab (or Left/Right) moves
// focus between sections; arrows, PgUp/PgDn, Home/End scroll the focused one.
//
// Invariant: every string shown passes sanitize() -> width truncation ->
// blessed.escape(), in that order (renderLine below), so process-supplied
// text can neither inject terminal escapes nor blessed tags, and wide
// characters never overflow a column.
import blessed from 'blessed';
import { renderSegments, type Line, type Seg } from './widgets/segments.js';
import type { Widgets } from 'blessed';
import type { AppApi, Screen, ViewContext } from '../src/app/view.js';
import { footerOf, helpOf, runKey, type Keymap } from '../src/app/keymap.js';
import type { Theme, ThemeColor } from '../src/app/theme.js';
import { displayWidth, fitWidth, sanitize, truncateWidth } from '../src/util/text.js';
import type { ProcessDetailModel } from '../src/model/process-detail.js';
import type { ProcessRequest, ProcSection } from '../src/model/view-contract.js';
import { describeErrno, formatLimit } from '../src/model/process-detail-format.js';
import { graphBlockRows } from './widgets/graph.js';
import { formatCpuTime, formatElapsed, formatKib, formatPercentSign, formatRate, formatTimestamp } from '../src/util/format.js';


export type SectionId = 'threads' | 'fds' | 'sockets' | 'memory' | 'limits' | 'env' | 'info';

export const SECTIONS: ReadonlyArray<{ id: SectionId; title: string; errors: ProcSection[] }> = [
  { id: 'threads', title: 'Threads', errors: ['threads'] },
  { id: 'fds', title: 'FDs', errors: ['fds'] },
  { id: 'sockets', title: 'Sockets', errors: ['sockets', 'fds'] },
  { id: 'memory', title: 'Memory', errors: ['smaps', 'status'] },
  { id: 'limits', title: 'Limits', errors: ['limits'] },
  { id: 'env', title: 'Env', errors: ['environ'] },
  { id: 'info', title: 'Info', errors: ['cmdline', 'cgroup', 'namespaces', 'root'] },
];


const col = (s: string | number | null | undefined, w: number, align: 'left' | 'right' = 'left') =>
  fitWidth(sanitize(s === null || s === undefined ? '-' : String(s)), w, align);

function lineWidth(line: Line): number {
  return line.reduce((n, [t]) => n + displayWidth(sanitize(t)), 0);
}

function stateColor(state: string): ThemeColor | undefined {
  if (state === 'R') return 'stateRunning';
  if (state === 'D') return 'stateDisk';
  if (state === 'Z' || state === 'X') return 'stateZombie';
  return undefined;
}

/** What the context-switch sums cover. */
export function ctxScope(m: ProcessDetailModel): string {
  const c = m.ctxSwitches;
  const scope = c.threadsCounted === null ? 'main thread only' : `sum of ${c.threadsCounted} thread${c.threadsCounted === 1 ? '' : 's'}`;
  return c.note ? `${scope}; ${c.note}` : scope;
}

const KIND_COLORS: Record<string, ThemeColor> = { socket: 'graph4', pipe: 'graph3', anon: 'dim', device: 'memShared' };

interface SectionContent {
  header?: Line;
  rows: Line[];
}

export class ProcessScreen implements Screen<ProcessDetailModel, ProcessRequest> {
  private readonly theme: Theme;
  private readonly app: AppApi;
  private parent?: Widgets.BoxElement;
  private top?: Widgets.BoxElement;
  private bar?: Widgets.BoxElement;
  private panes: Widgets.BoxElement[] = [];
  private focus = 0;
  private readonly scroll: Record<SectionId, number> = { threads: 0, fds: 0, sockets: 0, memory: 0, limits: 0, env: 0, info: 0 };
  /** Data rows visible in the focused pane (for PgUp/PgDn). */
  private pageRows = 10;
  private last?: ProcessDetailModel;

  constructor(ctx: ViewContext, readonly pid: number) {
    this.theme = ctx.theme;
    this.app = ctx.app;
  }

  request(): ProcessRequest {
    return { pid: this.pid };
  }

  mount(parent: Widgets.BoxElement): void {
    this.parent = parent;
    // wrap: false because lines are cut to width here; blessed's wrapper would
    // otherwise break a line that exactly fills the width at its last space.
    this.top = blessed.box({ parent, top: 0, left: 0, width: '100%', height: 1, tags: true, wrap: false });
    this.bar = blessed.box({ parent, top: 1, left: 0, width: '100%', height: 1, tags: true, wrap: false });
  }

  unmount(): void {
    for (const p of this.panes) p.destroy();
    this.panes = [];
    this.top?.destroy();
    this.bar?.destroy();
    this.top = this.bar = this.parent = undefined;
  }

  private size(): { w: number; h: number } {
    const p = this.parent!;
    const w = typeof p.width === 'number' ? p.width : (p.screen.width as number);
    const h = typeof p.height === 'number' ? p.height : (p.screen.height as number);
    return { w: Math.max(20, w), h: Math.max(6, h) };
  }

  render(model: ProcessDetailModel | undefined): void {
    if (model) this.last = model;
    if (!this.parent || !this.top || !this.bar) return;
    const m = this.last;
    const { w, h } = this.size();
    if (!m) {
      this.top.height = 1;
      this.top.setContent(renderSegments(this.theme, [[`Reading process ${this.pid}...`, 'dim']], w));
      this.bar.setContent('');
      this.setPaneCount(0);
      return;
    }
    const topLines = this.topBlock(m, w);
    const maxTop = Math.max(1, h - 6);
    const shown = topLines.slice(0, maxTop);
    this.top.height = shown.length;
    this.top.setContent(shown.map((l) => renderSegments(this.theme, l, w)).join('\n'));

    const listTop = shown.length + 1;
    const listH = h - listTop;
    const cols = w >= 160 ? 2 : 1;
    const rows = listH >= 30 ? 2 : 1;
    const per = cols * rows;
    const page = Math.floor(this.focus / per);
    const visible = SECTIONS.slice(page * per, page * per + per);
    this.bar.top = shown.length;
    this.bar.setContent(this.sectionBar(m, visible.map((s) => s.id), w));
    this.setPaneCount(visible.length);
    const paneW = Math.floor(w / cols);
    const paneH = Math.floor(listH / rows);
    visible.forEach((sec, i) => {
      const pane = this.panes[i];
      const r = Math.floor(i / cols), c = i % cols;
      pane.top = listTop + r * paneH;
      pane.left = c * paneW;
      pane.width = c === cols - 1 ? w - c * paneW : paneW;
      pane.height = r === rows - 1 ? listH - r * paneH : paneH;
      const focused = SECTIONS[this.focus].id === sec.id;
      this.fillPane(pane, m, sec.id, focused, (pane.width as number) - 2, (pane.height as number) - 2);
    });
  }

  private setPaneCount(n: number): void {
    while (this.panes.length > n) this.panes.pop()!.destroy();
    while (this.panes.length < n) {
      this.panes.push(blessed.box({
        parent: this.parent, top: 0, left: 0, width: 10, height: 3, tags: true, wrap: false,
        border: { type: 'line' }, style: { border: {} },
      }));
    }
  }

  private sectionCount(m: ProcessDetailModel, id: SectionId): string {
    switch (id) {
      case 'threads': return String(m.threadTotal);
      case 'fds': return String(m.fdTotal);
      case 'sockets': return String(m.sockets.length);
      case 'env': return m.environ ? String(m.environ.length) : '';
      case 'limits': return '';
      default: return '';
    }
  }

  private sectionBar(m: ProcessDetailModel, visible: SectionId[], w: number): string {
    const parts: string[] = [];
    SECTIONS.forEach((s, i) => {
      const n = this.sectionCount(m, s.id);
      const label = n ? `${s.title}(${n})` : s.title;
      const text = blessed.escape(label);
      if (i === this.focus) parts.push(this.theme.mono ? `{inverse}[${text}]{/inverse}` : `{inverse}${this.theme.fg('selected', ` ${text} `)}{/inverse}`);
      else if (visible.includes(s.id)) parts.push(this.theme.mono ? ` ${text} ` : this.theme.fg('value', ` ${text} `));
      else parts.push(this.theme.fg('dim', ` ${text} `));
    });
    // Labels are plain ASCII, so their width is their length.
    let out = '';
    let used = 0;
    for (const p of parts) {
      const plain = p.replace(/\{[^}]*\}/g, '').length;
      if (used + plain > w) break;
      out += p;
      used += plain;
    }
    return out;
  }

  private topBlock(m: ProcessDetailModel, w: number): Line[] {
    const id = m.identity;
    const lines: Line[] = [];
    const first: Line = [['PID ', 'label'], [String(m.pid), 'value'], ['  '], [id.comm || '?', 'value']];
    if (m.status === 'exited') {
      first.push(['  EXITED', 'error']);
      if (m.exitedAt) first.push([` at ${formatTimestamp(m.exitedAt).slice(11)}`, 'error']);
      first.push([' (last values)', 'dim']);
    }
    first.push(['  state ', 'label'], [`${id.state} ${id.stateName}`, stateColor(id.state) ?? 'value']);
    if (m.wchan) first.push(['  wchan ', 'label'], [m.wchan]);
    first.push(['  user ', 'label'], [id.user ?? '-']);
    first.push(['  ppid ', 'label'], [String(id.ppid ?? '-')]);
    first.push(['  nice ', 'label'], [String(id.nice ?? '-')]);
    first.push(['  thr ', 'label'], [String(id.threads ?? '-')]);
    lines.push(first);
    // In D state: the kernel stack of each stuck thread, innermost first (why it is stuck).
    for (const b of m.blocked.slice(0, 3)) {
      const where = b.stack.length ? b.stack.map((f) => f.replace(/\+0x.*$/, '')).join(' ← ') : '(kernel stack: root only)';
      lines.push([['D ', 'error'], [`tid ${b.tid} `, 'label'], [b.wchan ? `in ${b.wchan}: ` : '', 'value'], [where, b.stack.length ? undefined : 'dim']]);
    }
    if (m.status === 'exited' && (m.end || m.endNote)) {
      const ended: Line = [['ended ', 'label']];
      if (m.end) ended.push([m.end.summary, m.end.signal !== null || m.end.exitCode ? 'error' : 'value']);
      if (m.endNote) ended.push([m.end ? `  (${m.endNote})` : m.endNote, 'dim']);
      lines.push(ended);
    }
    const age = id.startTime !== null ? (m.time - id.startTime) / 1000 : null;
    lines.push([
      ['started ', 'label'], [formatTimestamp(id.startTime)], [age !== null ? ` (${formatElapsed(age)} ago)` : '', 'dim'],
      ['  cpu time ', 'label'], [formatCpuTime(m.cpu.timeSec)],
      ['  cgroup ', 'label'], [id.cgroup ?? '-'],
    ]);
    lines.push([['exe ', 'label'], [id.exe ?? (m.errors.exe ? `(${describeErrno(m.errors.exe)})` : '-'), id.exe ? undefined : 'dim']]);
    lines.push([['cwd ', 'label'], [id.cwd ?? (m.errors.cwd ? `(${describeErrno(m.errors.cwd)})` : '-'), id.cwd ? undefined : 'dim']]);
    const cmd = id.cmdline === null ? '-' : id.cmdline.length ? id.cmdline.join(' ') : `[${id.comm}]`;
    lines.push([['cmd ', 'label'], [cmd]]);

    // One-row braille graphs (screens/widgets/graph.ts): label and value in a 15-cell gutter; hidden when too narrow.
    const graph = (label: string, value: string, hist: number[], color: ThemeColor, width: number, max?: number): Line => {
      const row = graphBlockRows({ label, value, series: hist, color, max }, width, 1, { gutter: 15 })[0];
      if (!row) return [];
      const [gut, g] = row;
      return [[gut.slice(0, 6), 'label'], [gut.slice(6) + ' '], [g, color]];
    };
    const h = m.history;
    const cpuMax = Math.max(100, ...h.cpuPercent);
    const ioMax = Math.max(1, ...h.readBps, ...h.writeBps);
    const mem = m.memory;
    const memLine: Line = [
      ['MEM ', 'label'], ['RSS '], [formatKib(mem.rssKb), 'memUsed'], [` (${formatPercentSign(mem.memPercent)})`],
      [' anon ', 'dim'], [formatKib(mem.anonKb)], [' file ', 'dim'], [formatKib(mem.fileKb)],
      [' shm ', 'dim'], [formatKib(mem.shmemKb)], [' swap ', 'dim'], [formatKib(mem.swapKb), mem.swapKb ? 'swap' : undefined],
      [' PSS ', 'dim'], [formatKib(mem.pssKb)],
    ];
    const errs = Object.entries(m.errors).filter(([sec]) => sec !== 'sockets' || m.fdTotal > 0);
    const partialLine: Line | undefined = errs.length
      ? [['partial: ', 'warn'], [errs.map(([sec, c]) => `${sec} (${describeErrno(c!)})`).join(', '), 'warn']]
      : undefined;

    if (w >= 140) {
      // Two columns: identity on the left, graphs on the right.
      const leftW = Math.floor(w * 0.55);
      const rightW = w - leftW - 1;
      lines.push([['ns  ', 'label'], [id.namespaces.map((n) => `${n.type}:${n.inode}`).join(' ') || '-']]);
      const right: Line[] = [
        graph('CPU', formatPercentSign(m.cpu.percent), h.cpuPercent, 'cpuUser', rightW, cpuMax),
        graph('RSS', formatKib(mem.rssKb), h.rssKb, 'memUsed', rightW),
        graph('READ', formatRate(m.io?.readBps), h.readBps, 'graph4', rightW, ioMax),
        graph('WRITE', formatRate(m.io?.writeBps), h.writeBps, 'graph2', rightW, ioMax),
        graph('THR', String(id.threads ?? '-'), h.threads, 'thread', rightW),
        memLine,
      ];
      if (partialLine) right.push(partialLine);
      const n = Math.max(lines.length, right.length);
      const out: Line[] = [];
      for (let i = 0; i < n; i++) {
        const l = lines[i] ?? [];
        const cut = this.cutLine(l, leftW);
        out.push([...cut, [' '.repeat(Math.max(0, leftW - lineWidth(cut)) + 1)], ...(right[i] ?? [])]);
      }
      return out;
    }
    const half = Math.floor(w / 2);
    const pair = (a: Line, b: Line): Line => {
      const cut = this.cutLine(a, half - 1);
      return [...cut, [' '.repeat(Math.max(0, half - lineWidth(cut)))], ...b];
    };
    lines.push(pair(graph('CPU', formatPercentSign(m.cpu.percent), h.cpuPercent, 'cpuUser', half - 1, cpuMax), graph('RSS', formatKib(mem.rssKb), h.rssKb, 'memUsed', w - half)));
    lines.push(pair(graph('READ', formatRate(m.io?.readBps), h.readBps, 'graph4', half - 1, ioMax), graph('WRITE', formatRate(m.io?.writeBps), h.writeBps, 'graph2', w - half, ioMax)));
    lines.push(graph('THR', String(id.threads ?? '-'), h.threads, 'thread', half - 1));
    lines.push(memLine);
    if (partialLine) lines.push(partialLine);
    return lines;
  }

  /** Truncate a segment list to `width` cells (sanitizing as renderLine would). */
  private cutLine(line: Line, width: number): Line {
    const out: Line = [];
    let w = 0;
    for (const [raw, color] of line) {
      if (w >= width) break;
      const t = truncateWidth(sanitize(raw), width - w);
      w += displayWidth(t);
      out.push([t, color]);
    }
    return out;
  }

  private fillPane(pane: Widgets.BoxElement, m: ProcessDetailModel, id: SectionId, focused: boolean, innerW: number, innerH: number): void {
    const sec = SECTIONS.find((s) => s.id === id)!;
    const count = this.sectionCount(m, id);
    const title = ` ${sec.title}${count ? ` (${count})` : ''} `;
    pane.setLabel(focused && this.theme.mono ? `[${title}]` : title);
    const borderColor = focused ? this.theme.colors.selected : this.theme.colors.dim;
    (pane.style as { border: { fg?: string } }).border.fg = borderColor || undefined;

    const content = this.section(m, id, innerW);
    const notes: Line[] = [];
    for (const e of sec.errors) {
      const c = m.errors[e];
      if (c && !(e === 'fds' && id === 'sockets' && m.errors.sockets)) notes.push([[`${e}: ${describeErrno(c)} (${c}), data partial`, 'warn']]);
    }
    const fixed = [...notes, ...(content.header ? [content.header] : [])];
    const avail = Math.max(0, innerH - fixed.length);
    if (focused) this.pageRows = Math.max(1, avail);
    const maxScroll = Math.max(0, content.rows.length - avail);
    this.scroll[id] = Math.max(0, Math.min(this.scroll[id], maxScroll));
    const start = this.scroll[id];
    const body = content.rows.slice(start, start + avail);
    const lines = [...fixed.map((l) => renderSegments(this.theme, l, innerW)), ...body.map((l) => renderSegments(this.theme, l, innerW))];
    if (maxScroll > 0 && body.length > 0) {
      // Position hint at the right of the last row: "12-30/240".
      const hint = ` ${start + 1}-${start + body.length}/${content.rows.length}`;
      const cut = this.cutLine(body[body.length - 1], Math.max(0, innerW - hint.length));
      lines[lines.length - 1] = renderSegments(this.theme, [...cut, [' '.repeat(Math.max(0, innerW - hint.length - lineWidth(cut)))], [hint, 'dim']], innerW);
    }
    pane.setContent(lines.join('\n'));
  }

  private section(m: ProcessDetailModel, id: SectionId, w: number): SectionContent {
    switch (id) {
      case 'threads': {
        const rows: Line[] = m.threads.map((t) => [
          [col(t.tid, 8, 'right') + ' '], [col(t.state, 1), stateColor(t.state)], [' ' + col(t.cpuPercent === null ? '-' : t.cpuPercent.toFixed(1), 6, 'right')],
          [' ' + col(t.processor, 3, 'right') + ' ' + col(t.nice, 4, 'right') + ' '],
          [col(t.voluntaryCtxt, 9, 'right') + ' ' + col(t.nonvoluntaryCtxt, 9, 'right') + ' '], [t.name, t.tid === m.pid ? 'value' : 'thread'],
        ]);
        if (m.threadTotal > m.threads.length) rows.push([[`+${m.threadTotal - m.threads.length} more threads not read`, 'dim']]);
        return { header: [[`${col('TID', 8, 'right')} S ${col('CPU%', 6, 'right')} ${col('CPU', 3, 'right')} ${col('NI', 4, 'right')} ${col('VCSW', 9, 'right')} ${col('NVCSW', 9, 'right')} NAME`, 'header']], rows };
      }
      case 'fds': {
        const rows: Line[] = m.fds.map((f) => [
          [col(f.fd, 5, 'right') + ' '], [col(f.kind, 6), KIND_COLORS[f.kind]], [' ' + col(f.mode || '', 3) + ' '],
          [f.description, f.deleted ? 'error' : undefined],
        ]);
        if (m.fdTotal > m.fds.length) rows.push([[`+${m.fdTotal - m.fds.length} more`, 'dim']]);
        return { header: [[`${col('FD', 5, 'right')} ${col('TYPE', 6)} ${col('MOD', 3)} TARGET`, 'header']], rows };
      }
      case 'sockets': {
        const addrW = Math.max(12, Math.floor((w - 32) / 2));
        const rows: Line[] = m.sockets.map((s) => [
          [col(s.fd, 5, 'right') + ' ' + col(s.proto, 5) + ' '], [col(s.state, 11), s.state === 'ESTABLISHED' ? 'ok' : s.state === 'LISTEN' ? 'label' : undefined],
          [' ' + col(s.rxQueue, 6, 'right') + ' ' + col(s.txQueue, 6, 'right') + ' '], [col(s.local, addrW) + ' '], [s.remote],
        ]);
        const unknown = m.fds.filter((f) => f.kind === 'socket' && !m.sockets.some((s) => f.target === `socket:[${s.inode}]`));
        for (const f of unknown) rows.push([[col(f.fd, 5, 'right') + ' '], [`${f.target} (netlink, packet or other namespace)`, 'dim']]);
        return {
          header: [[`${col('FD', 5, 'right')} ${col('PROTO', 5)} ${col('STATE', 11)} ${col('RECV-Q', 6, 'right')} ${col('SEND-Q', 6, 'right')} ${col('LOCAL', addrW)} REMOTE`, 'header']],
          rows,
        };
      }
      case 'memory': {
        const mem = m.memory;
        const kv = (k: string, v: string, note = ''): Line => [[col(k, 16), 'label'], [col(v, 10, 'right')], [note ? '  ' + note : '', 'dim']];
        const rows: Line[] = [
          kv('RSS', formatKib(mem.rssKb), mem.memPercent !== null ? `${formatPercentSign(mem.memPercent)} of RAM` : ''),
          kv('  anon', formatKib(mem.anonKb), 'heap, stacks, private mappings'),
          kv('  file', formatKib(mem.fileKb), 'mapped files, libraries'),
          kv('  shmem', formatKib(mem.shmemKb), 'shared memory, tmpfs'),
          kv('Swap', formatKib(mem.swapKb)),
          kv('PSS', formatKib(mem.pssKb), 'proportional share of RSS'),
          kv('  PSS anon', formatKib(mem.pssAnonKb)),
          kv('  PSS file', formatKib(mem.pssFileKb)),
          kv('  PSS shmem', formatKib(mem.pssShmemKb)),
          kv('SwapPss', formatKib(mem.swapPssKb)),
          kv('Private', formatKib(mem.privateKb), 'clean + dirty'),
          kv('Shared', formatKib(mem.sharedKb), 'clean + dirty'),
          kv('VSZ', formatKib(mem.vszKb)),
          kv('Peak RSS', formatKib(mem.peakRssKb), 'VmHWM'),
          kv('Ctx switches', String(m.ctxSwitches.voluntary ?? '-'), `voluntary, ${m.ctxSwitches.voluntaryPerSec?.toFixed(0) ?? '-'}/s`),
          kv('', String(m.ctxSwitches.nonvoluntary ?? '-'), `involuntary, ${m.ctxSwitches.nonvoluntaryPerSec?.toFixed(0) ?? '-'}/s`),
          kv('', '', ctxScope(m)),
        ];
        if (m.io) {
          rows.push(kv('Read (storage)', formatKib(m.io.readBytes / 1024), formatRate(m.io.readBps)));
          rows.push(kv('Write (storage)', formatKib(m.io.writeBytes / 1024), formatRate(m.io.writeBps)));
          rows.push(kv('rchar', formatKib(m.io.rchar / 1024), `${formatRate(m.io.rcharBps)} read() incl. cache`));
          rows.push(kv('wchar', formatKib(m.io.wchar / 1024), `${formatRate(m.io.wcharBps)} write() incl. cache`));
        }
        return { rows };
      }
      case 'limits': {
        const rows: Line[] = m.limits.map((l) => [
          [col(l.name, 22), 'label'], [' ' + col(formatLimit(l.soft), 12, 'right') + ' ' + col(formatLimit(l.hard), 12, 'right') + ' '], [l.units, 'dim'],
        ]);
        return { header: [[`${col('LIMIT', 22)} ${col('SOFT', 12, 'right')} ${col('HARD', 12, 'right')} UNITS`, 'header']], rows };
      }
      case 'env': {
        if (!m.environ) return { rows: [[['environment not available', 'dim']]] };
        return { rows: m.environ.map((e) => [[e.name, 'label'], ['=', 'dim'], [e.value]]) };
      }
      case 'info': {
        const id = m.identity;
        const rows: Line[] = [];
        const kv = (k: string, v: string): Line => [[col(k, 10), 'label'], [v]];
        rows.push(kv('pid', `${id.pid}  ppid ${id.ppid ?? '-'}  pgrp ${id.pgrp ?? '-'}  session ${id.session ?? '-'}`));
        rows.push(kv('uid', `${id.uid ?? '-'} (${id.user ?? '-'})  euid ${id.euid ?? '-'}`));
        rows.push(kv('priority', `${id.priority ?? '-'}  nice ${id.nice ?? '-'}  last cpu ${m.cpu.processor ?? '-'}`));
        rows.push(kv('root', id.root ?? '-'));
        rows.push(kv('exe', id.exe ?? '-'));
        (id.cmdline ?? []).forEach((a, i) => rows.push(kv(`argv[${i}]`, a)));
        for (const n of id.namespaces) rows.push(kv(`ns ${n.type}`, String(n.inode)));
        for (const c of id.cgroups) rows.push(kv(`cgroup ${c.hierarchy}`, `${c.controllers.join(',') || '(v2)'} ${c.path}`));
        return { rows };
      }
    }
  }

  /** The shell redraws after a consumed key; redraw here too so a shell that does not still shows the change. */
  private rerender(): void {
    this.render(undefined);
  }

  handleKey(ch: string | undefined, name: string, full: string): boolean {
    // Keys matched by blessed's key.name (so S-right moves as right does), S-tab by its full name.
    return runKey(ProcessScreen.KEYS, this, { ch, name, full }, { byName: true });
  }

  /** Scrolls the focused section. */
  private scrollBy(f: (cur: number) => number): void {
    const id = SECTIONS[this.focus].id;
    this.scroll[id] = f(this.scroll[id]);
    this.rerender();
  }

  /** Moves the focus between sections. */
  private focusBy(step: number): void {
    const n = SECTIONS.length;
    this.focus = (this.focus + n + step) % n;
    this.rerender();
  }

  /**
   * The view's keys, once: the handler above, the footer and the F1 help
   * come from this table (src/app/keymap.ts).
   */
  private static readonly KEYS: Keymap<ProcessScreen> = [
    { keys: ['escape', 'backspace'], label: 'Esc', footer: 'Back', helpKeys: 'Esc, Backspace', help: 'back to the previous view', run: (s) => s.app.back() },
    { keys: ['tab', 'right'], label: 'Tab', footer: 'Section', helpKeys: 'Tab, Shift-Tab, ←/→', help: 'move focus between sections', run: (s) => s.focusBy(1) },
    { keys: ['S-tab', 'left'], run: (s) => s.focusBy(-1) },
    { keys: ['up'], label: '↑↓', footer: 'Scroll', helpKeys: '↑/↓, PgUp/PgDn, Home/End', help: 'scroll the focused section', run: (s) => s.scrollBy((y) => Math.max(0, y - 1)) },
    { keys: ['down'], run: (s) => s.scrollBy((y) => y + 1) },
    { keys: ['pageup'], run: (s) => s.scrollBy((y) => Math.max(0, y - s.pageRows)) },
    { keys: ['pagedown'], run: (s) => s.scrollBy((y) => y + s.pageRows) },
    { keys: ['home'], run: (s) => s.scrollBy(() => 0) },
    { keys: ['end'], run: (s) => s.scrollBy(() => Number.MAX_SAFE_INTEGER) },
    { keys: ['f7'], label: 'F7', footer: 'Nice-', helpKeys: 'F7 / F8', help: 'nice -1 / +1 (all threads); lowering needs root or CAP_SYS_NICE', run: (s) => s.doRenice(-1) },
    { keys: ['f8'], label: 'F8', footer: 'Nice+', run: (s) => s.doRenice(1) },
    { keys: ['f9', 'k'], label: 'F9/k', footer: 'Kill', helpKeys: 'F9, k', help: 'send a signal (menu, SIGTERM default, then confirm)', run: (s) => s.killMenu() },
  ];

  private exited(): boolean {
    if (this.last?.status === 'exited') {
      this.app.status(`process ${this.pid} has exited`, 'warn');
      return true;
    }
    return false;
  }

  private killMenu(): void {
    if (this.exited()) return;
    const comm = sanitize(this.last?.identity.comm ?? '');
    const actions = this.app.actions;
    if (actions.refusal) return this.app.status(actions.refusal, 'error');
    this.app.menu(`Send signal to ${this.pid} ${comm}`, actions.signalMenuItems(), (i) => {
      if (i === null) return;
      const sig = actions.signals[i];
      this.app.confirm(`Send ${sig.name} to ${this.pid} (${comm})?`, (yes) => {
        if (!yes) return;
        const r = actions.sendSignal(this.pid, sig.number);
        this.app.status(r.message, r.ok ? 'info' : 'error');
        this.app.refreshNow();
      });
    }, actions.defaultSignalIndex);
  }

  private doRenice(delta: number): void {
    if (this.exited()) return;
    const r = this.app.actions.renice(this.pid, delta);
    this.app.status(r.message, r.ok ? 'info' : 'error');
    this.app.refreshNow();
  }

  footer(): Array<[string, string]> {
    return footerOf(ProcessScreen.KEYS, this);
  }
  help(): Array<[string, string]> {
    return helpOf(ProcessScreen.KEYS);
  }
}
