// Syscall-tracing overhead benchmark: `dd if=/dev/zero of=/dev/null bs=1
// count=1000000` (2M read/write syscalls) untraced, under ostop's syscalls
// tracer on its PID in --summary mode (counted in the kernel; with and
// without --no-latency, which drops the entry hook) and in stream
// mode (every syscall decoded and folded into the syscount aggregator, as the
// pane does), and under the classic tools when installed: libbpf-tools
// syscount -L -p, strace -c -f, perf trace -s. strace and perf are far slower
// per syscall, so they run a 100k-byte dd and are compared with an untraced
// 100k run. Reports wall time, ratio to untraced, syscalls counted, drops.
// The floor rows (bench/floor) attach programs that do nothing (or only read
// the clock) to the same hooks: the least a tracepoint-based counter costs.
// Needs root and a built ostop (native addon). Rerun:
//   npx tsc -p tsconfig.json && node dist/bench/syscalls-bench.js
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg, cpus } from 'node:os';
import { TracerManager } from '../src/tracers/manager.js';
import { syscallsTracer, SyscallAggregator, type SyscallEvent } from '../src/tracers/syscalls/tracer.js';
import type { TraceOptions } from '../src/tracers/types.js';

const BIG = 1_000_000;
const SMALL = 100_000;
const REPEAT = 3;

interface Row { tool: string; bytes: number; wallMs: number; baseMs: number; counted: string; drops: string }

