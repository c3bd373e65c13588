// E2E: the top view in a real pseudo-terminal, driven by keys and mouse the
// way a person would, one ostop for the whole file (steps run in order).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import { spawnOstop, KEYS, sgrClick, parseTable, cell, sortMark, delay, type PtyApp } from '../helpers/pty.js';
import { startNamed, killAll, uniqueTag, alive, type Kid } from '../helpers/pty-procs.js';
import { REGISTRY } from '../../src/tracers/registry.js';

const COLS = 120;
const ROWS = 32;
let app: PtyApp;
let tag: string;
let kid: Kid;
let victim: Kid;
/** Two processes whose names share a prefix (search: next / previous match). */
let twins: Kid[] = [];
let twinTag: string;

function table() {
  const t = parseTable(app);
  if (!t) throw new Error(`no process table on screen:\n${app.screenText()}`);
  return t;
}

/** The selected row's text (the one drawn with the selection colour) in the table body. */
function selectedText(): string | undefined {
  const t = parseTable(app);
  if (!t) return undefined;
  const ys = app.highlightedRows([t.headerRow, ROWS - 1, ROWS - 2]);
  return ys.length === 1 ? app.lines()[ys[0]] : undefined;
}

function pidsOnScreen(): number[] {
  const t = table();
  return t.rows.map((r) => Number(cell(t, r.text, 'PID'))).filter((n) => Number.isInteger(n) && n > 0);
}

function cpuTime(s: string): number {
  // TIME+ is m:ss.cc or h:mm:ss (htop style)
  const p = s.split(':').map(Number);
  return p.reduce((a, v) => a * 60 + v, 0);
}

function sizeBytes(s: string): number {
  const m = /^([\d.]+)([KMGT]?)$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30, T: 2 ** 40 }[m[2] as '' | 'K']!;
}

function isSorted(vals: number[], descending: boolean): boolean {
  for (let i = 1; i < vals.length; i++) if (descending ? vals[i] > vals[i - 1] : vals[i] < vals[i - 1]) return false;
  return true;
}

async function waitSorted(title: string, descending: boolean, value: (s: string) => number): Promise<void> {
  await app.waitFor(() => {
    const m = sortMark(app);
    if (!m || m.title !== title || m.descending !== descending) return false;
    const t = table();
    const vals = t.rows.map((r) => value(cell(t, r.text, title)));
    return vals.length > 5 && vals.every((v) => Number.isFinite(v)) && isSorted(vals, descending);
  }, `table sorted by ${title} ${descending ? 'descending' : 'ascending'}`, 8000);
}

