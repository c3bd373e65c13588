// Crashes real programs on purpose (root only, as in CI) and checks what the
// kernel-log feeder makes of them: the timeline entry, the kernel-log lines
// linked to it, the core dump file and its notes, and both dump views.
// Machine settings changed here (core_pattern, print-fatal-signals,
// exception-trace) are saved first and restored in afterAll, even on failure;
// the memory cgroup made for the OOM test is removed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FailuresHub } from '../../src/failures/hub.js';
import { collectModel } from '../../src/failures/source.js';
import { readCoreFileInfo, readCorePattern } from '../../src/collectors/coredump.js';
import { listDumps } from '../../src/failures/core-finder.js';
import { failuresDump, kmsgDump } from '../../src/failures/dump.js';
import type { DumpOptions } from '../../src/model/dump-view.js';
import type { EntryRow, FailuresModel } from '../../src/model/failures.js';
import { gate, missingProgram } from '../helpers/native.js';

const isRoot = process.getuid?.() === 0;
const canKmsg = (() => { try { fs.closeSync(fs.openSync('/dev/kmsg', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)); return true; } catch { return false; } })();
const skipReason = gate('test/failures/crash', !isRoot ? 'not root' : missingProgram('cc') ?? (!canKmsg ? 'cannot read /dev/kmsg' : null));

const SYSCTLS = ['/proc/sys/kernel/core_pattern', '/proc/sys/kernel/print-fatal-signals', '/proc/sys/debug/exception-trace', '/proc/sys/kernel/core_uses_pid'];
const saved = new Map<string, string>();
let tmp = '';
let cores = '';
let cgroupDir: string | null = null;
let hub: FailuresHub;
const pids: Record<string, number> = {};

const PROGS: Record<string, string> = {
  segv: '#include <stdio.h>\nint main(int c, char **v) { volatile int *p = (int *)0x10; printf("%d\\n", c); *p = 1; return 0; }\n',
  abrt: '#include <stdlib.h>\nint main(void) { abort(); }\n',
  sleeper: '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n',
  hog: '#include <stdlib.h>\n#include <string.h>\nint main(void) { for (;;) { char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); } }\n',
};

function write(p: string, v: string): void {
  fs.writeFileSync(p, v);
}

/** Run a program through sh (to set limits); exec keeps the pid. Resolves with pid and how it ended. */
function runCrasher(script: string, args: string[] = []): Promise<{ pid: number; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script, 'sh', ...args], { cwd: tmp, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ pid: child.pid!, code, signal }));
  });
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function model(): Promise<FailuresModel> {
  await hub.pollKmsg(true);
  const pattern = readCorePattern();
  return collectModel(hub, { showExits: true, sinceBoot: false, pattern, patternError: null, dumps: listDumps(pattern), target: null });
}

async function entryFor(pid: number, pred: (e: EntryRow) => boolean = () => true): Promise<{ m: FailuresModel; e: EntryRow }> {
  return waitFor(`timeline entry for pid ${pid}`, async () => {
    const m = await model();
    const e = m.entries.find((x) => x.pid === pid && pred(x));
    return e ? { m, e } : undefined;
  });
}

function dumpOpts(format: 'json' | 'text', flags: Record<string, string | boolean>): { o: DumpOptions; out: string[] } {
  const out: string[] = [];
  return { out, o: { n: 1, delaySec: 1, format, flags, out: (s) => out.push(s), err: (s) => out.push(`ERR ${s}`), signal: new AbortController().signal } };
}

