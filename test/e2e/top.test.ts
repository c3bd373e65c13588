// E2E: the top view in a real pseudo-terminal, driven by keys and mouse the
// way a person would, one ostop for the whole file (steps run in order).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnOstop, KEYS, sgrClick, parseTable, cell, sortMark, delay, type PtyApp } from '../helpers/pty.js';
import { startNamed, killAll, uniqueTag, alive, type Kid } from '../helpers/pty-procs.js';

const COLS = 120;
const ROWS = 32;
let app: PtyApp;
let tag: string;
let kid: Kid;
let victim: Kid;

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
      return !!t && t.rows.length === 1 && t.rows[0].text.includes(tag);
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

  it('searches (/) and selects the match', async () => {
    await app.press(KEYS.home);
    await app.press('/');
    await app.waitForText(/Search: /);
    await app.type(tag);
    await app.press(KEYS.enter);
    await app.waitFor(() => (selectedText() ?? '').includes(`${tag} 1000`), 'search match selected');
    expect(selectedText()!.trim().split(/\s+/)[0]).toBe(String(kid.pid));
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
    // The prompt keeps the last search: just confirm it.
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

  it('kills a child it started via k, SIGTERM, y', async () => {
    await app.press('/');
    await app.waitForText(/Search: /);
    for (let i = 0; i < tag.length; i++) await app.press(KEYS.backspace);
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
