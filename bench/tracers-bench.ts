// Open-storm benchmark: a tiny C program does N open/close pairs of one file;
// measured untraced, under `ostop trace opens --summary` (fast and portable
// variants) and, when installed, under libbpf-tools' opensnoop. Reports wall
// and CPU time of the workload, slowdown ratios, events counted and drops.
// Needs root, cc, and a built ostop (dist/ + native addon).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STORM_C = `
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
int main(int argc, char **argv) {
	long n = atol(argv[2]);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY);
		if (fd < 0) { perror("open"); return 1; }
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("{\\"wall\\":%.6f,\\"cpu\\":%.6f}\\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
	       ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return 0;
}
`;

export interface RunResult { wall: number; cpu: number }
interface Row { mode: string; wall: number; cpu: number; counted: number | null; drops: string }

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !existsSync(join(d, 'package.json')); i++) d = dirname(d);
  return d;
}

/** Compiles the storm program into `dir` (also used by storm-ui-bench.ts); returns its path. */
export function buildStorm(dir: string): string {
  writeFileSync(join(dir, 'storm.c'), STORM_C);
  const bin = join(dir, 'ostop-storm');
  execFileSync('cc', ['-O2', '-o', bin, join(dir, 'storm.c')]);
  return bin;
}

export function storm(bin: string, target: string, n: number): RunResult {
  return JSON.parse(execFileSync(bin, [target, String(n)], { encoding: 'utf8' })) as RunResult;
}

/** Starts a tracer process and resolves when `ready` matches its output. */
function startTracer(cmd: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env) {
  const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  const exited = new Promise<void>((r) => c.on('exit', () => r()));
  const readyP = new Promise<void>((resolve, reject) => {
    const check = () => { if (ready.test(stdout) || ready.test(stderr)) resolve(); };
    c.stdout.on('data', (d) => { if (stdout.length < 1 << 20) stdout += d; check(); });
    c.stderr.on('data', (d) => { stderr += d; check(); });
    exited.then(() => reject(new Error(`${cmd} exited early: ${stderr.slice(0, 400)}`)));
    setTimeout(() => reject(new Error(`${cmd} did not start: ${stderr.slice(0, 400)}`)), 20_000);
  });
  return { c, readyP, exited, out: () => stdout, err: () => stderr };
}

async function ostopRun(root: string, bin: string, target: string, dir: string, n: number, variant: string): Promise<Row> {
  const t = startTracer(process.execPath, [join(root, 'bin', 'ostop.js'), 'trace', 'opens', '--summary', '--format', 'json', '--path', dir, '--variant', variant], /attached prog ids/, { ...process.env, OSTOP_DEBUG: '1' });
  await t.readyP;
  const r = storm(bin, target, n);
  t.c.kill('SIGINT');
  await t.exited;
  const o = JSON.parse(t.out().trim().split('\n').pop()!) as { by_path: { path: string; count: number }[]; drops: { ring: number; map: number; native: number } };
  const counted = o.by_path.find((p) => p.path === target)?.count ?? 0;
  return { mode: `ostop trace opens --summary (${variant})`, ...r, counted, drops: `ring ${o.drops.ring}, map ${o.drops.map}, native ${o.drops.native}` };
}

async function opensnoopRun(bin: string, target: string, n: number): Promise<Row | string> {
  const exe = ['/usr/sbin/opensnoop', '/usr/bin/opensnoop'].find(existsSync);
  if (!exe) return 'libbpf-tools opensnoop: not installed (apt-get install libbpf-tools)';
  const c = spawn(exe, ['-n', 'ostop-storm'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lines = 0, header = false, stderr = '', partial = '';
  const needle = target;
  c.stdout.setEncoding('utf8');
  c.stdout.on('data', (d: string) => {
    const chunk = partial + d;
    const parts = chunk.split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      if (!header && /PID\s+COMM/.test(l)) header = true;
      else if (l.includes(needle)) lines++;
    }
  });
  c.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => c.on('exit', () => r()));
  // Its stdout is a pipe (block-buffered), so the header may not show: give it time to attach instead.
  const deadline = Date.now() + 3000;
  while (!header && Date.now() < deadline && c.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  if (c.exitCode !== null) return `libbpf-tools opensnoop: failed to start (${stderr.trim().slice(0, 200)})`;
  const r = storm(bin, target, n);
  // Let it drain what it buffered: wait until its output stops growing (bounded).
  for (let last = -1, still = 0, t0 = Date.now(); still < 3 && Date.now() - t0 < 40_000; ) {
    await new Promise((r2) => setTimeout(r2, 500));
    still = lines === last ? still + 1 : 0;
    last = lines;
  }
  c.kill('SIGINT');
  await exited;
  const lost = [...stderr.matchAll(/lost (\d+) events?/gi)].reduce((s, m) => s + Number(m[1]), 0);
  return { mode: 'libbpf-tools opensnoop', ...r, counted: lines, drops: `lost ${lost} (reported)` };
}

export async function benchTracers(n = 1_000_000): Promise<string> {
  if (process.geteuid?.() !== 0) return 'tracers bench: skipped (needs root)';
  const root = repoRoot();
  if (!existsSync(join(root, 'dist', 'src', 'tracers', 'trace-cmd.js'))) return 'tracers bench: skipped (run npm run build first)';
  const dir = mkdtempSync(join(tmpdir(), 'ostop-storm-'));
  try {
    const bin = buildStorm(dir);
    const target = join(dir, 'target');
    writeFileSync(target, 'x');
    storm(bin, target, 20_000); // warm up
    const base = [storm(bin, target, n), storm(bin, target, n)].sort((a, b) => a.wall - b.wall)[0];
    const rows: (Row | string)[] = [{ mode: 'untraced', ...base, counted: null, drops: '-' }];
    rows.push(await ostopRun(root, bin, target, dir, n, 'fast'));
    rows.push(await ostopRun(root, bin, target, dir, n, 'portable'));
    rows.push(await opensnoopRun(bin, target, n));
    const lines = [`open storm: ${n.toLocaleString('en')} open/close pairs of one file (2 runs untraced, best)`];
    lines.push(`${'mode'.padEnd(42)} ${'wall s'.padStart(7)} ${'cpu s'.padStart(7)} ${'x wall'.padStart(7)} ${'x cpu'.padStart(7)} ${'counted'.padStart(10)}  drops`);
    for (const r of rows) {
      if (typeof r === 'string') { lines.push(r); continue; }
      lines.push(`${r.mode.padEnd(42)} ${r.wall.toFixed(2).padStart(7)} ${r.cpu.toFixed(2).padStart(7)} ${(r.wall / base.wall).toFixed(2).padStart(7)} ${(r.cpu / base.cpu).toFixed(2).padStart(7)} ${(r.counted === null ? '-' : `${(100 * r.counted / n).toFixed(1)}%`).padStart(10)}  ${r.drops}`);
    }
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchTracers(process.argv[2] ? Number(process.argv[2]) : undefined).then((s) => console.log(s), (e) => { console.error(e); process.exitCode = 1; });
}
