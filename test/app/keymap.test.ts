// Keys defined once (src/app/keymap.ts): a screen's table drives its key
// handler, its footer and its F1 help; the netstat and iostat screens show
// the same footer and help as before their keys became tables, and a key
// changes what the screen asks of its Source (request()).
import { describe, expect, it } from 'vitest';
import { bindingFor, footerOf, helpOf, runKey, type Keymap } from '../../src/app/keymap.js';
import type { AppApi, ViewContext, ViewTarget } from '../../src/app/view.js';
import { makeTheme } from '../../src/app/theme.js';
import { NetstatScreen, NetstatUiState } from '../../screens/netstat-screen.js';
import { IostatScreen, IostatUiState } from '../../screens/iostat-screen.js';

describe('keymap tables', () => {
  const log: string[] = [];
  const map: Keymap<{ on: boolean }> = [
    { keys: ['f5', 't'], label: 'F5', footer: (c) => (c.on ? 'List' : 'Tree'), help: 'tree view', run: (c) => { c.on = !c.on; log.push('tree'); } },
    { keys: ['left'], help: 'left', helpKeys: '←/→', run: () => { log.push('left'); } },
    { keys: ['x'], run: () => false },
  ];

  it('one table: the key runs the binding, the footer and the help come from it', () => {
    const c = { on: false };
    expect(footerOf(map, c)).toEqual([['F5', 'Tree']]);
    expect(runKey(map, c, { ch: 't', name: 't', full: 't' })).toBe(true);
    expect(c.on).toBe(true);
    expect(footerOf(map, c)).toEqual([['F5', 'List']]);
    expect(helpOf(map)).toEqual([['F5', 'tree view'], ['←/→', 'left']]);
    expect(bindingFor(map, 'f5')?.help).toBe('tree view');
  });

  it('a binding may decline; an unbound key is not handled; byName: a modified named key falls back to its name', () => {
    const c = { on: false };
    expect(runKey(map, c, { ch: 'x', name: 'x', full: 'x' })).toBe(false);
    expect(runKey(map, c, { ch: 'q', name: 'q', full: 'q' })).toBe(false);
    log.length = 0;
    expect(runKey(map, c, { ch: undefined, name: 'left', full: 'S-left' })).toBe(false);
    expect(runKey(map, c, { ch: undefined, name: 'left', full: 'S-left' }, { byName: true })).toBe(true);
    expect(log).toEqual(['left']);
    // a letter with a modifier is its own key
    expect(runKey(map, c, { ch: 'T', name: 't', full: 'S-t' }, { byName: true })).toBe(false);
  });
});

function ctx(calls: string[]): ViewContext {
  const app = {
    refreshNow: () => { calls.push('refresh'); },
    status: (m: string) => { calls.push(`status ${m}`); },
    open: (t: ViewTarget) => { calls.push(`open ${JSON.stringify(t)}`); },
    prompt: (_l: string, _i: string, done: (v: string | null) => void) => done('port:22'),
    menu: (_t: string, items: string[], done: (i: number | null) => void) => done(items.indexOf('state')),
  } as unknown as AppApi;
  return { screen: {} as ViewContext['screen'], theme: makeTheme(true), app };
}

