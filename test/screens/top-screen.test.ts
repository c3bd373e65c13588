// The top view's screen and source on a /proc tree written by the test: the
// real collector, model and screen, drawn into a fake terminal. Covers what
// the selection is (a process, not a row number), what a filter or search
// sees on the first frame, the sort arrow over every column and the layout
// at 80 columns.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { makeTheme } from '../../src/app/theme.js';
import { TopScreen, MIN_COMMAND_WIDTH } from '../../screens/top-screen.js';
import { TopSource } from '../../src/views/top.js';
import { DEFAULT_CONFIG, type Config } from '../../src/app/config.js';
import { UserNames } from '../../src/collectors/users.js';
import { PROC_COLUMNS, DEFAULT_COLUMNS } from '../../src/model/columns.js';
import type { AppApi, ViewTarget } from '../../src/app/view.js';
import { createActions } from '../../src/actions/index.js';
import type { InputBarOptions } from '../../src/app/modals.js';
import { fakeScreen } from '../helpers/fake-screen.js';

const PF_KTHREAD = 0x200000;

interface FakeProc { pid: number; comm: string; args: string[]; utime: number; ppid?: number; kernel?: boolean; rssPages?: number }

/** Write a /proc tree: system files and, per process, stat, status and cmdline. */
function writeProc(root: string, procs: FakeProc[], cpuTicks: number): void {
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'stat'), `cpu  ${cpuTicks} 0 0 ${cpuTicks} 0 0 0 0 0 0\ncpu0 ${cpuTicks} 0 0 ${cpuTicks} 0 0 0 0 0 0\nctxt 1\nbtime 1700000000\nprocesses 100\nprocs_running 1\nprocs_blocked 0\n`);
  fs.writeFileSync(path.join(root, 'meminfo'), 'MemTotal:        8000000 kB\nMemFree:         4000000 kB\nMemAvailable:    6000000 kB\n');
  fs.writeFileSync(path.join(root, 'loadavg'), '0.50 0.40 0.30 1/50 700\n');
  fs.writeFileSync(path.join(root, 'uptime'), '1000.00 1900.00\n');
  const live = new Set(procs.map((p) => String(p.pid)));
  for (const d of fs.readdirSync(root)) if (/^\d+$/.test(d) && !live.has(d)) fs.rmSync(path.join(root, d), { recursive: true });
  for (const p of procs) {
    const dir = path.join(root, String(p.pid));
    fs.mkdirSync(dir, { recursive: true });
    const flags = p.kernel ? PF_KTHREAD : 4194304;
    fs.writeFileSync(path.join(dir, 'stat'), `${p.pid} (${p.comm}) S ${p.ppid ?? 1} ${p.pid} ${p.pid} 0 -1 ${flags} 0 0 0 0 ${p.utime} 0 0 0 20 0 1 0 100 1000000 ${p.rssPages ?? 100} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`);
    fs.writeFileSync(path.join(dir, 'status'), `Name:\t${p.comm}\nUid:\t0\t0\t0\t0\n`);
    fs.writeFileSync(path.join(dir, 'cmdline'), p.kernel ? '' : p.args.join('\0') + '\0');
  }
}

interface Calls { menus: string[]; status: string[]; opened: ViewTarget[] }

/** The shell's side as the screen sees it: typing into an input bar goes key by key, like a person. */
function fakeApp(calls: Calls, typed: { text: string; cancel?: boolean }, config: Config): AppApi & { inputBar(o: InputBarOptions): void } {
  return {
    config, saveConfig: () => {},
    open: (t) => { calls.opened.push(t); }, back: () => {}, status: (m) => { calls.status.push(m); }, requestRender: () => {}, refreshNow: () => {},
    prompt: (_l, _i, done) => done(typed.cancel ? null : typed.text),
    menu: (title, _items, done) => { calls.menus.push(title); done(null); },
    confirm: (_q, done) => done(false),
    suspendAndRun: (_c, _a, done) => done(null),
    delayMs: 1000,
    actions: createActions({ kill: () => { throw new Error('no signal is sent from a screen test'); } }),
    inputBar: (o) => {
      let v = o.initial ?? '';
      for (const ch of typed.text) {
        v += ch;
        o.onChange?.(v);
      }
      o.done(typed.cancel ? null : v);
    },
  };
}

let root: string;
let screen: Widgets.Screen | undefined;
let source: TopSource | undefined;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-topscreen-'));
});
afterEach(() => {
  screen?.destroy();
  screen = undefined;
  source?.dispose();
  source = undefined;
  fs.rmSync(root, { recursive: true, force: true });
});

