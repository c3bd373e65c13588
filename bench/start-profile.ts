// Where ostop's first seconds go: runs ostop with its bin's node flags
// under `perf record` (with --perf-basic-prof, so JavaScript frames have
// names), in a 200x50 pty beside BENCH_EXTRA_PROCS (1,000) idle processes,
// for PROFILE_SECONDS (15); then quits it with q and reports, over those
// seconds:
//   - CPU per thread (user, system) from /proc/PID/task/*/stat: the main JS
//     thread, V8's workers (concurrent optimizing compiler), the libuv pool;
//   - from perf's samples (every thread, kernel included): time by kind of
//     leaf frame (kernel, V8's optimizing compiler, GC, interpreter and
//     builtins, compiled JS, libc...), kernel time by system call, and time
//     by the nearest JavaScript function (its own time plus the native work
//     it called), self and inclusive.
// Why perf and not node --cpu-prof: the V8 profile holds the main thread
// only (here a third of the start-up CPU is on other threads or in the
// kernel), and ostop under --cpu-prof in a pty died of SIGPROF within
// seconds.
//
//   node dist/bench/start-profile.js [path/to/bin/ostop.js]
//   PROFILE_FROM=15 PROFILE_SECONDS=45 node dist/bench/start-profile.js   # steady state: 15-45 s
//
// Not part of `npm run bench` (a diagnosis, not a comparison). Needs perf
// (Debian linux-perf: scripts/setup.sh --bench) and root.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';
import { parseStat } from '../src/collectors/procfs/pid-stat.js';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 15);
/** Start of the analysed window (s): 0 = the start-up; e.g. PROFILE_FROM=15 PROFILE_SECONDS=45 = 30 s of steady state. */
const FROM = Number(process.env.PROFILE_FROM ?? 0);
const EXTRA = Number(process.env.BENCH_EXTRA_PROCS ?? 1000);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HZ = 100;
const FREQ = 997;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bin's shebang: `#!/usr/bin/env -S -u NODE_OPTIONS K=V... node FLAGS` -> env and node flags. */
export function shebang(bin: string): { env: Record<string, string>; flags: string[] } {
  const first = fs.readFileSync(bin, 'utf8').split('\n')[0];
  const words = first.replace(/^#!\S*env\s+-S\s+/, '').split(/\s+/).filter(Boolean);
  const env: Record<string, string> = {};
  const flags: string[] = [];
  let i = 0;
  for (; i < words.length && words[i] !== 'node'; i++) {
    if (words[i] === '-u') i++;
    else if (words[i].includes('=')) env[words[i].slice(0, words[i].indexOf('='))] = words[i].slice(words[i].indexOf('=') + 1);
  }
  for (i++; i < words.length; i++) flags.push(words[i]);
  return { env, flags };
}

export interface PerfSample {
  tid: number;
  t: number;
  /** Leaf first: [symbol, dso]. */
  frames: Array<[string, string]>;
}

/** `perf script -F tid,time,ip,sym,dso` output -> samples. */
export function parsePerfScript(text: string): PerfSample[] {
  const out: PerfSample[] = [];
  let cur: PerfSample | undefined;
  for (const line of text.split('\n')) {
    const head = /^\s*(\d+)\s+([\d.]+):\s*$/.exec(line);
    if (head) {
      if (cur) out.push(cur);
      cur = { tid: Number(head[1]), t: Number(head[2]), frames: [] };
      continue;
    }
    if (!cur || !line.trim()) continue;
    const m = /^\s*[0-9a-f]+ (.*) \((.*)\)$/.exec(line);
    if (m) cur.frames.push([m[1], m[2]]);
  }
  if (cur) out.push(cur);
  return out;
}

/** What kind of work a leaf frame is. */
export function kindOf(sym: string, dso: string): string {
  if (dso.startsWith('[kernel') || sym.startsWith('bpf_prog_')) return 'kernel';
  if (/compiler::|maglev|turboshaft/i.test(sym)) return 'V8 optimizing compiler';
  if (/Heap|Scaveng|MarkCompact|Sweeper|Marking|Evacuat|GCTracer/.test(sym)) return 'V8 GC';
  if (/Parser|Scanner|PreParse|Compiler::Compile|BytecodeGenerator|CodeSerializer|Deserializ/.test(sym)) return 'V8 parse, bytecode, code cache';
  if (sym.startsWith('JS:')) return 'JavaScript, compiled';
  if (sym.startsWith('Builtins_') || dso.startsWith('[JIT]')) return 'JavaScript, interpreter and builtins';
  if (/ostop_native|libbpf|libelf/.test(dso)) return 'addon, libbpf (user)';
  if (/libc\.so|libstdc\+\+/.test(dso)) return 'libc, libstdc++ (malloc, memcpy)';
  return 'V8, node (other)';
}

function jsName(sym: string, root: string): string {
  const m = /^JS:[*~^+]?(\S*) (\S+)$/.exec(sym);
  if (!m) return sym;
  return `${m[1] || '(anonymous)'} ${m[2].replace(/^file:\/\//, '').replace(root + '/', '')}`;
}

export interface Breakdown {
  ms: number;
  byThread: Map<number, number>;
  byKind: Map<string, number>;
  bySyscall: Map<string, number>;
  /** Nearest JavaScript frame: its own time plus the native work it called. */
  byJs: Map<string, number>;
  /** A JavaScript function and everything it calls (each sample counted once per function). */
  inclusive: Map<string, number>;
}

export function breakdown(samples: PerfSample[], seconds: number, root: string, from = 0): Breakdown {
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const per = 1000 / FREQ;
  const t0 = samples.length ? Math.min(...samples.map((s) => s.t)) : 0;
  const b: Breakdown = { ms: 0, byThread: new Map(), byKind: new Map(), bySyscall: new Map(), byJs: new Map(), inclusive: new Map() };
  for (const s of samples) {
    if (s.t - t0 > seconds || s.t - t0 < from || !s.frames.length) continue;
    b.ms += per;
    b.byThread.set(s.tid, (b.byThread.get(s.tid) ?? 0) + per);
    const kind = kindOf(...s.frames[0]);
    add(b.byKind, kind, per);
    if (kind === 'kernel') {
      let call = '(no system call: interrupt, scheduler, softirq)';
      for (const [sym] of s.frames) {
        const m = /^(?:__x64_sys_|__do_sys_|__sys_|__se_sys_)(\w+)/.exec(sym);
        if (m) { call = m[1]; break; }
        if (/^(asm_)?exc_page_fault/.test(sym)) { call = 'page fault'; break; }
      }
      add(b.bySyscall, call, per);
    }
    let nearest: string | undefined;
    const seen = new Set<string>();
    for (const [sym] of s.frames) {
      if (!sym.startsWith('JS:')) continue;
      const name = jsName(sym, root);
      nearest ??= name;
      if (!seen.has(name)) {
        seen.add(name);
        add(b.inclusive, name, per);
      }
    }
    add(b.byJs, nearest ?? `(no JavaScript caller: ${kind})`, per);
  }
  return b;
}

/** CPU ticks per thread name (user, system), the main thread apart, heaviest first. */
function threadCpu(pid: number): Array<[string, number, number]> {
  const by = new Map<string, [number, number]>();
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const f = parseStat(fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'));
      if (!f) continue;
      const name = Number(t) === pid ? `${f.comm} (main)` : f.comm.replace(/\d+$/, 'N');
      const e = by.get(name) ?? [0, 0];
      e[0] += f.utime;
      e[1] += f.stime;
      by.set(name, e);
    } catch {
      /* gone */
    }
  }
  return [...by].map(([n, [u, s]]): [string, number, number] => [n, u, s]).sort((a, b) => b[1] + b[2] - a[1] - a[2]);
}