describe('netstat and iostat screens answer from their keymaps', () => {
  it('netstat: footer and help as before, keys change the request', () => {
    const calls: string[] = [];
    const s = new NetstatScreen(ctx(calls), new NetstatUiState());
    expect(s.footer()).toEqual([['←/→', 'counters'], ['/', 'filter'], ['l', 'listening'], ['s', 'sort'], ['o', 'owners'], ['u', 'unix'], ['Enter', 'process']]);
    expect(s.help().map(([k]) => k)).toEqual(['←/→', '/', 'l', 's', 'o', 'u', 'Enter', 'RX/s TX/s']);
    expect(s.handleKey('l', 'l', 'l')).toBe(true);
    expect(s.handleKey('/', '/', '/')).toBe(true);
    expect(s.handleKey('s', 's', 's')).toBe(true);
    expect(s.request()).toMatchObject({ listening: true, filterText: 'port:22', sort: 'state', pane: 'sockets' });
    expect(s.footer()[2]).toEqual(['l', 'all']);
    expect(s.handleKey(undefined, 'right', 'right')).toBe(true);
    expect(s.request().pane).toBe('proto');
    expect(s.handleKey(undefined, 'enter', 'enter')).toBe(true);
    expect(calls).toContain('status no owning process known for this socket');
    expect(s.handleKey(undefined, 'tab', 'tab')).toBe(false);
  });

  it('iostat: footer and help as before, p/a change the drawing only, ←/→ the request', () => {
    const calls: string[] = [];
    const st = new IostatUiState();
    const s = new IostatScreen(ctx(calls), st);
    expect(s.footer()).toEqual([['←/→', 'processes'], ['p', 'partitions'], ['a', 'all devices'], ['s', 'sort procs']]);
    expect(s.help().map(([k]) => k)).toEqual(['r/s w/s', 'read/s write/s', 'rrqm/s wrqm/s', 'r_await w_await', 'aqu-sz', '←/→', 'p / a', 's']);
    s.handleKey('p', 'p', 'p');
    s.handleKey('a', 'a', 'a');
    expect(st).toMatchObject({ partitions: true, all: true });
    expect(s.footer().slice(1, 3)).toEqual([['p', 'no partitions'], ['a', 'active only']]);
    expect(s.request()).toEqual({ pane: 'fs', procSort: 'total' });
    s.handleKey(undefined, 'left', 'left');
    expect(s.request().pane).toBe('procs');
    expect(calls).toEqual(['refresh']);
  });
});

describe('the top screen answers from its keymap', () => {
  it('footer and F1 help as before the table, and F5 changes its footer entry', async () => {
    const { TopScreen } = await import('../../screens/top-screen.js');
    const { DEFAULT_CONFIG } = await import('../../src/model/config.js');
    const config = { ...DEFAULT_CONFIG, columns: [...DEFAULT_CONFIG.columns] };
    let saved = 0;
    const c = ctx([]);
    (c.app as unknown as { config: typeof config }).config = config;
    (c.app as unknown as { saveConfig: () => void }).saveConfig = () => { saved++; };
    const s = new TopScreen(c, { userName: () => 'root' });
    expect(s.footer()).toEqual([['F1', 'Help'], ['F2', 'Setup'], ['F3', 'Search'], ['F4', 'Filter'], ['F5', 'Tree'], ['F6', 'SortBy'], ['F7', 'Nice-'], ['F8', 'Nice+'], ['F9', 'Kill']]);
    expect(s.help().map(([k]) => k)).toEqual([
      'Up/Down PgUp/PgDn Home/End', 'Enter', 'F2', 'F3 /', 'F4 \\', 'F5 t', '+ -', 'F6', 'P M T N', '< >', 'I', 'F', 'H', 'K', 'u', 'F7 F8', 'F9 k', 'mouse',
    ]);
    expect(s.help().find(([k]) => k === 'u')![1]).toBe("show only one user's processes");
    expect(s.handleKey('t', 't', 't')).toBe(true);
    expect(config.tree).toBe(true);
    expect(saved).toBe(1);
    expect(s.footer()[4]).toEqual(['F5', 'List']);
    expect(s.handleKey('x', 'x', 'x')).toBe(false);
  });
});

describe('the drill-in screen answers from its keymap', () => {
  it('footer as before; help has the same lines, in the table order; F9 and k open the signal menu', async () => {
    const { ProcessScreen } = await import('../../screens/process-screen.js');
    const menus: string[] = [];
    const c = ctx([]);
    (c.app as unknown as { menu: (t: string) => void }).menu = (t: string) => { menus.push(t); };
    (c.app as unknown as { actions: unknown }).actions = { signalMenuItems: () => ['15 SIGTERM'], defaultSignalIndex: 0 };
    const s = new ProcessScreen(c, 4242);
    expect(s.footer()).toEqual([['Esc', 'Back'], ['Tab', 'Section'], ['↑↓', 'Scroll'], ['F7', 'Nice-'], ['F8', 'Nice+'], ['F9/k', 'Kill']]);
    expect(s.help().map(([k]) => k)).toEqual(['Esc, Backspace', 'Tab, Shift-Tab, ←/→', '↑/↓, PgUp/PgDn, Home/End', 'F7 / F8', 'F9, k']);
    expect(s.request()).toEqual({ pid: 4242 });
    expect(s.handleKey('k', 'k', 'k')).toBe(true);
    expect(s.handleKey(undefined, 'f9', 'f9')).toBe(true);
    expect(menus).toHaveLength(2);
    expect(menus[0]).toMatch(/4242/);
    expect(s.handleKey('x', 'x', 'x')).toBe(false);
  });
});