function setup(cols: number, height: number, config: Partial<Config> = {}) {
  const calls: Calls = { menus: [], status: [], opened: [] };
  const typed = { text: '', cancel: false };
  const state = { config: { ...DEFAULT_CONFIG, columns: [...DEFAULT_COLUMNS], ...config } };
  const users = new UserNames();
  screen = fakeScreen(cols, height);
  const body = blessed.box({ parent: screen, top: 0, left: 0, right: 0, bottom: 2 });
  source = new TopSource({ users, procRoot: path.join(root, 'proc') });
  const src = source;
  // As the shell pairs them (src/app/app.ts open()): the source completes its model with what the screen's request names.
  const ts: TopScreen = new TopScreen({
    screen, theme: makeTheme(false), app: fakeApp(calls, typed, state.config),
    completeNow: () => (src.complete(ts.request()) ? src.model() : undefined),
  }, { userName: (uid) => users.name(uid) });
  ts.mount(body);
  let now = 1000;
  /** One refresh as the shell does it: collect, draw, complete the drawn rows, draw again. */
  const tick = () => {
    now += 1000;
    src.collect(now, ts.request());
    ts.render(src.model());
    if (src.complete(ts.request())) ts.render(src.model());
    screen!.render();
  };
  const draw = () => {
    ts.render(src.model());
    screen!.render();
  };
  const key = (full: string) => {
    const ch = full.length === 1 ? full : undefined;
    ts.handleKey(ch, full.replace(/^S-/, '').toLowerCase(), full);
    draw();
  };
  /** The PID the next action aims at: what `k` offers to signal. */
  const selectedPid = () => {
    key('k');
    const m = /^Send signal to (\d+)/.exec(calls.menus.at(-1) ?? '');
    return m ? Number(m[1]) : undefined;
  };
  const lines = () => (screen as unknown as { lines: Array<Array<[number, string]>> }).lines.map((l) => l.map((c) => c[1]).join('').replace(/\x03/g, '').trimEnd());
  /** The table's body rows (under the PID ... COMMAND title line). */
  const rows = () => {
    const l = lines();
    const h = l.findIndex((x) => /PID/.test(x) && /COMMAND/.test(x));
    const out: string[] = [];
    for (let i = h + 1; i < l.length && /^\s*\d+ /.test(l[i]); i++) out.push(l[i]);
    return out;
  };
  return { ts, state, calls, typed, tick, draw, key, selectedPid, lines, rows };
}

const procDir = () => path.join(root, 'proc');

/** 30 sleepers, a target whose name is unique, a kernel thread. */
function procs(targetTicks: number, extra: Partial<Record<number, number>> = {}): FakeProc[] {
  const out: FakeProc[] = [];
  for (let i = 0; i < 30; i++) out.push({ pid: 100 + i, comm: `worker${i}`, args: [`/usr/bin/worker${i}`, '--serve'], utime: 1000 + (extra[100 + i] ?? 0) });
  out.push({ pid: 500, comm: 'needle', args: ['needle', '--port', '8080'], utime: targetTicks });
  out.push({ pid: 2, comm: 'kthreadd', args: [], utime: 0, kernel: true, ppid: 0 });
  return out;
}

// The selection tests hide kernel threads themselves (the default is tested below)
// and take two samples first, so that every command line has been read.
const NO_KTHREADS = { hideKernelThreads: true };

/** Two idle samples of procs(), then a search (/) that selects the needle (pid 500). */
function needleFound(): ReturnType<typeof setup> {
  const s = setup(120, 30, NO_KTHREADS);
  writeProc(procDir(), procs(0), 1000);
  s.tick();
  writeProc(procDir(), procs(0), 2000);
  s.tick();
  s.typed.text = 'needle';
  s.key('/');
  return s;
}

