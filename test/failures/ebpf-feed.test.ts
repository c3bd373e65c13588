// The eBPF feeder: the adapter on canned decoded exit-tracer events, then
// (root, with the native addon built) real deaths through the real tracer:
// SIGKILL from another process names the sender, a segfault is merged with
// its kernel-log line, a process living a few milliseconds is caught.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitEventAdapter, createExitTracerFeed, relativeCorePattern } from '../../src/failures/exit-feed.js';
import type { ExitEvent } from '../../src/tracers/exit/tracer.js';
import { FailuresHub } from '../../src/failures/hub.js';
import { collectModel } from '../../src/failures/source.js';
import { tracerManager } from '../../src/tracers/manager.js';
import type { EntryRow } from '../../src/model/failures.js';
import { gate, missingProgram } from '../helpers/native.js';

const clock = { wallMs: () => 1_000_000, monoUsec: () => 5_000_000 };
const base = { time: 999_000, comm: 'victim', uid: 0 };

describe('ExitEventAdapter (canned events)', () => {
  it('kill from a process: sender from the signal event, normal exits dropped', () => {
    const a = new ExitEventAdapter('/nonexistent', clock);
    const evs: ExitEvent[] = [
      { ...base, kind: 'signal', pid: 10, signal: 9, code: 0, sender: { pid: 77, comm: 'kill' } },
      { ...base, kind: 'exit', pid: 10, tid: 10, ppid: 1, ageMs: 12.5, rawStatus: 9, exitCode: null, signal: 9, coreDumped: false, oomKilled: false, sender: { pid: 77, comm: 'kill' } },
      { ...base, kind: 'exit', pid: 11, tid: 11, ppid: 1, ageMs: 1, rawStatus: 0, exitCode: 0, signal: 0, coreDumped: false, oomKilled: false, sender: null },
      { ...base, kind: 'exit', pid: 12, tid: 12, ppid: 1, ageMs: 1, rawStatus: 3 << 8, exitCode: 3, signal: 0, coreDumped: false, oomKilled: false, sender: null },
    ];
    const out = a.convert(evs);
    expect(out.map((e) => [e.pid, e.kind, e.signal, e.exitCode])).toEqual([[10, 'signal', 9, null], [12, 'exit', null, 3]]);
    expect(out[0]).toMatchObject({ feed: 'ebpf', sender: { pid: 77, comm: 'kill' }, ageMs: 12.5, ppid: 1, coreDumped: false, tsUsec: 4_000_000 });
  });
  it('keeps every end (normal ones too) for the drill-in, with the best sender', () => {
    const a = new ExitEventAdapter('/nonexistent', clock);
    a.convert([
      { ...base, kind: 'signal', pid: 10, signal: 15, code: 0, sender: { pid: 77, comm: 'kill' } },
      { ...base, kind: 'exit', pid: 10, tid: 10, ppid: 1, ageMs: 12.5, rawStatus: 15, exitCode: null, signal: 15, coreDumped: false, oomKilled: false, sender: { pid: 77, comm: 'kill' } },
      { ...base, kind: 'exit', pid: 11, tid: 11, ppid: 1, ageMs: 1, rawStatus: 0, exitCode: 0, signal: 0, coreDumped: false, oomKilled: false, sender: null },
      { ...base, kind: 'exit', pid: 20, tid: 20, ppid: 1, ageMs: 2, rawStatus: 0x8b, exitCode: null, signal: 11, coreDumped: true, oomKilled: false, sender: { pid: 20, comm: 'victim' } },
    ]);
    expect(a.exitsOf(10)).toEqual([{ pid: 10, comm: 'victim', wallMs: 999_000, ageMs: 12.5, exitCode: null, signal: 15, coreDumped: false, oomKilled: false, sender: { pid: 77, comm: 'kill' } }]);
    expect(a.exitsOf(11)).toMatchObject([{ exitCode: 0, signal: null, sender: null }]);
    expect(a.exitsOf(20)).toMatchObject([{ signal: 11, coreDumped: true, sender: 'kernel' }]);
    expect(a.exitsOf(12)).toEqual([]);
  });
  it('fault: the kernel is the sender; core flag kept', () => {
    const a = new ExitEventAdapter('/nonexistent', clock);
    const out = a.convert([
      { ...base, kind: 'signal', pid: 20, signal: 11, code: 1, sender: { pid: 20, comm: 'victim' } },
      { ...base, kind: 'exit', pid: 20, tid: 20, ppid: 1, ageMs: 2, rawStatus: 0x8b, exitCode: null, signal: 11, coreDumped: true, oomKilled: false, sender: { pid: 20, comm: 'victim' } },
    ]);
    expect(out[0]).toMatchObject({ kind: 'signal', signal: 11, coreDumped: true, sender: 'kernel' });
  });
  it('OOM: victim memory and trigger from mark_victim, kind oom', () => {
    const a = new ExitEventAdapter('/nonexistent', clock);
    const out = a.convert([
      { ...base, kind: 'oom', pid: 30, totalVmKb: 70000, rssKb: 65000, oomScoreAdj: 500, trigger: { pid: 31, comm: 'alloc' } },
      { ...base, kind: 'exit', pid: 30, tid: 30, ppid: 1, ageMs: 300, rawStatus: 9, exitCode: null, signal: 9, coreDumped: false, oomKilled: true, sender: { pid: 31, comm: 'alloc' } },
    ]);
    expect(out[0]).toMatchObject({ kind: 'oom', sender: { pid: 31, comm: 'alloc' }, oom: { rssKb: 65000, totalVmKb: 70000, oomScoreAdj: 500, triggerPid: 31, triggerComm: 'alloc' } });
  });
});