/** The whole process's user and system ticks (exited threads included). */
function procTicks(pid: number): [number, number] | undefined {
  try {
    const f = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return f ? [f.utime, f.stime] : undefined;
  } catch {
    return undefined;
  }
}

/** The node process perf started (perf's child). */
function childOf(ppid: number): number | undefined {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (parseStat(fs.readFileSync(`/proc/${d}/stat`, 'utf8'))?.ppid === ppid) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

async function startSleepers(n: number): Promise<ChildProcess> {
  const sh = spawn('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep 600 & i=$((i+1)); done; echo ready; wait`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((res) => {
    sh.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && res());
    sh.once('exit', () => res());
  });
  await sleep(1000);
  return sh;
}

function top(m: Map<string, number>, n: number, total: number): string[] {
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `  ${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`);
}

export async function profileStart(bin = process.argv[2] || path.join(REPO, 'bin', 'ostop.js')): Promise<string> {
  if (spawnSync('perf', ['--version']).status !== 0) return 'perf is not installed (scripts/setup.sh --bench installs linux-perf)';
  const root = path.resolve(path.dirname(bin), '..');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-profile-'));
  const data = path.join(home, 'perf.data');
  const { env: binEnv, flags } = shebang(bin);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_OPTIONS' && !k.startsWith('PROFILE_') && !k.startsWith('BENCH_')) env[k] = v;
  Object.assign(env, binEnv, { TERM: 'xterm-256color', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
  const sh = await startSleepers(EXTRA);
  const out: string[] = [];
  let nodePid: number | undefined;
  try {
    const args = ['record', '-q', '-F', String(FREQ), '-g', '-o', data, '--', process.execPath, '--perf-basic-prof', ...flags, bin, '-d', '1'];
    const t0 = performance.now();
    const p = pty.spawn('perf', args, { name: 'xterm-256color', cols: 200, rows: 50, cwd: home, env });
    let exited = false;
    p.onExit(() => { exited = true; });
    p.onData(() => { /* drained */ });
    for (let i = 0; i < 50 && nodePid === undefined; i++) {
      await sleep(20);
      nodePid = childOf(p.pid);
    }
    let before: { threads: Array<[string, number, number]>; whole: [number, number] } | undefined;
    if (FROM > 0) {
      await sleep(FROM * 1000 - (performance.now() - t0));
      if (!exited && nodePid !== undefined) before = { threads: threadCpu(nodePid), whole: procTicks(nodePid) ?? [0, 0] };
    }
    await sleep(SECONDS * 1000 - (performance.now() - t0));
    let threads = exited || nodePid === undefined ? [] : threadCpu(nodePid);
    let whole = nodePid === undefined ? undefined : procTicks(nodePid);
    if (before && whole) {
      // Over the window only: what each thread (by name) and the process spent since FROM.
      const was = new Map(before.threads.map(([n, u, s]) => [n, [u, s]]));
      threads = threads.map(([n, u, s]): [string, number, number] => [n, u - (was.get(n)?.[0] ?? 0), s - (was.get(n)?.[1] ?? 0)]);
      whole = [whole[0] - before.whole[0], whole[1] - before.whole[1]];
    }
    const total = whole ? whole[0] + whole[1] : 0;
    const ms = (ticks: number) => ((ticks / HZ) * 1000).toFixed(0).padStart(6);
    const span = FROM > 0 ? `${FROM}-${SECONDS} s` : `first ${SECONDS} s`;
    out.push(`ostop's ${span} with +${EXTRA} idle processes, under perf: ${ms(total).trim()} ms of CPU (${((100 * total) / HZ / (SECONDS - FROM)).toFixed(2)} % of a core)`);
    out.push('per thread: user ms, system ms');
    for (const [name, u, s] of threads) out.push(`  ${ms(u)} ${ms(s)}  ${name}`);
    if (whole) out.push(`  ${ms(whole[0] - threads.reduce((a, t) => a + t[1], 0))} ${ms(whole[1] - threads.reduce((a, t) => a + t[2], 0))}  threads that have exited`);
    p.write('q');
    for (let i = 0; i < 150 && !exited; i++) await sleep(100);
    if (!exited) p.kill('SIGKILL');
  } finally {
    try {
      process.kill(-sh.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const script = spawnSync('perf', ['script', '-i', data, '-F', 'tid,time,ip,sym,dso'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (nodePid !== undefined) fs.rmSync(`/tmp/perf-${nodePid}.map`, { force: true });
  if (script.status !== 0) {
    out.push(`perf script failed: ${script.stderr.split('\n')[0]}`);
    return out.join('\n');
  }
  fs.writeFileSync(`${data}.txt`, script.stdout); // the samples with their JavaScript names, for a closer look
  const b = breakdown(parsePerfScript(script.stdout), SECONDS, root, FROM);
  out.push('', `perf samples, every thread, ${FROM > 0 ? `${FROM}-${SECONDS} s` : `first ${SECONDS} s`}: ${b.ms.toFixed(0)} ms`);
  out.push('by thread id: ' + [...b.byThread].sort((x, y) => y[1] - x[1]).map(([t, v]) => `${t === nodePid ? 'main' : t} ${v.toFixed(0)}`).join(', ') + ' (ms)');
  out.push('by kind of work (leaf frame):', ...top(b.byKind, 12, b.ms));
  out.push('kernel time by system call:', ...top(b.bySyscall, 12, b.ms));
  out.push('by nearest JavaScript function (its own time + the native work it called):', ...top(b.byJs, 30, b.ms));
  out.push('inclusive (a JavaScript function and all it calls):', ...top(b.inclusive, 40, b.ms));
  out.push('', `perf data kept: ${data} (perf script output: ${data}.txt)`);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  profileStart().then((s) => console.log(s), (e) => { console.error(e); process.exitCode = 1; });
}
