// Process-table benchmark: what ostop costs next to top, htop and btop.
//
//  1. Refresh cost: with 1,000 extra idle processes (`sleep 600`), each tool
//     runs alone in a 200x50 pseudo-terminal with a 1 s refresh for
//     BENCH_SECONDS (default 30). CPU time = utime+stime of the tool process
//     and all its descendants (live ones, plus cutime/cstime of reaped ones),
//     from /proc/PID/stat, as % of one core: over the whole run (start-up
//     included) and at steady state (after a warm-up of WARMUP_SECONDS).
//     Ratios are against btop (target: ostop <= btop).
//  2. Terminal output at steady state: bytes/s the tool writes to the pty
//     (target: ostop at or below htop).
//  3. First full frame: ms from spawn until the table header is on the
//     (headless xterm) screen.
//  4. RSS of each tool at the end of its run (target for ostop: < 80 MB).
//  5. ostop's collector + model + sort per sample, in-process, at the
//     machine's own process count, +1,000 and +10,000 idle processes (and,
//     for comparison, the top view's own TopSource.collect() per tick).
//  6. Items 1-4 again with +10,000 idle processes, BENCH_BIG_SECONDS each.
//
// Environment: BENCH_SECONDS (45), WARMUP_SECONDS (15: ostop runs on a JIT that
// compiles its hot paths in the first seconds; the same window applies to every tool), BENCH_EXTRA_PROCS
// (1000), BENCH_BIG_PROCS (10000), BENCH_BIG_SECONDS (15; 0 skips item 6).
//
// Tools that are not installed are skipped with a note. Everything started
// here (sleep trees, tools) is killed before returning.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';
import xtermHeadless from '@xterm/headless';
import { ProcessCollector, type ProcessTableSample } from '../src/collectors/processes.js';
import { buildProcessModel } from '../src/model/process-model.js';
import { DEFAULT_COLUMNS, needsOf, resolveColumns } from '../src/model/columns.js';
import { arrangeRows } from '../src/model/process-view.js';
import { UserNames } from '../src/collectors/users.js';
import { TopSource, type TopState } from '../src/views/top.js';
import { DEFAULT_CONFIG } from '../src/app/config.js';

const { Terminal } = xtermHeadless as unknown as typeof import('@xterm/headless');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 45);
const WARMUP = Math.min(Number(process.env.WARMUP_SECONDS ?? 15), SECONDS / 2);
const EXTRA = Number(process.env.BENCH_EXTRA_PROCS ?? 1000);
const BIG = Number(process.env.BENCH_BIG_PROCS ?? 10000);
/** Seconds per tool for the second, big-table round (0 skips it). */
const BIG_SECONDS = Number(process.env.BENCH_BIG_SECONDS ?? 15);
const COLS = 200;
const ROWS = 50;
const HZ = 100; // USER_HZ
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ToolSpec {
  name: string;
  file: string;
  args: string[];
  /** Screen text that means "the table is drawn". */
  header: RegExp;
  /** Files to put in the temp HOME before starting. */
  files?: Record<string, string>;
}

const TOOLS: ToolSpec[] = [
  // As a user runs it (npx ostop): the bin's shebang passes ostop's V8 flags.
  { name: 'ostop', file: path.join(REPO, 'bin', 'ostop.js'), args: ['-d', '1'], header: /PID\s+USER\s+PRI/ },
  { name: 'top', file: 'top', args: ['-d', '1'], header: /PID\s+USER\s+PR/ },
  { name: 'htop', file: 'htop', args: ['-d', '10'], header: /PID\s+USER\s+PRI/ },
  {
    name: 'btop', file: 'btop', args: [], header: /Pid:?\s+Program:?/i,
    files: { '.config/btop/btop.conf': 'update_ms = 1000\nproc_sorting = "cpu lazy"\n' },
  },
];

export interface ToolResult {
  name: string;
  skipped?: string;
  cpuAllPct?: number;
  cpuSteadyPct?: number;
  bytesPerSec?: number;
  firstFrameMs?: number;
  rssMb?: number;
}

