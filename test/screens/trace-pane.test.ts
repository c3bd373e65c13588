// Trace panes rendered into a fake terminal (PassThrough streams), fed by a
// fake TracerManager with canned decoded events: columns, highlighting of
// signal deaths, drops, how-to text when tracing is unavailable, PID
// scoping, restarts on mode changes, throttled redraws and bounded memory.
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { makeTheme } from '../../src/app/theme.js';
import type { AppApi } from '../../src/app/view.js';
import { PaneHost } from '../../screens/trace-panes.js';
import type { PaneTracers } from '../../src/tracers/pane-host.js';
import { BoundedMap, Ring, plainRow } from '../../src/tracers/pane.js';
import { TracerError } from '../../src/tracers/manager.js';
import { REGISTRY, type TracerEntry } from '../../src/tracers/registry.js';
import { TracePane, columnTable, paneColumns, type PaneLine } from '../../src/tracers/pane.js';
import type { TracerDescriptor } from '../../src/tracers/types.js';
import { clockTime, type TraceOptions } from '../../src/tracers/types.js';
import type { OpensEvent } from '../../src/tracers/opens/tracer.js';
import type { ExitEvent } from '../../src/tracers/exit/tracer.js';
import type { SyscallEvent } from '../../src/tracers/syscalls/tracer.js';
import type { DiskEvent } from '../../src/tracers/disk/tracer.js';
import type { TcpEvent } from '../../src/tracers/tcp/tracer.js';
import { RUNQLAT_LAYOUTS } from '../../src/tracers/runqlat/tracer.js';
import { OPENS_LAYOUTS } from '../../src/tracers/opens/tracer.js';
import { SYSCALLS_LAYOUTS } from '../../src/tracers/syscalls/tracer.js';
import { fakeScreen } from '../helpers/fake-screen.js';


type Cell = [number, string];
function lines(screen: Widgets.Screen): string[] {
  return (screen as unknown as { lines: Cell[][] }).lines.map((l) => l.map((c) => c[1]).join('').trimEnd());
}
/** blessed's cell attribute: fg colour in bits 9..17 (0x1ff = default). */
function fgAt(screen: Widgets.Screen, needle: string): number {
  const ls = (screen as unknown as { lines: Cell[][] }).lines;
  for (const l of ls) {
    const s = l.map((c) => c[1]).join('');
    const i = s.indexOf(needle);
    if (i >= 0) return (l[i][0] >> 9) & 0x1ff;
  }
  throw new Error(`'${needle}' not on screen`);
}

type Dump = { keySize: number; valueSize: number; count: number; data: ArrayBuffer };

class FakeManager implements PaneTracers {
  running = new Map<string, TraceOptions>();
  starts: Array<[string, TraceOptions]> = [];
  setPids: Array<[string, number | undefined]> = [];
  listeners = new Map<string, Set<(e: unknown[]) => void>>();
  fail: Record<string, Error> = {};
  dropCount: Record<string, number> = {};
  /** In-kernel maps a tracer's handle dumps (tracer -> map -> dump). */
  maps: Record<string, Record<string, Dump>> = {};
  start(name: string, opts: TraceOptions = {}) {
    if (this.fail[name]) throw this.fail[name];
    if (this.running.has(name)) throw new TracerError(name, 'already running');
    this.running.set(name, opts);
    this.starts.push([name, opts]);
    return { name, attached: [`ostop_${name}`], disabled: [] };
  }
  stop(name: string) {
    this.running.delete(name);
  }
  setPid(name: string, pid: number | undefined) {
    if (!this.running.has(name)) throw new TracerError(name, 'not running');
    this.setPids.push([name, pid]);
    this.running.set(name, { ...this.running.get(name), pid });
  }
  drops(name: string) {
    return { ring: this.dropCount[name] ?? 0, map: 0, native: 0 };
  }
  onEvents<E = unknown>(name: string, cb: (events: E[]) => void) {
    let s = this.listeners.get(name);
    if (!s) this.listeners.set(name, (s = new Set()));
    s.add(cb as (e: unknown[]) => void);
    return () => s!.delete(cb as (e: unknown[]) => void);
  }
  handle(name: string) {
    return { mapDump: (map: string) => this.maps[name]?.[map] ?? { keySize: 0, valueSize: 0, count: 0, data: new ArrayBuffer(0) } };
  }
  isRunning(name: string) {
    return this.running.has(name);
  }
  emit(name: string, events: unknown[]) {
    for (const l of this.listeners.get(name) ?? []) l(events);
  }
  subscribers(name: string) {
    return this.listeners.get(name)?.size ?? 0;
  }
}

interface Calls { renders: number; status: string[]; prompts: string[] }
function fakeApp(calls: Calls, answer: string | null = null): AppApi {
  return {
    open: () => {}, back: () => {}, status: (m) => { calls.status.push(m); }, requestRender: () => { calls.renders++; }, refreshNow: () => {},
    prompt: (label, _i, done) => { calls.prompts.push(label); done(answer); },
    menu: (_t, _i, done) => done(null), confirm: (_q, done) => done(false), suspendAndRun: (_c, _a, done) => done(null), delayMs: 1000,
  };
}

let screen: Widgets.Screen | undefined;
let host: PaneHost | undefined;
afterEach(() => {
  host?.dispose();
  host = undefined;
  screen?.destroy();
  screen = undefined;
});