describe('top view in a pty', () => {
  beforeAll(async () => {
    tag = uniqueTag('oet');
    kid = await startNamed(tag);
    victim = await startNamed(uniqueTag('oev'));
    twinTag = uniqueTag('oew');
    twins = [await startNamed(`${twinTag}a`), await startNamed(`${twinTag}b`)];
    // Kernel threads are hidden by default (as in htop): enough user
    // processes of our own for the sorting and scrolling steps, whatever
    // else runs on this machine.
    for (let i = 0; i < 12; i++) await startNamed(uniqueTag('oef'));
    app = spawnOstop(['-d', '1'], { cols: COLS, rows: ROWS });
    await app.waitForText(/PID\s+USER/, 20000);
  }, 30000);

  afterAll(async () => {
    await app?.dispose();
    await killAll();
  });

  it('shows the header meters and the PID USER ... COMMAND columns', async () => {
    await app.waitForText(/Tasks: \d+/);
    const s = app.screenText();
    expect(s).toMatch(/^\s*0 ?\[.*\d+\.\d%\]/m); // CPU 0 meter
    expect(s).toMatch(/Mem\[.*\/.*\]/);
    expect(s).toMatch(/Swp\[/);
    expect(s).toMatch(/Load average: \d+\.\d\d \d+\.\d\d \d+\.\d\d/);
    expect(s).toMatch(/Uptime: /);
    const t = table();
    const header = app.lines()[t.headerRow].replace(/[△▽]/g, '');
    expect(header.split(/\s+/).filter(Boolean)).toEqual(['PID', 'USER', 'PRI', 'NI', 'VIRT', 'RES', 'SHR', 'S', 'CPU%', 'MEM%', 'TIME+', 'COMMAND']);
    expect(t.rows.length).toBeGreaterThan(10);
    for (const r of t.rows) {
      expect(cell(t, r.text, 'PID')).toMatch(/^\d+$/);
      expect(cell(t, r.text, 'S')).toMatch(/^[RSDZTtIXWP]$/);
      expect(cell(t, r.text, 'CPU%')).toMatch(/^\d+(\.\d)?$/);
    }
    // The footer keys.
    expect(app.lines()[ROWS - 1]).toMatch(/F1\s?Help.*F10\s?Quit/);
  }, 30000);

  it('sorts with N, P, M, a header click and the F6 menu', async () => {
    await app.press('N');
    await waitSorted('PID', false, Number);
    await app.press('M');
    await waitSorted('MEM%', true, Number);
    await app.press('P');
    await waitSorted('CPU%', true, Number);
    // Mouse: SGR click on the RES title sorts by RES (descending first).
    const t = table();
    const [, resEnd] = t.cols.get('RES')!;
    await app.press(sgrClick(resEnd - 2, t.headerRow));
    await waitSorted('RES', true, sizeBytes);
    // F6 menu: the list starts on the current sort column (RES, index 5); TIME+ is index 10.
    await app.press(KEYS.f6);
    await app.waitForText(/Sort by/);
    expect(app.screenText()).toMatch(/TIME\+\s+Total CPU time/);
    for (let i = 0; i < 5; i++) await app.press(KEYS.down);
    await app.press(KEYS.enter);
    await waitSorted('TIME+', true, cpuTime);
    // The menu's Enter must not fall through to the table (no drill-in).
    await delay(400);
    expect(parseTable(app)).toBeDefined();
    expect(app.screenText()).not.toMatch(/Sort by/);
    // Back to PID order: stable rows for the next steps.
    await app.press('N');
    await waitSorted('PID', false, Number);
  }, 30000);

  it('moves the selection with the arrow keys', async () => {
    await app.press(KEYS.home);
    await app.waitFor(() => selectedText() !== undefined && app.highlightedRows().includes(table().headerRow + 1), 'selection on the first row');
    const first = pidsOnScreen();
    await app.press(KEYS.down, KEYS.down, KEYS.down);
    await app.waitFor(() => app.highlightedRows().includes(table().headerRow + 4), 'selection 3 rows down');
    await app.press(KEYS.up);
    await app.waitFor(() => app.highlightedRows().includes(table().headerRow + 3), 'selection 2 rows down');
    const sel = selectedText()!;
    expect(sel.trim().split(/\s+/)[0]).toBe(String(first[2]));
  }, 30000);

  it('filters (F4) to the process the test started, and clears the filter (\\)', async () => {
    await app.press(KEYS.f4);
    await app.waitForText(/Filter: /);
    await app.type(tag);
    await app.press(KEYS.enter);
    await app.waitFor(() => {
      const t = parseTable(app);
      // The whole filter applied (under load the row can match a prefix first).
      return !!t && t.rows.length === 1 && t.rows[0].text.includes(tag) && app.screenText().includes(`filter: ${tag}`);
    }, 'only the filtered process listed');
    const t = table();
    expect(cell(t, t.rows[0].text, 'PID')).toBe(String(kid.pid));
    expect(cell(t, t.rows[0].text, 'COMMAND')).toBe(`${tag} 1000`);
    expect(app.screenText()).toContain(`filter: ${tag}`);
    // Enter in the prompt must not drill into the row.
    await delay(500);
    expect(parseTable(app)).toBeDefined();
    // Clear it again with \ : the prompt starts with the current filter.
    await app.press('\\');
    await app.waitForText(new RegExp(`Filter: ${tag}`));
    for (let i = 0; i < tag.length; i++) await app.press(KEYS.backspace);
    await app.press(KEYS.enter);
    await app.waitFor(() => (parseTable(app)?.rows.length ?? 0) > 10 && !app.screenText().includes('filter:'), 'filter cleared');
  }, 30000);

  it('filters as you type; Ctrl-U erases the line, Esc on the filter bar clears the filter', async () => {
    await app.press('\\');
    await app.waitForText(/Filter: /);
    await app.type(tag);
    await app.waitFor(() => {
      const t = parseTable(app);
      return !!t && t.rows.length === 1 && t.rows[0].text.includes(tag) && /Filter: /.test(app.screenText());
    }, 'narrowed before Enter');
    await app.press('\x15'); // Ctrl-U
    await app.waitFor(() => (parseTable(app)?.rows.length ?? 0) > 10 && /Filter: {2,}Enter done/.test(app.screenText()), 'line erased, every row back');
    await app.type(tag);
    await app.waitFor(() => parseTable(app)?.rows.length === 1, 'narrowed again');
    await app.press(KEYS.esc);
    await app.waitFor(() => (parseTable(app)?.rows.length ?? 0) > 10 && !app.screenText().includes('filter:') && !/Filter: /.test(app.screenText()), 'filter cleared by Esc');
  }, 30000);

  it('searches (/) as you type and selects the match', async () => {
    await app.press(KEYS.home);
    await app.press('/');
    await app.waitForText(/Search: /);
    await app.type(tag);
    // Selected while the bar is still open: each key searches.
    await app.waitFor(() => (selectedText() ?? '').includes(`${tag} 1000`) && /Search: /.test(app.screenText()), 'match selected before Enter');
    await app.press(KEYS.enter);
    await app.waitFor(() => !/Search: /.test(app.screenText()), 'search bar closed');
    expect(selectedText()!.trim().split(/\s+/)[0]).toBe(String(kid.pid));
  }, 30000);

  it('keeps the found process selected when the sort moves it, and k aims at it', async () => {
    await app.press(KEYS.home, '/');
    await app.waitForText(/Search: /);
    await app.type(tag);
    await app.press(KEYS.enter);
    await app.waitFor(() => (selectedText() ?? '').includes(`${tag} 1000`), 'found');
    await app.press('M');
    await waitSorted('MEM%', true, Number);
    await app.waitFor(() => (selectedText() ?? '').includes(`${tag} 1000`), 'selection still on the found process');
    await app.press('T');
    await waitSorted('TIME+', true, cpuTime);
    await app.press('N');
    await waitSorted('PID', false, Number);
    await delay(1300); // a refresh or two
    expect(selectedText() ?? '').toContain(`${tag} 1000`);
    await app.press('k');
    await app.waitForText(/Send signal to \d+/);
    expect(app.screenText()).toContain(`Send signal to ${kid.pid} `);
    await app.press(KEYS.esc);
    await app.waitFor(() => !/Send signal to/.test(app.screenText()), 'signal menu closed');
  }, 30000);

  it('drills into the selected process (Enter) and comes back (Esc) with the selection kept', async () => {
    await app.press(KEYS.enter);
    await app.waitForText(new RegExp(`PID ${kid.pid}\\s+${tag}`));
    const s = app.screenText();
    expect(s).toMatch(/exe \/(usr\/)?bin\/sleep/);
    expect(s).toContain(`cmd ${tag} 1000`);
    expect(s).toMatch(new RegExp(`ppid ${process.pid}\\b`));
    await app.press(KEYS.esc);
    await app.waitFor(() => !!parseTable(app), 'back on the table');
    // Let a refresh or two pass: the selection must stay on the same process.
    await delay(1300);
    await app.waitFor(() => (selectedText() ?? '').includes(`${tag} 1000`), 'selection still on the drilled-into process');
  }, 30000);

  it('shows the tree (t) with the child under its parent', async () => {
    await app.press('t');
    await app.waitFor(() => /[├└]─/.test(app.screenText()) && / tree\b/.test(app.screenText()), 'tree view');
    await app.press('/');
    await app.waitForText(/Search: /);
    await app.type(tag);
    await app.press(KEYS.enter);
    // (the tag only: under a deep process tree, as when CI is started through a few wrappers, the indent cuts the arguments)
    await app.waitFor(() => /[├└]─ \S/.test(selectedText() ?? '') && (selectedText() ?? '').includes(tag), 'child selected in tree');
    // The child's command is indented deeper than its parent's, and the parent comes before it:
    // walk the selection up to the parent (the test runner, process.pid).
    const t = table();
    const indent = (text: string) => {
      const c = text.slice(t.cols.get('COMMAND')![0]);
      return c.length - c.replace(/^[\s│├└─]+/, '').length;
    };
    const kidIndent = indent(selectedText()!);
    let parentText: string | undefined;
    for (let i = 0; i < 10 && !parentText; i++) {
      await app.press(KEYS.up);
      await delay(100);
      const sel = selectedText() ?? '';
      if (sel.trim().split(/\s+/)[0] === String(process.pid)) parentText = sel;
    }
    expect(parentText, `parent ${process.pid} above the child:\n${app.screenText()}`).toBeDefined();
    expect(kidIndent).toBeGreaterThan(indent(parentText!));
    await app.press('t');
    await app.waitFor(() => !/[├└]─/.test(app.screenText()), 'flat list again');
  }, 30000);

  it('search: F3 / Shift-F3 next and previous match with a hint bar, a new search starts empty, Esc goes back', async () => {
    const [a, b] = twins;
    await app.press(KEYS.home);
    const before = selectedText();
    await app.press('/');
    // A new search starts empty (the last one was for the kid's tag).
    await app.waitFor(() => /^Search: {2,}F3 next {2}S-F3 prev/m.test(app.screenText()), 'an empty search bar with its hint');
    await app.type(twinTag);
    await app.waitFor(() => (selectedText() ?? '').includes(a.comm), 'first twin selected');
    await app.press(KEYS.f3);
    await app.waitFor(() => (selectedText() ?? '').includes(b.comm), 'F3: the next match');
    await app.press('\x1b[1;2R'); // Shift-F3 as xterm sends it
    await app.waitFor(() => (selectedText() ?? '').includes(a.comm), 'S-F3: the previous match');
    await app.press(KEYS.esc);
    // The same process (its PID): its CPU% and TIME+ may change meanwhile.
    const pidOf = (text: string | undefined) => text?.trim().split(/\s+/)[0];
    await app.waitFor(() => !/Search: /.test(app.screenText()) && pidOf(selectedText()) === pidOf(before), 'Esc: selection back where it was');
  }, 30000);

  it('opens the other views with v n i f from the table, after a search too (n is netstat, not a next match)', async () => {
    await app.press('/');
    await app.waitForText(/Search: /);
    await app.type(tag);
    await app.press(KEYS.enter);
    await app.waitFor(() => !/Search: /.test(app.screenText()), 'search closed');
    for (const [k, heading] of [['v', /procs\s+-+memory/], ['n', /IFACE\s+STATE/], ['i', /Device\s+r\/s/], ['f', /Timeline/]] as const) {
      await app.press(k);
      await app.waitFor(() => heading.test(app.screenText()), `${k} opens its view`);
      await app.press(KEYS.esc);
      await app.waitFor(() => !!parseTable(app), 'back on the table');
    }
  }, 60000);

  it('kills a child it started via k, SIGTERM, y', async () => {
    await app.press('/');
    await app.waitForText(/Search: /);
    await app.type(victim.comm);
    await app.press(KEYS.enter);
    await app.waitFor(() => (selectedText() ?? '').includes(victim.comm), 'victim selected');
    await app.press('k');
    await app.waitForText(new RegExp(`Send signal to ${victim.pid}`));
    expect(app.screenText()).toMatch(/SIGTERM/);
    await app.press(KEYS.enter); // SIGTERM is the default
    await app.waitForText(new RegExp(`Send SIGTERM to PID ${victim.pid}.*\\[y/N\\]`));
    await app.press('y');
    const res = await Promise.race([victim.exited, delay(5000).then(() => undefined)]);
    expect(res, 'victim exited').toBeDefined();
    expect(res!.signal).toBe('SIGTERM');
    expect(alive(victim.pid)).toBe(false);
    expect(alive(kid.pid)).toBe(true);
    // Gone from the table after the next refresh.
    await app.waitFor(() => !pidsOnScreen().includes(victim.pid) && !app.screenText().includes(victim.comm), 'victim gone from the table', 5000);
  }, 30000);

  it('keeps keys typed into a prompt or dialog there: a digit never toggles a trace pane', async () => {
    const statusLine = () => app.lines()[ROWS - 2];
    const noPane = async (what: string) => {
      await delay(400);
      await app.flush();
      expect(statusLine(), `${what}: status line`).not.toMatch(/trace:/);
      expect(parseTable(app), `${what}: table back`).toBeDefined();
    };
    // The refresh-delay prompt.
    await app.press('d');
    await app.waitForText(/Refresh delay in seconds: /);
    await app.press('1', KEYS.esc);
    await noPane('delay prompt');
    // The search and filter bars.
    await app.press('/');
    await app.waitForText(/Search: /);
    await app.press('1', KEYS.esc);
    await noPane('search bar');
    await app.press('\\');
    await app.waitForText(/Filter: /);
    await app.press('1', KEYS.esc);
    await noPane('filter bar');
    // The sort menu, the user menu, the signal menu and its confirmation.
    await app.press(KEYS.f6);
    await app.waitForText(/Sort by/);
    await app.press('1', KEYS.esc);
    await noPane('sort menu');
    await app.press('u');
    await app.waitForText(/Show processes of/);
    await app.press('1', KEYS.esc);
    await noPane('user menu');
    await app.press('k');
    await app.waitForText(/Send signal to/);
    await app.press(KEYS.enter);
    await app.waitForText(/\[y\/N\]/);
    await app.press('1'); // any key but y answers no
    await app.waitForText(/cancelled/);
    await noPane('confirmation');
    expect(alive(kid.pid)).toBe(true);
    // Help and the F2 setup.
    await app.press(KEYS.f1);
    await app.waitForText(/ostop\W{0,3}keys/);
    await app.press('1', KEYS.esc);
    await noPane('help');
    await app.press(KEYS.f2);
    await app.waitForText(/Setup: columns/);
    await app.press('1', '5', KEYS.esc);
    await noPane('F2 setup');
  }, 60000);

  it('draws the user menu whole: title, corners and an opaque body', async () => {
    await app.press('u');
    const s = await app.waitForText(/Show processes of/);
    expect(s).toBeTruthy();
    const lines = app.lines();
    const y = lines.findIndex((l) => l.includes('Show processes of'));
    const x = lines[y].indexOf('┌');
    const top = lines[y].slice(x);
    expect(top, lines[y]).toMatch(/^┌─ Show processes of ─*┐/);
    const right = x + /^┌─ Show processes of ─*┐/.exec(top)![0].length - 1;
    // Every row of the box is the box's own: border, item or blank, never the table behind it.
    for (let r = y + 1; ; r++) {
      const row = lines[r];
      expect(row[x], `left border, row ${r}`).toMatch(/[│└]/);
      expect(row[right], `right border, row ${r}`).toMatch(/[│┘]/);
      if (row[x] === '└') break;
      expect(row.slice(x + 1, right).trim(), `row ${r}`).toMatch(/^(All users|[\w.-]+)?$/);
    }
    expect(lines[y + 1]).toContain('All users');
    await app.press(KEYS.esc);
    await app.waitFor(() => !/Show processes of/.test(app.screenText()), 'menu closed');
  }, 30000);

  it('shows the view keys and the trace keys in the footer when there is room', async () => {
    const footer = app.lines()[ROWS - 1];
    expect(footer).toMatch(/F1\s?Help.*F9\s?Kill/);
    expect(footer).toMatch(new RegExp(String.raw`v\s?vmstat\s+n\s?net\s+i\s?io\s+f\s?fail\s+1-${REGISTRY.length}\s?trace\s+F10\s?Quit`));
  }, 30000);

  it('F1 pages a help taller than the terminal with a visible "more"; Esc or q closes it', async () => {
    await app.press(KEYS.f1);
    await app.waitForText(/-- more: page 1\/\d+/);
    const pages = Number(/page 1\/(\d+)/.exec(app.screenText())![1]);
    expect(pages).toBeGreaterThan(1);
    const first = app.screenText();
    await app.press(' ');
    await app.waitForText(/page 2\//);
    expect(app.screenText()).not.toBe(first);
    await app.press('x'); // not a help key: the help stays
    await delay(200);
    expect(app.screenText()).toMatch(/page 2\//);
    // Every key of the processes view is on one of the pages.
    let all = '';
    for (let p = 0; p < pages; p++) {
      await app.press(p === 0 ? KEYS.home : KEYS.pageDown);
      await app.waitForText(new RegExp(`page ${p + 1}/`));
      all += app.screenText();
    }
    for (const k of ['F3 /', 'F4 \\', 'Ctrl-U', 'S-F3', 'kernel threads']) expect(all).toContain(k);
    await app.press(KEYS.esc);
    await app.waitFor(() => !!parseTable(app) && !/Help: ostop keys/.test(app.screenText()), 'help closed by Esc');
    await app.press('?');
    await app.waitForText(/Help: ostop keys/);
    await app.press('q');
    await app.waitFor(() => !!parseTable(app) && !/Help: ostop keys/.test(app.screenText()), 'help closed by q');
    expect(app.exit).toBeUndefined();
  }, 30000);

  it('shows the too-small message at 30x8 and redraws at full size', async () => {
    app.resize(30, 8);
    await app.waitForText(/too small/i);
    expect(app.screenText()).toMatch(/30x8/);
    app.resize(COLS, ROWS);
    await app.waitFor(() => !!parseTable(app) && !/too small/i.test(app.screenText()) && /Tasks:/.test(app.screenText()), 'normal view after resize');
    expect(table().rows.length).toBeGreaterThan(10);
    // Lines are drawn for the new width: the footer spans the full width again.
    expect(app.lines()[ROWS - 1]).toMatch(/F10\s?Quit/);
  }, 30000);

  it('quits with q: terminal restored at once, process gone promptly', async () => {
    // A status message is pending here (from the kill above): its timer must not keep ostop alive.
    const before = app.output.length;
    const t0 = Date.now();
    await app.press('q');
    await app.waitForOutput('\x1b[?1049l', 2000, before);
    const restoredMs = Date.now() - t0;
    const e = await app.waitExit(20000);
    const exitMs = Date.now() - t0;
    expect(e.exitCode).toBe(0);
    const out = app.output;
    const tail = out.slice(Math.max(out.lastIndexOf('\x1b[?1049h'), 0));
    expect(tail).toContain('\x1b[?1049l'); // alternate screen left
    expect(tail).toContain('\x1b[?25h'); // cursor shown
    expect(tail).toContain('\x1b[?1000l'); // mouse reporting off
    expect(out.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(out.lastIndexOf('\x1b[?1049h'));
    expect(out.lastIndexOf('\x1b[?25h')).toBeGreaterThan(out.lastIndexOf('\x1b[?25l'));
    expect(restoredMs).toBeLessThan(2000);
    // The shell prompt comes back only when the process exits.
    expect(exitMs, `ostop exited ${exitMs} ms after q (terminal restored after ${restoredMs} ms)`).toBeLessThan(2500);
  }, 30000);
});

/** A long-lived kernel thread visible in this /proc (none inside a PID namespace), by its name (kworkers come and go). */
function someKernelThread(): string | undefined {
  const pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    try {
      const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      if ((Number(f[6]) & 0x200000) !== 0 && !name.startsWith('kworker')) return name;
    } catch { /* gone */ }
  }
  return undefined;
}

describe('top view at 80x24', () => {
  let small: PtyApp;
  let smallTag: string;
  const kthread = someKernelThread();

  beforeAll(async () => {
    smallTag = uniqueTag('oes');
    await startNamed(smallTag);
    small = spawnOstop(['-d', '1'], { cols: 80, rows: 24 });
    await small.waitForText(/PID\s+USER/, 20000);
  }, 30000);

  afterAll(async () => {
    await small?.dispose();
    await killAll();
  });

  it('keeps COMMAND readable: at least 20 cells, user processes with their arguments', async () => {
    const l = (await small.waitFor((s) => /^\s*\d+ /m.test(s.split('\n').slice(6, 22).join('\n')), 'rows')).split('\n');
    const header = l.find((x) => /PID/.test(x) && /COMMAND/.test(x))!;
    const at = header.indexOf('COMMAND');
    expect(80 - at, header).toBeGreaterThanOrEqual(20);
    expect(header).toMatch(/PID\s+USER/);
    expect(header).toMatch(/CPU%/);
    expect(header).toMatch(/MEM%/);
    expect(header).toMatch(/TIME\+/);
    const body = l.slice(l.indexOf(header) + 1, 22).filter((x) => /^\s*\d+ /.test(x));
    expect(body.length).toBeGreaterThan(5);
    for (const r of body) expect(r.slice(at), r).not.toMatch(/^\[/); // no kernel thread by default
    // The test's own process, found by its name, shows its arguments too.
    await small.press('\\');
    await small.waitForText(/Filter: /);
    await small.type(smallTag);
    await small.press(KEYS.enter);
    await small.waitFor((s) => s.split('\n').some((x) => x.slice(at).startsWith(`${smallTag} 1000`)), 'its command line in COMMAND');
    await small.press('\\');
    await small.waitForText(/Filter: /);
    await small.press(KEYS.esc);
    await small.waitFor((s) => !s.includes('filter:'), 'filter cleared');
  }, 30000);

  it.skipIf(!kthread)('hides kernel threads by default as htop does; K shows them', async () => {
    const name = kthread!;
    await small.press('\\');
    await small.waitForText(/Filter: /);
    await small.type(name);
    await small.press(KEYS.enter);
    await small.waitForText(new RegExp(`no process matches filter '${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
    await small.press('K');
    await small.waitForText(`[${name}]`);
    await small.press('K');
    await small.waitForText(/no process matches filter/);
  }, 30000);
});