const ddArgs = (n: number) => ['if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${n}`, 'status=none'];

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts dd held behind `read` in a shell (exec keeps the PID), lets `before`
 * attach to that PID, then releases it and times it to its exit.
 */
async function heldDd(n: number, before?: (pid: number) => Promise<void>): Promise<number> {
  const child = spawn('sh', ['-c', `read go; exec dd ${ddArgs(n).join(' ')}`], { stdio: ['pipe', 'ignore', 'inherit'] });
  await new Promise<void>((res, rej) => { child.once('spawn', () => res()); child.once('error', rej); });
  const exited = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
  if (before) await before(child.pid!);
  const t0 = process.hrtime.bigint();
  child.stdin!.end('\n');
  const code = await exited;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (code !== 0) throw new Error(`dd exited with ${code}`);
  return ms;
}

/** Wall time of `cmd args` (the tool wraps dd itself). */
function timed(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr?.toString().trim().split('\n').pop()}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function ostopRun(opts: TraceOptions, stream: boolean): Promise<{ ms: number; counted: number; drops: string }> {
  const m = new TracerManager({ lookup: (n) => (n === 'syscalls' ? syscallsTracer : undefined) });
  const agg = new SyscallAggregator(opts);
  let events = 0;
  m.onEvents<SyscallEvent>('syscalls', (b) => { events += b.length; agg.add(b); });
  try {
    const ms = await heldDd(BIG, async (pid) => {
      m.start('syscalls', { ...opts, pid });
    });
    // let the last wake-ups drain
    await new Promise((r) => setTimeout(r, 50));
    m.poll();
    agg.collect(m.handle('syscalls'));
    const d = m.drops('syscalls');
    const counted = agg.bySyscall().filter((r) => r.syscall === 'read' || r.syscall === 'write').reduce((a, r) => a + r.count, 0);
    return { ms, counted: stream ? Math.min(events, counted) : counted, drops: `ring ${d.ring}, native ${d.native}` };
  } finally {
    m.stop('syscalls');
  }
}

async function syscountRun(): Promise<number> {
  let sc: ReturnType<typeof spawn> | undefined;
  try {
    return await heldDd(BIG, (pid) => new Promise<void>((res, rej) => {
      // stdbuf: syscount announces "Tracing..." with stdio, block-buffered in a pipe
      const c = spawn('stdbuf', ['-o0', 'syscount', '-L', '-p', String(pid)], { stdio: ['ignore', 'pipe', 'pipe'] });
      sc = c;
      let buf = '';
      const give = setTimeout(() => { process.kill(pid, 'SIGKILL'); rej(new Error('no "Tracing" line from syscount in 10 s')); }, 10_000);
      const onData = (d: Buffer) => {
        buf += d.toString();
        if (/Tracing/.test(buf)) { clearTimeout(give); res(); }
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', onData);
      c.once('error', rej);
      c.once('exit', (code) => { clearTimeout(give); rej(new Error(`syscount exited early (${code}): ${buf.trim()}`)); });
    }));
  } finally {
    // Its programs stay attached (and slow every later run) until it exits:
    // SIGINT makes it print and detach; SIGKILL if it has not within 5 s.
    const c = sc;
    if (c && c.exitCode === null && c.signalCode === null) {
      c.removeAllListeners('exit');
      const gone = new Promise<void>((res) => c.once('exit', () => res()));
      c.kill('SIGINT');
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
  }
}

export async function benchSyscalls(): Promise<string> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const baseRuns: number[] = [];
  for (let i = 0; i < REPEAT; i++) baseRuns.push(await heldDd(BIG));
  const base = median(baseRuns);
  rows.push({ tool: 'untraced', bytes: BIG, wallMs: base, baseMs: base, counted: '-', drops: '-' });

  for (const [label, opts, stream] of [
    ['ostop syscalls --summary --pid', { summary: true }, false],
    ['ostop syscalls --summary --no-latency --pid', { summary: true, flags: { 'no-latency': true } }, false],
    ['ostop syscalls --pid (stream)', {}, true],
  ] as const) {
    const runs: Array<{ ms: number; counted: number; drops: string }> = [];
    for (let i = 0; i < REPEAT; i++) runs.push(await ostopRun(opts, stream));
    const mid = runs.sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
    rows.push({ tool: label, bytes: BIG, wallMs: mid.ms, baseMs: base, counted: String(mid.counted), drops: mid.drops });
  }

  // The floor: what the hooks alone cost on this kernel (bench/floor), so the
  // ratios above can be read against the least any tracepoint-based counter pays.
  const floorDir = fileURLToPath(new URL('../../bench/floor/', import.meta.url));
  const made = spawnSync('make', ['-s', '-C', floorDir], { encoding: 'utf8' });
  if (made.status !== 0) notes.push(`floor: could not build bench/floor (${(made.stderr || made.stdout).trim().split('\n').pop()})`);
  else {
    for (const [label, progs] of [
      ['floor: empty program on sys_exit', ['floor_exit']],
      ['floor: empty programs on sys_enter + sys_exit', ['floor_enter', 'floor_exit']],
      ['floor: + one bpf_ktime_get_ns per hook', ['floor_enter_ts', 'floor_exit_ts']],
    ] as const) {
      const runs: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        const r = spawnSync(`${floorDir}.output/floor`, [...progs], { encoding: 'utf8', env: { ...process.env, FLOOR_BYTES: String(BIG) } });
        if (r.status === 0) runs.push(Number(r.stdout.trim()));
      }
      if (runs.length) rows.push({ tool: label, bytes: BIG, wallMs: median(runs), baseMs: base, counted: '-', drops: '-' });
      else notes.push(`${label}: the floor program failed`);
    }
  }

  if (have('syscount')) {
    try {
      rows.push({ tool: 'syscount -L -p (libbpf-tools)', bytes: BIG, wallMs: await syscountRun(), baseMs: base, counted: '-', drops: '-' });
    } catch (e) { notes.push(`syscount: ${(e as Error).message}`); }
  } else notes.push('syscount: not installed (Debian package libbpf-tools)');

  const small = median(Array.from({ length: REPEAT }, () => timed('dd', ddArgs(SMALL))));
  rows.push({ tool: 'untraced', bytes: SMALL, wallMs: small, baseMs: small, counted: '-', drops: '-' });
  if (have('strace')) {
    try { rows.push({ tool: 'strace -c -f', bytes: SMALL, wallMs: timed('strace', ['-c', '-f', '-o', '/dev/null', 'dd', ...ddArgs(SMALL)]), baseMs: small, counted: '-', drops: '-' }); }
    catch (e) { notes.push(`strace: ${(e as Error).message}`); }
  } else notes.push('strace: not installed (Debian package strace)');
  if (have('perf')) {
    try { rows.push({ tool: 'perf trace -s', bytes: SMALL, wallMs: timed('perf', ['trace', '-s', '-o', '/dev/null', '--', 'dd', ...ddArgs(SMALL)]), baseMs: small, counted: '-', drops: '-' }); }
    catch (e) { notes.push(`perf trace: ${(e as Error).message}`); }
  } else notes.push('perf: not installed (Debian package linux-perf)');

  const head = ['TOOL', 'DD BYTES', 'WALL(ms)', 'RATIO', 'READ+WRITE COUNTED', 'DROPS'];
  const body = rows.map((r) => [r.tool, String(r.bytes), r.wallMs.toFixed(0), (r.wallMs / r.baseMs).toFixed(2) + 'x', r.counted, r.drops]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((s, i) => (i === 0 ? s.padEnd(w[i]) : s.padStart(w[i]))).join('  ');
  return [
    `syscalls: dd bs=1 (2 syscalls per byte), median of ${REPEAT} for dd and ostop, targets: summary <= 1.3x, stream <= 3x with 0 drops`,
    line(head), ...body.map(line), ...notes.map((n) => `note: ${n}`),
    `note: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end: ratios are only meaningful on an idle machine`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchSyscalls().then((s) => { process.stdout.write(s + '\n'); process.exit(0); }, (e) => { console.error(e); process.exit(1); });
}
