import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ProcessCollector } from '../../src/collectors/processes.js';

const ROOT = fileURLToPath(new URL('../fixtures/proc-hostile/proc', import.meta.url));

describe('ProcessCollector on a hostile fixture tree', () => {
  it('reads every well-formed task and skips the malformed one', () => {
    const c = new ProcessCollector({ procRoot: ROOT, needs: ['cmdline', 'status', 'statm', 'io', 'oom', 'cgroup'] });
    const s = c.collect(1000);
    const pids = s.tasks.map((t) => t.pid).sort((a, b) => a - b);
    expect(pids).toEqual([1, 2, 42, 77, 123]);
    const evil = s.tasks.find((t) => t.pid === 42)!;
    expect(evil.comm).toBe('a) (b c)');
    expect(evil.uid).toBe(1000);
    expect(evil.cmdline).toContain('\x1b[31m'); // raw here; sanitized at display
    const k = s.tasks.find((t) => t.pid === 2)!;
    expect(k.isKernelThread).toBe(true);
    const w = s.tasks.find((t) => t.pid === 123)!;
    expect(w.ioReadBytes).toBe(4096);
    expect(w.oomScore).toBe(55);
    expect(w.cgroup).toBe('/system.slice/worker.service');
    expect(w.swapKb).toBe(128);
    expect(s.system.stat.cpus).toHaveLength(2);
    // 99's stat is malformed: named in the counts, not counted as a process
    expect(s.counts).toEqual({ processes: 4, userThreads: 1, kernelThreads: 1, running: 1, sleeping: 2, stopped: 0, zombie: 1, malformed: 1 });
  });
  it('reads thread rows only when asked', () => {
    const without = new ProcessCollector({ procRoot: ROOT }).collect();
    expect(without.tasks.some((t) => t.isThread)).toBe(false);
    const withT = new ProcessCollector({ procRoot: ROOT, threads: true }).collect();
    const th = withT.tasks.filter((t) => t.isThread);
    expect(th.map((t) => t.pid)).toEqual([124]);
    expect(th[0].tgid).toBe(123);
  });
  it('does not read files for columns that are not shown', () => {
    const s = new ProcessCollector({ procRoot: ROOT }).collect();
    const w = s.tasks.find((t) => t.pid === 123)!;
    expect(w.cmdline).toBeUndefined();
    expect(w.ioReadBytes).toBeUndefined();
    expect(w.cgroup).toBeUndefined();
  });
  it('survives a root that does not exist', () => {
    const s = new ProcessCollector({ procRoot: '/nonexistent-proc' }).collect();
    expect(s.tasks).toEqual([]);
  });
});

