// Renders the process screen into a fake terminal (PassThrough streams) and
// reads back what blessed drew, cell by cell.
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { makeTheme } from '../../src/app/theme.js';
import { ProcessScreen } from '../../screens/process-screen.js';
import type { AppApi } from '../../src/app/view.js';
import { createActions } from '../../src/actions/index.js';
import { ProcessSource } from '../../src/views/process-source.js';
import { realProcFs, readSystemInfo } from '../../src/collectors/proc-detail-read.js';
import { displayWidth } from '../../src/util/text.js';
import { fakeScreen } from '../helpers/fake-screen.js';

const TREE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/proc-detail/tree');


function text(screen: Widgets.Screen): string[] {
  const lines = (screen as unknown as { lines: Array<Array<[number, string]>> }).lines;
  // blessed (fullUnicode) fills the cell after a wide character with \x03.
  return lines.map((l) => l.map((c) => c[1]).join('').replace(/\x03/g, '').trimEnd());
}

interface Calls { back: number; status: string[]; menu: Array<[string, string[], number | undefined]>; confirm: string[] }

function fakeApp(calls: Calls, opts: { menuPick?: number | null; confirm?: boolean } = {}): AppApi {
  return {
    open: () => {}, back: () => { calls.back++; }, status: (m) => { calls.status.push(m); }, requestRender: () => {}, refreshNow: () => {},
    prompt: (_l, _i, done) => done(null),
    menu: (title, items, done, selected) => { calls.menu.push([title, items, selected]); done(opts.menuPick === undefined ? null : opts.menuPick); },
    confirm: (q, done) => { calls.confirm.push(q); done(opts.confirm ?? false); },
    suspendAndRun: (_c, _a, done) => done(null),
    delayMs: 1000,
    actions: createActions({ kill: () => { throw new Error('no signal is sent from a screen test'); } }),
  };
}

function fixtureModel(clock: () => number) {
  const pfs = realProcFs(TREE);
  const src = new ProcessSource({ fs: pfs, sys: { ...readSystemInfo(pfs), userName: (u) => (u === 1000 ? 'alice' : String(u)) }, clock });
  src.collect(0, { pid: 4242 });
  return src;
}

let screen: Widgets.Screen | undefined;
afterEach(() => {
  screen?.destroy();
  screen = undefined;
});

function mount(cols: number, rows: number, calls: Calls, opts?: { menuPick?: number | null; confirm?: boolean }) {
  screen = fakeScreen(cols, rows);
  const body = blessed.box({ parent: screen, top: 1, left: 0, width: '100%', height: rows - 2 });
  const ps = new ProcessScreen({ screen, theme: makeTheme(false), app: fakeApp(calls, opts) }, 4242);
  ps.mount(body);
  return ps;
}

const newCalls = (): Calls => ({ back: 0, status: [], menu: [], confirm: [] });

