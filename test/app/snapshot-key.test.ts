// The live TUI's W key (src/app/app.ts, src/app/snapshot.ts): an input bar
// offers a default path, Enter writes the last 10 minutes of the recorder's
// store through `ostop snapshot`'s code, and the status line says what was
// written, or why nothing was (the file exists; no recorder's store).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { App } from '../../src/app/app.js';
import { makeTheme } from '../../src/app/theme.js';
import { defaultSnapshotPath } from '../../src/app/snapshot.js';
import { StoreReader } from '../../src/store/disk-store.js';
import { DEFAULT_CONFIG } from '../../src/model/config.js';
import type { Screen, ViewEntry } from '../../src/app/view.js';
import type { Source } from '../../src/model/view-contract.js';
import { writeSynthStore } from '../helpers/synth-store.js';

const INTERVAL = 5000;
const TICKS = 200; // 1,000 s: more than the 10 minutes W writes
let tmp: string;
let store: string;
let app: App | undefined;

beforeAll(async () => {
  fs.mkdirSync('/var/tmp/ostop-test', { recursive: true, mode: 0o700 });
  tmp = fs.mkdtempSync('/var/tmp/ostop-test/snapkey-');
  store = path.join(tmp, 'store');
  await writeSynthStore({ dir: store, start: Date.now() - TICKS * INTERVAL, intervalMs: INTERVAL, ticks: TICKS, procs: 5 });
}, 60_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

afterEach(() => {
  app?.quit(0);
  app = undefined;
});

const view: ViewEntry = {
  id: 'v', title: 'V', home: true, keepAlive: true,
  load: () => ({
    createSource: (): Source<string, void> => ({ collect() {}, model: () => 'the view' }),
    createScreen: (): Screen<string, void> => {
      let box: import('blessed').Widgets.BoxElement | undefined;
      return { mount(p) { box = p; }, unmount() {}, render(m) { box?.setContent(m ?? ''); }, handleKey: () => false, footer: () => [['x', 'viewkey']] };
    },
  }),
};

function start(storeDir: string) {
  const output = Object.assign(new PassThrough(), { columns: 200, rows: 20, isTTY: true });
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  output.on('data', () => {});
  app = new App(structuredClone(DEFAULT_CONFIG), '/nonexistent/config.json', { saveEnabled: false }, makeTheme(true), 'xterm-256color', 0, { storeDir }, [view], { input, output });
  void app.run();
  const a = app;
  const lines = () => (a.screen as unknown as { lines: Array<Array<[number, string]>> }).lines.map((l) => l.map((c) => c[1]).join('').trimEnd());
  const key = (k: string) => a.dispatch({ type: 'key', ch: k.length === 1 ? k : undefined, name: k.length === 1 ? k.toLowerCase() : k, full: k === 'W' ? 'S-w' : k });
  // Keys typed into the open input bar (it listens on the screen's keypresses).
  const type = (text: string) => { for (const ch of text) a.screen.emit('keypress', ch, { name: ch, full: ch }); };
  const press = (full: string) => a.screen.emit('keypress', undefined, { name: full === 'C-u' ? 'u' : full, ctrl: full.startsWith('C-'), full });
  const status = () => lines().at(-2) ?? '';
  return { lines, key, type, press, status };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('W: a snapshot from the live TUI', () => {
  it('offers a default path, writes the last 10 minutes 0600 through the snapshot code, and never overwrites', async () => {
    const ui = start(store);
    await settle();
    expect(ui.lines().at(-1)).toMatch(/ Wsnapshot F10Quit$/); // the footer, from the keymap table
    ui.key('W');
    await settle();
    // The bar, over the status line, with the default path to edit.
    const bar = ui.status();
    expect(bar).toMatch(/^Snapshot of the last 10 min to: \S*\/ostop-snapshot-\d{8}-\d{6}\.ostop/);
    const file = path.join(tmp, 'snap one.ostop');
    ui.press('C-u');
    ui.type(file);
    ui.press('enter');
    await settle();
    // 10 minutes at 5 s, both ends included: 121 samples.
    expect(ui.status()).toContain(`snapshot written: ${file}: 121 samples`);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    const r = StoreReader.open(file);
    try {
      expect(r.size).toBe(121);
      expect(r.lastTime()! - r.firstTime()!).toBe(600_000);
    } finally {
      r.close();
    }
    const before = fs.readFileSync(file);
    // Again to the same name: refused, the file untouched.
    ui.key('W');
    await settle();
    ui.press('C-u');
    ui.type(file);
    ui.press('enter');
    await settle();
    expect(ui.status()).toMatch(/snapshot: cannot write .*snap one\.ostop: it exists \(a snapshot never overwrites\)/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    // A planted link is not followed either.
    const link = path.join(tmp, 'link.ostop');
    const target = path.join(tmp, 'target');
    fs.symlinkSync(target, link);
    ui.key('W');
    await settle();
    ui.press('C-u');
    ui.type(link);
    ui.press('enter');
    await settle();
    expect(ui.status()).toMatch(/snapshot: cannot write .*link\.ostop: it exists/);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('Esc writes nothing', async () => {
    const ui = start(store);
    await settle();
    ui.key('W');
    await settle();
    const offered = ui.status().replace(/^Snapshot of the last 10 min to: /, '').replace(/ +Enter write.*$/, '');
    ui.press('escape');
    await settle();
    expect(ui.status()).not.toMatch(/snapshot/);
    expect(fs.existsSync(offered)).toBe(false);
  });

  it('without a recorder store says how to start one, and writes nothing', async () => {
    const ui = start(path.join(tmp, 'no-store'));
    await settle();
    ui.key('W');
    await settle();
    const file = path.join(tmp, 'never.ostop');
    ui.press('C-u');
    ui.type(file);
    ui.press('enter');
    await settle();
    expect(ui.status()).toMatch(/^snapshot: no recorder's store to take a snapshot of \(start one with `ostop record`, or see contrib\/ostop-record\.service\): .*no-store/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('W is in the F1 help', async () => {
    const ui = start(store);
    await settle();
    ui.key('f1');
    await settle();
    expect(ui.lines().join('\n')).toMatch(/W +write the recorder's last 10 minutes to a file/);
  });
});

describe('the default snapshot path', () => {
  const at = new Date(2026, 11, 7, 0, 3, 9); // local time
  it('is ./ostop-snapshot-YYYYMMDD-HHMMSS.ostop in a writable current directory', () => {
    expect(defaultSnapshotPath(at, tmp, '/home/x')).toBe(path.join(tmp, 'ostop-snapshot-20261207-000309.ostop'));
  });
  it('is in the home directory when the current one is not writable (or gone)', () => {
    expect(defaultSnapshotPath(at, path.join(tmp, 'gone'), '/home/x')).toBe('/home/x/ostop-snapshot-20261207-000309.ostop');
    expect(defaultSnapshotPath(at, undefined, os.homedir())).toMatch(/ostop-snapshot-20261207-000309\.ostop$/);
  });
});
