// CPU profiler benchmark (issue 14), side by side with perf in the same run:
//  1. overhead: a CPU-bound C workload (one thread per CPU, fixed work) run
//     alone, under `ostop trace profile --freq 99` (system-wide) and under
//     `perf record -F 99 -g -a`, in rotated rounds; the workload's slowdown
//     (median wall time against the untraced median; target <= 1 %) and each
//     profiler's own CPU (utime+stime of its process over the workload's
//     window, from /proc/PID/stat; target: ostop <= perf);
//  1b. steady (OSTOP_PROFILE_BENCH=steady, also in the full run): ostop trace
//     profile, perf record and an idle Node timer (`setInterval`, the floor
//     any Node tool pays) started together, each one's CPU over the same
//     window (10 s after start, past start-up and V8's one-off
//     memory-reducer GC, for OSTOP_PROFILE_STEADY_SEC, default 30), quiet and
//     under a stack-rich load (find over /usr, ls -lR /usr/share in a loop:
//     many distinct stacks and new processes, what a trace-mode tick reads);
//  2. symbolisation: the profile tracer sampling the whole machine at 99 Hz
//     for 10 s under a mixed load (the C workload, a node script, a shell
//     walking /usr), then one cold collect: counts, stack ids, kallsyms-
//     resolved kernel frames, /proc/PID/maps + elfSymbolize user frames, JIT
//     frames; its time (target <= 1 s) and the event loop's longest stall
//     meanwhile (the pane's keys; target <= 100 ms).
// Needs root, cc, perf, and a built ostop (dist/ + native addon).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseStat } from '../src/collectors/procfs/pid-stat.js';
import { TracerManager } from '../src/tracers/manager.js';
import { systemProfiler } from '../src/tracers/profile/report.js';
import { median, rotations, USER_HZ } from './side-by-side.js';

const WORK_C = `
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
static volatile unsigned long sink[64];
static long iters;
__attribute__((noinline)) static void spin(int t) { for (long i = 0; i < iters; i++) sink[t * 8] += i ^ (i >> 3); }
static void *run(void *a) { spin((int)(long)a); return 0; }
int main(int argc, char **argv) {
  int n = atoi(argv[1]); iters = atol(argv[2]);
  pthread_t th[16]; struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 1; i < n; i++) pthread_create(&th[i], 0, run, (void *)i);
  spin(0);
  for (long i = 1; i < n; i++) pthread_join(th[i], 0);
  clock_gettime(CLOCK_MONOTONIC, &b);
  struct rusage ru; getrusage(RUSAGE_SELF, &ru);
  printf("%.6f %.6f\\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
         ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
  return 0;
}`;

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !existsSync(join(d, 'package.json')); i++) d = dirname(d);
  return d;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time of a process's live threads, seconds: /proc/PID/task/TID/schedstat (ns, exact; stat's ticks are 10 ms). */
function cpuSec(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread ended */
    }
  }
  if (ns > 0) return ns / 1e9;
  const st = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return st ? (st.utime + st.stime) / USER_HZ : NaN;
}

interface Run { mode: string; wall: number; cpu: number; toolCpu: number | null }

/** Wall and CPU seconds of one workload run. */
function work(bin: string, threads: number, iters: number): { wall: number; cpu: number } {
  const [wall, cpu] = execFileSync(bin, [String(threads), String(iters)], { encoding: 'utf8' }).trim().split(' ').map(Number);
  return { wall, cpu };
}

/** Run the workload while `tool` (already started) profiles; the tool's CPU over exactly that window. */
async function under(mode: string, tool: ChildProcess, ready: Promise<void>, bin: string, threads: number, iters: number): Promise<Run> {
  await ready;
  await sleep(1000); // past start-up (JIT, map loading): only the steady cost is measured
  const c0 = cpuSec(tool.pid!);
  const w = work(bin, threads, iters);
  const c1 = cpuSec(tool.pid!);
  tool.kill('SIGINT');
  await new Promise<void>((r) => (tool.exitCode !== null ? r() : tool.once('exit', () => r())));
  return { mode, ...w, toolCpu: c1 - c0 };
}

