// The system views print byte rates as sizes per second (33.0M/s, 0B/s),
// never a decimal-k count next to "kB/s" (src/util/format.ts).
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import { tuiViews } from '../../src/tui.js';
import { UserNames } from '../../src/collectors/users.js';
import { makeTheme } from '../../src/app/theme.js';
import type { AppApi, ViewDef } from '../../src/app/view.js';

/** A view as the TUI pairs it (src/tui.ts). */
async function loadView(id: string): Promise<ViewDef<any, any>> {
  const e = tuiViews({ users: new UserNames(), topInputs: () => ({}) }).find((v) => v.id === id)!;
  return { ...e, ...(await e.load()) };
}
import { linkSpeed } from '../../screens/netstat-screen.js';

const RATE = /^(\d+B|\d\.\d\d[KMGTP]|\d\d\.\d[KMGTP]|\d{3,4}[KMGTP])\/s$/;

function fakeApp(): AppApi {
  return {
    refreshed: 0, delayMs: 1000,
    open() {}, back() {}, status() {}, requestRender() {}, refreshNow() {},
    prompt() {}, menu() {}, confirm() {}, suspendAndRun() {},
  } as unknown as AppApi;
}

/** Render a view's screen from two live samples; the text without blessed tags. */
async function rendered(id: string, keys: string[] = []): Promise<string> {
  const def = await loadView(id);
  const output = new PassThrough() as any;
  output.columns = 160; output.rows = 50; output.isTTY = true;
  const screen = blessed.screen({ input: new PassThrough() as any, output, terminal: 'xterm', warnings: false });
  try {
    const parent = blessed.box({ parent: screen, top: 0, left: 0, width: 160, height: 50 });
    const src = def.createSource({});
    const scr = def.createScreen({ screen, theme: makeTheme(false), app: fakeApp() }, {});
    scr.mount(parent);
    await src.collect(Date.now(), scr.request?.());
    await new Promise((r) => setTimeout(r, 200));
    await src.collect(Date.now(), scr.request?.());
    for (const k of keys) scr.handleKey(undefined, k, k);
    scr.render(src.model());
    const text = ((parent.children[0] as any).getContent() as string).replace(/\{[^}]*\}/g, '').replace(/\x1b\[[0-9;]*m/g, '');
    scr.unmount();
    return text;
  } finally {
    screen.destroy();
  }
}

describe.skipIf(process.platform !== 'linux')('units on the system screens', () => {
  it('vmstat: swap and block I/O graphs show byte rates', async () => {
    const t = await rendered('vmstat');
    expect(t).not.toMatch(/kB\/s/);
    for (const name of ['swap in', 'swap out', 'blk in', 'blk out']) {
      const line = t.split('\n').find((l) => l.includes(name))!;
      expect(line, name).toBeDefined();
      const after = line.slice(line.indexOf(name));
      const value = after.match(/(\S+\/s)(?=\s|$)/)?.[1];
      expect(value, `${name}: ${after}`).toMatch(RATE);
    }
  });

  it('netstat: RX/s and TX/s are byte rates, link speed in bits', async () => {
    const t = await rendered('netstat');
    const lo = t.split('\n').find((l) => /^lo\s/.test(l))!;
    expect(lo).toBeDefined();
    const f = lo.trim().split(/\s+/); // IFACE STATE MTU SPEED RX/s TX/s ...
    expect(f[4]).toMatch(RATE);
    expect(f[5]).toMatch(RATE);
    expect(linkSpeed(1000)).toBe('1Gb');
    expect(linkSpeed(100)).toBe('100Mb');
    expect(linkSpeed(2500)).toBe('2500Mb');
    expect(linkSpeed(null)).toBe('-');
  });

  it('iostat: read/s and write/s are byte rates (not kB with a k suffix), per-process rates too', async () => {
    const t = await rendered('iostat', ['a']); // a: every device, so there is a row
    const lines = t.split('\n');
    const h = lines.findIndex((l) => /^Device\s+r\/s/.test(l));
    expect(h).toBeGreaterThanOrEqual(0);
    const titles = lines[h].trim().split(/\s+/);
    expect(titles).toContain('read/s');
    expect(titles).not.toContain('rkB/s');
    const dev = lines[h + 1].trim().split(/\s+/);
    if (dev.length === titles.length) {
      expect(dev[titles.indexOf('read/s')]).toMatch(RATE);
      expect(dev[titles.indexOf('write/s')]).toMatch(RATE);
    }
    const p = await rendered('iostat', ['right']);
    const ph = p.split('\n').findIndex((l) => /^\s+PID\s+READ\/s/.test(l));
    expect(ph).toBeGreaterThanOrEqual(0);
    const row = p.split('\n').slice(ph + 1).find((l) => /^\s*\d+\s/.test(l));
    if (row) for (const v of row.trim().split(/\s+/).slice(1, 5)) expect(v).toMatch(RATE);
  });
});