describe('top screen: the selection is a process', () => {
  it('keeps the searched process selected when refreshes move its row, and k aims at it', () => {
    const s = setup(120, 30, NO_KTHREADS);
    writeProc(procDir(), procs(0), 1000);
    s.tick();
    writeProc(procDir(), procs(10), 2000); // needle busy: near the top (sorted by CPU%)
    s.tick();
    s.typed.text = 'needle';
    s.key('/');
    expect(s.selectedPid()).toBe(500);
    // Next refresh: needle idle, three workers busy above it; its row moves down.
    writeProc(procDir(), procs(10, { 110: 50, 111: 60, 112: 70 }), 3000);
    s.tick();
    expect(s.selectedPid()).toBe(500);
    // (drawn far from the top: the table scrolled to keep it in view)
    expect(s.rows().findIndex((l) => /^\s*500 /.test(l))).toBeGreaterThan(3);
  });

  it('Enter drills into the selected process through the app (a pid target, no view name)', () => {
    const s = needleFound();
    s.key('enter');
    expect(s.calls.opened).toEqual([{ kind: 'pid', pid: 500 }]);
  });

  it('keeps the process selected through sort changes and the tree view', () => {
    const s = needleFound();
    for (const k of ['N', 'M', 'P', 'T', '>', 't', 't', 'I']) {
      s.key(k);
      expect(s.selectedPid(), `after ${k}`).toBe(500);
    }
  });

  it('moves with the keys; when the selected process exits the selection stays in place', () => {
    const s = setup(120, 30, { ...NO_KTHREADS, sort: 'pid', descending: false });
    writeProc(procDir(), procs(0), 1000);
    s.tick();
    s.tick();
    s.key('home');
    s.key('down');
    s.key('down');
    expect(s.selectedPid()).toBe(102);
    writeProc(procDir(), procs(0).filter((p) => p.pid !== 102), 2000);
    s.tick();
    expect(s.selectedPid()).toBe(103);
  });

  it('a filter keeps the selected process while it matches, else selects the first match', () => {
    const s = setup(120, 30, { ...NO_KTHREADS, sort: 'pid', descending: false });
    writeProc(procDir(), procs(0), 1000);
    s.tick();
    s.tick();
    s.typed.text = 'needle';
    s.key('/');
    s.typed.text = '--port';
    s.key('\\');
    expect(s.rows()).toHaveLength(1);
    expect(s.selectedPid()).toBe(500);
    // Esc on the filter bar clears the filter; the selection stays on needle.
    s.typed.text = '';
    s.typed.cancel = true;
    s.key('\\');
    expect(s.rows().length).toBeGreaterThan(10);
    expect(s.selectedPid()).toBe(500);
    // A filter that hides it: the first match is selected.
    s.typed.cancel = false;
    s.typed.text = 'worker2';
    s.key('\\');
    expect(s.rows()).toHaveLength(11);
    expect(s.selectedPid()).toBe(102);
  });

  it('a search cancelled with Esc puts the selection back', () => {
    const s = setup(120, 30, { ...NO_KTHREADS, sort: 'pid', descending: false });
    writeProc(procDir(), procs(0), 1000);
    s.tick();
    s.tick();
    s.key('home');
    s.key('down');
    expect(s.selectedPid()).toBe(101);
    s.typed.text = 'needle';
    s.typed.cancel = true;
    s.key('/');
    expect(s.selectedPid()).toBe(101);
  });
});

describe('top screen: filter and search see every command line from the first frame', () => {
  it('finds a process by an argument word before its command line was drawn', () => {
    const s = setup(120, 20);
    writeProc(procDir(), procs(0), 1000);
    // The first frame: command lines are read for the drawn rows only.
    s.tick();
    expect(s.lines().join('\n')).not.toContain('--port 8080'); // needle is not on screen (pid order, 30 workers before it)
    s.typed.text = '8080';
    s.key('\\');
    const rows = s.rows();
    expect(rows, s.lines().join('\n')).toHaveLength(1);
    expect(rows[0]).toContain('needle --port 8080');
  });

  it('a search finds it too', () => {
    const s = setup(120, 20);
    writeProc(procDir(), procs(0), 1000);
    s.tick();
    s.typed.text = '8080';
    s.key('/');
    expect(s.selectedPid()).toBe(500);
  });
});

describe('top screen: columns', () => {
  it('marks the sort column with an arrow, whatever its width', () => {
    for (const c of PROC_COLUMNS) {
      for (const descending of [true, false]) {
        const s = setup(240, 20, { columns: [...new Set([...DEFAULT_COLUMNS.filter((id) => id !== 'command'), c.id, 'command'])], sort: c.id, descending });
        writeProc(procDir(), procs(0), 1000);
        s.tick();
        const header = s.lines().find((l) => /PID/.test(l) && /COMMAND/.test(l))!;
        const mark = descending ? '▽' : '△';
        expect(header.split(mark).length - 1, `${c.id}: ${header}`).toBe(1);
        const i = header.indexOf(mark);
        const title = c.align === 'right' ? header.slice(i + 1, i + 1 + c.title.length) : header.slice(i - c.title.length, i);
        expect(title, `${c.id}: ${header}`).toBe(c.title);
        screen!.destroy();
        screen = undefined;
        source!.dispose();
        source = undefined;
      }
    }
  });

  it(`at 80 columns COMMAND keeps at least ${MIN_COMMAND_WIDTH} cells and kernel threads are hidden`, () => {
    const s = setup(80, 24);
    writeProc(procDir(), procs(0), 1000);
    s.tick();
    const lines = s.lines();
    const header = lines.find((l) => /PID/.test(l) && /COMMAND/.test(l))!;
    const at = header.indexOf('COMMAND');
    expect(80 - at, header).toBeGreaterThanOrEqual(MIN_COMMAND_WIDTH);
    expect(header).toMatch(/PID\s+USER/);
    expect(header).toMatch(/CPU%/);
    expect(header).toMatch(/MEM%/);
    const rows = s.rows();
    expect(rows.some((l) => l.slice(at).startsWith('/usr/bin/worker1 --serve'))).toBe(true);
    expect(rows.some((l) => l.includes('kthreadd'))).toBe(false);
    s.key('K');
    expect(s.lines().some((l) => l.includes('[kthreadd]'))).toBe(true);
  });
});
