// A drilled-in process that ends: the drill-in keeps the values read while
// it lived (command line, exe, cwd, open fds, cgroup), never the zombie's
// torn-down state, and says how it ended:
//  - any user: from the zombie's exit_code in /proc/PID/stat ("killed by
//    SIGTERM", no sender: only the exit tracer sees who sent it);
//  - root: from the exit tracer the failures recorder already runs (the
//    hub's exitsOf), "killed by SIGTERM from PID N (kill)", also when the
//    parent reaps at once and no zombie is ever seen;
//  - in a real pty, `ostop -p PID` as root: the screen says all that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcessSource } from '../../src/views/process-source.js';
import { readProcDetail } from '../../src/collectors/proc-detail-read.js';
import { FailuresHub } from '../../src/failures/hub.js';
import { createExitTracerFeed } from '../../src/failures/exit-feed.js';
import { tracerManager } from '../../src/tracers/manager.js';
import { createProcessDump, formatProcessText } from '../../src/views/process-dump.js';
import { spawnOstop, type PtyApp } from '../helpers/pty.js';
import type { ProcessDetailModel } from '../../src/model/process-detail.js';
import { gate } from '../helpers/native.js';

const linux = process.platform === 'linux' && fs.existsSync('/proc/self/stat');
const isRoot = process.getuid?.() === 0;
const SLEEP = fs.realpathSync('/bin/sleep');

let dir = '';
let known = '';

function statOf(pid: number): { state: string; fields: string[] } | null {
  try {
    const t = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = t.slice(t.lastIndexOf(')') + 2).trim().split(/\s+/);
    return { state: f[0], fields: f };
  } catch {
    return null;
  }
}