function setup(opts: { cols?: number; rows?: number; mono?: boolean; answer?: string | null; clock?: () => number; registry?: readonly TracerEntry[] } = {}) {
  screen = fakeScreen(opts.cols ?? 160, opts.rows ?? 30);
  const parent = blessed.box({ parent: screen, top: 0, left: 0, right: 0, bottom: 0 });
  const mgr = new FakeManager();
  const calls: Calls = { renders: 0, status: [], prompts: [] };
  host = new PaneHost({ screen, theme: makeTheme(opts.mono ?? false), app: fakeApp(calls, opts.answer ?? null) }, mgr, opts.clock, opts.registry);
  host.mount(parent);
  const draw = () => {
    host!.render();
    screen!.render();
    return lines(screen!);
  };
  /** Give the panes the rows the app gives them (desiredHeight of a cols x rows terminal less its two bars). */
  const appLayout = () => {
    const h = host!.desiredHeight(screen!.width as number, (screen!.height as number) - 2);
    parent.top = (screen!.height as number) - 2 - h;
    parent.height = h;
  };
  return { mgr, calls, host, draw, screen, appLayout };
}

const T0 = Date.now();
function opens(o: Partial<OpensEvent>): OpensEvent {
  return { time: T0, pid: 4242, tid: 4242, uid: 0, comm: 'cat', fd: 3, err: 0, flags: 0, mode: 0, path: '/etc/hostname', pathTruncated: false, syscall: 'openat', ...o };
}
function procExit(o: Partial<Extract<ExitEvent, { kind: 'exit' }>>): ExitEvent {
  return { kind: 'exit', time: T0, pid: 500, tid: 500, ppid: 1, uid: 0, comm: 'worker', ageMs: 12.5, rawStatus: 0, exitCode: 0, signal: 0, coreDumped: false, oomKilled: false, sender: null, ...o };
}
function sc(o: Partial<SyscallEvent>): SyscallEvent {
  return { tsNs: 1, time: T0, durNs: 5000, nr: 0, name: 'read', args: [3, 0x1000, 100, 0, 0, 0], ret: 100, pid: 1234, tid: 1234, comm: 'app', flags: 0, blobKind: 0, ...o };
}

