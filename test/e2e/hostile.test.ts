// E2E: hostile process names. A child's comm (the executed file name) and
// argv[0] carry escape sequences (SGR colour, OSC retitle, C1 CSI, newline),
// CJK and emoji. On screen they must be neutralized (no colour change, no
// title change, no raw escape bytes reach the terminal) and every column
// must stay aligned, also after refreshes (blessed redraws only changed cells,
// so a width disagreement shows up there).
// The emulator measures cells like modern terminals (emoji wide), see pty.ts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnOstop, PtyApp, makeTempHome, parseTable, delay } from '../helpers/pty.js';
import { startNamed, killAll, uniqueTag, type Kid } from '../helpers/pty-procs.js';

const IDS = ['pid', 'user', 'state', 'comm', 'cpu', 'command'];
let app: PtyApp;
let home: string;
let tag: string;
const titles: string[] = [];
const kids: Record<'esc' | 'cjk' | 'c1' | 'emoji' | 'plain', Kid> = {} as never;

beforeAll(async () => {
  tag = uniqueTag('hx');
  // comm = ESC[31mRED (8 bytes); cmdline carries an OSC retitle ended by BEL
  kids.esc = await startNamed('\x1b[31mRED', { argv0: `${tag}a \x1b]0;pwned\x07 after` });
  // comm = CJK (9 bytes); cmdline with wide characters
  kids.cjk = await startNamed('中文名', { argv0: `${tag}b 中文名 wide` });
  // comm = C1 CSI (0x9b) + text; cmdline with a clear-screen/home CSI and a newline
  kids.c1 = await startNamed('\u009b2Jx', { argv0: `${tag}c \x1b[2J\x1b[H line1\nline2` });
  // comm and cmdline with an emoji (wide in modern terminals) followed by CJK
  kids.emoji = await startNamed('😀中文', { argv0: `${tag}e 😀 中文 smile` });
  kids.plain = await startNamed(`${tag}plain`, { argv0: `${tag}d plain` });
  home = makeTempHome();
  const cfgDir = path.join(home, '.config', 'ostop');
  fs.mkdirSync(cfgDir, { recursive: true });
  fs.writeFileSync(path.join(cfgDir, 'config.json'), JSON.stringify({ columns: IDS, sort: 'pid', descending: false }));
  app = spawnOstop(['-d', '1'], { cols: 110, rows: 30, home });
  app.term.onTitleChange((t) => titles.push(t));
  await app.waitForText(/PID\s+USER/, 15000);
  // Filter to the test's children (the filter matches the command line).
  app.proc.write('\\');
  await app.waitForText(/Filter: /);
  await app.type(tag);
  app.proc.write('\r');
  await app.waitFor(() => (parseTable(app, IDS)?.rows.length ?? 0) === 5, `5 rows for ${tag}`, 10000);
  // Two more refreshes: partial redraws must keep everything in place.
  await delay(2300);
  await app.flush();
}, 40000);

afterAll(async () => {
  await app?.dispose();
  await killAll();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function rowY(k: Kid): number {
  const t = parseTable(app, IDS)!;
  const r = t.rows.find((x) => x.text.trimStart().startsWith(String(k.pid) + ' '));
  if (!r) throw new Error(`no row for ${k.pid}:\n${app.screenText()}`);
  return r.y;
}

/** COMMAND starts under its title, COMM under its title, CPU% ends where its title ends. */
function expectAligned(k: Kid): void {
  const t = parseTable(app, IDS)!;
  const y = rowY(k);
  const line = app.lines()[y];
  const commandX = app.cellColumn(t.headerRow, 'COMMAND');
  const cpuEnd = app.cellColumn(t.headerRow, 'CPU%') + 'CPU%'.length;
  expect(app.cellColumn(y, k.argv0.slice(0, tag.length + 1)), `COMMAND of ${k.pid} at the title's column:\n${line}`).toBe(commandX);
  const cpu = line.match(/\s(\d+\.\d)\s/);
  expect(cpu, line).toBeTruthy();
  expect(app.cellColumn(y, cpu![1]) + cpu![1].length, `CPU% of ${k.pid} right-aligned:\n${line}`).toBe(cpuEnd);
}

describe('hostile process names', () => {
  it('escape sequences in comm and cmdline are neutralized', () => {
    const esc = app.lines()[rowY(kids.esc)];
    expect(esc).toMatch(/\?RED/);
    expect(esc).toMatch(new RegExp(`${tag}a \\? after 1000`));
    const c1 = app.lines()[rowY(kids.c1)];
    expect(c1).toMatch(/ \?x /); // the whole C1 CSI sequence became one '?'
    expect(c1).toMatch(new RegExp(`${tag}c \\?\\? line1 line2 1000`));
    for (const k of [kids.esc, kids.c1, kids.plain]) {
      expectAligned(k);
      const y = rowY(k);
      for (let x = 0; x < app.term.cols; x++) expect(app.cellStyle(x, y).fg, `cell ${x} of row ${y} red`).not.toBe(1);
    }
    // The terminal saw none of it: no retitle, no raw sequences from the names.
    expect(titles.filter((x) => x.includes('pwned'))).toEqual([]);
    expect(app.output).not.toContain('\x1b]0;pwned');
    expect(app.output).not.toContain('\x1b[31mRED');
    expect(app.output).not.toContain('\u009b2J');
    expect(app.output).not.toContain('line1\nline2');
    // The screen above the table is intact (a \x1b[2J\x1b[H would have cleared it).
    expect(app.screenText()).toMatch(/Tasks: \d+/);
  });

  it('CJK names are shown whole and keep the columns aligned', () => {
    const t = parseTable(app, IDS)!;
    const y = rowY(kids.cjk);
    const line = app.lines()[y];
    expect(line).toContain(`${tag}b 中文名 wide 1000`);
    expect(app.cellColumn(y, '中文名'), line).toBe(app.cellColumn(t.headerRow, 'COMM'));
    expectAligned(kids.cjk);
  });

  // blessed 0.1.81 alone measures emoji as 1 cell; src/app/blessed-widths.ts makes
  // it use ostop's table (2 cells, as modern terminals draw them).
  it('emoji names are shown whole and keep the columns aligned after refreshes', () => {
    const y = rowY(kids.emoji);
    const line = app.lines()[y];
    expect(line).toContain(`${tag}e 😀 中文 smile 1000`);
    expect(line).toContain(' 😀中文 ');
    expectAligned(kids.emoji);
  });
});