function ostopTool(root: string): { c: ChildProcess; ready: Promise<void>; out: () => string } {
  const c = spawn(process.execPath, [join(root, 'bin', 'ostop.js'), 'trace', 'profile', '--freq', '99', '--format', 'folded'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  c.stdout!.on('data', (d) => (out += d));
  const ready = new Promise<void>((res, rej) => {
    c.stderr!.on('data', (d) => { err += d; if (/Sampling on-CPU stacks/.test(err)) res(); });
    c.once('exit', () => rej(new Error(`ostop trace profile exited: ${err.slice(0, 300)}`)));
  });
  return { c, ready, out: () => out };
}

function perfTool(dir: string): { c: ChildProcess; ready: Promise<void> } {
  const c = spawn('perf', ['record', '-F', '99', '-g', '-a', '-o', join(dir, 'perf.data')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  c.stderr!.on('data', (d) => (err += d));
  // perf prints nothing when it starts: give it the same settling time as ostop.
  const ready = new Promise<void>((res, rej) => {
    setTimeout(res, 500);
    c.once('exit', (code) => (code ? rej(new Error(`perf record exited ${code}: ${err.slice(0, 300)}`)) : res()));
  });
  return { c, ready };
}

async function overhead(root: string, dir: string, bin: string): Promise<string[]> {
  const threads = Math.min(16, cpus().length);
  // Calibrate: about 5 s of CPU per thread per run untraced.
  const probe = work(bin, threads, 50_000_000).cpu / threads;
  const iters = Math.max(1, Math.round((50_000_000 * 5) / probe));
  const runs: Run[] = [];
  for (const order of rotations(['untraced', 'ostop', 'perf'], 3)) {
    for (const mode of order) {
      if (mode === 'untraced') runs.push({ mode, ...work(bin, threads, iters), toolCpu: null });
      else if (mode === 'ostop') {
        const t = ostopTool(root);
        runs.push(await under('ostop', t.c, t.ready, bin, threads, iters));
      } else {
        const t = perfTool(dir);
        runs.push(await under('perf', t.c, t.ready, bin, threads, iters));
      }
    }
  }
  const by = (m: string) => runs.filter((r) => r.mode === m);
  const base = median(by('untraced').map((r) => r.wall));
  const baseCpu = median(by('untraced').map((r) => r.cpu));
  const lines = [`overhead: ${threads} CPU-bound threads (one per CPU), ${iters.toLocaleString('en')} iterations each, ~${base.toFixed(1)} s; 3 rounds, rotated; medians.`,
    'The workload\'s CPU time (getrusage: its own work plus the profilers\' in-kernel sampling, charged to the task it interrupts) is the steady figure; its wall time also counts waiting for a CPU other processes took.'];
  lines.push(`${'mode'.padEnd(44)} ${'cpu s'.padStart(7)} ${'+cpu'.padStart(7)} ${'wall s'.padStart(7)} ${'+wall'.padStart(7)} ${'tool CPU s'.padStart(10)} ${'tool %CPU'.padStart(9)}  runs (cpu s / wall s)`);
  const row = (m: string, label: string) => {
    const rs = by(m);
    const wall = median(rs.map((r) => r.wall));
    const cpu = median(rs.map((r) => r.cpu));
    const tool = rs[0].toolCpu === null ? null : median(rs.map((r) => r.toolCpu!));
    const pct = (x: number, b: number) => `${(((x / b) - 1) * 100).toFixed(2)}%`;
    lines.push(`${label.padEnd(44)} ${cpu.toFixed(3).padStart(7)} ${pct(cpu, baseCpu).padStart(7)} ${wall.toFixed(3).padStart(7)} ${pct(wall, base).padStart(7)} ${(tool === null ? '-' : tool.toFixed(3)).padStart(10)} ${(tool === null ? '-' : `${((tool / wall) * 100).toFixed(2)}%`).padStart(9)}  ${rs.map((r) => `${r.cpu.toFixed(2)}/${r.wall.toFixed(2)}`).join(' ')}`);
    return tool;
  };
  row('untraced', 'untraced');
  const o = row('ostop', 'ostop trace profile --freq 99 (all CPUs)');
  const p = row('perf', 'perf record -F 99 -g -a');
  if (o !== null && p !== null) lines.push(`ostop's own CPU / perf record's: ${p > 0 ? (o / p).toFixed(2) : 'n/a'}x (each tool's process only, over the workload's run; the in-kernel sampling of both is charged to the workload, in its +cpu)`);
  return lines;
}

/** ostop, perf record and an idle Node timer in one window: each one's own CPU, quiet and under a stack-rich load. */
async function steady(root: string, dir: string): Promise<string[]> {
  const win = Number(process.env.OSTOP_PROFILE_STEADY_SEC ?? 30);
  if (!(win > 0)) throw new Error('OSTOP_PROFILE_STEADY_SEC must be a positive number of seconds');
  const lines = [`steady: ostop trace profile --freq 99, perf record -F 99 -g -a and node -e 'setInterval(()=>{},1000)' started together; each process's CPU (all threads) from 10 s after start for ${win} s.`];
  lines.push(`${'load'.padEnd(22)} ${'ostop'.padStart(18)} ${'perf record'.padStart(18)} ${'node idle timer'.padStart(18)}  loadavg`);
  for (const loaded of [false, true]) {
    const o = ostopTool(root);
    const pf = perfTool(dir);
    const idle = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
    const load = loaded ? spawn('sh', ['-c', 'while :; do find /usr -name ostop-nomatch >/dev/null 2>&1; ls -lR /usr/share >/dev/null 2>&1; done'], { stdio: 'ignore', detached: true }) : null;
    const procs = [o.c, pf.c, idle];
    try {
      await Promise.all([o.ready, pf.ready]);
      await sleep(10_000);
      const la0 = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
      const c0 = procs.map((c) => cpuSec(c.pid!));
      await sleep(win * 1000);
      const c1 = procs.map((c) => cpuSec(c.pid!));
      const la1 = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
      const cell = (i: number) => { const d = c1[i] - c0[i]; return `${(d * 1000).toFixed(1)} ms ${((d / win) * 100).toFixed(3)}%`; };
      lines.push(`${(loaded ? 'find/ls loop' : 'none').padEnd(22)} ${cell(0).padStart(18)} ${cell(1).padStart(18)} ${cell(2).padStart(18)}  ${la0} -> ${la1}`);
    } finally {
      if (load?.pid) try { process.kill(-load.pid, 'SIGKILL'); } catch { /* already gone */ }
      for (const c of procs) c.kill('SIGINT');
      await Promise.all(procs.map((c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())))));
    }
  }
  return lines;
}

async function symbolisation(dir: string, bin: string): Promise<string[]> {
  const mgr = new TracerManager();
  const load: ChildProcess[] = [];
  const js = join(dir, 'load.js');
  writeFileSync(js, 'function a(n){let s=0;for(let i=0;i<n;i++)s+=Math.sqrt(i);return s}\nfunction b(n){let s=0;for(let i=0;i<n;i++)s+=Math.sin(i);return s}\nconst e=Date.now()+11000;let x=0;while(Date.now()<e){x+=a(1e5);x+=b(5e4)}\n');
  // As `ostop trace profile --duration 10` runs: deferred (a cheap tick every second reads the new processes' maps and
  // holds their files), everything symbolised in the final collect, which is what is timed.
  const p = systemProfiler('profile', true);
  try {
    mgr.start('profile', { flags: { freq: '99' } });
    const kt = performance.now();
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    await p.symbolizer.loadKernelAsync();
    h.disable();
    const kallsymsMs = performance.now() - kt;
    const kallsymsStall = h.max / 1e6;
    load.push(spawn(bin, ['1', '40000000000'], { stdio: 'ignore' }));
    load.push(spawn(process.execPath, ['--perf-basic-prof', js], { cwd: dir, stdio: 'ignore' })); // its isolate-*-v8.log goes there
    load.push(spawn('sh', ['-c', 'end=$(($(date +%s)+11)); while [ $(date +%s) -lt $end ]; do find /usr/lib /usr/share -name "*.so*" >/dev/null 2>&1; done'], { stdio: 'ignore' }));
    const handle = mgr.handle('profile');
    for (let i = 0; i < 10; i++) {
      await sleep(1000);
      await p.collect(handle);
    }
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const t0 = performance.now();
    const info = await p.collect(handle, { final: true });
    const ms = performance.now() - t0;
    lag.disable();
    const s = p.symbolizer.stats;
    const frames = p.all().reduce((a, x) => a + x.frames.length, 0);
    const unresolved = p.all().reduce((a, x) => a + x.frames.filter((f) => !f.resolved && !f.name.startsWith('[')).length, 0);
    return [
      `symbolisation of a 10 s system-wide profile at 99 Hz (C workload, node --perf-basic-prof, find): ${p.totalValue} samples, ${p.size} distinct stacks, ${frames} frames (${unresolved} unresolved), ${new Set(p.all().map((x) => x.pid)).size} processes`,
      `  the final symbolisation (as trace mode's: ${s.elfCalls} elfSymbolize calls for ${s.elfOffsets} offsets, kernel frames from kallsyms, JIT frames from perf maps): ${ms.toFixed(0)} ms (target <= 1000 ms); synchronous share ${info?.busyMs.toFixed(0)} ms; longest event-loop stall ${(lag.max / 1e6).toFixed(1)} ms (target <= 100 ms)`,
      `  slowest files: ${s.slowest.map((x) => `${x.module} ${x.offsets} offsets ${x.ms.toFixed(0)} ms`).join('; ')}`,
      `  kallsyms load beforehand (read on the thread pool, parsed in slices): ${kallsymsMs.toFixed(0)} ms, longest stall ${kallsymsStall.toFixed(1)} ms`,
    ];
  } finally {
    p.symbolizer.close();
    for (const c of load) c.kill('SIGKILL');
    mgr.stopAll();
    // node --perf-basic-prof leaves its /tmp/perf-PID.map behind.
    for (const c of load) if (c.pid) rmSync(`/tmp/perf-${c.pid}.map`, { force: true });
  }
}

export async function benchProfile(): Promise<string> {
  if (process.geteuid?.() !== 0) return 'profile bench: skipped (needs root)';
  const root = repoRoot();
  if (!existsSync(join(root, 'dist', 'src', 'tracers', 'trace-cmd.js'))) return 'profile bench: skipped (run npm run build first)';
  try {
    execFileSync('sh', ['-c', 'command -v perf && command -v cc'], { stdio: 'ignore' });
  } catch {
    return 'profile bench: skipped (needs perf and cc: bash scripts/setup.sh --bench)';
  }
  const dir = mkdtempSync(join(tmpdir(), 'ostop-profile-bench-'));
  try {
    writeFileSync(join(dir, 'work.c'), WORK_C);
    const bin = join(dir, 'work');
    execFileSync('cc', ['-O1', '-fno-omit-frame-pointer', '-pthread', '-o', bin, join(dir, 'work.c')]);
    const only = process.env.OSTOP_PROFILE_BENCH;
    const lines: string[] = [];
    if (!only || only === 'overhead') lines.push(...(await overhead(root, dir, bin)));
    if (!only || only === 'steady') lines.push(...(await steady(root, dir)));
    if (!only || only === 'symbols') lines.push(...(await symbolisation(dir, bin)));
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchProfile().then((s) => console.log(s), (e) => { console.error(e); process.exitCode = 1; });
}