describe('PaneHost with a fake manager', () => {
  it('opens pane: toggled by 1, opensnoop columns, failed opens flagged, untrusted paths sanitized, toggled off detaches', () => {
    const { mgr, host, draw } = setup();
    expect(host.handleKey('1', '1', '1')).toBe(true);
    expect(mgr.running.get('opens')).toMatchObject({ summary: false, flags: { failed: false } });
    mgr.emit('opens', [
      opens({ path: '/etc/hostname' }),
      opens({ pid: 4343, comm: 'evil', fd: -1, err: 2, path: '/tmp/\x1b[2Jx\x07{red-fg}y' }),
      opens({ pid: process.pid, path: '/proc/self/stat' }), // ostop's own reads are not shown
    ]);
    const out = draw();
    const text = out.join('\n');
    expect(out.some((l) => /TIME\s+PID\s+COMM\s+FD\s+ERR\s+PATH/.test(l))).toBe(true);
    expect(text).toContain('/etc/hostname');
    expect(text).toMatch(/4343 evil\s+-1 ENOENT\s+\/tmp\/\?x\?\{red-fg\}y/);
    expect(text).not.toContain('/proc/self/stat');
    expect(text).not.toContain('\x1b');
    expect(text).toMatch(/1 opens · stream · 3 events · drops 0/);
    expect(host.active()).toEqual([{ key: 1, name: 'opens', drops: 0 }]);
    expect(host.statusLine()).toContain('1 opens');
    // toggling off stops the tracer and unsubscribes: zero cost when off
    host.toggle(1);
    expect(mgr.running.size).toBe(0);
    expect(mgr.subscribers('opens')).toBe(0);
    expect(host.active()).toEqual([]);
    expect(host.statusLine()).toBe('');
    expect(draw().join('\n')).not.toContain('/etc/hostname');
  });

  it('exit pane: signal deaths highlighted in red with signal and core flag, normal exits plain', () => {
    const { host, mgr, draw, screen } = setup();
    host.toggle(4);
    mgr.emit('exit', [
      procExit({ pid: 501, comm: 'fine', exitCode: 0 }),
      procExit({ pid: 502, comm: 'crasher', exitCode: null, signal: 11, coreDumped: true, rawStatus: 0x8b, ageMs: 3 }),
      procExit({ pid: 503, comm: 'killed', exitCode: null, signal: 9, rawStatus: 9, sender: { pid: 77, comm: 'kill' } }),
    ]);
    const text = draw().join('\n');
    expect(text).toMatch(/TIME\s+PID\s+PPID\s+COMM\s+AGE\s+CODE\s+SIG\s+CORE\s+DETAIL/);
    expect(text).toMatch(/502\s+1 crasher\s+3\.0ms\s+- SIGSEGV\s+core killed by SIGSEGV \(core dumped\)/);
    expect(text).toContain('killed by SIGKILL, sent by kill[77]');
    expect(fgAt(screen, 'crasher')).toBe(1); // red
    expect(fgAt(screen, 'killed ')).toBe(1);
    expect(fgAt(screen, 'fine')).toBe(0x1ff); // default colour
    // summary per command
    host.handleKey('`', '`', '`');
    expect(host.focused()).toBe(4);
    host.handleKey('s', 's', 's');
    const sum = draw().join('\n');
    expect(sum).toMatch(/EXITS\s+SIGNALED\s+CORES\s+OOM\s+MAX AGE\s+COMM/);
    expect(sum).toMatch(/1\s+1\s+1\s+0\s+3\.0ms crasher/);
    host.handleKey(undefined, 'escape', 'escape');
    expect(host.focused()).toBeUndefined();
  });

  it('monochrome: signal deaths stay visible (bold) without colours', () => {
    const { host, mgr, draw, screen } = setup({ mono: true });
    host.toggle(4);
    mgr.emit('exit', [procExit({ pid: 502, comm: 'crasher', exitCode: null, signal: 6, rawStatus: 6 })]);
    draw();
    const ls = (screen as unknown as { lines: Cell[][] }).lines;
    const row = ls.find((l) => l.map((c) => c[1]).join('').includes('crasher'))!;
    const i = row.map((c) => c[1]).join('').indexOf('crasher');
    expect((row[i][0] >> 18) & 1).toBe(1); // bold flag
  });

  it('drops are shown on the pane border and in the status line', () => {
    const { host, mgr, draw } = setup();
    host.toggle(3);
    mgr.dropCount.exec = 42;
    const text = draw().join('\n');
    expect(text).toContain('drops 42');
    expect(host.active()[0]).toMatchObject({ key: 3, name: 'exec', drops: 42 });
    expect(host.statusLine()).toContain('3 exec drops 42');
  });

  it('the pane keys, titles, footer keys and F1 help come from the registry', () => {
    const { host } = setup();
    const keys = REGISTRY.map((e) => e.key);
    // one key each, 1, 2, 3... in registry order, shown as a range
    expect(keys).toEqual(REGISTRY.map((_, i) => i + 1));
    expect(host.toggleKeys()).toBe(`1-${REGISTRY.length}`);
    const help = host.help();
    for (const e of REGISTRY) {
      expect(help).toContainEqual([String(e.key), `trace pane: ${e.title} (toggle)`]);
      host.toggle(e.key);
      expect(host.statusLine()).toContain(`${e.key} ${e.title}`);
      expect(host.active().map((a) => a.name)).toEqual([e.title]);
      host.toggle(e.key);
    }
    // A digit that is no pane's key is not taken (with seven tracers, 8 is free).
    const seven = setup({ registry: REGISTRY.slice(0, 7) }).host;
    expect(seven.toggleKeys()).toBe('1-7');
    expect(seven.handleKey('8', '8', '8')).toBe(false);
  });

  it('a tracer added with one registry line gets its key, pane, status, footer and help with nothing else changed', () => {
    interface FooEvent { pid: number; what: string }
    const fooTracer: TracerDescriptor<FooEvent> = {
      name: 'foo', summary: 'a test tracer', layouts: {}, decode: () => null,
      columns: [{ id: 'pid', title: 'PID', value: (e) => e.pid }, { id: 'what', title: 'WHAT', value: (e) => e.what }],
    };
    class FooPane extends TracePane<FooEvent> {
      readonly tracer = 'foo';
      private seen: FooEvent[] = [];
      add(events: readonly FooEvent[]): void { this.seen.push(...events); }
      clear(): void { this.seen = []; }
      draw(width: number, height: number): PaneLine[] {
        return columnTable(paneColumns(fooTracer.columns, [['pid', 7, { align: 'right' }], ['what', 0]]), this.seen, width, height);
      }
    }
    // The digit keys are all taken: foo takes the last tracer's place (its key k).
    const k = REGISTRY.length;
    const K = String(k);
    const registry: TracerEntry[] = [...REGISTRY.slice(0, -1), { key: k, title: 'foo', tracer: fooTracer, pane: (ui) => new FooPane(ui) }];
    const { host, mgr, draw } = setup({ registry });
    expect(host.toggleKeys()).toBe(`1-${k}`);
    expect(host.help()).toContainEqual([K, 'trace pane: foo (toggle)']);
    expect(host.handleKey(K, K, K)).toBe(true);
    expect(mgr.running.has('foo')).toBe(true);
    mgr.emit('foo', [{ pid: 31337, what: 'hello from foo' }]);
    const text = draw().join('\n');
    expect(text).toMatch(new RegExp(`${k} foo · 1 events`));
    expect(text).toMatch(/31337 hello from foo/);
    expect(host.statusLine()).toContain(`${k} foo`);
    host.handleKey(K, K, K);
    expect(mgr.running.has('foo')).toBe(false);
  });

  it('without privilege the pane says what is missing and how to get it; nothing thrown; other panes unaffected', () => {
    const { host, mgr, draw } = setup({ cols: 200 });
    mgr.fail.opens = new TracerError('opens', 'opens: tracing needs root or CAP_BPF+CAP_PERFMON: run ostop with sudo', 'privilege');
    mgr.fail.tcp = new TracerError('tcp', "unknown tracer 'tcp'", 'unknown');
    mgr.fail.exit = new TracerError('exit', 'opens: kernel BTF (/sys/kernel/btf/vmlinux) is missing: tracing needs a kernel built with CONFIG_DEBUG_INFO_BTF=y', 'privilege');
    expect(() => host.toggle(1)).not.toThrow();
    host.toggle(6);
    host.toggle(4);
    host.toggle(3);
    const text = draw().join('\n');
    expect(text).toContain('tracing needs root or CAP_BPF+CAP_PERFMON');
    expect(text).toContain('sudo ostop');
    // Never the advice to setcap the node binary (BPF for every node program of every user).
    expect(text).not.toMatch(/setcap cap_bpf[^\n]*node/);
    expect(text).toContain('dedicated wrapper');
    expect(text).toContain("'tcp' tracer is not registered in this build yet");
    expect(text).toContain('CONFIG_DEBUG_INFO_BTF=y');
    expect(text).toContain('Counter views are unaffected');
    expect(host.active().map((a) => [a.key, !!a.error])).toEqual([[1, true], [3, false], [4, true], [6, true]]);
    expect(host.statusLine()).toContain('1 opens (unavailable)');
    expect(mgr.subscribers('opens')).toBe(0);
    expect([...mgr.running.keys()]).toEqual(['exec']);
    // closing the failed pane is a plain toggle
    host.toggle(1);
    expect(host.active().map((a) => a.key)).toEqual([3, 4, 6]);
  });

  it('drill-in scope: PID map update without reload; syscalls switches from system-wide counts to an strace stream', () => {
    const { host, mgr, draw } = setup({ cols: 180 });
    host.toggle(1);
    host.toggle(5);
    expect(mgr.running.get('syscalls')).toEqual({ summary: true, flags: { 'by-process': true } });
    expect(draw().join('\n')).toContain('top syscalls by process');
    host.setScopePid(1234);
    expect(mgr.setPids).toEqual([['opens', 1234]]);
    expect(mgr.running.get('syscalls')).toEqual({ pid: 1234 });
    mgr.emit('syscalls', [
      sc({}),
      sc({ nr: 257, name: 'openat', args: [-100, 0x2000, 0, 0, 0, 0], ret: -2, durNs: 12000 }),
      sc({ nr: 257, name: 'openat', args: [-100, 0x2000, 0, 0, 0, 0], ret: 3, durNs: 8000 }),
    ]);
    const text = draw().join('\n');
    expect(text).toMatch(/TIME\s+TID\s+DUR\(us\)\s+CALL = RESULT/);
    expect(text).toMatch(/read\(3, .*100\) = 100/);
    expect(text).toMatch(/openat\(AT_FDCWD, .*\) = -1 ENOENT/);
    expect(text).toMatch(/SYSCALL\s+COUNT\s+ERR\s+TOT\(ms\)\s+AVG\(us\)\s+MAX\(us\)/);
    expect(text).toMatch(/openat\s+2\s+1\s+0\.02\s+10\.0\s+12/);
    expect(text).toContain('pid 1234 (drill-in)');
    host.setScopePid(undefined);
    expect(mgr.running.get('syscalls')).toEqual({ summary: true, flags: { 'by-process': true } });
    expect(mgr.setPids.at(-1)).toEqual(['opens', undefined]);
  });

  it('pane keys: x restarts with failed-only, s switches opens to the in-kernel summary, p sets a PID', () => {
    const { host, mgr, calls } = setup({ answer: '777' });
    host.toggle(1);
    expect(host.handleKey('x', 'x', 'x')).toBe(false); // not focused: not consumed
    host.handleKey('0', '0', '0');
    expect(host.focused()).toBe(1);
    host.handleKey('x', 'x', 'x');
    expect(mgr.running.get('opens')).toMatchObject({ flags: { failed: true } });
    host.handleKey('s', 's', 's');
    expect(mgr.running.get('opens')).toMatchObject({ summary: true, flags: { failed: true } });
    host.handleKey('p', 'p', 'p');
    expect(calls.prompts[0]).toMatch(/PID filter/);
    expect(mgr.setPids.at(-1)).toEqual(['opens', 777]);
    expect(host.footer().map(([k]) => k)).toContain('Esc');
    // digits still toggle while focused
    host.handleKey('2', '2', '2');
    expect(host.active().map((a) => a.key)).toEqual([1, 2]);
  });

  it('disk pane: disksnoop columns and per-device/direction log2 histograms', () => {
    const { host, mgr, draw } = setup();
    host.toggle(2);
    const ev = (o: Partial<DiskEvent>): DiskEvent => ({ tsNs: 1946.291867e9, time: T0, latNs: 270_000, queueNs: 0, sector: 0, major: 259, minor: 77, bytes: 8, pid: 99, tid: 99, op: 0, flags: 0, error: 0, comm: 'dd', ...o });
    mgr.emit('disk', [ev({}), ev({ op: 1, bytes: 8192, latNs: 960_000 }), ev({ op: 1, bytes: 4096, latNs: 3_100_000, pid: 0 })]);
    let text = draw().join('\n');
    expect(text).toMatch(/TIME\s+T\s+BYTES\s+LAT\(ms\)\s+DEV\s+PID\s+COMM/);
    expect(text).toContain(`${clockTime(T0)} R        8     0.27`);
    expect(text).toMatch(/R\s+8\s+0\.27 \S+\s+99 dd/);
    expect(text).toMatch(/W\s+8192\s+0\.96/);
    host.handleKey('`', '`', '`');
    host.handleKey('s', 's', 's');
    text = draw().join('\n');
    expect(text).toMatch(/W: 2 I\/Os/);
    expect(text).toMatch(/usecs\s+: count\s+distribution/);
    expect(text).toMatch(/512 -> 1023\s+: 1\s+\|\*+/);
  });

  it('exec and tcp panes draw their columns', () => {
    const { host, mgr, draw } = setup({ cols: 240, rows: 40 });
    host.toggle(3);
    host.toggle(6);
    mgr.emit('exec', [{ time: T0, pid: 10, tid: 10, ppid: 9, uid: 0, comm: 'sh', ret: 0, filename: '/bin/ls', args: ['ls', '-l', 'a b'], argsTruncated: false },
      { time: T0, pid: 11, tid: 11, ppid: 9, uid: 0, comm: 'sh', ret: -2, filename: '/nope', args: [], argsTruncated: false }]);
    mgr.emit('tcp', [{ tsNs: 2e9, time: T0, startNs: 1e9, sock: 'ab', type: 'CLOSE', dir: 'active', pid: 33, comm: 'curl', family: 4, laddr: '10.0.0.1', lport: 5555, raddr: '1.2.3.4', rport: 443, txBytes: 100, rxBytes: 2000, retrans: 1, srttUs: 0, oldstate: 'FIN_WAIT1', newstate: 'CLOSE', durMs: 1000 }]);
    const text = draw().join('\n');
    expect(text).toMatch(/TIME\s+PID\s+PPID\s+COMM\s+RET\s+ARGS/);
    expect(text).toContain('ls -l "a b"');
    expect(text).toMatch(/11\s+9 sh\s+ENOENT\s+\/nope/);
    expect(text).toMatch(/CLOSE\s+33 curl\s+10\.0\.0\.1:5555\s+1\.2\.3\.4:443\s+100B\s+1\.95K\s+1000\.00\s+1/); // bytes are sizes (src/util/format.ts)
  });

  it('runqlat pane shows how-to or histogram; side-by-side vs stacked layout', () => {
    const { host, draw } = setup({ cols: 100, rows: 40 });
    host.toggle(7);
    host.toggle(1);
    const text = draw().join('\n');
    expect(text).toContain('7 run queue latency');
    expect(text).toContain('no scheduling waits counted yet');
    expect(host.desiredHeight(100, 40)).toBeGreaterThan(10);
    expect(host.desiredHeight(100, 40)).toBeLessThanOrEqual(24);
  });

  it('redraws are throttled: a burst of batches asks the shell for one render', async () => {
    const { host, mgr, calls } = setup();
    host.toggle(1);
    const before = calls.renders;
    for (let i = 0; i < 200; i++) mgr.emit('opens', [opens({ path: `/f${i}` })]);
    expect(calls.renders).toBe(before);
    await new Promise((r) => setTimeout(r, 150));
    expect(calls.renders).toBe(before + 1);
  });

  it('per-PID rates for the process table (opens/s, syscalls/s, disk latency)', () => {
    let now = 1_000_000;
    const { host, mgr, draw } = setup({ clock: () => now });
    host.toggle(1);
    host.toggle(2);
    draw(); // opens the first window
    mgr.emit('opens', Array.from({ length: 20 }, () => opens({ pid: 77 })));
    mgr.emit('disk', [{ tsNs: 1, time: T0, latNs: 2e6, queueNs: 0, sector: 0, major: 8, minor: 0, bytes: 4096, pid: 77, tid: 77, op: 0, flags: 0, error: 0, comm: 'x' },
      { tsNs: 2, time: T0, latNs: 4e6, queueNs: 0, sector: 0, major: 8, minor: 0, bytes: 4096, pid: 77, tid: 77, op: 0, flags: 0, error: 0, comm: 'x' }]);
    now += 2000;
    draw();
    expect(host.perPid().get(77)).toEqual({ opensPerSec: 10, diskLatMs: 3 });
  });

  it('memory stays bounded under a storm (ring of 1000, capped maps); a storm switches to in-kernel counting', () => {
    const { host, mgr, draw, calls } = setup({ cols: 200 });
    host.toggle(1);
    for (let b = 0; b < 15; b++) mgr.emit('opens', Array.from({ length: 1000 }, (_, i) => opens({ pid: 1000 + i, path: `/p/${b}/${i}` })));
    let text = draw().join('\n');
    expect(text).toContain('/p/14/999');
    expect(text).toContain('15000 events');
    // past 20k events/s the opens pane counts in the kernel instead of streaming
    for (let b = 0; b < 10; b++) mgr.emit('opens', Array.from({ length: 1000 }, () => opens({})));
    expect(mgr.running.get('opens')).toMatchObject({ summary: true });
    expect(calls.status.join('\n')).toMatch(/switched to in-kernel counting/);
    // the syscalls stream of one PID falls back to in-kernel syscount for that PID; r resumes
    host.toggle(5);
    host.setScopePid(1234);
    expect(mgr.running.get('syscalls')).toEqual({ pid: 1234 });
    for (let b = 0; b < 25; b++) mgr.emit('syscalls', Array.from({ length: 1000 }, () => sc({})));
    expect(mgr.running.get('syscalls')).toEqual({ pid: 1234, summary: true });
    text = draw().join('\n');
    expect(text).toContain('stream off:');
    expect(text).toContain('syscount (in-kernel)');
    host.handleKey('`', '`', '`');
    host.handleKey('`', '`', '`');
    expect(host.focused()).toBe(5);
    host.handleKey('r', 'r', 'r');
    expect(mgr.running.get('syscalls')).toEqual({ pid: 1234 });
    const r = new Ring<number>(1000);
    for (let i = 0; i < 5000; i++) r.push(i);
    expect(r.size).toBe(1000);
    expect(r.last(3)).toEqual([4997, 4998, 4999]);
    expect(r.last(2, (x) => x % 2 === 0)).toEqual([4996, 4998]);
    const m = new BoundedMap<number, { n: number }>(100, (v) => v.n);
    for (let i = 0; i < 10000; i++) m.get(i, () => ({ n: i }));
    expect(m.size).toBeLessThanOrEqual(100);
  });

  it('start errors are not prefixed twice with the tracer name', () => {
    const { host, mgr, draw } = setup({ cols: 200, rows: 40 });
    // messages as TracerManager and the addon word them (src/tracers/manager.ts, native/addon/addon.cc)
    mgr.fail.opens = new TracerError('opens', 'opens: tracing needs root or CAP_BPF+CAP_PERFMON: run ostop with sudo', 'privilege');
    mgr.fail.disk = new TracerError('disk', 'tracer disk: none of its programs can run on this kernel', 'failed');
    host.toggle(1);
    host.toggle(2);
    const text = draw().join('\n');
    expect(text).toContain('tracing needs root');
    expect(text).toContain('none of its programs can run on this kernel');
    expect(text).not.toMatch(/opens: opens:/);
    expect(text).not.toMatch(/disk I\/O: (tracer )?disk:/);
  });

  it('plainRow fits wide and hostile text to an exact width', () => {
    const cols = [{ title: 'A', width: 4 }, { title: 'B', width: 0 }];
    expect(plainRow(cols, ['漢字漢字', 'x\x1b]0;t\x07y'], 12)).toBe('漢字 x?y    ');
    expect(plainRow(cols, ['a', 'b'.repeat(50)], 10)).toBe('a    bbbbb');
  });
});

