// Privileged: the CPU profiler (native/bpf/profile.bpf.c) and the off-CPU
// profiler (offcpu.bpf.c) on real processes, and the addon's stackTraces():
// profile attaches to a cpu-clock perf event on every online CPU, counts a
// busy child with kernel and user stacks, and leaves nothing attached after
// stop() or after its process is killed; offcpu attributes a child's
// nanosleep to one stack with the slept time.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative, nativeAddonPath, type NativeAddon, type NativeLayout } from '../../src/native.js';
import { gate, liveTracerSkipReason, missingProgram } from '../helpers/native.js';
import { waitFor, waitUnloaded } from './bpf-helpers.js';

const skip = liveTracerSkipReason('profile') ?? liveTracerSkipReason('offcpu') ?? gate('profile live', missingProgram('cc', 'bpftool'));

function addon(): NativeAddon {
  const n = loadNative();
  if (!n.ok) throw n.error;
  return n.addon;
}

function onlineCpus(): number {
  let n = 0;
  for (const part of readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    n += (b ?? a) - a + 1;
  }
  return n;
}

/** bpftool's links of the given program ids (type perf_event for the profiler). */
function linksOf(progIds: number[]): { id: number; type: string; prog_id: number }[] {
  const all = JSON.parse(execFileSync('bpftool', ['-j', 'link', 'show'], { encoding: 'utf8' }) || '[]') as { id: number; type: string; prog_id: number }[];
  return all.filter((l) => progIds.includes(l.prog_id));
}

interface Row { pid: number; tid: number; kstack: number; ustack: number; comm: string; a: number; b: number }

/** Decodes a counts dump with the C layout: value = one u64 (profile) or two (offcpu). */
function decodeCounts(a: NativeAddon, id: number, keyLayout: NativeLayout): Row[] {
  const d = a.mapDump(id, 'counts');
  expect(d.keySize).toBe(keyLayout.size);
  const dv = new DataView(d.data);
  const f = keyLayout.fields;
  const rows: Row[] = [];
  const rec = d.keySize + d.valueSize;
  for (let i = 0; i < d.count; i++) {
    const o = i * rec;
    const comm = Buffer.from(d.data, o + f.comm.offset, f.comm.size).toString('latin1').replace(/\0.*$/s, '');
    rows.push({
      pid: dv.getUint32(o + f.pid.offset, true),
      tid: dv.getUint32(o + f.tid.offset, true),
      kstack: dv.getInt32(o + f.kstack.offset, true),
      ustack: dv.getInt32(o + f.ustack.offset, true),
      comm,
      a: Number(dv.getBigUint64(o + d.keySize, true)),
      b: d.valueSize >= 16 ? Number(dv.getBigUint64(o + d.keySize + 8, true)) : 0,
    });
  }
  return rows;
}

/** Sum over CPUs of the per-CPU `stats` struct, by field name from the C layout. */
function stats(a: NativeAddon, id: number, layout: NativeLayout): Record<string, number> {
  const d = a.mapDump(id, 'stats');
  expect(d.count).toBe(1);
  const per = (layout.size + 7) & ~7;
  const dv = new DataView(d.data, d.keySize);
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(layout.fields)) {
    out[name] = 0;
    for (let cpu = 0; cpu * per < d.valueSize; cpu++) out[name] += Number(dv.getBigUint64(cpu * per + f.offset, true));
  }
  return out;
}

const KERNEL_IP = 0xffff800000000000n;

