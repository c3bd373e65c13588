// The navigator (src/app/navigator.ts) knows views by their flags only:
// the home view is shown first and kept alive, views reached by their key
// replace each other over it, a view that stacks (the drill-in) is opened
// anew for each parameter and Esc returns to where you were; hidden views'
// Sources are disposed, the keep-alive one never.
import { describe, expect, it } from 'vitest';
import { Navigator, type NavigatorHost, type ViewInstance } from '../../src/app/navigator.js';
import type { Screen, ViewEntry } from '../../src/app/view.js';
import type { Source } from '../../src/model/view-contract.js';

interface Log { events: string[] }

function entry(log: Log, id: string, flags: Partial<ViewEntry> = {}, lazy = true): ViewEntry {
  const factories = {
    createSource: (params: Record<string, unknown>): Source<string, unknown> => ({
      collect() {},
      model: () => `${id}${params.pid ?? ''}`,
      reset() { log.events.push(`reset ${id}`); },
      dispose() { log.events.push(`dispose ${id}${params.pid ?? ''}`); },
    }),
    createScreen: (): Screen<string, unknown> => ({
      mount() { log.events.push(`mount ${id}`); },
      unmount() { log.events.push(`unmount ${id}`); },
      render() {},
      handleKey: () => false,
      footer: () => [],
    }),
  };
  return { id, title: id, ...flags, load: lazy ? async () => factories : () => factories };
}

function setup() {
  const log: Log = { events: [] };
  const shown: ViewInstance[] = [];
  const host: NavigatorHost = {
    body: {} as NavigatorHost['body'],
    context: () => ({ screen: {} as never, theme: {} as never, app: {} as never }),
    shown: (v) => { shown.push(v); },
    render() {},
    schedule() {},
    status: (m) => { log.events.push(`status ${m}`); },
    exiting: () => false,
  };
  const views = [
    entry(log, 'table', { home: true, keepAlive: true }, false),
    entry(log, 'detail', { target: 'pid', stacks: true, scopesPanes: true }),
    entry(log, 'net', { key: 'n' }),
    entry(log, 'io', { key: 'i' }),
  ];
  const nav = new Navigator(views, host);
  return { nav, log, shown };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('navigator driven by view flags', () => {
  it('starts on the home view (loaded synchronously) and takes the Tab order from the flags', () => {
    const { nav } = setup();
    nav.start();
    expect(nav.current.def.id).toBe('table');
    expect(nav.tabOrder()).toEqual(['table', 'net', 'io']);
  });

  it('keyed views replace each other over the home view; Esc returns to it; the home view is never disposed', async () => {
    const { nav, log } = setup();
    nav.start();
    nav.switchTo('net');
    await tick(); // first use: its module loads
    expect(nav.current.def.id).toBe('net');
    nav.switchTo('io');
    await tick();
    expect(nav.current.def.id).toBe('io');
    expect(log.events).toContain('dispose net');
    nav.back();
    expect(nav.current.def.id).toBe('table');
    expect(log.events).toContain('dispose io');
    expect(log.events.filter((e) => e.startsWith('dispose table'))).toEqual([]);
    // The home view's instance is kept: switching back to it mounts the same screen again.
    const home = nav.current;
    nav.switchTo('net');
    await tick();
    nav.switchTo('table');
    expect(nav.current).toBe(home);
  });

  it('a view that stacks opens anew per parameter, Esc goes back one level, and it is told to the host (pane scope)', async () => {
    const { nav, shown } = setup();
    nav.start();
    nav.show('detail', { pid: 1 });
    await tick();
    nav.show('detail', { pid: 2 });
    expect(nav.current.params).toEqual({ pid: 2 });
    expect(shown.at(-1)!.def.scopesPanes).toBe(true);
    nav.back();
    expect(nav.current.params).toEqual({ pid: 1 });
    nav.back();
    expect(nav.current.def.id).toBe('table');
    expect(shown.at(-1)!.def.scopesPanes).toBeUndefined();
  });

  it('an unknown view is reported, not shown', () => {
    const { nav, log } = setup();
    nav.start();
    nav.show('nosuch');
    expect(nav.current.def.id).toBe('table');
    expect(log.events).toContain("status no view 'nosuch'");
  });

  it('opens a target in the view whose flags take its kind (no view name known to the caller), at start too', async () => {
    const { nav, shown } = setup();
    nav.start({ kind: 'pid', pid: 7 });
    await tick();
    expect(nav.current.def.id).toBe('detail');
    expect(nav.current.params).toEqual({ pid: 7 });
    nav.openTarget({ kind: 'pid', pid: 8 });
    expect(nav.current.params).toEqual({ pid: 8 });
    expect(shown.at(-1)!.def.target).toBe('pid');
    nav.back();
    expect(nav.current.params).toEqual({ pid: 7 });
  });

  it('a target no view takes is reported, not shown', () => {
    const log: Log = { events: [] };
    const host: NavigatorHost = {
      body: {} as NavigatorHost['body'], context: () => ({ screen: {} as never, theme: {} as never, app: {} as never }),
      shown() {}, render() {}, schedule() {}, status: (m) => { log.events.push(`status ${m}`); }, exiting: () => false,
    };
    const nav = new Navigator([entry(log, 'table', { home: true }, false), entry(log, 'net', { key: 'n' })], host);
    nav.start();
    nav.openTarget({ kind: 'pid', pid: 1 });
    expect(nav.current.def.id).toBe('table');
    expect(log.events).toContain('status no view shows a pid');
  });
});