// ---- histograms that fit, scroll and are read whole (issue "ostop you can trust") ----

/** rq_hist as the kernel fills it (one CPU): struct runqlat_hist with these slot counts. */
function rqHist(slots: number[], maxUs: number): Dump {
  const L = RUNQLAT_LAYOUTS.runqlat_hist;
  const data = new Uint8Array(4 + L.size);
  const v = new DataView(data.buffer, 4);
  let count = 0;
  slots.forEach((c, i) => {
    v.setBigUint64(L.fields.slots + 8 * i, BigInt(c), true);
    count += c;
  });
  v.setBigUint64(L.fields.count, BigInt(count), true);
  v.setBigUint64(L.fields.total_ns, BigInt(count) * 9000n, true);
  v.setBigUint64(L.fields.max_ns, BigInt(maxUs * 1000), true);
  return { keySize: 4, valueSize: L.size, count: 1, data: data.buffer };
}
const noProcs: Dump = { keySize: 4, valueSize: RUNQLAT_LAYOUTS.runqlat_hist.size, count: 0, data: new ArrayBuffer(0) };

// A busy machine's run-queue latency: 9533 waits over 19 log2 slots, most
// under 8 us, a long thin tail, empty slots 14, 16 and 17.
const RQ_SLOTS = [2101, 3000, 2200, 1100, 600, 300, 120, 60, 25, 12, 6, 4, 2, 1, 0, 1, 0, 0, 1];
const RQ_TOTAL = RQ_SLOTS.reduce((a, b) => a + b, 0);