describe.skipIf(skip !== null)('profile and offcpu tracers (root)', () => {
  let dir = '';
  const children: ChildProcess[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ostop-profile-'));
    // Half user-mode spinning, half kernel time (reading /dev/urandom), for 4 s at most.
    writeFileSync(join(dir, 'busy.c'), `
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
static char buf[65536];
__attribute__((noinline)) static unsigned long spin(unsigned long n) { volatile unsigned long x = 0; for (unsigned long i = 0; i < n; i++) x += i; return x; }
int main(void) {
  int fd = open("/dev/urandom", O_RDONLY);
  time_t end = time(0) + 4;
  while (time(0) < end) { spin(2000000); if (read(fd, buf, sizeof buf) < 0) return 1; }
  return 0;
}
`);
    execFileSync('cc', ['-O1', '-fno-omit-frame-pointer', '-o', join(dir, 'busy'), join(dir, 'busy.c')]);
  });
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A child that waits for a line on stdin, then execs `argv` (so a PID filter can be set before it runs). */
  function gated(argv: string[]): { child: ChildProcess; go: () => void; exited: Promise<void> } {
    const child = spawn('sh', ['-c', 'read x; exec "$@"', 'sh', ...argv], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    return { child, go: () => child.stdin!.end('\n'), exited };
  }

  it('profile: attached on every online CPU, counts a busy child with kernel and user stacks; stackTraces gives its IPs', async () => {
    const a = addon();
    const L = a.layouts().profile;
    expect(L.profile_key.size).toBe(32);
    const { child, go, exited } = gated([join(dir, 'busy')]);
    const r = a.start('profile', { perfFreq: 99, pid: child.pid });
    let progIds: number[] = [];
    try {
      expect(r.attached).toEqual(['ostop_profile']);
      progIds = a.programs(r.id).map((p) => p.id!);
      expect(progIds.length).toBe(1);
      const links = linksOf(progIds);
      expect(links.length).toBe(onlineCpus());
      for (const l of links) expect(l.type).toBe('perf_event');

      go();
      await new Promise((res) => setTimeout(res, 1500));
      const rows = decodeCounts(a, r.id, L.profile_key);
      child.kill('SIGKILL');
      await exited;
      // new_pids: the child queued once (known_pids keeps it from coming back), drained by a dump with clear.
      const q = a.mapDump(r.id, 'new_pids', true);
      expect(q.keySize).toBe(4);
      expect(Array.from({ length: q.count }, (_, i) => new DataView(q.data).getUint32(i * (q.keySize + q.valueSize), true))).toEqual([child.pid]);
      expect(a.mapDump(r.id, 'new_pids').count).toBe(0);
      // inserts: every entry ever added to counts (nothing deleted yet), read without reading counts.
      const ins = a.mapDump(r.id, 'inserts');
      expect(ins.count).toBe(1);
      expect(Number(new DataView(ins.data).getBigUint64(ins.keySize, true))).toBe(decodeCounts(a, r.id, L.profile_key).length);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.pid).toBe(child.pid); // the PID filter
      const samples = rows.reduce((s, x) => s + x.a, 0);
      // 1.5 s at 99 Hz of a process that is always runnable: ~150 samples when it has a CPU to itself
      expect(samples).toBeGreaterThanOrEqual(20);
      // The gate's sh may take a sample between reading its line and exec'ing busy.
      expect(rows.filter((x) => x.comm !== 'busy' && x.comm !== 'sh').map((x) => x.comm)).toEqual([]);
      const busy = rows.filter((x) => x.comm === 'busy').reduce((s, x) => s + x.a, 0);
      expect(busy).toBeGreaterThanOrEqual(0.9 * samples);
      const withK = rows.filter((x) => x.kstack >= 0);
      const withU = rows.filter((x) => x.ustack >= 0);
      expect(withK.length).toBeGreaterThan(0);
      expect(withU.length).toBeGreaterThan(0);
      // user-mode samples have no kernel stack (-EFAULT), never a "loss"
      for (const x of rows) if (x.kstack < 0) expect(x.kstack).toBe(-14);

      const st = stats(a, r.id, L.profile_stats);
      expect(st.samples).toBeGreaterThanOrEqual(samples);
      expect(st.counts_full).toBe(0);
      expect(st.idle).toBe(0); // the PID filter excludes the idle task too

      // stackTraces: kernel ids give kernel-half IPs, user ids user-half IPs; -1 and an unknown id give zeros
      const depth = a.stackDepth();
      expect(depth).toBe(127);
      const ids = [withK[0].kstack, withU[0].ustack, -14, 0x7ffffff0];
      for (const input of [ids, Int32Array.from(ids)]) {
        const buf = a.stackTraces(r.id, 'stacks', input);
        expect(buf.byteLength).toBe(ids.length * depth * 8);
        const ips = new BigUint64Array(buf);
        const stack = (i: number) => {
          const s = [...ips.subarray(i * depth, (i + 1) * depth)];
          const end = s.indexOf(0n);
          return end < 0 ? s : s.slice(0, end);
        };
        expect(stack(0).length).toBeGreaterThan(0);
        for (const ip of stack(0)) expect(ip >= KERNEL_IP).toBe(true);
        expect(stack(1).length).toBeGreaterThan(0);
        for (const ip of stack(1)) expect(ip < KERNEL_IP).toBe(true);
        expect(ips.subarray(2 * depth).every((x) => x === 0n)).toBe(true);
      }
      // remove: the stacks read leave the map; mapClear empties counts (the child is dead: nothing refills it)
      const kept = new BigUint64Array(a.stackTraces(r.id, 'stacks', [withU[0].ustack], true));
      expect(kept[0]).not.toBe(0n);
      expect(new BigUint64Array(a.stackTraces(r.id, 'stacks', [withU[0].ustack])).every((x) => x === 0n)).toBe(true);
      expect(a.mapClear(r.id, 'counts')).toBe(rows.length);
      expect(a.mapDump(r.id, 'counts').count).toBe(0);
      // A stack-trace map has no batch operations: mapDump walks it entry by entry.
      const sd = a.mapDump(r.id, 'stacks');
      expect(sd.valueSize).toBe(depth * 8);
      expect(sd.count).toBeGreaterThan(0);
      expect(a.mapClear(r.id, 'stacks')).toBe(sd.count);
      expect(new BigUint64Array(a.stackTraces(r.id, 'stacks', [withK[0].kstack])).every((x) => x === 0n)).toBe(true);
      expect(() => a.mapClear(r.id, 'stats')).toThrow(/cannot be cleared/);
      expect(() => a.stackTraces(r.id, 'counts', [1])).toThrow(/not a stack-trace map/);
      expect(() => a.stackTraces(r.id, 'nope', [1])).toThrow(/has no map nope/);
      expect(() => a.stackTraces(r.id, 'stacks', new Uint32Array(2) as unknown as Int32Array)).toThrow(/Int32Array/);
    } finally {
      a.stop(r.id);
    }
    await waitFor(() => a.stopping() === 0, 10_000);
    expect(await waitUnloaded(progIds)).toEqual([]);
    expect(linksOf(progIds)).toEqual([]);
  });

  it('profile: system-wide, every CPU is sampled at the asked rate (idle time counted in stats.idle)', async () => {
    const a = addon();
    const L = a.layouts().profile;
    const hz = 99;
    const r = a.start('profile', { perfFreq: hz });
    let progIds: number[] = [];
    const t0 = process.hrtime.bigint();
    try {
      progIds = a.programs(r.id).map((p) => p.id!);
      await new Promise((res) => setTimeout(res, 1000));
      const st = stats(a, r.id, L.profile_stats);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const expected = onlineCpus() * hz * secs;
      // every online CPU's clock ticks, busy or idle
      expect(st.samples + st.idle).toBeGreaterThan(expected * 0.7);
      expect(st.samples + st.idle).toBeLessThan(expected * 1.2);
      const rows = decodeCounts(a, r.id, L.profile_key);
      expect(rows.some((x) => x.pid === 0)).toBe(false); // targ_idle is off
    } finally {
      a.stop(r.id, true);
    }
    expect(await waitUnloaded(progIds)).toEqual([]);
  });

  it('profile: bad frequencies are clear errors and leave nothing loaded', () => {
    const a = addon();
    expect(() => a.start('profile', { perfFreq: 0 })).toThrow(/perfFreq must be a whole number/);
    expect(() => a.start('profile', { perfFreq: 12.5 })).toThrow(/perfFreq must be a whole number/);
    const max = Number(readFileSync('/proc/sys/kernel/perf_event_max_sample_rate', 'utf8'));
    expect(() => a.start('profile', { perfFreq: max + 1 })).toThrow(/perf_event_max_sample_rate/);
    expect(() => a.start('profile', { maxEntries: { nosuch: 10 } })).toThrow(/has no map nosuch/);
  });

  it('profile: process.exit() with the profiler running leaves no program or perf link behind (env cleanup)', async () => {
    const script = `
      const n = require(${JSON.stringify(nativeAddonPath())});
      const r = n.start('profile', { perfFreq: 49 });
      process.stdout.write(JSON.stringify(n.programs(r.id).map((p) => p.id)));
      process.exit(0);`;
    const ids = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as number[];
    expect(ids.length).toBe(1);
    expect(await waitUnloaded(ids)).toEqual([]);
    expect(linksOf(ids)).toEqual([]);
  });

  it('profile: a killed process leaves no program or perf link behind', async () => {
    const script = `
      const n = require(${JSON.stringify(nativeAddonPath())});
      const r = n.start('profile', { perfFreq: 49, maxEntries: { stacks: 1024, counts: 1024 } });
      process.stdout.write(JSON.stringify(n.programs(r.id).map((p) => p.id)) + '\\n');
      setInterval(() => {}, 1000);`;
    const c = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(c);
    let out = '';
    c.stdout!.on('data', (d) => (out += d));
    const ids = await waitFor(() => (out.includes('\n') ? (JSON.parse(out) as number[]) : null), 15_000);
    expect(ids.length).toBe(1);
    expect(linksOf(ids).length).toBe(onlineCpus());
    c.kill('SIGKILL');
    await new Promise((res) => c.on('exit', res));
    expect(await waitUnloaded(ids)).toEqual([]);
    expect(linksOf(ids)).toEqual([]);
  });

  it('offcpu: targ_state 2 (uninterruptible only) and targ_min_ns leave out an interruptible 300 ms sleep', async () => {
    const a = addon();
    const L = a.layouts().offcpu;
    for (const rodata of [{ targ_state: 2 }, { targ_min_ns: 2_000_000_000 }]) {
      const { child, go, exited } = gated(['sleep', '0.3']);
      const r = a.start('offcpu', { pid: child.pid, rodata });
      try {
        go();
        await exited;
        const rows = decodeCounts(a, r.id, L.offcpu_key);
        expect(rows.filter((x) => x.a > 200e6), JSON.stringify(rodata)).toEqual([]);
      } finally {
        a.stop(r.id, true);
      }
    }
  });

  it('offcpu: a child sleeping 400 ms in nanosleep is one blocked interval of ~400 ms with its stacks', async () => {
    const a = addon();
    const L = a.layouts().offcpu;
    const { child, go, exited } = gated(['sleep', '0.4']);
    const r = a.start('offcpu', { pid: child.pid, rodata: { targ_min_ns: 1_000_000 } });
    let progIds: number[] = [];
    try {
      expect(r.attached).toEqual(['ostop_offcpu_switch']);
      progIds = a.programs(r.id).map((p) => p.id!);
      go();
      await exited;
      const rows = decodeCounts(a, r.id, L.offcpu_key);
      for (const row of rows) expect(row.pid).toBe(child.pid);
      const sleep = rows.filter((x) => x.comm === 'sleep').sort((x, y) => y.a - x.a);
      expect(sleep.length).toBeGreaterThan(0);
      const top = sleep[0];
      expect(top.b).toBe(1); // one interval
      expect(top.a / 1e6).toBeGreaterThan(400 * 0.98);
      expect(top.a / 1e6).toBeLessThan(400 * 1.1);
      expect(top.kstack).toBeGreaterThanOrEqual(0);
      expect(top.ustack).toBeGreaterThanOrEqual(0);
      const ips = new BigUint64Array(a.stackTraces(r.id, 'stacks', [top.kstack]));
      expect(ips[0] >= KERNEL_IP).toBe(true);
      const st = stats(a, r.id, L.offcpu_stats);
      expect(st.samples).toBeGreaterThanOrEqual(1);
      expect(st.start_lost).toBe(0);
      // The child is queued in new_pids once (it had a user stack), and inserts counts every entry of counts.
      const q = a.mapDump(r.id, 'new_pids', true);
      expect(Array.from({ length: q.count }, (_, i) => new DataView(q.data).getUint32(i * (q.keySize + q.valueSize), true))).toEqual([child.pid]);
      expect(a.mapDump(r.id, 'new_pids').count).toBe(0);
      const ins = a.mapDump(r.id, 'inserts');
      expect(Number(new DataView(ins.data).getBigUint64(ins.keySize, true))).toBe(rows.length);
    } finally {
      a.stop(r.id);
    }
    await waitFor(() => a.stopping() === 0, 10_000);
    expect(await waitUnloaded(progIds)).toEqual([]);
  });
});
