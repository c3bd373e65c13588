// The failures screen: timeline of abnormal ends (with the selected entry's
// details), the kernel log (severity colours, failure lines marked and
// linked to entries, filters), and where core dumps go (core_pattern, the
// target process's core limit, recent dumps). Draws a FailuresModel; never
// reads /proc and never acts on the system: debugger actions go through
// the app's actions (AppApi.actions) and AppApi.suspendAndRun.
//
// Layout (top to bottom): one status line, one hint line, the timeline
// pane, the kernel-log pane, the core pane. Left/Right move focus between
// panes (Tab stays the shell's view switch).
//
// Invariant: every string drawn passes sanitize() -> width truncation ->
// blessed.escape() (line() below), so log text and process names cannot
// inject terminal escapes or blessed tags, and wide characters never
// overflow the screen.
import blessed from 'blessed';
import { renderSegments, type Line, type Seg } from './widgets/segments.js';
import type { Widgets } from 'blessed';
import type { AppApi, Screen, ViewContext } from '../src/app/view.js';
import type { Theme, ThemeColor } from '../src/app/theme.js';
import { displayWidth, fitWidth, sanitize, truncateWidth } from '../src/util/text.js';
import type { EntryRow, FailuresModel, FailuresRequest, KmsgLine } from '../src/model/failures.js';
import { KMSG_FACILITIES, coreText, entryDetail, facilityName, filterKmsg, levelName } from '../src/failures/model.js';
import { formatAge, formatKib } from '../src/util/format.js';


export type Pane = 'timeline' | 'kmsg' | 'dumps';
const PANES: Pane[] = ['timeline', 'kmsg', 'dumps'];

/** The screen's state; the part the Source needs (toggles, target) goes to it in request(). */
export interface FailuresUiState {
  showExits: boolean;
  sinceBoot: boolean;
  /** A PID chosen by the person (p, or the view's { pid } param); null: follow the selected entry. */
  targetPid: number | null;
  focus: Pane;
  selEntry: number | null;
  selSeq: number | null;
  selDump: string | null;
  /** Kernel log follows the newest line until the person moves. */
  follow: boolean;
  kmsgMaxLevel: number;
  kmsgFacility: number | null;
  kmsgText: string;
  /** Only the lines of the selected entry. */
  kmsgLinkedOnly: boolean;
}

export function initialUiState(targetPid: number | null = null): FailuresUiState {
  return {
    showExits: false, sinceBoot: false, targetPid, focus: 'timeline', selEntry: null, selSeq: null, selDump: null, follow: true,
    kmsgMaxLevel: 7, kmsgFacility: null, kmsgText: '', kmsgLinkedOnly: false,
  };
}

