import { describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import type { DumpOptions, DumpView } from '../../src/model/dump-view.js';
import { VmstatSource, vmstatDump } from '../../src/views/vmstat.js';
import { NetstatSource, SocketsSource, netstatDump, socketsDump } from '../../src/views/netstat.js';
import { FsSource, IostatSource, fsDump, iostatDump } from '../../src/views/iostat.js';
import { formatCount } from '../../src/util/format.js';
import { SystemStripSource } from '../../src/views/vmstat-strip.js';
import { formatSystemStrip } from '../../screens/widgets/system-strip.js';
import { tuiViews } from '../../src/tui.js';
import { UserNames } from '../../src/collectors/users.js';
import { makeTheme } from '../../src/app/theme.js';
import type { AppApi, ViewDef } from '../../src/app/view.js';

/** A view as the TUI pairs it (src/tui.ts). */
async function loadView(id: string): Promise<ViewDef<any, any>> {
  const e = tuiViews({ users: new UserNames(), topInputs: () => ({}) }).find((v) => v.id === id)!;
  return { ...e, ...(await e.load()) };
}

async function dump(v: DumpView, format: 'json' | 'csv' | 'text', n = 1, flags: Record<string, string | boolean> = {}) {
  let out = '', err = '';
  const opts: DumpOptions = { n, delaySec: 0.2, format, flags, out: (t) => (out += t), err: (t) => (err += t), signal: new AbortController().signal };
  const rc = await v.run(opts);
  return { rc, out, err };
}

describe('formatCount', () => {
  it('abbreviates counts', () => {
    expect(formatCount(12345)).toBe('12k');
  });
});

describe.skipIf(process.platform !== 'linux')('dumps (live /proc)', () => {
  it('vmstat json has the documented ids', async () => {
    const r = await dump(vmstatDump, 'json');
    expect(r.rc).toBe(0);
    const o = JSON.parse(r.out.trim());
    for (const k of ['time', 'r', 'b', 'swpd', 'free', 'buff', 'cache', 'avail', 'si', 'so', 'bi', 'bo', 'in', 'cs', 'us', 'sy', 'id', 'wa', 'st', 'minflt', 'majflt', 'forks', 'psi_cpu_some10']) expect(o).toHaveProperty(k);
    expect(o.us + o.sy + o.id + o.wa + o.st).toBeGreaterThan(99);
  });
  it('vmstat text: header once, n lines, ends with newline', async () => {
    const r = await dump(vmstatDump, 'text', 2);
    expect(r.out.endsWith('\n')).toBe(true);
    expect(r.out.trim().split('\n')).toHaveLength(3);
  });
  it('netstat csv lists lo', async () => {
    const r = await dump(netstatDump, 'csv');
    expect(r.out.split('\n')[0]).toMatch(/^time,iface,state,mtu/);
    expect(r.out).toMatch(/\nlo,|,lo,/);
  });
  it('netstat --proto', async () => {
    const r = await dump(netstatDump, 'json', 1, { proto: true });
    const rows = JSON.parse(r.out.trim());
    expect(rows.find((x: any) => x.counter === 'Tcp.RetransSegs')).toBeDefined();
  });
  it('sockets: bad sort is a usage error', async () => {
    await expect(dump(socketsDump, 'json', 1, { sort: 'nope' })).rejects.toThrow(/--sort/);
  });
  it('sockets --counts', async () => {
    const r = await dump(socketsDump, 'json', 1, { counts: true, unix: true });
    expect(Array.isArray(JSON.parse(r.out.trim()))).toBe(true);
  });
  it('iostat and fs json', async () => {
    const io = JSON.parse((await dump(iostatDump, 'json', 1, { all: true })).out.trim());
    expect(io.length).toBeGreaterThan(0);
    expect(io[0]).toHaveProperty('util_pct');
    const fsr = JSON.parse((await dump(fsDump, 'json')).out.trim());
    expect(fsr.find((x: any) => x.mount === '/')).toBeDefined();
    const p = JSON.parse((await dump(iostatDump, 'json', 1, { procs: true, top: '3' })).out.trim());
    expect(p.length).toBeLessThanOrEqual(3);
  });
  it('dump vmstat, dump iostat (devices and --procs), dump fs, dump netstat and dump sockets take their samples through the views\' Sources, with a request built from the flags', async () => {
    const vm = vi.spyOn(VmstatSource.prototype, 'collect');
    const io = vi.spyOn(IostatSource.prototype, 'collect');
    try {
      expect(JSON.parse((await dump(vmstatDump, 'json', 1)).out.trim())).toHaveProperty('us');
      expect(vm).toHaveBeenCalledTimes(2); // rates need two samples, the first is taken silently
      const p = JSON.parse((await dump(iostatDump, 'json', 1, { procs: true, sort: 'write', top: '2' })).out.trim());
      expect(p.length).toBeLessThanOrEqual(2);
      expect(io.mock.calls.map((c) => c[1])).toEqual([{ pane: 'procs', procSort: 'write' }, { pane: 'procs', procSort: 'write' }]);
      io.mockClear();
      const devs = JSON.parse((await dump(iostatDump, 'json', 1, { all: true })).out.trim());
      expect(devs.length).toBeGreaterThan(0);
      expect(io.mock.calls.map((c) => c[1])).toEqual([{ pane: 'devices', procSort: 'total' }, { pane: 'devices', procSort: 'total' }]); // no statfs, no /proc/PID/io
      const fsSpy = vi.spyOn(FsSource.prototype, 'collect');
      try {
        const fsRows = JSON.parse((await dump(fsDump, 'json', 1, { sort: 'use' })).out.trim());
        expect(fsRows.find((x: { mount: string }) => x.mount === '/')).toBeDefined();
        expect(fsSpy.mock.calls.map((c) => c[1])).toEqual([{ sort: 'use' }]);
      } finally {
        fsSpy.mockRestore();
      }
      const net = vi.spyOn(NetstatSource.prototype, 'collect');
      try {
        const rows = JSON.parse((await dump(netstatDump, 'json', 1, { iface: 'lo' })).out.trim());
        expect(rows.map((r: { iface: string }) => r.iface)).toEqual(['lo']);
        expect(net).toHaveBeenCalledTimes(2);
        expect(net.mock.calls[0][1]).toMatchObject({ pane: 'proto' }); // no socket tables read for the interface table
        const sk = vi.spyOn(SocketsSource.prototype, 'collect');
        try {
          const socks = JSON.parse((await dump(socketsDump, 'json', 1, { listening: true, sort: 'port', 'no-owners': true })).out.trim());
          expect(Array.isArray(socks)).toBe(true);
          expect(sk.mock.calls.map((c) => c[1])).toEqual([{ pane: 'sockets', filterText: '', listening: true, unix: false, owners: false, sort: 'port' }]);
        } finally {
          sk.mockRestore();
        }
      } finally {
        net.mockRestore();
      }
    } finally {
      vm.mockRestore();
      io.mockRestore();
    }
  });
  it('strip', () => {
    const s = new SystemStripSource();
    s.collect();
    s.collect();
    const line = formatSystemStrip(s.model(), 60);
    expect(line).toMatch(/^r \d+ b \d+/);
    expect(formatSystemStrip({}, 10)).toBe('');
  });
});

function fakeApp(): AppApi & { refreshed: number } {
  return {
    refreshed: 0, delayMs: 1000,
    open() {}, back() {}, status() {}, requestRender() {}, refreshNow() { this.refreshed++; },
    prompt(_l, _i, done) { done('estab'); }, menu(_t, _i, done) { done(0); }, confirm(_q, done) { done(false); }, suspendAndRun() {},
  };
}

describe.skipIf(process.platform !== 'linux')('screens render models without a terminal', () => {
  for (const [id, key] of [['vmstat', 'v'], ['netstat', 'n'], ['iostat', 'i']]) {
    it(`${id} (key ${key})`, async () => {
      const def = await loadView(id);
      expect(def.key).toBe(key);
      const output = new PassThrough() as any;
      output.columns = 120; output.rows = 40; output.isTTY = true;
      const input = new PassThrough() as any;
      const screen = blessed.screen({ input, output, terminal: 'xterm', warnings: false });
      try {
        const parent = blessed.box({ parent: screen, top: 0, left: 0, width: 120, height: 40 });
        const app = fakeApp();
        const src = def.createSource({});
        const scr = def.createScreen({ screen, theme: makeTheme(false), app }, {});
        scr.mount(parent);
        await src.collect(Date.now(), scr.request?.());
        await new Promise((r) => setTimeout(r, 200));
        await src.collect(Date.now(), scr.request?.());
        const m = src.model();
        expect(m).toBeDefined();
        scr.render(m);
        const text = (parent.children[0] as any).getContent() as string;
        expect(text.length).toBeGreaterThan(100);
        expect(text).not.toMatch(/undefined|NaN/);
        // Keys: ←/→ switch panes where there are panes (Tab is the global view switch); '/' filter goes through app.prompt.
        expect(scr.handleKey(undefined, 'tab', 'tab')).toBe(false);
        scr.handleKey(undefined, 'right', 'right');
        scr.handleKey('/', '/', '/');
        scr.render(src.model());
        expect(scr.footer()).toBeInstanceOf(Array);
        scr.unmount();
        src.reset?.();
      } finally {
        screen.destroy();
      }
    });
  }
});