describe('ProcessCollector on the live /proc', () => {
  it('sees this test process with its own cmdline', () => {
    const s = new ProcessCollector({ needs: ['cmdline', 'uid'] }).collect();
    const me = s.tasks.find((t) => t.pid === process.pid)!;
    expect(me).toBeDefined();
    expect(me.ppid).toBe(process.ppid);
    expect(me.uid).toBe(process.getuid!());
    expect(me.cmdline).toContain('node');
  });
  it('finds processes born and gone between two /proc listings (iterator ticks), and the same set as /proc', async () => {
    const { spawn } = await import('node:child_process');
    const c = new ProcessCollector({ needs: ['cmdline', 'uid'] });
    const pidsOf = (s: ReturnType<ProcessCollector['collect']>) => new Set(s.tasks.map((t) => t.pid));
    const first = pidsOf(c.collect()); // a listing tick
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const second = c.collect(); // within LIST_EVERY ticks: the iterator's set when it is in use
    expect(pidsOf(second).has(child.pid!)).toBe(true);
    expect(second.tasks.find((t) => t.pid === child.pid)!.cmdline).toBe('sleep 30');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(pidsOf(c.collect()).has(child.pid!)).toBe(false);
    // every pid /proc lists at both ends of a scan is in the sample (and the other way)
    const { listPids } = await import('../../src/collectors/procfs/read.js');
    const before = new Set(listPids());
    const s = pidsOf(c.collect());
    const after = new Set(listPids());
    for (const p of before) if (after.has(p)) expect(s.has(p), `pid ${p}`).toBe(true);
    for (const p of s) expect(before.has(p) || after.has(p), `pid ${p}`).toBe(true);
    expect(first.has(process.pid)).toBe(true);
  });
  it('tolerates processes exiting during the scan (1,000 short-lived children)', async () => {
    const { spawn } = await import('node:child_process');
    const c = new ProcessCollector({ needs: ['cmdline', 'status', 'statm', 'io', 'cgroup', 'oom'], threads: true });
    let spawned = 0;
    let scans = 0;
    const done = new Promise<void>((resolve) => {
      const next = () => {
        if (spawned >= 1000) return resolve();
        spawned++;
        const p = spawn('/bin/true', { stdio: 'ignore' });
        p.on('exit', next);
        p.on('error', next);
      };
      for (let i = 0; i < 8; i++) next();
    });
    const scanner = (async () => {
      while (spawned < 1000) {
        const s = c.collect();
        expect(s.tasks.length).toBeGreaterThan(0);
        scans++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all([done, scanner]);
    expect(scans).toBeGreaterThan(0);
  }, 60_000);
});

describe('ProcFdCache and display-only reads', () => {
  it('reads a kept-open file again with fresh content and closes files of vanished tasks', async () => {
    const { ProcFdCache } = await import('../../src/collectors/procfs/read.js');
    const { spawn } = await import('node:child_process');
    const cache = new ProcFdCache(100);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const path = `/proc/${child.pid}/stat`;
    const a = cache.readOwned(path)!;
    expect(a.text.startsWith(`${child.pid} (sleep)`)).toBe(true);
    expect(a.uid).toBe(process.getuid!());
    cache.sweep();
    expect(cache.size).toBe(1);
    child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 200));
    const b = cache.read(path)!;
    expect(b.split(') ')[1][0]).toBe('T'); // same fd, regenerated content
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(cache.read(path)).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.sweep();
    cache.close();
  });
  it('reads display-only columns for the listed pids and carries level values over', () => {
    const c = new ProcessCollector({ procRoot: ROOT });
    c.detailNeeds = new Set(['statm', 'oom']);
    c.detailPids = new Set([1]);
    const s1 = c.collect();
    expect(s1.tasks.find((t) => t.pid === 1)!.shrPages).toBe(2000);
    expect(s1.tasks.find((t) => t.pid === 123)!.oomScore).toBeUndefined();
    c.detailPids = new Set([123]);
    c.collect();
    c.detailPids = new Set([42]);
    const s3 = c.collect();
    expect(s3.tasks.find((t) => t.pid === 1)!.shrPages).toBe(2000); // carried over
    expect(s3.tasks.find((t) => t.pid === 123)!.oomScore).toBe(55); // carried over
  });
});

describe('deferred first sample (fast first frame)', () => {
  it('reads no cmdline or detail file until complete() names the drawn rows', () => {
    const c = new ProcessCollector({ procRoot: ROOT, needs: ['cmdline'] });
    c.detailNeeds = new Set(['statm', 'oom']);
    const s = c.collect(1000, { deferred: true });
    expect(s.tasks.map((t) => t.pid).sort((a, b) => a - b)).toEqual([1, 2, 42, 77, 123]);
    for (const t of s.tasks) {
      expect(t.cmdline).toBeUndefined();
      expect(t.shrPages).toBeUndefined();
      expect(t.oomScore).toBeUndefined();
    }
    c.complete(s, new Set([123, 42]));
    const w = s.tasks.find((t) => t.pid === 123)!;
    expect(w.cmdline).toBeTruthy();
    expect(w.oomScore).toBe(55);
    expect(s.tasks.find((t) => t.pid === 42)!.cmdline).toContain('\x1b[31m');
    expect(s.tasks.find((t) => t.pid === 1)!.cmdline).toBeUndefined();
    expect(s.tasks.find((t) => t.pid === 1)!.shrPages).toBeUndefined();
    // the next normal collect has what complete() read and reads the rest
    c.detailPids = new Set([123]);
    const s2 = c.collect(2000);
    expect(s2.tasks.find((t) => t.pid === 123)!.cmdline).toBe(w.cmdline);
    expect(s2.tasks.find((t) => t.pid === 1)!.cmdline).toBeDefined();
  });
});

describe('USER is the effective uid, as ps shows it', () => {
  const root = process.getuid?.() === 0;
  it.skipIf(!root)('even for a non-dumpable process whose /proc files belong to root (needs root to setuid; CI is root)', async () => {
    const { execFileSync, spawn } = await import('node:child_process');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-nondump-'));
    fs.writeFileSync(path.join(dir, 'nd.c'), '#include <sys/prctl.h>\n#include <unistd.h>\nint main(void){setgid(65534);setuid(65534);prctl(PR_SET_DUMPABLE,0,0,0,0);sleep(30);return 0;}\n');
    execFileSync('cc', ['-o', path.join(dir, 'nd'), path.join(dir, 'nd.c')]);
    const child = spawn(path.join(dir, 'nd'), { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(fs.statSync(`/proc/${child.pid}/stat`).uid).toBe(0); // the trap
      for (const bpfTasks of [false, true]) {
        const t = new ProcessCollector({ needs: ['uid'], bpfTasks }).collect().tasks.find((x) => x.pid === child.pid);
        expect(t?.uid, bpfTasks ? 'bpf' : 'proc').toBe(65534);
      }
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('thread rows (H) have SHR from the first sample that shows them', () => {
  // The rows on screen before H are processes only: their threads are not
  // among detailPids on the first tick that reads threads.
  for (const bpfTasks of [false, undefined]) {
    it(`${bpfTasks === false ? '/proc' : 'default (the task iterator as root)'}: no thread row without SHR, the /proc path exactly its process's`, () => {
      const c = new ProcessCollector({ threads: true, pids: new Set([process.pid]), bpfTasks, keepFds: false });
      c.needs = new Set(['uid']);
      c.detailNeeds = new Set(['statm']);
      c.detailPids = new Set([process.pid]);
      const s = c.collect();
      const proc = s.tasks.find((t) => t.pid === process.pid && !t.isThread)!;
      const threads = s.tasks.filter((t) => t.isThread && t.tgid === process.pid);
      expect(threads.length).toBeGreaterThan(0); // node always runs helper threads
      expect(proc.shrPages).toBeGreaterThan(0);
      for (const t of threads) {
        expect(t.shrPages, `thread ${t.pid}`).toBeGreaterThan(0);
        // the iterator's counter can differ from statm by its per-CPU batches (bpf-tasks.ts)
        if (c.statSource === 'proc') expect(t.shrPages).toBe(proc.shrPages);
      }
      c.dispose();
    });
  }
});

describe('ProcessCollector per-pid caches', () => {
  it('drop an exited process within PRUNE_EVERY collects (pruned every few ticks, not every tick)', async () => {
    const { spawn } = await import('node:child_process');
    const kid = spawn('/bin/sleep', ['1000'], { stdio: 'ignore' });
    await new Promise((r) => kid.once('spawn', r));
    const pid = kid.pid!;
    const c = new ProcessCollector({ needs: ['cmdline', 'uid'] });
    c.detailNeeds = new Set(['statm']);
    const caches = c as unknown as { cmdlineCache: Map<number, unknown>; lastLevels: Map<number, unknown> };
    try {
      const s = c.collect();
      expect(s.tasks.find((t) => t.pid === pid)?.cmdline).toBe('/bin/sleep 1000');
      expect(caches.cmdlineCache.has(pid)).toBe(true);
      expect([...caches.lastLevels.keys()].some((k) => Math.floor(k / 1e12) === pid)).toBe(true);
      kid.kill('SIGKILL');
      await new Promise((r) => kid.once('exit', r));
      for (let i = 0; i < ProcessCollector.PRUNE_EVERY; i++) c.collect();
      expect(caches.cmdlineCache.has(pid)).toBe(false);
      expect([...caches.lastLevels.keys()].some((k) => Math.floor(k / 1e12) === pid)).toBe(false);
      // and a live process keeps its entry through the prunes
      expect(caches.cmdlineCache.has(process.pid)).toBe(true);
    } finally {
      kid.kill('SIGKILL');
      c.dispose();
    }
  });
});