describe('command lines are read lazily (start-up cost)', () => {
  function procTree(pids: number[]): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-lazy-'));
    for (const pid of pids) {
      fs.mkdirSync(path.join(root, String(pid)));
      fs.writeFileSync(path.join(root, String(pid), 'cmdline'), `prog-${pid}\0--arg\0`);
    }
    return root;
  }
  /** A tracer manager that only records who subscribes and what starts. */
  function fakeManager() {
    const subs = new Map<string, (evs: unknown[]) => void>();
    const started: string[] = [];
    const mgr = {
      onEvents: (name: string, f: (evs: unknown[]) => void) => { subs.set(name, f); return () => subs.delete(name); },
      start: (name: string) => { started.push(name); },
      stop: () => {},
      isRunning: () => true,
      drops: () => ({ ring: 0, map: 0 }),
    };
    return { mgr: mgr as unknown as Parameters<typeof createExitTracerFeed>[0], subs, started };
  }

  it('starting the feed reads no command line, whatever runs', () => {
    const root = procTree(Array.from({ length: 50 }, (_, i) => 1000 + i));
    try {
      const { mgr, started, subs } = fakeManager();
      const feed = createExitTracerFeed(mgr, root);
      feed.start();
      expect(started).toEqual(['exit', 'exec']);
      expect(feed.poll()).toEqual([]);
      expect(feed.adapter.cmdlineReads).toBe(0); // a scan at start would have read all 50
      // the first fatal signal reads its target's, and only that one
      subs.get('exit')!([{ ...base, kind: 'signal', pid: 1003, signal: 15, code: 0, sender: { pid: 1, comm: 'init' } }]);
      expect(feed.adapter.cmdlineReads).toBe(1);
      feed.stop();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a fatal signal reads its target\'s command line while it lives; a normal end reads nothing', () => {
    const root = procTree([10, 11, 12]);
    try {
      const a = new ExitEventAdapter(root, clock);
      a.onRaw([{ ...base, kind: 'signal', pid: 10, signal: 9, code: 0, sender: { pid: 77, comm: 'kill' } }]);
      expect(a.cmdlineReads).toBe(1);
      fs.rmSync(path.join(root, '10'), { recursive: true }); // gone by the time the exit is converted
      const out = a.convert([
        { ...base, kind: 'signal', pid: 10, signal: 9, code: 0, sender: { pid: 77, comm: 'kill' } },
        { ...base, kind: 'exit', pid: 10, tid: 10, ppid: 1, ageMs: 5, rawStatus: 9, exitCode: null, signal: 9, coreDumped: false, oomKilled: false, sender: { pid: 77, comm: 'kill' } },
        { ...base, kind: 'exit', pid: 11, tid: 11, ppid: 1, ageMs: 5, rawStatus: 0, exitCode: 0, signal: 0, coreDumped: false, oomKilled: false, sender: null },
      ]);
      expect(out.map((e) => [e.pid, e.cmdline])).toEqual([[10, 'prog-10 --arg']]);
      expect(a.cmdlineReads).toBe(1); // pid 10 known, pid 11 ended normally: not read
      // an exec gives the command line without any read
      a.onExec([{ time: 999_000, pid: 12, ppid: 1, uid: 0, comm: 'x', ret: 0, args: ['/bin/x', '-y'], argsTruncated: false } as unknown as Parameters<ExitEventAdapter['onExec']>[0][number]]);
      const out2 = a.convert([{ ...base, kind: 'exit', pid: 12, tid: 12, ppid: 1, ageMs: 5, rawStatus: 3 << 8, exitCode: 3, signal: 0, coreDumped: false, oomKilled: false, sender: null }]);
      expect(out2[0].cmdline).toBe('/bin/x -y');
      expect(a.cmdlineReads).toBe(1);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('cwds are read for execs only when a core could land there', () => {
  const exec = (pid: number) => ({ time: 999_000, pid, ppid: 1, uid: 0, comm: 'x', ret: 0, args: ['/bin/x'], argsTruncated: false }) as unknown as Parameters<ExitEventAdapter['onExec']>[0][number];
  const end = (pid: number, rawStatus = 0): ExitEvent => ({ ...base, kind: 'exit', pid, tid: pid, ppid: 1, ageMs: 1, rawStatus, exitCode: rawStatus >> 8, signal: rawStatus & 0x7f, coreDumped: false, oomKilled: false, sender: null });
  function cwdTree(pids: number[]): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-cwd-'));
    fs.mkdirSync(path.join(root, 'sys/kernel'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sys/kernel/core_pattern'), 'core\n');
    for (const pid of pids) {
      fs.mkdirSync(path.join(root, String(pid)));
      fs.symlinkSync(`/srv/dir-${pid}`, path.join(root, String(pid), 'cwd'));
    }
    return root;
  }

  it('relative core_pattern: an exec\'s cwd is read at the end of its wake-up, unless the program ended in it', async () => {
    const root = cwdTree([40, 41]);
    try {
      const a = new ExitEventAdapter(root, clock, relativeCorePattern(root));
      a.onExec([exec(40), exec(41), exec(42)]);
      a.onRaw([end(41), end(42)]); // same wake-up: gone, nothing to read
      expect(a.cwdReads).toBe(0);
      await Promise.resolve(); // the end of the wake-up
      expect(a.cwdReads).toBe(1);
      // pid 40 crashes later: its cwd is the one read at its exec, even once it is gone
      fs.rmSync(path.join(root, '40'), { recursive: true });
      const out = a.convert([end(40, 6)]);
      expect(out[0]).toMatchObject({ pid: 40, signal: 6, cwd: '/srv/dir-40' });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('an exit delivered before the exec of the same wake-up also spares the read', async () => {
    const root = cwdTree([43]);
    try {
      const a = new ExitEventAdapter(root, clock, relativeCorePattern(root));
      a.onRaw([end(43)]);
      a.onExec([exec(43)]);
      await Promise.resolve();
      expect(a.cwdReads).toBe(0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a signal that leaves no core (SIGKILL, SIGTERM, an OOM kill) or an end without a core reads no cwd; its command line is still read', async () => {
    const root = cwdTree([60, 61, 62, 63]);
    try {
      for (const pid of [60, 61, 62]) fs.writeFileSync(path.join(root, String(pid), 'cmdline'), `/bin/victim-${pid}\0`);
      const a = new ExitEventAdapter(root, clock, relativeCorePattern(root));
      a.onRaw([
        { ...base, kind: 'signal', pid: 60, signal: 9, code: 0, sender: { pid: 1, comm: 'init' } },
        { ...base, kind: 'signal', pid: 61, signal: 15, code: 0, sender: { pid: 1, comm: 'init' } },
      ] as ExitEvent[]);
      expect(a.cwdReads).toBe(0);
      expect(a.cmdlineReads).toBe(2);
      const out = a.convert([
        end(60, 9), end(61, 15), end(62, 1 << 8), // killed, terminated, exit status 1: no core
        { ...end(63, 11 | 0x80), coreDumped: true }, // a SIGSEGV that dumped core: its cwd is read at its end
      ]);
      // (each of them still has a readable cwd in this tree: not read, null)
      expect(out.find((e) => e.pid === 60)).toMatchObject({ cmdline: '/bin/victim-60', cwd: null });
      expect(out.find((e) => e.pid === 61)).toMatchObject({ cwd: null });
      expect(out.find((e) => e.pid === 63)).toMatchObject({ cwd: '/srv/dir-63' });
      expect(a.cwdReads).toBe(0);
      // a core-dumping signal still reads its target's cwd when it arrives
      a.onRaw([{ ...base, kind: 'signal', pid: 62, signal: 6, code: 0, sender: { pid: 62, comm: 'x' } }] as ExitEvent[]);
      expect(a.cwdReads).toBe(1);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('absolute or piped core_pattern: no exec\'s cwd is read; a fatal signal still reads its target\'s', async () => {
    const root = cwdTree([50, 51]);
    let t = 0;
    try {
      fs.writeFileSync(path.join(root, 'sys/kernel/core_pattern'), '|/lib/systemd/systemd-coredump %P\n');
      const a = new ExitEventAdapter(root, clock, relativeCorePattern(root, () => t));
      a.onExec([exec(50)]);
      await Promise.resolve();
      expect(a.cwdReads).toBe(0);
      a.onRaw([{ ...base, kind: 'signal', pid: 51, signal: 11, code: 1, sender: { pid: 51, comm: 'victim' } }]);
      expect(a.cwdReads).toBe(1);
      // core_pattern made relative: seen within CORE_PATTERN_MS (5 s)
      fs.writeFileSync(path.join(root, 'sys/kernel/core_pattern'), 'core\n');
      t = 4000;
      a.onExec([exec(50)]);
      await Promise.resolve();
      expect(a.cwdReads).toBe(1);
      t = 5000;
      a.onExec([exec(50)]);
      await Promise.resolve();
      expect(a.cwdReads).toBe(2);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('relativeCorePattern: an absolute path is not relative; unreadable counts as relative (the kernel default)', () => {
    const root = cwdTree([]);
    try {
      fs.writeFileSync(path.join(root, 'sys/kernel/core_pattern'), '/var/crash/core.%p\n');
      expect(relativeCorePattern(root)()).toBe(false);
      expect(relativeCorePattern(path.join(root, 'none'))()).toBe(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

const isRoot = process.getuid?.() === 0;
let tracerWhyNot = '';
if (!isRoot) tracerWhyNot = 'not root';
else if (missingProgram('cc')) tracerWhyNot = missingProgram('cc')!;
else {
  try {
    tracerManager().start('exit');
    tracerManager().stop('exit');
  } catch (e) {
    tracerWhyNot = `exit tracer cannot start: ${(e as Error).message}`;
  }
}
tracerWhyNot = gate('test/failures/ebpf-feed real-tracer', tracerWhyNot || null) ?? '';

describe.skipIf(!!tracerWhyNot)('eBPF feeder with the real exit tracer (root)', () => {
  let tmp = '';
  let hub: FailuresHub;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-ebpf-'));
    fs.writeFileSync(path.join(tmp, 'sleeper.c'), '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n');
    fs.writeFileSync(path.join(tmp, 'segv.c'), 'int main(void) { volatile int *p = (int *)0x10; *p = 1; return 0; }\n');
    fs.writeFileSync(path.join(tmp, 'quick.c'), 'int main(void) { return 7; }\n');
    for (const n of ['sleeper', 'segv', 'quick']) execFileSync('cc', ['-O0', '-o', path.join(tmp, n), path.join(tmp, `${n}.c`)]);
    hub = new FailuresHub({ ebpfFeed: () => createExitTracerFeed() });
    await hub.startEbpf();
    expect(hub.feedStatus().find((f) => f.name === 'ebpf')?.active, hub.ebpfNote ?? '').toBe(true);
    await hub.pollKmsg(true);
  }, 60_000);
  afterAll(() => {
    hub?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function entry(pid: number, pred: (e: EntryRow) => boolean = () => true): Promise<EntryRow> {
    const end = Date.now() + 8000;
    for (;;) {
      tracerManager().poll();
      await hub.pollEbpf();
      await hub.pollKmsg(true);
      const m = collectModel(hub, { showExits: true, sinceBoot: true, pattern: null, patternError: null, dumps: [], target: null });
      const e = m.entries.find((x) => x.pid === pid && pred(x));
      if (e) return e;
      if (Date.now() > end) throw new Error(`no entry for ${pid}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('SIGKILL from another process: the sender pid is the killer', async () => {
    const child = spawn(path.join(tmp, 'sleeper'), ['--flag'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 150));
    const killer = spawn('kill', ['-KILL', String(child.pid)], { stdio: 'ignore' });
    await new Promise((r) => child.on('exit', r));
    const e = await entry(child.pid!);
    expect(e).toMatchObject({ kind: 'signal', signal: 9, end: 'SIGKILL', feeds: ['ebpf'], ppid: process.pid, comm: 'sleeper' });
    expect(e.sender).toEqual({ pid: killer.pid, comm: 'kill' });
    expect(e.ageMs!).toBeGreaterThan(100);
    expect(e.cmdline).toBe(`${path.join(tmp, 'sleeper')} --flag`);
  }, 30_000);

  it('SIGSEGV: eBPF and the kernel log merge into one entry', async () => {
    const child = spawn(path.join(tmp, 'segv'), [], { stdio: 'ignore' });
    await new Promise((r) => child.on('exit', r));
    const e = await entry(child.pid!, (x) => x.feeds.length === 2);
    expect(e.feeds.sort()).toEqual(['ebpf', 'kmsg']);
    expect(e).toMatchObject({ signal: 11, sender: 'kernel', ppid: process.pid, fault: { addr: '10' } });
    expect(e.kmsgSeqs.length).toBeGreaterThan(0);
  }, 30_000);

  it('a process that lives for milliseconds and exits 7 is caught (exits toggle)', async () => {
    const child = spawn(path.join(tmp, 'quick'), [], { stdio: 'ignore' });
    await new Promise((r) => child.on('exit', r));
    const e = await entry(child.pid!);
    expect(e).toMatchObject({ kind: 'exit', exitCode: 7, end: 'exit 7', signal: null });
    expect(e.ageMs!).toBeLessThan(1000);
  }, 30_000);
});
