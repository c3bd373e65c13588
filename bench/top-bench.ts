// Process-table benchmark: what ostop costs next to top, htop and btop,
// with every tool running AT THE SAME TIME, in the same measuring window.
//
// Why side by side: measured one after the other, each tool saw its own
// seconds of the machine (other processes starting and exiting, the
// kernel's own work), and the difference between windows was larger than
// the differences being measured (ostop's terminal bytes came out at
// 0.50-0.69x htop's one tool after the other, 0.98-1.07x when both ran at
// once). Run together, every tool draws the same process list, in the same
// seconds, with the same churn.
//
//  1. The window. With BENCH_EXTRA_PROCS (1,000) extra idle processes
//     (`sleep 600`), every tool is started at once, each in its own 200x50
//     pseudo-terminal (TERM=xterm-256color, a temp HOME), with a 1 s
//     refresh, for BENCH_SECONDS (75). Every BENCH_SLICE_SECONDS (15) the
//     harness reads, in one /proc scan, each tool's CPU ticks (utime+stime
//     of the tool and all its descendants: live ones, plus cutime/cstime of
//     reaped ones), the bytes it has written to its pty and its RSS. From
//     those common instants, per tool:
//       - CPU over the first WARMUP_SECONDS (15): start-up, JIT warm-up;
//       - CPU at steady state: from WARMUP_SECONDS to the end;
//       - terminal bytes/s at steady state;
//       - RSS at the end (and the highest seen);
//       - the steady CPU of each slice, so the ratio ostop/btop can be
//         given per slice (min-max): how much it moves within one run.
//     Ratios: CPU against btop, bytes against htop, over the same seconds.
//  2. First frame: ms from spawn until the table header is on the (headless
//     xterm) screen. Measured twice: in the window above (all tools
//     starting together on the same cores: they slow each other down), and
//     alone: each tool launched by itself BENCH_FRAME_ROUNDS (3) times,
//     in rotating order, with the same extra processes; the median.
//  3. ostop's collector + model + sort per sample, in-process, at the
//     machine's own process count, +1,000 and +10,000 idle processes (and,
//     for comparison, the top view's own TopSource.collect() per tick).
//  4. Items 1-2 again with BENCH_BIG_PROCS (10,000) extra idle processes,
//     a window of BENCH_BIG_SECONDS (45; 0 skips it).
//
// Environment: BENCH_SECONDS (75), WARMUP_SECONDS (15), BENCH_SLICE_SECONDS
// (15), BENCH_EXTRA_PROCS (1000), BENCH_BIG_PROCS (10000), BENCH_BIG_SECONDS
// (45), BENCH_FRAME_ROUNDS (3; 0 skips the lone launches), BENCH_TOOLS
// (comma-separated subset, e.g. "ostop,btop"), BENCH_OSTOP (the ostop bin
// to measure, default this repository's bin/ostop.js), BENCH_OSTOP_BASE (a
// second ostop bin, e.g. a build of an older commit, measured in the same
// window as "ostop-base": before/after figures from the same seconds),
// BENCH_OSTOP_MORE (more builds: "name=path,name2=path2").
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
import { parseStat, parseStatTail } from '../src/collectors/procfs/pid-stat.js';
import { parseStatus } from '../src/collectors/procfs/pid-status.js';
import { TopSource } from '../src/views/top.js';
import type { TopRequest } from '../src/model/view-contract.js';
import { DEFAULT_CONFIG } from '../src/app/config.js';
import { median, ratio, rotations, sliceRatioRange, toolFigures, type ToolFigures, type WindowSample } from './side-by-side.js';

const { Terminal } = xtermHeadless as unknown as typeof import('@xterm/headless');
type XTerm = InstanceType<typeof Terminal>;

const num = (name: string, dflt: number): number => {
  const v = Number(process.env[name] ?? dflt);
  return Number.isFinite(v) && v >= 0 ? v : dflt;
};
const SECONDS = num('BENCH_SECONDS', 75);
const WARMUP = Math.min(num('WARMUP_SECONDS', 15), SECONDS / 2);
const SLICE = Math.max(1, num('BENCH_SLICE_SECONDS', 15));
const EXTRA = num('BENCH_EXTRA_PROCS', 1000);
const BIG = num('BENCH_BIG_PROCS', 10000);
/** Seconds of the second, big-table window (0 skips it). */
const BIG_SECONDS = num('BENCH_BIG_SECONDS', 45);
const FRAME_ROUNDS = num('BENCH_FRAME_ROUNDS', 3);
const COLS = 200;
const ROWS = 50;
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