async function until<T>(what: string, f: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * `sleep 1000` holding `known` open as fd 3, child of a shell that then
 * execs a sleep of its own: nothing reaps the victim, so it stays a zombie.
 */
async function unreapedVictim(): Promise<{ holder: ChildProcess; pid: number }> {
  const holder = spawn('sh', ['-c', 'sleep 1000 3<"$1" & echo $!; exec sleep 1000', 'sh', known], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((res, rej) => {
    holder.stdout!.once('data', (d: Buffer) => res(Number(d.toString().trim())));
    holder.once('exit', () => rej(new Error('holder exited')));
  });
  await until('the victim to exec sleep', () => fs.existsSync(`/proc/${pid}/fd/3`) && fs.readlinkSync(`/proc/${pid}/exe`) === SLEEP);
  return { holder, pid };
}

/** What a live sample said about the victim, for comparing with what is kept. */
function liveFacts(m: ProcessDetailModel) {
  return { exe: m.identity.exe, cwd: m.identity.cwd, cmdline: m.identity.cmdline, cgroup: m.identity.cgroup, fdTotal: m.fdTotal, fds: m.fds.map((f) => f.target), comm: m.identity.comm };
}

beforeAll(() => {
  if (!linux) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-drill-exit-'));
  known = path.join(dir, 'held open.txt');
  fs.writeFileSync(known, 'x');
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!linux)('drill-in of a process that is killed (zombie, any user)', () => {
  it('keeps cmd/exe/cwd/fds/cgroup read while it lived, and says "killed by SIGTERM" from the zombie\'s exit_code', async () => {
    const { holder, pid } = await unreapedVictim();
    try {
      const src = new ProcessSource();
      src.collect(0, { pid });
      const live = src.model()!;
      expect(live.status).toBe('alive');
      const facts = liveFacts(live);
      expect(facts).toMatchObject({ exe: SLEEP, cwd: dir, cmdline: ['sleep', '1000'] });
      expect(facts.fds).toContain(known);
      process.kill(pid, 'SIGTERM');
      await until('the victim to be a zombie', () => statOf(pid)?.state === 'Z');
      src.collect(0, { pid });
      const m = src.model()!;
      expect(m.status).toBe('exited');
      expect(liveFacts(m)).toEqual(facts);
      expect(m.identity.state).toBe(live.identity.state); // not 'Z'
      expect(m.end).toMatchObject({ signal: 15, signalName: 'SIGTERM', exitCode: null, coreDumped: false, source: 'zombie', summary: 'killed by SIGTERM' });
      expect(m.endNote).toMatch(/sender unknown/);
      // What /proc shows now, the zombie's torn-down state, is what was not shown
      const z = readProcDetail(pid);
      expect(z.dying).toBe(true);
      expect(z.fdTotal ?? 0).toBe(0);
      expect(z.cmdline ?? []).toEqual([]);
      // The text dump of that model says the same
      const text = formatProcessText(m);
      expect(text).toMatch(/^PID \d+ EXITED at .*\(last values shown\)/m);
      expect(text).toContain('  ended   killed by SIGTERM  (sender unknown');
      expect(text).toContain(`cmdline sleep 1000`);
      expect(text).toContain(known);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 30_000);

  it('a process first seen as a zombie, and an exit code: "exited with code 3"', async () => {
    const holder = spawn('sh', ['-c', '(sleep 0.3; exit 3) & echo $!; exec sleep 1000'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((res) => holder.stdout!.once('data', (d: Buffer) => res(Number(d.toString().trim()))));
      await until('the subshell to be a zombie', () => statOf(pid)?.state === 'Z');
      const src = new ProcessSource();
      src.collect(0, { pid });
      const m = src.model()!;
      expect(m.status).toBe('exited');
      expect(m.end).toMatchObject({ exitCode: 3, signal: null, summary: 'exited with code 3', source: 'zombie' });
      expect(m.endNote).toBeNull();
    } finally {
      holder.kill('SIGKILL');
    }
  }, 30_000);

  it('ostop dump process: the last report keeps the live values and says how it ended', async () => {
    const { holder, pid } = await unreapedVictim();
    try {
      const out: string[] = [];
      const ac = new AbortController();
      const run = createProcessDump().run({ n: 50, delaySec: 0.2, format: 'json', flags: { pid: String(pid) }, out: (s) => out.push(s), err: (s) => out.push(s), signal: ac.signal });
      await until('a first report', () => out.length > 0);
      process.kill(pid, 'SIGTERM');
      expect(await run).toBe(0);
      const last = JSON.parse(out[out.length - 1]);
      expect(last.status).toBe('exited');
      expect(last.identity).toMatchObject({ exe: SLEEP, cmdline: ['sleep', '1000'], cwd: dir });
      expect(last.fds.map((f: { target: string }) => f.target)).toContain(known);
      expect(last.end).toMatchObject({ signal: 15, summary: 'killed by SIGTERM' });
    } finally {
      holder.kill('SIGKILL');
    }
  }, 30_000);
});

let tracerWhyNot = '';
if (!isRoot) tracerWhyNot = 'not root';
else {
  try {
    tracerManager().start('exit');
    tracerManager().stop('exit');
  } catch (e) {
    tracerWhyNot = `exit tracer cannot start: ${(e as Error).message}`;
  }
}
tracerWhyNot = gate('test/failures/drill-exit exit-tracer', tracerWhyNot || null) ?? '';

describe.skipIf(!linux || !!tracerWhyNot)('drill-in of a killed process with the exit tracer (root)', () => {
  let hub: FailuresHub;
  beforeAll(async () => {
    hub = new FailuresHub({ ebpfFeed: () => createExitTracerFeed() });
    await hub.startEbpf();
    expect(hub.feedStatus().find((f) => f.name === 'ebpf')?.active, hub.ebpfNote ?? '').toBe(true);
  }, 60_000);
  afterAll(() => hub?.close());

  it('"killed by SIGTERM from PID N (kill)", the parent reaping at once (no zombie ever read)', async () => {
    const victim = spawn(SLEEP, ['1000'], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore', fs.openSync(known, 'r')] });
    await until('the victim', () => fs.existsSync(`/proc/${victim.pid}/fd/3`) && fs.readlinkSync(`/proc/${victim.pid}/exe`) === SLEEP);
    const src = new ProcessSource({ exitsOf: (pid) => hub.exitsOf(pid) });
    src.collect(0, { pid: victim.pid! });
    const facts = liveFacts(src.model()!);
    expect(facts.fds).toContain(known);
    const killer = spawn('kill', ['-TERM', String(victim.pid)], { stdio: 'ignore' });
    await new Promise((r) => victim.once('exit', r)); // node reaps it
    const m = await until('the end with its sender', async () => {
      tracerManager().poll();
      await hub.pollEbpf();
      src.collect(0, { pid: victim.pid! });
      const x = src.model()!;
      return x.end?.source === 'ebpf' ? x : undefined;
    }).catch(() => src.model()!);
    expect(m.status).toBe('exited');
    expect(liveFacts(m)).toEqual(facts);
    expect(m.end).toMatchObject({ signal: 15, sender: { pid: killer.pid, comm: 'kill' }, source: 'ebpf', oomKilled: false });
    expect(m.end!.summary).toBe(`killed by SIGTERM from PID ${killer.pid} (kill)`);
    expect(m.endNote).toBeNull();
  }, 30_000);
});

describe.skipIf(!linux || !!tracerWhyNot)('ostop -p PID in a pty (root): the process screen after a kill', () => {
  let app: PtyApp;
  let victim: ChildProcess;
  afterAll(async () => {
    await app?.dispose();
    victim?.kill('SIGKILL');
  });

  it('keeps cmd, exe and fds and says "killed by SIGTERM from PID N"', async () => {
    victim = spawn(SLEEP, ['1000'], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore', fs.openSync(known, 'r')] });
    await until('the victim', () => fs.existsSync(`/proc/${victim.pid}/fd/3`));
    app = spawnOstop(['-d', '0.5', '-p', String(victim.pid)], { cols: 160, rows: 40 });
    await app.waitForText(new RegExp(`PID ${victim.pid}\\b`), 20000);
    await app.waitForText('held open.txt', 10000);
    const fdCount = Number(/FDs\((\d+)\)/.exec(app.screenText())![1]);
    expect(fdCount).toBe(fs.readdirSync(`/proc/${victim.pid}/fd`).length);
    // The failures recorder attaches the exit tracer just after the first frame: wait for its
    // tracepoint links (fdinfo names them) in ostop, so the kill happens while it records.
    const tracepoints = () => fs.readdirSync(`/proc/${app.pid}/fdinfo`).map((f) => {
      try { return /^tp_name:\s*(\S+)/m.exec(fs.readFileSync(`/proc/${app.pid}/fdinfo/${f}`, 'utf8'))?.[1]; } catch { return undefined; }
    });
    await until('ostop attaching the exit tracer', () => { const t = tracepoints(); return t.includes('sched_process_exit') && t.includes('signal_generate'); }, 15000);
    const killer = spawn('kill', ['-TERM', String(victim.pid)], { stdio: 'ignore' });
    await app.waitForText(new RegExp(`killed by SIGTERM from PID ${killer.pid} \\(kill\\)`), 10000);
    const s = app.screenText();
    expect(s).toMatch(/EXITED at \d\d:\d\d:\d\d/);
    expect(s).toContain(`cmd ${SLEEP} 1000`);
    expect(s).toContain(`exe ${SLEEP}`);
    expect(s).toContain(`cwd ${dir}`);
    expect(s).toContain(`FDs(${fdCount})`);
    expect(s).toContain('held open.txt');
  }, 60_000);
});