interface ShownHist { rows: Array<{ lo: number; hi: number; count: number; stars: number; barW: number; block: number }>; above: number; below: number; text: string }
/**
 * Histogram rows on screen (`lo -> hi : count |***   |`), each with the
 * histogram it belongs to (a new one starts at a disk device's `dev T: N I/Os`
 * line), and what the pane says is scrolled off (`N waits` / `N I/Os` on ▲ ▼ lines).
 */
function shownHist(ls: string[], noun: string): ShownHist {
  const rows: ShownHist['rows'] = [];
  let above = 0, below = 0, block = 0;
  for (const l of ls) {
    if (/│\S+ [A-Z?]: \d+ I\/Os, /.test(l)) block++;
    const m = /(\d+) -> (\d+)\s+: (\d+)\s+\|(\**)( *)\|/.exec(l);
    if (m) rows.push({ lo: Number(m[1]), hi: Number(m[2]), count: Number(m[3]), stars: m[4].length, barW: m[4].length + m[5].length, block });
    const gap = /(\d+) -> (\d+)\s+: (\d+)\s+\(/.exec(l);
    if (gap) rows.push({ lo: Number(gap[1]), hi: Number(gap[2]), count: Number(gap[3]), stars: 0, barW: 0, block });
    const up = new RegExp(`▲[^│]*?(\\d+) ${noun}`).exec(l);
    if (up) above += Number(up[1]);
    const down = new RegExp(`▼[^│]*?(\\d+) ${noun}`).exec(l);
    if (down) below += Number(down[1]);
  }
  return { rows, above, below, text: ls.join('\n') };
}
const shownSum = (h: ShownHist) => h.rows.reduce((a, r) => a + r.count, 0);
/** Bars are scaled to the largest bucket of their histogram on screen: it has a full bar, the others their share of it. */
function expectBarsScaledToShown(h: ShownHist): void {
  const bars = h.rows.filter((r) => r.barW > 0);
  expect(bars.length).toBeGreaterThan(0);
  for (const r of bars) {
    const max = Math.max(...bars.filter((b) => b.block === r.block).map((b) => b.count));
    expect(r.stars, `bar of ${r.lo} -> ${r.hi} (${r.count} of max ${max})`).toBe(Math.round((r.count / max) * r.barW));
  }
}

describe('histogram panes show the whole distribution', () => {
  it('runqlat at 80x24: every wait of the histogram is on screen, merged buckets said, bars scaled to what is shown; the title counts waits', () => {
    const { host, mgr, draw, appLayout } = setup({ cols: 80, rows: 24 });
    mgr.maps.runqlat = { rq_hist: rqHist(RQ_SLOTS, 300_000), rq_phist: noProcs };
    host.toggle(7);
    appLayout();
    const h = shownHist(draw(), 'waits');
    expect(h.text).toContain(`${RQ_TOTAL} waits, avg`);
    expect(shownSum(h) + h.above + h.below).toBe(RQ_TOTAL);
    expect(h.above + h.below, 'nothing needs scrolling in a 9-line pane once buckets are merged').toBe(0);
    expect(h.text).toMatch(/buckets merged x\d/);
    // the first row is the fastest non-empty bucket, the last one holds the slowest wait
    expect(h.rows[0].lo).toBe(0);
    expect(h.rows.at(-1)!.hi).toBeGreaterThanOrEqual(2 ** 19 - 1);
    expectBarsScaledToShown(h);
    // the border counts what the pane shows (kernel-counted waits), not streamed events
    expect(h.text).toMatch(new RegExp(`7 run queue latency · .*${RQ_TOTAL} waits`));
    expect(h.text).not.toMatch(/\b0 events/);
  });

  it('runqlat unmerged when tall enough: first to last non-empty bucket, a run of empty buckets on one line', () => {
    const { host, mgr, draw } = setup({ cols: 100, rows: 40 });
    mgr.maps.runqlat = { rq_hist: rqHist([0, 0, ...RQ_SLOTS.slice(2)], 300_000), rq_phist: noProcs };
    host.toggle(7);
    const h = shownHist(draw(), 'waits');
    const total = RQ_TOTAL - RQ_SLOTS[0] - RQ_SLOTS[1];
    expect(shownSum(h)).toBe(total);
    expect(h.text).not.toMatch(/merged/);
    expect(h.rows[0]).toMatchObject({ lo: 4, hi: 7 }); // empty slots 0 and 1 before the first wait: not shown
    expect(h.rows.find((r) => r.lo === 2 ** 14)).toMatchObject({ hi: 2 ** 15 - 1, count: 0 }); // a single empty bucket stays a row
    const gap = h.text.split('\n').filter((l) => /65536 -> 262143\s+: 0\s+\(/.test(l));
    expect(gap, 'slots 16 and 17 (empty) collapse into one line').toHaveLength(1);
    expect(h.text).not.toMatch(/131072 -> /);
    expect(h.rows.at(-1)).toMatchObject({ lo: 262144, count: 1 });
    expectBarsScaledToShown(h);
  });

  it('runqlat under the syscalls pane at 80x24: what does not fit is counted on screen, and the focused pane scrolls to it', () => {
    const { host, mgr, draw, appLayout } = setup({ cols: 80, rows: 24 });
    mgr.maps.runqlat = { rq_hist: rqHist(RQ_SLOTS, 300_000), rq_phist: noProcs };
    host.toggle(5);
    host.toggle(7);
    appLayout();
    let h = shownHist(draw(), 'waits');
    expect(h.rows.length).toBeGreaterThan(0);
    expect(h.below).toBeGreaterThan(0);
    expect(shownSum(h) + h.above + h.below).toBe(RQ_TOTAL);
    expect(h.rows[0].lo).toBe(0);
    expectBarsScaledToShown(h);
    // not focused: arrows belong to the view
    expect(host.handleKey(undefined, 'down', 'down')).toBe(false);
    host.handleKey('`', '`', '`');
    host.handleKey('`', '`', '`');
    expect(host.focused()).toBe(7);
    const seen = new Map<number, number>();
    for (const r of h.rows) seen.set(r.lo, r.count);
    for (let i = 0; i < 10 && h.below > 0; i++) {
      expect(host.handleKey(undefined, 'down', 'down')).toBe(true);
      h = shownHist(draw(), 'waits');
        expect(shownSum(h) + h.above + h.below).toBe(RQ_TOTAL);
      expectBarsScaledToShown(h);
      for (const r of h.rows) seen.set(r.lo, r.count);
    }
    expect(h.below).toBe(0);
    expect(h.above).toBeGreaterThan(0);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(RQ_TOTAL);
    // PgUp scrolls back, Home goes to the top
    expect(host.handleKey(undefined, 'pageup', 'pageup')).toBe(true);
    const up = shownHist(draw(), 'waits');
    expect(up.above).toBeLessThan(h.above);
    expect(shownSum(up) + up.above + up.below).toBe(RQ_TOTAL);
    expect(host.handleKey(undefined, 'home', 'home')).toBe(true);
    h = shownHist(draw(), 'waits');
    expect(h.above).toBe(0);
    expect(h.rows[0].lo).toBe(0);
  });

  it('disk histograms: every I/O of every device/direction is on screen or counted as scrolled off, and scrolling reaches the last device', () => {
    const { host, mgr, draw, appLayout } = setup({ cols: 80, rows: 24 });
    host.toggle(2);
    appLayout();
    const ev = (o: Partial<DiskEvent>): DiskEvent => ({ tsNs: 1e9, time: T0, latNs: 100_000, queueNs: 0, sector: 0, major: 8, minor: 0, bytes: 4096, pid: 9, tid: 9, op: 0, flags: 0, error: 0, comm: 'dd', ...o });
    const events: DiskEvent[] = [];
    const devs = [[8, 0], [8, 16], [259, 0]];
    devs.forEach(([major, minor], d) => {
      for (let slot = 0; slot < 16; slot++) {
        for (let n = 0; n < 1 + ((slot * 7 + d) % 5) * 3; n++) events.push(ev({ major, minor, op: slot % 2, latNs: (2 ** slot + 0.5) * 1000 }));
      }
    });
    mgr.emit('disk', events);
    host.handleKey('`', '`', '`');
    host.handleKey('h', 'h', 'h');
    const titles = new Set<string>();
    const page = () => {
      const h = shownHist(draw(), 'I/Os');
      for (const m of h.text.matchAll(/│(\S+ [A-Z?]): \d+ I\/Os, /g)) titles.add(m[1]);
      return h;
    };
    let h = page();
    expect(h.text).toMatch(/usecs/);
    expect(shownSum(h) + h.above + h.below).toBe(events.length);
    expect(h.below).toBeGreaterThan(0);
    expectBarsScaledToShown(h);
    for (let i = 0; i < 40 && h.below > 0; i++) {
      host.handleKey(undefined, 'pagedown', 'pagedown');
      h = page();
      expect(shownSum(h) + h.above + h.below).toBe(events.length);
      expectBarsScaledToShown(h);
    }
    expect(h.below).toBe(0);
    expect(titles.size, [...titles].join(', ')).toBe(devs.length * 2); // every device, reads and writes
  });

  it('titles count what summary modes count: opens in the kernel summary', () => {
    const { host, mgr, draw } = setup({ cols: 200, rows: 40 });
    // two rows of the opens summary map (opens_key -> opens_count)
    const K = OPENS_LAYOUTS.opens_key, C = OPENS_LAYOUTS.opens_count;
    const rec = K.size + C.size;
    const data = new Uint8Array(2 * rec);
    const v = new DataView(data.buffer);
    [[4242, '/etc/hosts', 40, 1], [4243, '/etc/passwd', 2, 0]].forEach(([pid, path, count, errors], i) => {
      v.setUint32(i * rec + K.fields.pid, pid as number, true);
      data.set(Buffer.from('cat'), i * rec + K.fields.comm);
      data.set(Buffer.from(path as string), i * rec + K.fields.path);
      v.setBigUint64(i * rec + K.size + C.fields.count, BigInt(count), true);
      v.setBigUint64(i * rec + K.size + C.fields.errors, BigInt(errors), true);
    });
    mgr.maps.opens = { summary: { keySize: K.size, valueSize: C.size, count: 2, data: data.buffer } };
    host.toggle(1);
    host.handleKey('`', '`', '`');
    host.handleKey('s', 's', 's');
    const text = draw().join('\n');
    expect(text).toMatch(/\/etc\/hosts/);
    expect(text).toMatch(/1 opens · summary · 42 opens/);
    expect(text).not.toMatch(/\b0 events/);
  });

  it('titles count what summary modes count: syscalls counted by process in the kernel', () => {
    const { host, mgr, draw } = setup({ cols: 200, rows: 40 });
    // sc_pstats: (tgid, nr) -> per-CPU struct syscall_stat (one CPU)
    const K = SYSCALLS_LAYOUTS.syscall_pkey, S = SYSCALLS_LAYOUTS.syscall_stat;
    const rows: Array<[number, number, number]> = [[4242, 0, 700], [4242, 1, 300], [4343, 0, 25], [process.pid, 0, 5000]];
    const rec = K.size + S.size;
    const data = new Uint8Array(rows.length * rec);
    const v = new DataView(data.buffer);
    rows.forEach(([pid, nr, count], i) => {
      v.setUint32(i * rec + K.fields.tgid, pid, true);
      v.setInt32(i * rec + K.fields.nr, nr, true);
      v.setBigUint64(i * rec + K.size + S.fields.count, BigInt(count), true);
    });
    mgr.maps.syscalls = { sc_pstats: { keySize: K.size, valueSize: S.size, count: rows.length, data: data.buffer } };
    host.toggle(5);
    const text = draw().join('\n');
    expect(text).toMatch(/4242 /);
    // ostop's own syscalls are left out of the table, and of the count
    expect(text).toMatch(/5 syscalls · top syscalls by process .* 1025 syscalls/);
    expect(text).not.toMatch(/\b0 events/);
  });

  it('the opens path filter hides rows already on screen that do not match', () => {
    const { host, mgr, draw } = setup({ answer: 'hosts' });
    host.toggle(1);
    mgr.emit('opens', [opens({ path: '/etc/passwd' }), opens({ path: '/etc/hosts' }), opens({ path: '/var/lib/x' })]);
    expect(draw().join('\n')).toContain('/etc/passwd');
    host.handleKey('`', '`', '`');
    host.handleKey('/', '/', '/');
    mgr.emit('opens', [opens({ path: '/tmp/hosts.new' }), opens({ path: '/tmp/other' })]);
    const text = draw().join('\n');
    expect(text).toContain('/etc/hosts');
    expect(text).toContain('/tmp/hosts.new');
    expect(text).not.toContain('/etc/passwd');
    expect(text).not.toContain('/var/lib/x');
    expect(text).not.toContain('/tmp/other');
  });

  it('tcp pane: a refused connect shows its error, not a 0-byte close', () => {
    const { host, mgr, draw, screen } = setup({ cols: 200, rows: 30 });
    host.toggle(6);
    const base: TcpEvent = { tsNs: 2e9, time: T0, startNs: 1.999e9, sock: 'cd', type: 'CLOSE', dir: 'active', pid: 33, comm: 'curl', family: 4, laddr: '127.0.0.1', lport: 40000, raddr: '127.0.0.1', rport: 9, txBytes: 0, rxBytes: 0, retrans: 0, srttUs: 0, oldstate: 'SYN_SENT', newstate: 'CLOSE', durMs: 1, err: 111 };
    mgr.emit('tcp', [base, { ...base, sock: 'ce', lport: 40001, rport: 10, err: 0 }, { ...base, sock: 'cf', lport: 40002, rport: 443, oldstate: 'ESTABLISHED', err: 104, txBytes: 10, rxBytes: 20 }]);
    const text = draw().join('\n');
    expect(text).toMatch(/127\.0\.0\.1:9 .*connect failed: ECONNREFUSED/);
    expect(text).toMatch(/127\.0\.0\.1:10 .*connect failed/);
    expect(text).toMatch(/127\.0\.0\.1:443 .*ECONNRESET/);
    expect(text).not.toMatch(/127\.0\.0\.1:9\s+0\s+0/);
    expect(fgAt(screen, 'connect failed: ECONNREFUSED')).toBe(1); // red
  });
});