describe('process screen', () => {
  it('draws identity, graphs and the threads section at 80x24, with hostile text sanitized', () => {
    let t = 1_700_008_600_000;
    const src = fixtureModel(() => t);
    t += 1000;
    src.collect(0, { pid: 4242 });
    const ps = mount(80, 24, newCalls());
    ps.render(src.model());
    screen!.render();
    const out = text(screen!);
    const all = out.join('\n');
    expect(all).toContain('PID 4242');
    expect(all).toContain('a) S 1 (?b'); // the CSI sequence became '?', not interpreted
    expect(all).toContain('user alice');
    expect(all).toContain('(1h00m ago)');
    expect(all).toContain('cwd /nonexistent/home/user/项目');
    expect(all).toContain('cmd /usr/bin/evil --name=hello world line break 中文');
    expect(all).toContain('CPU');
    expect(all).toContain('RSS');
    expect(all).toMatch(/[\u2801-\u28ff]/); // the braille graphs
    expect(all).toContain('THR');
    expect(all).toContain('Threads (2)');
    expect(all).toContain('worker 日本');
    expect(all).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(out.length).toBe(24);
    for (const l of out) expect(displayWidth(l)).toBeLessThanOrEqual(80);
  });

  it('a process in D state: wchan on the first line, each stuck thread\'s kernel stack under it', () => {
    const src = fixtureModel(() => 1_700_008_600_000);
    const ps = mount(120, 30, newCalls());
    const m = {
      ...src.model(),
      wchan: 'folio_wait_bit_common',
      blocked: [{ tid: 4242, name: 'evil', wchan: 'folio_wait_bit_common', stack: ['io_schedule+0x12/0x40', 'folio_wait_bit_common+0x13d/0x350', 'nfs_wait_bit_killable+0x1a/0x60 [nfs]'] }],
    };
    ps.render(m);
    screen!.render();
    const all = text(screen!).join('\n');
    expect(all).toMatch(/wchan folio_wait_bit_common/);
    expect(all).toMatch(/D tid 4242 in folio_wait_bit_common: io_schedule ← folio_wait_bit_common ← nfs_wait_bit_killable/);
    ps.render({ ...m, blocked: [{ ...m.blocked[0], stack: [] }] });
    screen!.render();
    expect(text(screen!).join('\n')).toMatch(/D tid 4242 in folio_wait_bit_common: \(kernel stack: root only\)/);
  });

  it('moves focus with Tab and shows fds with sockets, env, limits; scrolls; Esc goes back', () => {
    const src = fixtureModel(() => 1_700_008_600_000);
    const calls = newCalls();
    const ps = mount(80, 24, calls);
    const m = src.model();
    const show = () => { ps.render(m); screen!.render(); return text(screen!).join('\n'); };
    expect(ps.handleKey(undefined, 'tab', 'tab')).toBe(true);
    let all = show();
    if (process.env.DBG) console.log(all);
    expect(all).toContain('FDs (9)');
    expect(all).toContain('/tmp/日本語 file name.txt (deleted)');
    expect(all).toContain('/var/log/?.log'); // the OSC title sequence became '?'
    expect(all).toContain('tcp 127.0.0.1:8080 -> 127.0.0.1:45678 ESTABLISHED');
    ps.handleKey(undefined, 'tab', 'tab');
    all = show();
    expect(all).toContain('Sockets (3)');
    expect(all).toContain('socket:[9999] (netlink, packet or other namespace)');
    ps.handleKey(undefined, 'tab', 'tab');
    ps.handleKey(undefined, 'tab', 'tab');
    all = show();
    expect(all).toContain('Max open files');
    expect(all).toContain('524288');
    ps.handleKey(undefined, 'tab', 'tab');
    all = show();
    expect(all).toContain('Env (9)');
    expect(all).toContain('EVIL=??');
    expect(all).toContain('MULTI=line1 line2');
    expect(all).toContain('LANG=日本語_JP.UTF-8');
    expect(all).not.toContain('\x1b');
    // scroll a long list: End shows the last entries and the position hint
    const long = { ...m!, environ: Array.from({ length: 50 }, (_, i) => ({ name: `VAR${i}`, value: String(i) })) };
    const showLong = () => { ps.render(long); screen!.render(); return text(screen!).join('\n'); };
    all = showLong();
    expect(all).toContain('VAR0=0');
    expect(all).toMatch(/ 1-\d+\/50/);
    ps.handleKey(undefined, 'down', 'down');
    expect(showLong()).not.toContain('VAR0=0');
    ps.handleKey(undefined, 'end', 'end');
    all = showLong();
    expect(all).toContain('VAR49=49');
    expect(all).toMatch(/\d+-50\/50/);
    ps.handleKey(undefined, 'pageup', 'pageup');
    expect(showLong()).not.toContain('VAR49=49');
    ps.handleKey(undefined, 'home', 'home');
    expect(showLong()).toContain('VAR0=0');
    // Shift-Tab back
    ps.handleKey(undefined, 'tab', 'S-tab');
    expect(show()).toContain('Max open files');
    ps.handleKey(undefined, 'escape', 'escape');
    expect(calls.back).toBe(1);
    ps.handleKey(undefined, 'backspace', 'backspace');
    expect(calls.back).toBe(2);
    expect(ps.handleKey('x', 'x', 'x')).toBe(false);
  });

  it('uses the room of a large terminal: several sections at once, namespaces on top', () => {
    const src = fixtureModel(() => 1_700_008_600_000);
    const ps = mount(200, 60, newCalls());
    ps.render(src.model());
    screen!.render();
    const all = text(screen!).join('\n');
    if (process.env.DBG) console.log(all);
    expect(all).toContain('Threads (2)');
    expect(all).toContain('FDs (9)');
    expect(all).toContain('Sockets (3)');
    expect(all).toContain('Memory');
    expect(all).toContain('ns  mnt:4026531841 net:4026531840 pid:4026531836');
  });

  it('says when the process has exited and keeps the values', () => {
    let t = 1_700_008_600_000;
    const pfs = realProcFs(TREE);
    let gone = false;
    const src = new ProcessSource({
      fs: { ...pfs, readFile: (r) => { if (gone) throw Object.assign(new Error('x'), { code: 'ENOENT' }); return pfs.readFile(r); }, exists: (r) => !gone && pfs.exists(r) },
      sys: readSystemInfo(pfs), clock: () => t,
    });
    src.collect(0, { pid: 4242 });
    gone = true;
    t += 5000;
    src.collect(0, { pid: 4242 });
    const calls = newCalls();
    const ps = mount(80, 24, calls, { menuPick: 0, confirm: true });
    ps.render(src.model());
    screen!.render();
    const all = text(screen!).join('\n');
    expect(all).toContain('EXITED');
    expect(all).toContain('(last values)');
    expect(all).toContain('Threads (2)');
    ps.handleKey('k', 'k', 'k');
    expect(calls.menu.length).toBe(0);
    expect(calls.status.join()).toContain('has exited');
  });

  it('k opens the signal menu with SIGTERM preselected, then asks to confirm', () => {
    const src = fixtureModel(() => 1_700_008_600_000);
    const calls = newCalls();
    const ps = mount(80, 24, calls, { menuPick: 0, confirm: false });
    ps.render(src.model());
    expect(ps.handleKey(undefined, 'f9', 'f9')).toBe(true);
    expect(calls.menu.length).toBe(1);
    const [, items, selected] = calls.menu[0];
    expect(items[selected!]).toContain('SIGTERM');
    expect(calls.confirm[0]).toMatch(/^Send SIGTERM to 4242/);
    expect(calls.status).toEqual([]); // declined: nothing sent
  });

  it('draws a placeholder before the first model', () => {
    const ps = mount(80, 24, newCalls());
    ps.render(undefined);
    screen!.render();
    expect(text(screen!).join('\n')).toContain('Reading process 4242');
  });
});