function toolSpecs(): ToolSpec[] {
  const ostopHeader = /PID\s+USER\s+PRI/;
  // As a user runs it (npx ostop): the bin's shebang passes ostop's V8 flags.
  const all: ToolSpec[] = [{ name: 'ostop', file: process.env.BENCH_OSTOP || path.join(REPO, 'bin', 'ostop.js'), args: ['-d', '1'], header: ostopHeader }];
  if (process.env.BENCH_OSTOP_BASE) all.push({ name: 'ostop-base', file: process.env.BENCH_OSTOP_BASE, args: ['-d', '1'], header: ostopHeader });
  // More builds in the same window, e.g. A/B of V8 flags: BENCH_OSTOP_MORE="ostop-x=/path/bin/ostop.js,ostop-y=/other/bin/ostop.js"
  for (const item of (process.env.BENCH_OSTOP_MORE ?? '').split(',').filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq > 0) all.push({ name: item.slice(0, eq), file: item.slice(eq + 1), args: ['-d', '1'], header: ostopHeader });
  }
  all.push(
    { name: 'top', file: 'top', args: ['-d', '1'], header: /PID\s+USER\s+PR/ },
    { name: 'htop', file: 'htop', args: ['-d', '10'], header: /PID\s+USER\s+PRI/ },
    {
      name: 'btop', file: 'btop', args: [], header: /Pid:?\s+Program:?/i,
      files: { '.config/btop/btop.conf': 'update_ms = 1000\nproc_sorting = "cpu lazy"\n' },
    },
  );
  const only = (process.env.BENCH_TOOLS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return only.length ? all.filter((t) => only.includes(t.name)) : all;
}