function hhmmss(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function levelColor(level: number): ThemeColor | undefined {
  if (level <= 3) return 'error';
  if (level === 4) return 'warn';
  if (level === 5) return 'value';
  if (level === 7) return 'dim';
  return undefined;
}

function endColor(e: EntryRow): ThemeColor {
  if (e.kind === 'oom' || e.kind === 'kernel') return 'error';
  if (e.kind === 'exit') return 'warn';
  return e.signal === 9 || e.signal === 15 ? 'warn' : 'error';
}


/** Index to start drawing so that `sel` is visible in `rows` rows. */
function windowStart(count: number, sel: number, rows: number): number {
  if (count <= rows || sel < 0) return Math.max(0, count - rows);
  return Math.min(Math.max(0, sel - Math.floor(rows / 2)), count - rows);
}

export interface RenderResult {
  lines: string[];
  /** What is visible, for key handling. */
  entries: EntryRow[];
  kmsg: KmsgLine[];
  dumps: FailuresModel['dumps'];
}

export function visibleKmsg(m: FailuresModel, st: FailuresUiState): KmsgLine[] {
  let lines = filterKmsg(m.kmsg, { maxLevel: st.kmsgMaxLevel, facility: st.kmsgFacility, text: st.kmsgText });
  if (st.kmsgLinkedOnly && st.selEntry !== null) lines = lines.filter((l) => l.entryId === st.selEntry);
  return lines;
}

/** Draw the whole screen as tagged lines of at most w cells. Pure, for tests. */
export function renderFailures(theme: Theme, m: FailuresModel | undefined, st: FailuresUiState, w: number, h: number): RenderResult {
  const out: string[] = [];
  const L = (line: Line, inv = false) => out.push(renderSegments(theme, line, w, { inverse: inv }));
  if (!m) {
    L([['Reading the kernel log...', 'dim']]);
    return { lines: out, entries: [], kmsg: [], dumps: [] };
  }
  // Status.
  const feedSegs: Line = [['sources: ', 'label']];
  for (const f of m.feeds) {
    feedSegs.push([`${f.name} `, 'bold'], [f.active ? 'on' : 'off', f.active ? 'ok' : 'dim']);
    if (f.drops) feedSegs.push([` (${f.drops} lost)`, 'warn']);
    feedSegs.push(['  ']);
  }
  feedSegs.push([`exits ${st.showExits ? 'shown' : 'hidden'} [x]  since ${st.sinceBoot ? 'boot' : 'ostop start'} [a]`, 'dim']);
  if (m.kmsgOverwritten) feedSegs.push([`  log overwritten ${m.kmsgOverwritten}x`, 'warn']);
  L(feedSegs);
  const notes = m.feeds.filter((f) => f.note && !f.active).map((f) => `${f.name}: ${f.note}`).concat(m.hints);
  L(notes.length ? [[notes[0] + (notes.length > 1 ? `  (+${notes.length - 1} more, ?)` : ''), 'warn']] : [['']]);

  const coreRows = 2 + Math.min(m.dumps.length, 4) + 1;
  const rest = Math.max(6, h - 2 - coreRows);
  const tlRows = Math.max(4, Math.floor(rest * 0.5));
  const kmRows = Math.max(2, rest - tlRows);

  // Timeline.
  const entries = [...m.entries].reverse(); // newest first
  const selIdx = entries.findIndex((e) => e.id === st.selEntry);
  const focus = (p: Pane): Seg => [st.focus === p ? '▶ ' : '  ', st.focus === p ? 'selected' : 'dim'];
  L([focus('timeline'), [`Timeline (${entries.length}${m.hiddenEntries ? `, ${m.hiddenEntries} hidden` : ''})`, 'header']]);
  L([[`${fitWidth('TIME', 8)} ${fitWidth('FEED', 9)} ${fitWidth('PID', 7, 'right')} ${fitWidth('PPID', 7, 'right')} ${fitWidth('COMM', 15)} ${fitWidth('END', 10)} ${fitWidth('SENDER', 14)} CORE ${fitWidth('AGE', 7, 'right')} DETAIL`, 'label']]);
  const listRows = Math.max(1, tlRows - 4);
  if (!entries.length) {
    L([[m.feeds.some((f) => f.active) ? '  no abnormal ends yet' : '  no source is active', 'dim']]);
    for (let i = 1; i < listRows; i++) L([['']]);
  } else {
    const start = windowStart(entries.length, selIdx, listRows);
    for (let i = 0; i < listRows; i++) {
      const e = entries[start + i];
      if (!e) { L([['']]); continue; }
      const core = e.dump || e.coreDumped ? 'yes' : e.coreDumped === false ? 'no' : '-';
      L([
        [`${hhmmss(e.wallMs)} ${fitWidth(e.feeds.join('+'), 9)} ${fitWidth(String(e.pid || '-'), 7, 'right')} ${fitWidth(e.ppid === null ? '-' : String(e.ppid), 7, 'right')} `],
        [fitWidth(e.comm, 15) + ' ', 'bold'],
        [fitWidth(e.end, 10) + ' ', endColor(e)],
        [`${fitWidth(e.senderText, 14)} ${fitWidth(core, 4)} ${fitWidth(formatAge(e.ageMs), 7, 'right')} `],
        [entryDetail(e), 'dim'],
      ], e.id === st.selEntry && st.focus === 'timeline');
    }
  }
  const sel = selIdx >= 0 ? entries[selIdx] : undefined;
  if (sel) {
    L([['  cmd ', 'label'], [sel.cmdline ?? '(not captured: kernel log only)', sel.cmdline ? undefined : 'dim'], ['  core ', 'label'], [coreText(sel)]]);
    L([['  log ', 'label'], [sel.kmsgSeqs.length ? `${sel.kmsgSeqs.length} line(s), Enter to show` : '-'], ['  from ', 'label'], [sel.feeds.join(', ')],
      ...(sel.kind === 'kernel' && sel.kernel ? [['  ', undefined], [sel.kernel.detail, 'dim']] as Line : [])]);
  } else {
    L([['  Enter: log lines  g: gcore  G: gdb -p  o: open dump in gdb  p: target PID', 'dim']]);
    L([['']]);
  }

  // Kernel log.
  const kmsg = visibleKmsg(m, st);
  const filt = [st.kmsgMaxLevel < 7 ? `level<=${levelName(st.kmsgMaxLevel)}` : '', st.kmsgFacility !== null ? `fac=${facilityName(st.kmsgFacility)}` : '', st.kmsgText ? `/${st.kmsgText}` : '', st.kmsgLinkedOnly ? 'entry only' : ''].filter(Boolean).join(' ');
  L([focus('kmsg'), [`Kernel log (${kmsg.length}/${m.kmsg.length})`, 'header'], [filt ? `  ${filt}` : '  l: level  f: facility  /: text  e: entry only', 'dim']]);
  const kRows = Math.max(1, kmRows - 1);
  let kSel = st.follow ? kmsg.length - 1 : kmsg.findIndex((l) => l.seq === st.selSeq);
  if (kSel < 0 && st.selSeq !== null) kSel = kmsg.findIndex((l) => l.seq >= st.selSeq!);
  const kStart = windowStart(kmsg.length, kSel, kRows);
  for (let i = 0; i < kRows; i++) {
    const l = kmsg[kStart + i];
    if (!l) { L([['']]); continue; }
    const linked = l.entryId !== null && l.entryId === st.selEntry;
    const mark: Seg = l.highlight ? [linked ? '»' : '!', 'error'] : [linked ? '»' : ' ', 'selected'];
    L([
      mark,
      [`[${(l.usec / 1e6).toFixed(3).padStart(11)}] `, 'dim'],
      [`${fitWidth(levelName(l.level), 7)} `, levelColor(l.level)],
      ...(l.highlight ? [[`${l.highlight}${l.entryId !== null ? ` #${l.entryId}` : ''} `, 'error'] as Seg] : []),
      [l.text, l.highlight ? 'bold' : levelColor(l.level)],
    ], st.focus === 'kmsg' && kStart + i === kSel && !st.follow);
  }

  // Core dumps.
  const cp = m.corePattern;
  L([focus('dumps'), ['Core dumps  ', 'header'], ['pattern ', 'label'],
    [cp ? cp.pattern : (m.corePatternError ?? '?')], [cp ? (cp.kind === 'pipe' ? `  (pipe to ${cp.handlerName ?? cp.handler})` : cp.relative ? '  (file, relative to cwd)' : '  (file)') : '', 'dim']]);
  const t = m.target;
  if (t) {
    const lim = t.limit ? `${t.limit.soft === 'unlimited' ? 'unlimited' : formatKib(Math.ceil(t.limit.soft / 1024))}/${t.limit.hard === 'unlimited' ? 'unlimited' : formatKib(Math.ceil(t.limit.hard / 1024))}` : '?';
    L([['  target ', 'label'], [`${t.pid} ${t.comm}`, 'bold'], [` (${t.why === 'self' ? 'ostop itself; p to choose' : t.why === 'parent' ? 'parent of selected' : 'chosen'})`, 'dim'],
      ['  core limit ', 'label'], [lim, t.limit && t.limit.soft === 0 ? 'warn' : undefined], ['  → ', 'dim'], [t.where]]);
  } else {
    L([['  no target process: p to choose a PID', 'dim']]);
  }
  const dumps = m.dumps;
  const dSel = dumps.findIndex((d) => d.path === st.selDump);
  const dRows = Math.min(dumps.length, 4);
  if (!dumps.length) L([['  no dumps found', 'dim']]);
  const dStart = windowStart(dumps.length, dSel, dRows);
  for (let i = 0; i < dRows; i++) {
    const d = dumps[dStart + i];
    L([[`  ${hhmmss(d.mtimeMs)} ${fitWidth(formatKib(Math.ceil(d.sizeBytes / 1024)), 7, 'right')} ${fitWidth(d.pid === null ? '-' : String(d.pid), 7, 'right')} ${fitWidth(d.entryId === null ? '' : `#${d.entryId}`, 5)} `], [d.path]],
      st.focus === 'dumps' && d.path === st.selDump);
  }
  while (out.length > h) out.pop();
  return { lines: out, entries, kmsg, dumps };
}

export class FailuresScreen implements Screen<FailuresModel> {
  private readonly theme: Theme;
  private readonly app: AppApi;
  private box: Widgets.BoxElement | undefined;
  private parent: Widgets.BoxElement | undefined;
  private last: FailuresModel | undefined;
  private visible: RenderResult = { lines: [], entries: [], kmsg: [], dumps: [] };

  readonly st: FailuresUiState;

  /** params: { pid?: number }: start with that process as the target (core limit, g, G). */
  constructor(ctx: ViewContext, params: Record<string, unknown> = {}) {
    this.theme = ctx.theme;
    this.app = ctx.app;
    const pid = Number(params.pid);
    this.st = initialUiState(Number.isSafeInteger(pid) && pid > 0 ? pid : null);
  }

  /** What the Source builds for this screen: the toggles, the chosen target, the selected entry's parent. */
  request(): FailuresRequest {
    const sel = this.last?.entries.find((e) => e.id === this.st.selEntry);
    return { showExits: this.st.showExits, sinceBoot: this.st.sinceBoot, targetPid: this.st.targetPid, selectedParentPid: sel?.ppid ?? null };
  }

  mount(parent: Widgets.BoxElement): void {
    this.parent = parent;
    this.box = blessed.box({ parent, top: 0, left: 0, width: '100%', height: '100%', tags: true, wrap: false } as Widgets.BoxOptions);
  }

  unmount(): void {
    this.box?.destroy();
    this.box = this.parent = undefined;
  }

  render(model: FailuresModel | undefined): void {
    if (model) this.last = model;
    if (!this.box || !this.parent) return;
    const p = this.parent;
    const w = Math.max(20, typeof p.width === 'number' ? p.width : (p.screen.width as number));
    const h = Math.max(8, typeof p.height === 'number' ? p.height : (p.screen.height as number));
    // Keep a selection once there are entries, so details and links show.
    if (this.last && this.st.selEntry === null && this.last.entries.length) this.st.selEntry = this.last.entries[this.last.entries.length - 1].id;
    if (this.last && this.st.selDump === null && this.last.dumps.length) this.st.selDump = this.last.dumps[0].path;
    this.visible = renderFailures(this.theme, this.last, this.st, w, h);
    this.box.setContent(this.visible.lines.join('\n'));
  }

  private move(delta: number, toEnd?: 'home' | 'end'): void {
    const v = this.visible;
    const st = this.st;
    if (st.focus === 'timeline') {
      const list = v.entries;
      if (!list.length) return;
      let i = list.findIndex((e) => e.id === st.selEntry);
      i = toEnd === 'home' ? 0 : toEnd === 'end' ? list.length - 1 : Math.min(list.length - 1, Math.max(0, i + delta));
      st.selEntry = list[i].id;
    } else if (st.focus === 'kmsg') {
      const list = v.kmsg;
      if (!list.length) return;
      let i = st.follow ? list.length - 1 : list.findIndex((l) => l.seq === st.selSeq);
      if (i < 0) i = list.length - 1;
      i = toEnd === 'home' ? 0 : toEnd === 'end' ? list.length - 1 : Math.min(list.length - 1, Math.max(0, i + delta));
      st.follow = toEnd === 'end' || (i === list.length - 1 && delta > 0);
      st.selSeq = list[i].seq;
    } else {
      const list = v.dumps;
      if (!list.length) return;
      let i = list.findIndex((d) => d.path === st.selDump);
      i = toEnd === 'home' ? 0 : toEnd === 'end' ? list.length - 1 : Math.min(list.length - 1, Math.max(0, i + delta));
      st.selDump = list[i].path;
    }
    this.app.requestRender();
  }

  private selectedEntry(): EntryRow | undefined {
    return this.last?.entries.find((e) => e.id === this.st.selEntry);
  }

  /** Enter: timeline -> its kernel-log lines; kmsg line -> its entry; dump -> gdb. */
  private enter(): void {
    const st = this.st;
    if (st.focus === 'timeline') {
      const e = this.selectedEntry();
      if (!e || !e.kmsgSeqs.length) return this.app.status('no kernel-log lines for this entry', 'info');
      st.focus = 'kmsg';
      st.follow = false;
      st.selSeq = Math.min(...e.kmsgSeqs);
      st.kmsgLinkedOnly = false;
      if (!this.visible.kmsg.some((l) => l.seq === st.selSeq)) {
        st.kmsgMaxLevel = 7; st.kmsgFacility = null; st.kmsgText = '';
      }
    } else if (st.focus === 'kmsg') {
      const l = this.visible.kmsg.find((x) => x.seq === st.selSeq);
      if (!l || l.entryId === null) return this.app.status('this line is not linked to a timeline entry', 'info');
      st.selEntry = l.entryId;
      st.focus = 'timeline';
    } else {
      return this.openDump();
    }
    this.app.requestRender();
  }

  private openDump(): void {
    let dump: FailuresModel['dumps'][number] | EntryRow['dump'] | undefined;
    let exe: string | null = null;
    if (this.st.focus === 'dumps') dump = this.last?.dumps.find((d) => d.path === this.st.selDump);
    else {
      const e = this.selectedEntry();
      dump = e?.dump;
      exe = e?.cmdline?.split(' ')[0] ?? null;
    }
    if (!dump) return this.app.status('no dump selected (Right to the core dumps pane, or select an entry with a core)', 'warn');
    const c = this.app.actions.gdbDump(dump, exe);
    if ('error' in c) return this.app.status(c.error, 'error');
    const note = 'note' in c ? c.note : undefined;
    if (note) this.app.status(note, 'warn');
    this.app.suspendAndRun(c.cmd, c.args, () => {
      if (note) this.app.status(note, 'warn'); // again: the run cleared the screen
      this.app.refreshNow();
    });
  }

  private targetPid(): { pid: number; comm: string } | null {
    const t = this.last?.target;
    if (!t || !t.alive) return null;
    return { pid: t.pid, comm: t.comm };
  }

  private gcore(): void {
    if (this.app.actions.refusal) return this.app.status(this.app.actions.refusal, 'error');
    const t = this.targetPid();
    if (!t) return this.app.status('no live target process: p to choose a PID', 'warn');
    if (t.pid === process.pid) return this.app.status('choose a target PID first (p): gcore on ostop itself would stop the UI', 'warn');
    const dir = this.app.actions.coreDir();
    this.app.confirm(`Write a core of ${t.pid} ${sanitize(t.comm)} to ${sanitize(dir)}/ (private to you) with gdb (the process pauses while it is written)?`, (yes) => {
      if (!yes) return;
      this.app.status(`gcore ${t.pid}: writing...`, 'info');
      this.app.actions.gcore(t.pid, t.comm, (err, out) => {
        if (err) this.app.status(err, 'error');
        else this.app.status(`core of ${t.pid} written to ${sanitize(out!)}`, 'info');
        this.app.refreshNow();
      });
    });
  }

  private gdbAttach(): void {
    const t = this.targetPid();
    if (!t) return this.app.status('no live target process: p to choose a PID', 'warn');
    if (t.pid === process.pid) return this.app.status('choose a target PID first (p)', 'warn');
    const c = this.app.actions.gdbAttach(t.pid);
    if ('error' in c) return this.app.status(c.error, 'error');
    this.app.suspendAndRun(c.cmd, c.args, () => this.app.refreshNow());
  }

  handleKey(ch: string | undefined, name: string, full: string): boolean {
    const st = this.st;
    switch (full) {
      case 'right': st.focus = PANES[(PANES.indexOf(st.focus) + 1) % PANES.length]; this.app.requestRender(); return true;
      case 'left': st.focus = PANES[(PANES.indexOf(st.focus) + PANES.length - 1) % PANES.length]; this.app.requestRender(); return true;
      case 'up': case 'k': this.move(-1); return true;
      case 'down': case 'j': this.move(1); return true;
      case 'pageup': this.move(-10); return true;
      case 'pagedown': this.move(10); return true;
      case 'home': this.move(0, 'home'); return true;
      case 'end': this.move(0, 'end'); return true;
      case 'enter': this.enter(); return true; // blessed sends 'enter' and then 'return' for \r: handle one
      case 'x': st.showExits = !st.showExits; this.app.status(`non-zero exits ${st.showExits ? 'shown' : 'hidden'}`); this.app.refreshNow(); return true;
      case 'a': st.sinceBoot = !st.sinceBoot; this.app.status(`timeline since ${st.sinceBoot ? 'boot (kernel log backlog)' : 'ostop started'}`); this.app.refreshNow(); return true;
      case 'l': st.kmsgMaxLevel = st.kmsgMaxLevel === 0 ? 7 : st.kmsgMaxLevel - 1; this.app.status(`kernel log: level ${levelName(st.kmsgMaxLevel)} and more severe`); this.app.requestRender(); return true;
      case 'S-l': case 'L': st.kmsgMaxLevel = 7; this.app.requestRender(); return true;
      case 'f': {
        const items = ['all', ...KMSG_FACILITIES.filter((f) => !f.startsWith('res'))];
        this.app.menu('Kernel log facility', items, (i) => {
          if (i === null) return;
          st.kmsgFacility = i === 0 ? null : KMSG_FACILITIES.indexOf(items[i] as (typeof KMSG_FACILITIES)[number]);
          this.app.requestRender();
        });
        return true;
      }
      case '/': this.app.prompt('Kernel log text', st.kmsgText, (v) => { if (v !== null) { st.kmsgText = v; this.app.requestRender(); } }); return true;
      case 'e': st.kmsgLinkedOnly = !st.kmsgLinkedOnly; this.app.requestRender(); return true;
      case 'p': this.app.prompt('Target PID (core limit, gcore, gdb)', st.targetPid ? String(st.targetPid) : '', (v) => {
        if (v === null) return;
        const n = Number(v.trim());
        st.targetPid = v.trim() === '' ? null : Number.isSafeInteger(n) && n > 0 ? n : null;
        if (v.trim() && st.targetPid === null) this.app.status(`not a PID: ${sanitize(v)}`, 'error');
        this.app.refreshNow();
      }); return true;
      case 'g': this.gcore(); return true;
      case 'S-g': case 'G': this.gdbAttach(); return true; // blessed names Shift-g 'S-g'
      case 'o': this.openDump(); return true;
      default: return false;
    }
  }

  footer(): Array<[string, string]> {
    return [['←/→', 'pane'], ['Enter', 'link'], ['x', 'exits'], ['a', 'since boot'], ['l/f//', 'log filter'], ['p', 'target'], ['g', 'gcore'], ['G', 'gdb -p'], ['o', 'gdb dump']];
  }

  help(): Array<[string, string]> {
    return [
      ['Left / Right', 'move between timeline, kernel log and core dumps (Tab stays the global view switch)'],
      ['Up/Down PgUp/PgDn Home/End', 'select'],
      ['Enter', 'timeline: show its kernel-log lines; log: go to its entry; dumps: open in gdb'],
      ['x', 'show/hide non-zero exits (eBPF only)'],
      ['a', 'timeline since boot (log backlog) or since ostop started'],
      ['l / L', 'kernel log: one level more severe / all levels'],
      ['f', 'kernel log: facility'],
      ['/', 'kernel log: text filter'],
      ['e', 'kernel log: only the selected entry\'s lines'],
      ['p', 'target PID for core limit, gcore and gdb (default: parent of the selected entry)'],
      ['g', 'write a core of the target now (gcore)'],
      ['G', 'attach gdb to the target (UI suspended, restored after)'],
      ['o', 'open the selected dump in gdb with its executable'],
    ];
  }
}