function which(file: string): string | undefined {
  if (path.isAbsolute(file)) return fs.existsSync(file) ? file : undefined;
  const r = spawnSync('sh', ['-c', `command -v ${file}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function readStat(pid: number): { ppid: number; ticks: number; childTicks: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** CPU ticks of pid and every descendant (live: utime+stime; reaped: cutime+cstime of their parents). */
function treeTicks(root: number): number {
  const kids = new Map<number, number[]>();
  const stats = new Map<number, { ticks: number; childTicks: number }>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = readStat(Number(d));
    if (!st) continue;
    stats.set(Number(d), st);
    const l = kids.get(st.ppid);
    if (l) l.push(Number(d));
    else kids.set(st.ppid, [Number(d)]);
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    const st = stats.get(p);
    if (!st) continue;
    total += st.ticks + st.childTicks;
    stack.push(...(kids.get(p) ?? []));
  }
  return total;
}

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runTool(spec: ToolSpec, seconds: number): Promise<ToolResult> {
  const file = which(spec.file);
  if (!file) return { name: spec.name, skipped: `${spec.file} not installed (scripts/setup.sh --bench installs it)` };
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `ostop-bench-${spec.name}-`));
  for (const [rel, text] of Object.entries(spec.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    fs.writeFileSync(path.join(home, rel), text);
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VITEST') && k !== 'NO_COLOR') env[k] = v;
  Object.assign(env, { TERM: 'xterm-256color', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 0 });
  const t0 = performance.now();
  const p = pty.spawn(file, spec.args, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: home, env });
  let bytes = 0;
  let firstFrameMs: number | undefined;
  let parsing = true;
  let exited = false;
  p.onExit(() => { exited = true; });
  p.onData((d) => {
    bytes += Buffer.byteLength(d);
    if (!parsing) return;
    term.write(d, () => {
      if (firstFrameMs !== undefined) return;
      const buf = term.buffer.active;
      for (let y = 0; y < ROWS; y++) {
        if (spec.header.test(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '')) {
          firstFrameMs = performance.now() - t0;
          parsing = false; // the rest is counted, not parsed: keep the harness quiet
          break;
        }
      }
    });
  });
  const startTicks = 0; // a fresh process: nothing used before spawn
  const warmup = Math.min(WARMUP, seconds / 2);
  await sleep(warmup * 1000);
  const warmTicks = exited ? 0 : treeTicks(p.pid);
  const warmBytes = bytes;
  const tw = performance.now();
  await sleep((seconds - warmup) * 1000);
  const endTicks = exited ? 0 : treeTicks(p.pid);
  const te = performance.now();
  const rss = exited ? undefined : rssMb(p.pid);
  const endBytes = bytes;
  const exitedEarly = exited;
  try {
    p.kill('SIGTERM');
  } catch {
    /* gone */
  }
  await sleep(300);
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  term.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  if (exitedEarly) return { name: spec.name, skipped: `${spec.name} exited early (${bytes} bytes written)` };
  return {
    name: spec.name,
    cpuAllPct: ((endTicks - startTicks) / HZ / ((te - t0) / 1000)) * 100,
    cpuSteadyPct: ((endTicks - warmTicks) / HZ / ((te - tw) / 1000)) * 100,
    bytesPerSec: (endBytes - warmBytes) / ((te - tw) / 1000),
    firstFrameMs,
    rssMb: rss,
  };
}

/** A detached sh that forks n `sleep 600`; resolves once they all exist. */
async function startSleepers(n: number): Promise<{ sh: ChildProcess; count: number }> {
  const sh = spawn('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep 600 & i=$((i+1)); done; echo ready; wait`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  sh.stderr!.on('data', (d) => { err += d; });
  await new Promise<void>((res) => {
    sh.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && res());
    sh.once('exit', () => res());
  });
  let count = 0;
  for (let i = 0; i < 50; i++) {
    count = 0;
    for (const d of fs.readdirSync('/proc')) {
      if (/^\d+$/.test(d) && readStat(Number(d))?.ppid === sh.pid) count++;
    }
    if (count >= n) break;
    await sleep(100);
  }
  if (count < n && err) process.stderr.write(`top-bench: started ${count}/${n} sleeps: ${err.split('\n')[0]}\n`);
  return { sh, count };
}

function stopSleepers(s: { sh: ChildProcess } | undefined): void {
  if (!s?.sh.pid) return;
  try {
    process.kill(-s.sh.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface CollectorCost {
  processes: number;
  collectMs: number;
  modelMs: number;
  sortMs: number;
  totalMs: number;
  /** The top view's own Source.collect() per tick (reads only what it shows), for comparison. */
  viewTickMs: number;
}

/** ostop's per-tick work for the default columns, as the top view does it (median of runs). */
function collectorCost(runs = 7): CollectorCost {
  const needs = needsOf(resolveColumns(DEFAULT_COLUMNS));
  needs.add('uid');
  needs.add('cmdline');
  const c = new ProcessCollector({ needs, threads: false });
  const users = new UserNames();
  let prev: ProcessTableSample = c.collect();
  const col: number[] = [], mod: number[] = [], srt: number[] = [];
  let n = 0;
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    const cur = c.collect();
    const b = performance.now();
    const m = buildProcessModel(prev, cur, (u) => users.name(u));
    const d = performance.now();
    arrangeRows(m.rows, { sort: 'cpu', descending: true, tree: false, collapsed: new Set(), filter: '', hideUserThreads: true, hideKernelThreads: false });
    const e = performance.now();
    col.push(b - a);
    mod.push(d - b);
    srt.push(e - d);
    prev = cur;
    n = cur.tasks.length;
  }
  // The TUI's path: TopSource.collect() (collector + model as the view configures them).
  const state = { config: { ...DEFAULT_CONFIG, columns: [...DEFAULT_CONFIG.columns] }, users, save() {} } as unknown as TopState;
  const src = new TopSource(state);
  src.collect(performance.now());
  const view: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    src.collect(a);
    view.push(performance.now() - a);
  }
  const r = { processes: n, collectMs: median(col), modelMs: median(mod), sortMs: median(srt), totalMs: 0, viewTickMs: median(view) };
  r.totalMs = r.collectMs + r.modelMs + r.sortMs;
  return r;
}

function fmt(v: number | undefined, digits = 1): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

export async function benchTop(): Promise<string> {
  const out: string[] = [];
  const say = (s: string) => process.stderr.write(`top-bench: ${s}\n`);
  let small: { sh: ChildProcess; count: number } | undefined;
  let big: { sh: ChildProcess; count: number } | undefined;
  const costs: Array<[string, CollectorCost]> = [];
  const results: ToolResult[] = [];
  const bigResults: ToolResult[] = [];
  try {
    costs.push(['machine as is', collectorCost()]);
    say(`starting ${EXTRA} idle processes`);
    small = await startSleepers(EXTRA);
    costs.push([`+${small.count} sleeps`, collectorCost()]);
    for (const t of TOOLS) {
      say(`${t.name}: ${SECONDS} s in a ${COLS}x${ROWS} pty, 1 s refresh`);
      results.push(await runTool(t, SECONDS));
    }
    say(`starting ${BIG - EXTRA} more idle processes`);
    big = await startSleepers(Math.max(0, BIG - EXTRA));
    costs.push([`+${small.count + big.count} sleeps`, collectorCost()]);
    if (BIG_SECONDS > 0) {
      for (const t of TOOLS) {
        say(`${t.name}: ${BIG_SECONDS} s with +${small.count + big.count} processes`);
        bigResults.push(await runTool(t, BIG_SECONDS));
      }
    }
  } finally {
    stopSleepers(big);
    stopSleepers(small);
  }

  const btop = results.find((r) => r.name === 'btop' && !r.skipped);
  const htop = results.find((r) => r.name === 'htop' && !r.skipped);
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? (a / b).toFixed(2) : '-');
  out.push(`Refresh cost, ${COLS}x${ROWS} pty, 1 s refresh, ${SECONDS} s each (steady = after ${WARMUP} s), +${small?.count ?? 0} idle processes, ${os.cpus().length} CPUs`);
  out.push(table(
    ['tool', 'CPU% all', 'CPU% steady', 'vs btop', 'bytes/s', 'vs htop', 'first frame ms', 'RSS MB'],
    results.map((r) => r.skipped
      ? [r.name, `skipped: ${r.skipped}`, '', '', '', '', '', '']
      : [r.name, fmt(r.cpuAllPct, 2), fmt(r.cpuSteadyPct, 2), ratio(r.cpuSteadyPct, btop?.cpuSteadyPct), fmt(r.bytesPerSec, 0), ratio(r.bytesPerSec, htop?.bytesPerSec), fmt(r.firstFrameMs, 0), fmt(r.rssMb, 1)]),
  ));
  const o = results.find((r) => r.name === 'ostop' && !r.skipped);
  if (o) {
    const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');
    out.push('');
    out.push(`targets: ostop CPU <= btop: ${verdict(btop ? o.cpuSteadyPct! <= btop.cpuSteadyPct! : undefined)}; ostop bytes/s <= htop: ${verdict(htop ? o.bytesPerSec! <= htop.bytesPerSec! : undefined)}; ostop RSS < 80 MB: ${verdict(o.rssMb !== undefined ? o.rssMb < 80 : undefined)}`);
  }
  if (bigResults.length) {
    const bb = bigResults.find((r) => r.name === 'btop' && !r.skipped);
    const bh = bigResults.find((r) => r.name === 'htop' && !r.skipped);
    out.push('');
    out.push(`Same with +${(small?.count ?? 0) + (big?.count ?? 0)} idle processes, ${BIG_SECONDS} s each (steady = after ${Math.min(WARMUP, BIG_SECONDS / 2)} s)`);
    out.push(table(
      ['tool', 'CPU% all', 'CPU% steady', 'vs btop', 'bytes/s', 'vs htop', 'first frame ms', 'RSS MB'],
      bigResults.map((r) => r.skipped
        ? [r.name, `skipped: ${r.skipped}`, '', '', '', '', '', '']
        : [r.name, fmt(r.cpuAllPct, 2), fmt(r.cpuSteadyPct, 2), ratio(r.cpuSteadyPct, bb?.cpuSteadyPct), fmt(r.bytesPerSec, 0), ratio(r.bytesPerSec, bh?.bytesPerSec), fmt(r.firstFrameMs, 0), fmt(r.rssMb, 1)]),
    ));
  }
  out.push('');
  out.push('ostop collector + model + sort per sample (default columns, median of 7, in-process)');
  const base = costs[0][1];
  out.push(table(
    ['processes', 'count', 'collect ms', 'model ms', 'sort ms', 'total ms', 'us/process', 'vs as-is', 'TopSource tick ms'],
    costs.map(([label, c]) => [label, String(c.processes), fmt(c.collectMs, 2), fmt(c.modelMs, 2), fmt(c.sortMs, 2), fmt(c.totalMs, 2), fmt((c.totalMs * 1000) / c.processes, 1), ratio(c.totalMs, base.totalMs), fmt(c.viewTickMs, 2)]),
  ));
  if (costs.length >= 3) {
    const [a, b] = [costs[1][1], costs[2][1]];
    out.push(`growth ${a.processes} -> ${b.processes} processes (x${(b.processes / a.processes).toFixed(1)}): time x${(b.totalMs / a.totalMs).toFixed(1)}`);
  }
  return out.join('\n');
}

// Run directly: node dist/bench/top-bench.js
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  benchTop().then((s) => console.log(s), (e) => { console.error(e); process.exitCode = 1; });
}