describe.skipIf(!!skipReason)('failures from real crashes (kernel log feeder)', () => {
  beforeAll(async () => {
    for (const p of SYSCTLS) { try { saved.set(p, fs.readFileSync(p, 'utf8')); } catch { /* absent */ } }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-crash-'));
    cores = path.join(tmp, 'cores');
    fs.mkdirSync(cores);
    for (const [name, src] of Object.entries(PROGS)) {
      write(path.join(tmp, `${name}.c`), src);
      execFileSync('cc', ['-g', '-O0', '-o', path.join(tmp, name), path.join(tmp, `${name}.c`)]);
    }
    write('/proc/sys/kernel/core_pattern', `${cores}/core.%e.%p.%t`);
    write('/proc/sys/kernel/core_uses_pid', '0');
    // The kernel logs SIGABRT deaths only with print-fatal-signals; segfault lines need exception-trace.
    write('/proc/sys/kernel/print-fatal-signals', '1');
    if (saved.has('/proc/sys/debug/exception-trace')) write('/proc/sys/debug/exception-trace', '1');
    hub = new FailuresHub();
    await hub.pollKmsg(true); // the backlog before the test is not ours
  }, 60_000);

  afterAll(() => {
    const errors: string[] = [];
    for (const [p, v] of saved) { try { write(p, v.replace(/\n$/, '')); } catch (e) { errors.push(`${p}: ${(e as Error).message}`); } }
    hub?.close();
    if (cgroupDir) { try { fs.rmdirSync(cgroupDir); } catch (e) { errors.push(`rmdir ${cgroupDir}: ${(e as Error).message}`); } }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (errors.length) throw new Error(errors.join('; '));
  });

  it('SIGSEGV with a core dump: entry, linked kernel-log line, core file with its executable', async () => {
    const r = await runCrasher('ulimit -c unlimited; exec ./segv first-arg');
    expect(r.signal).toBe('SIGSEGV');
    pids.segv = r.pid;
    const { m, e } = await entryFor(r.pid, (x) => x.signal === 11);
    expect(e).toMatchObject({ kind: 'signal', comm: 'segv', signal: 11, sender: 'kernel', end: 'SIGSEGV' });
    expect(e.feeds).toEqual(['kmsg']);
    expect(e.fault?.addr).toBe('10');
    // print-fatal-signals adds a second line for the same death: merged, not a second entry.
    expect(m.entries.filter((x) => x.pid === r.pid).length).toBe(1);
    const lines = m.kmsg.filter((l) => l.entryId === e.id);
    expect(lines.some((l) => l.highlight === 'segfault' && l.text.includes(`segv[${r.pid}]: segfault at 10`))).toBe(true);
    // The core: found by the pattern, linked to the entry, identified from its notes.
    expect(e.dump?.path).toMatch(new RegExp(`/cores/core\\.segv\\.${r.pid}\\.\\d+$`));
    expect(e.coreDumped).toBe(true);
    expect(m.dumps.find((d) => d.pid === r.pid)?.entryId).toBe(e.id);
    const info = readCoreFileInfo(e.dump!.path)!;
    expect(info).toMatchObject({ pid: r.pid, signal: 11, fname: 'segv', exe: path.join(tmp, 'segv') });
    expect(info.psargs).toBe('./segv first-arg');
    expect(fs.statSync(e.dump!.path).size).toBeGreaterThan(4096);
  }, 30_000);

  it('SIGABRT: seen through print-fatal-signals, pid from the register dump, core linked', async () => {
    const r = await runCrasher('ulimit -c unlimited; exec ./abrt');
    expect(r.signal).toBe('SIGABRT');
    const { e } = await entryFor(r.pid, (x) => x.signal === 6);
    expect(e).toMatchObject({ kind: 'signal', comm: 'abrt', end: 'SIGABRT', feeds: ['kmsg'] });
    expect(e.dump?.path).toContain(`core.abrt.${r.pid}.`);
  }, 30_000);

  it('SIGABRT without core dumps (limit 0): no core written, entry without a core', async () => {
    const r = await runCrasher('ulimit -c 0; exec ./abrt');
    const { e } = await entryFor(r.pid, (x) => x.signal === 6);
    expect(e.dump).toBeNull();
    expect(fs.readdirSync(cores).some((f) => f.includes(`.${r.pid}.`))).toBe(false);
  }, 30_000);

  it('SIGKILL from another process is invisible to the kernel log (needs eBPF), and says so', async () => {
    const child = spawn(path.join(tmp, 'sleeper'), [], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
    execFileSync('kill', ['-KILL', String(child.pid)]);
    await new Promise((r) => child.on('exit', r));
    const m = await model();
    expect(m.entries.find((x) => x.pid === child.pid)).toBeUndefined();
    expect(m.hints.join(' ')).toMatch(/kill\(2\) deaths .* eBPF/);
  }, 30_000);

  it('OOM kill in a memory-limited cgroup: victim memory, oom_score_adj, memcg, triggering task', async () => {
    // cgroup v2 with the memory controller, else v1's memory hierarchy.
    const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') && fs.readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/).includes('memory');
    const name = `ostop-test-oom-${process.pid}`;
    if (v2) {
      const ctl = fs.readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8');
      if (!ctl.split(/\s+/).includes('memory')) write('/sys/fs/cgroup/cgroup.subtree_control', '+memory');
      cgroupDir = path.join('/sys/fs/cgroup', name);
      fs.mkdirSync(cgroupDir);
      write(path.join(cgroupDir, 'memory.max'), '64M');
      write(path.join(cgroupDir, 'memory.swap.max'), '0');
    } else {
      expect(fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes'), 'no memory cgroup (v1 or v2) on this machine').toBe(true);
      cgroupDir = path.join('/sys/fs/cgroup/memory', name);
      fs.mkdirSync(cgroupDir);
      write(path.join(cgroupDir, 'memory.limit_in_bytes'), String(64 << 20));
      try { write(path.join(cgroupDir, 'memory.memsw.limit_in_bytes'), String(64 << 20)); } catch { /* no swap accounting */ }
    }
    const r = await runCrasher(`echo 500 > /proc/self/oom_score_adj; echo $$ > ${cgroupDir}/cgroup.procs; exec ./hog`);
    expect(r.signal).toBe('SIGKILL');
    pids.hog = r.pid;
    const { m, e } = await entryFor(r.pid, (x) => x.kind === 'oom');
    expect(e).toMatchObject({ kind: 'oom', comm: 'hog', signal: 9, coreDumped: false, end: 'OOM kill', sender: { pid: r.pid, comm: 'hog' } });
    expect(e.oom!.rssKb!).toBeGreaterThan(48 * 1024);
    expect(e.oom!.rssKb!).toBeLessThanOrEqual(66 * 1024);
    expect(e.oom).toMatchObject({ oomScoreAdj: 500, constraint: 'CONSTRAINT_MEMCG', memcg: `/${name}`, triggerPid: r.pid, triggerComm: 'hog' });
    const oomLines = m.kmsg.filter((l) => l.entryId === e.id);
    expect(oomLines.map((l) => l.text).join('\n')).toMatch(/invoked oom-killer[\s\S]*oom-kill:constraint=CONSTRAINT_MEMCG[\s\S]*Killed process \d+ \(hog\)/);
    // Tidy up now (afterAll retries if this fails).
    await waitFor('cgroup empty', async () => {
      try { fs.rmdirSync(cgroupDir!); cgroupDir = null; return true; } catch { return undefined; }
    }, 5000).catch(() => {});
  }, 60_000);

  it('ostop dump failures --since 10m --format json prints these entries with their cores', async () => {
    const { o, out } = dumpOpts('json', { since: '10m' });
    expect(await failuresDump.run(o)).toBe(0);
    const doc = JSON.parse(out.join(''));
    expect(doc.core_pattern).toMatchObject({ kind: 'file', pattern: `${cores}/core.%e.%p.%t` });
    const segv = doc.entries.find((x: { pid: number }) => x.pid === pids.segv);
    expect(segv).toMatchObject({ kind: 'signal', signal_name: 'SIGSEGV', feeds: ['kmsg'], core_dumped: true, sender: { type: 'kernel' } });
    expect(segv.core_file).toMatch(/core\.segv\.\d+\.\d+$/);
    expect(segv.kmsg_seqs.length).toBeGreaterThan(0);
    const oom = doc.entries.find((x: { pid: number; kind: string }) => x.pid === pids.hog && x.kind === 'oom');
    expect(oom.oom).toMatchObject({ oom_score_adj: 500, constraint: 'CONSTRAINT_MEMCG', trigger_comm: 'hog' });
    expect(doc.dumps.some((d: { entry_id: number | null; path: string }) => d.entry_id === segv.id && d.path === segv.core_file)).toBe(true);
    // --since excludes older entries.
    const { o: o2, out: out2 } = dumpOpts('json', { since: '1ms' });
    await failuresDump.run(o2);
    expect(JSON.parse(out2.join('')).entries.length).toBe(0);
  }, 30_000);

  it('ostop dump failures (text) and ostop dump kmsg --level err', async () => {
    const { o, out } = dumpOpts('text', { since: '10m' });
    expect(await failuresDump.run(o)).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/^core_pattern: .*cores\/core\.%e\.%p\.%t \(file\)/m);
    expect(text).toMatch(new RegExp(`kmsg\\s+${pids.segv}\\s+-\\s+segv\\s+SIGSEGV\\s+kernel\\s+yes`));
    expect(text).toMatch(/OOM kill/);
    const k = dumpOpts('json', { level: 'err', since: '10m' });
    expect(await kmsgDump.run(k.o)).toBe(0);
    const lines = k.out.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.level <= 3)).toBe(true);
    expect(lines.some((l) => l.highlight === 'oom' && l.entry_id !== null && /Killed process/.test(l.message))).toBe(true);
    const bad = dumpOpts('text', { level: 'loud' });
    await expect(kmsgDump.run(bad.o)).rejects.toThrow(/invalid --level/);
  }, 30_000);
});