function which(file: string): string | undefined {
  if (path.isAbsolute(file)) return fs.existsSync(file) ? file : undefined;
  const r = spawnSync('sh', ['-c', `command -v ${file}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function readStat(pid: number): { ppid: number; ticks: number; childTicks: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = parseStat(s);
    if (!f) return undefined;
    const tail = parseStatTail(s);
    return { ppid: f.ppid, ticks: f.utime + f.stime, childTicks: (tail.cutime ?? 0) + (tail.cstime ?? 0) };
  } catch {
    return undefined;
  }
}

/** One /proc scan; CPU ticks of each root and every descendant (live: utime+stime; reaped: cutime+cstime of their parents). */
function treeTicksOf(roots: number[]): Map<number, number> {
  const kids = new Map<number, number[]>();
  const stats = new Map<number, { ticks: number; childTicks: number }>();
  for (const d of fs.readdirSync('/proc')) {
    if (d.charCodeAt(0) < 48 || d.charCodeAt(0) > 57) continue;
    const st = readStat(Number(d));
    if (!st) continue;
    stats.set(Number(d), st);
    const l = kids.get(st.ppid);
    if (l) l.push(Number(d));
    else kids.set(st.ppid, [Number(d)]);
  }
  const out = new Map<number, number>();
  for (const root of roots) {
    if (!stats.has(root)) continue;
    let total = 0;
    const stack = [root];
    while (stack.length) {
      const p = stack.pop()!;
      const st = stats.get(p);
      if (!st) continue;
      total += st.ticks + st.childTicks;
      for (const k of kids.get(p) ?? []) stack.push(k);
    }
    out.set(root, total);
  }
  return out;
}

function rssMb(pid: number): number | undefined {
  try {
    const kb = parseStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).vmRssKb;
    return kb === undefined ? undefined : kb / 1024;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tool running in its own pty. */
interface Running {
  spec: ToolSpec;
  p: pty.IPty;
  term: XTerm;
  home: string;
  t0: number;
  bytes: number;
  firstFrameMs?: number;
  exited: boolean;
}

function startTool(spec: ToolSpec, file: string): Running {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `ostop-bench-${spec.name}-`));
  for (const [rel, text] of Object.entries(spec.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    fs.writeFileSync(path.join(home, rel), text);
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VITEST') && !k.startsWith('BENCH_') && k !== 'NO_COLOR') env[k] = v;
  Object.assign(env, { TERM: 'xterm-256color', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true, scrollback: 0 });
  const t0 = performance.now();
  const p = pty.spawn(file, spec.args, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: home, env });
  const r: Running = { spec, p, term, home, t0, bytes: 0, exited: false };
  let parsing = true;
  p.onExit(() => { r.exited = true; });
  p.onData((d) => {
    r.bytes += Buffer.byteLength(d);
    if (!parsing) return;
    term.write(d, () => {
      if (r.firstFrameMs !== undefined) return;
      const buf = term.buffer.active;
      for (let y = 0; y < ROWS; y++) {
        if (spec.header.test(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '')) {
          r.firstFrameMs = performance.now() - t0;
          parsing = false; // the rest is counted, not parsed: keep the harness quiet
          break;
        }
      }
    });
  });
  return r;
}

async function stopTool(r: Running): Promise<void> {
  try {
    r.p.kill('SIGTERM');
  } catch {
    /* gone */
  }
  await sleep(300);
  try {
    process.kill(r.p.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  r.term.dispose();
  fs.rmSync(r.home, { recursive: true, force: true });
}

export interface WindowResult {
  seconds: number;
  warmup: number;
  figures: ToolFigures[];
  /** First frame of each tool when all started together, ms. */
  frameTogetherMs: Record<string, number | undefined>;
  /** Median first frame of each tool launched alone, ms, and the launches. */
  frameAloneMs: Record<string, { median?: number; all: number[] }>;
  skipped: Array<[string, string]>;
  /** The whole machine during the window (the tools included), to judge how quiet it was. */
  machineBusyPct?: number;
  loadAvg?: string;
}

/** Busy and total jiffies of all CPUs, from /proc/stat. */
function cpuJiffies(): { busy: number; total: number } | undefined {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - f[4], total };
  } catch {
    return undefined;
  }
}

/** Every tool at once, same pty size, same refresh, same seconds; then each alone for its first frame. */
async function runWindow(specs: ToolSpec[], seconds: number, say: (s: string) => void): Promise<WindowResult> {
  const warmup = Math.min(WARMUP, seconds / 2);
  const skipped: Array<[string, string]> = [];
  const present: Array<[ToolSpec, string]> = [];
  for (const s of specs) {
    const f = which(s.file);
    if (f) present.push([s, f]);
    else skipped.push([s.name, `${s.file} not installed (scripts/setup.sh --bench installs it)`]);
  }
  const samples: WindowSample[] = [];
  const running: Running[] = [];
  const frameTogetherMs: Record<string, number | undefined> = {};
  let jiffies0: { busy: number; total: number } | undefined;
  let machineBusyPct: number | undefined;
  let loadAvg: string | undefined;
  say(`${present.map(([s]) => s.name).join(', ')} together: ${seconds} s, each in a ${COLS}x${ROWS} pty, 1 s refresh`);
  try {
    const tStart = performance.now();
    jiffies0 = cpuJiffies();
    for (const [s, f] of present) running.push(startTool(s, f));
    const sample = (t: number, fresh: boolean): void => {
      const live = running.filter((r) => !r.exited);
      const ticks = fresh ? undefined : treeTicksOf(live.map((r) => r.p.pid));
      const w: WindowSample = { t, ticks: {}, bytes: {}, rssMb: {} };
      for (const r of running) {
        const n = r.spec.name;
        // The tools were just spawned: nothing used yet.
        w.ticks[n] = r.exited ? undefined : fresh ? 0 : ticks!.get(r.p.pid);
        w.bytes[n] = r.bytes;
        w.rssMb[n] = r.exited || fresh ? undefined : rssMb(r.p.pid);
      }
      samples.push(w);
    };
    sample(0, true);
    // Sampling instants: the end of the warm-up, then every SLICE seconds to the end.
    const instants = new Set<number>([warmup, seconds]);
    for (let t = warmup + SLICE; t < seconds - SLICE / 3; t += SLICE) instants.add(t);
    for (let t = SLICE; t < warmup; t += SLICE) instants.add(t);
    for (const t of [...instants].sort((a, b) => a - b)) {
      const wait = tStart + t * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      sample((performance.now() - tStart) / 1000, false);
    }
    const jiffies1 = cpuJiffies();
    if (jiffies0 && jiffies1 && jiffies1.total > jiffies0.total) machineBusyPct = (100 * (jiffies1.busy - jiffies0.busy)) / (jiffies1.total - jiffies0.total);
    try {
      loadAvg = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    } catch {
      /* no loadavg */
    }
    for (const r of running) {
      frameTogetherMs[r.spec.name] = r.firstFrameMs;
      if (r.exited) skipped.push([r.spec.name, `exited early (${r.bytes} bytes written)`]);
    }
  } finally {
    await Promise.all(running.map(stopTool));
  }
  const gone = new Set(skipped.map(([n]) => n));
  const figures = present.filter(([s]) => !gone.has(s.name)).map(([s]) => toolFigures(s.name, samples, warmup));

  const frameAloneMs: WindowResult['frameAloneMs'] = {};
  const alone = present.filter(([s]) => !gone.has(s.name));
  if (FRAME_ROUNDS > 0 && alone.length) {
    say(`first frame: each tool alone, ${FRAME_ROUNDS} rounds`);
    for (const order of rotations(alone, FRAME_ROUNDS)) {
      for (const [s, f] of order) {
        const r = startTool(s, f);
        try {
          const t = performance.now();
          while (r.firstFrameMs === undefined && !r.exited && performance.now() - t < 20000) await sleep(5);
          if (r.firstFrameMs !== undefined) (frameAloneMs[s.name] ??= { all: [] }).all.push(r.firstFrameMs);
          await sleep(500); // let it settle a little: no tool is cut off mid-start-up while the next starts
        } finally {
          await stopTool(r);
        }
        await sleep(500);
      }
    }
    for (const v of Object.values(frameAloneMs)) v.median = median(v.all);
  }
  return { seconds, warmup, figures, frameTogetherMs, frameAloneMs, skipped, machineBusyPct, loadAvg };
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
  const cfg = { ...DEFAULT_CONFIG, columns: [...DEFAULT_CONFIG.columns] };
  const src = new TopSource({ users });
  // The request of a screen that has not drawn yet (no visible rows known), as before the contract.
  const req: TopRequest = { columns: cfg.columns, sort: cfg.sort, hideUserThreads: cfg.hideUserThreads, strip: false, allCommandLines: false };
  src.collect(performance.now(), req);
  const view: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    src.collect(a, req);
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
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');

/** The window's table, ratios against btop (CPU) and htop (bytes) over the same seconds. */
function windowReport(w: WindowResult): string[] {
  const out: string[] = [];
  const get = (n: string) => w.figures.find((f) => f.name === n);
  const btop = get('btop'), htop = get('htop');
  const r2 = (a: number | undefined, b: number | undefined) => fmt(ratio(a, b), 2);
  const range = (f: ToolFigures) => {
    const rr = btop && f !== btop ? sliceRatioRange(f, btop) : undefined;
    return rr ? `${rr[0].toFixed(2)}-${rr[1].toFixed(2)}` : '-';
  };
  out.push(table(
    ['tool', 'CPU% 0-' + w.warmup + ' s', 'vs btop', 'CPU% steady', 'vs btop', `per ${SLICE} s`, 'CPU% all', 'bytes/s', 'vs htop', 'frame ms alone', 'together', 'RSS MB', 'max'],
    w.figures.map((f) => [
      f.name, fmt(f.cpuStartPct, 2), r2(f.cpuStartPct, btop?.cpuStartPct), fmt(f.cpuSteadyPct, 2), r2(f.cpuSteadyPct, btop?.cpuSteadyPct), range(f),
      fmt(f.cpuAllPct, 2), fmt(f.bytesPerSec, 0), r2(f.bytesPerSec, htop?.bytesPerSec),
      fmt(w.frameAloneMs[f.name]?.median, 0), fmt(w.frameTogetherMs[f.name], 0), fmt(f.rssMb, 1), fmt(f.rssMaxMb, 1),
    ]),
  ));
  for (const [n, why] of w.skipped) out.push(`${n}: skipped: ${why}`);
  out.push(`machine during the window, tools included: ${fmt(w.machineBusyPct, 0)} % busy (all CPUs), load average at the end ${w.loadAvg ?? '-'}`);
  const alone = Object.entries(w.frameAloneMs).map(([n, v]) => `${n} ${v.all.map((x) => x.toFixed(0)).join('/')}`);
  if (alone.length) out.push(`first frames alone (each launch, ms): ${alone.join('; ')}`);
  return out;
}

/**
 * The bin runs dist/ostop.cjs only when it is at least as new as
 * dist/src/cli.js (bin/ostop.js); after a bare `tsc` it runs ~150 separate
 * modules instead, which starts slower and holds more memory: say so.
 */
function unbundledNote(spec: ToolSpec): string | undefined {
  if (!spec.name.startsWith('ostop')) return undefined;
  const root = path.resolve(path.dirname(spec.file), '..');
  const mtime = (rel: string) => {
    try {
      return fs.statSync(path.join(root, rel)).mtimeMs;
    } catch {
      return -1;
    }
  };
  return mtime('dist/ostop.cjs') >= mtime('dist/src/cli.js') ? undefined
    : `${spec.name}: ${root}/dist/ostop.cjs is missing or older than dist/src (run node scripts/bundle.mjs): measured unbundled, not as users run it`;
}

export async function benchTop(): Promise<string> {
  const out: string[] = [];
  const say = (s: string) => process.stderr.write(`top-bench: ${s}\n`);
  const specs = toolSpecs();
  for (const s of specs) {
    const note = unbundledNote(s);
    if (note) {
      say(note);
      out.push(`NOTE: ${note}`);
    }
  }
  let small: { sh: ChildProcess; count: number } | undefined;
  let big: { sh: ChildProcess; count: number } | undefined;
  const costs: Array<[string, CollectorCost]> = [];
  let w1: WindowResult | undefined;
  let w2: WindowResult | undefined;
  try {
    costs.push(['machine as is', collectorCost()]);
    say(`starting ${EXTRA} idle processes`);
    small = await startSleepers(EXTRA);
    costs.push([`+${small.count} sleeps`, collectorCost()]);
    w1 = await runWindow(specs, SECONDS, say);
    if (BIG > EXTRA) {
      say(`starting ${BIG - EXTRA} more idle processes`);
      big = await startSleepers(BIG - EXTRA);
      costs.push([`+${small.count + big.count} sleeps`, collectorCost()]);
      if (BIG_SECONDS > 0) w2 = await runWindow(specs, BIG_SECONDS, say);
    }
  } finally {
    stopSleepers(big);
    stopSleepers(small);
  }

  out.push(`All tools at once, each in its own ${COLS}x${ROWS} pty, 1 s refresh, one ${SECONDS} s window (start-up = first ${w1.warmup} s, steady = the rest), +${small?.count ?? 0} idle processes, ${os.cpus().length} CPUs`);
  out.push(...windowReport(w1));
  const o = w1.figures.find((f) => f.name === 'ostop');
  const btop = w1.figures.find((f) => f.name === 'btop');
  const htop = w1.figures.find((f) => f.name === 'htop');
  const cmp = (a: number | undefined, b: number | undefined, k: number) => (a !== undefined && b !== undefined ? a <= k * b : undefined);
  let bigVerdict = '';
  if (w2) {
    const ob = w2.figures.find((f) => f.name === 'ostop');
    const bb = w2.figures.find((f) => f.name === 'btop');
    bigVerdict = `; 10,000 processes steady <= 0.35x btop: ${verdict(cmp(ob?.cpuSteadyPct, bb?.cpuSteadyPct, 0.35))}`;
  }
  if (o) {
    const ff = w1.frameAloneMs.ostop?.median;
    out.push('');
    out.push(`targets: steady CPU <= 0.5x btop: ${verdict(cmp(o.cpuSteadyPct, btop?.cpuSteadyPct, 0.5))}; CPU of the first ${w1.warmup} s <= btop's: ${verdict(cmp(o.cpuStartPct, btop?.cpuStartPct, 1))}; ` +
      `bytes/s <= 0.5x htop: ${verdict(cmp(o.bytesPerSec, htop?.bytesPerSec, 0.5))}; first frame (alone) <= 200 ms: ${verdict(ff === undefined ? undefined : ff <= 200)}; ` +
      `RSS <= 75 MB: ${verdict(o.rssMb === undefined ? undefined : o.rssMb <= 75)}${bigVerdict}`);
  }
  if (w2) {
    out.push('');
    out.push(`Same with +${(small?.count ?? 0) + (big?.count ?? 0)} idle processes, one ${BIG_SECONDS} s window (start-up = first ${w2.warmup} s)`);
    out.push(...windowReport(w2));
  }
  out.push('');
  out.push('ostop collector + model + sort per sample (default columns, median of 7, in-process)');
  const base = costs[0][1];
  out.push(table(
    ['processes', 'count', 'collect ms', 'model ms', 'sort ms', 'total ms', 'us/process', 'vs as-is', 'TopSource tick ms'],
    costs.map(([label, c]) => [label, String(c.processes), fmt(c.collectMs, 2), fmt(c.modelMs, 2), fmt(c.sortMs, 2), fmt(c.totalMs, 2), fmt((c.totalMs * 1000) / c.processes, 1), fmt(ratio(c.totalMs, base.totalMs), 2), fmt(c.viewTickMs, 2)]),
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
