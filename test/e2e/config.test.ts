// E2E: the config file under a temp XDG_CONFIG_HOME: F2 setup writes the
// column ids, a restart reads them back; a malformed file is reported with
// the problem named and is never overwritten.
import { describe, it, expect, afterAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnOstop, PtyApp, KEYS, parseTable, makeTempHome } from '../helpers/pty.js';
import { DEFAULT_COLUMNS, PROC_COLUMNS } from '../../src/model/columns.js';

const apps: PtyApp[] = [];
const homes: string[] = [];
afterAll(async () => {
  for (const a of apps) await a.dispose();
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

function start(home: string, cols = 160): PtyApp {
  const a = spawnOstop(['-d', '1'], { cols, rows: 30, home });
  apps.push(a);
  return a;
}

function headerTitles(a: PtyApp): string[] {
  const t = parseTable(a, [])!;
  return a.lines()[t.headerRow].replace(/[△▽]/g, '').trim().split(/\s+/);
}

describe('config file', () => {
  it('F2 setup toggles a column on; the config file then holds its id; a restart shows it', async () => {
    const home = makeTempHome();
    homes.push(home);
    const file = path.join(home, '.config', 'ostop', 'config.json');
    const a = start(home);
    await a.waitForText(/PID\s+USER/, 15000);
    expect(fs.existsSync(file)).toBe(false); // nothing written until something changes
    await a.press(KEYS.f2);
    await a.waitForText(/Setup: columns/);
    // The list shows the shown columns first, then the others in table order.
    const order = [...DEFAULT_COLUMNS, ...PROC_COLUMNS.map((c) => c.id).filter((id) => !DEFAULT_COLUMNS.includes(id))];
    const idx = order.indexOf('ppid');
    expect(a.screenText()).toMatch(/\[ \] PPID\s+ppid/);
    for (let i = 0; i < idx; i++) await a.press(KEYS.down);
    await a.press(' ');
    await a.waitForText(/\[x\] PPID\s+ppid/);
    await a.press(KEYS.esc);
    await a.waitFor(() => !a.screenText().includes('Setup: columns') && !!parseTable(a, []) && headerTitles(a).includes('PPID'), 'PPID column in the table');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(saved.columns).toEqual([...DEFAULT_COLUMNS, 'ppid']);
    await a.press('q');
    expect((await a.waitExit(20000)).exitCode).toBe(0);
    // Restart with the same config dir: the column is still there.
    const b = start(home);
    await b.waitFor(() => !!parseTable(b, []) && headerTitles(b).includes('PPID'), 'PPID after restart', 15000);
    expect(headerTitles(b)).toEqual(['PID', 'USER', 'PRI', 'NI', 'VIRT', 'RES', 'SHR', 'S', 'CPU%', 'MEM%', 'TIME+', 'COMMAND', 'PPID']);
    await b.press('q');
    await b.waitExit(20000);
  }, 45000);

  // [what, file text, the problem as shown]
  const bad: Array<[string, string, RegExp]> = [
    ['broken JSON', '{ "sort": "cpu",, "tree": true }\n', /not valid JSON.*line 1, column \d+/],
    ['an unknown column id', '{ "columns": ["pid", "bogus_col"] }\n', /'columns': unknown column 'bogus_col'/],
    ['a value of the wrong type', '{ "tree": "yes" }\n', /'tree' must be true or false/],
  ];
  it.each(bad)('a config file with %s: clear error naming the problem, defaults used, file not overwritten', async (_what, text, problem) => {
    const home = makeTempHome();
    homes.push(home);
    const file = path.join(home, '.config', 'ostop', 'config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    const mtime = fs.statSync(file).mtimeMs;
    const a = start(home, 200);
    await a.waitForText(/PID\s+USER/, 15000);
    const m = await a.waitForText(/config \S*config\.json: .*/);
    expect(m[0]).toContain(file);
    expect(m[0]).toMatch(problem);
    expect(a.screenText()).toMatch(/using defaults; the file will not be overwritten: config /);
    // Defaults are in use.
    expect(headerTitles(a)).toEqual(['PID', 'USER', 'PRI', 'NI', 'VIRT', 'RES', 'SHR', 'S', 'CPU%', 'MEM%', 'TIME+', 'COMMAND']);
    // Changes that normally save the config: sort, tree, a column toggle.
    await a.press('M', 't', KEYS.f2);
    await a.waitForText(/Setup: columns/);
    await a.press(' ', KEYS.esc);
    await a.press('q');
    await a.waitExit(20000);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['config.json']); // no temp files left either
  }, 45000);
});
