// Where ostop's first seconds go: runs ostop through its bin's node flags,
// with --cpu-prof, in a 200x50 pty beside BENCH_EXTRA_PROCS (1,000) idle
// processes, for PROFILE_SECONDS (15); then quits it with q and reports
//   - CPU per thread of the ostop process (main JS thread, V8 workers:
//     concurrent compilation, libuv pool, native threads), from
//     /proc/PID/task/*/stat, since only the main thread is in the profile;
//   - from the profile, the samples of the first PROFILE_SECONDS only:
//     self time per source file and per function, and inclusive time
//     (the function and everything it calls) of the heaviest functions.
// File names come from the module URLs, so the bundle is set aside for the
// run (PROFILE_BUNDLE=1 keeps it: then the names are the bundle's lines).
//
//   node dist/bench/start-profile.js [path/to/bin/ostop.js]
//
// Not part of `npm run bench` (a diagnosis, not a comparison).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';
import { parseStat } from '../src/collectors/procfs/pid-stat.js';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 15);
const EXTRA = Number(process.env.BENCH_EXTRA_PROCS ?? 1000);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HZ = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

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

/** Self and inclusive milliseconds per key over the samples taken before `untilMs`. */
export function aggregate(p: CpuProfile, untilMs: number, key: (n: CpuProfileNode) => string): { self: Map<string, number>; incl: Map<string, number>; totalMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let t = 0;
  let totalMs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t / 1000 > untilMs) break;
    // the time until the next sample belongs to this one
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    totalMs += dt;
    const leaf = byId.get(p.samples[i])!;
    const k = key(leaf);
    self.set(k, (self.get(k) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const kk = key(byId.get(id)!);
      if (seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + dt);
    }
  }
  return { self, incl, totalMs };
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

async function startSleepers(n: number): Promise<ChildProcess> {
  const sh = spawn('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep 600 & i=$((i+1)); done; echo ready; wait`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((res) => {
    sh.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && res());
    sh.once('exit', () => res());
  });
  await sleep(1000);
  return sh;
}

function top(m: Map<string, number>, n: number, totalMs: number): string[] {
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${k}`);
}

export async function profileStart(bin = process.argv[2] || path.join(REPO, 'bin', 'ostop.js')): Promise<string> {
  const root = path.resolve(path.dirname(bin), '..');
  const bundle = path.join(root, 'dist', 'ostop.cjs');
  const aside = `${bundle}.profile-aside`;
  const keepBundle = process.env.PROFILE_BUNDLE === '1';
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-profile-'));
  const profDir = path.join(home, 'prof');
  const { env: binEnv, flags } = shebang(bin);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_OPTIONS' && !k.startsWith('PROFILE_')) env[k] = v;
  Object.assign(env, binEnv, { TERM: 'xterm-256color', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
  const sh = await startSleepers(EXTRA);
  const out: string[] = [];
  try {
    if (!keepBundle && fs.existsSync(bundle)) fs.renameSync(bundle, aside);
    const args = [...flags, '--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=250', bin, '-d', '1'];
    const t0 = performance.now();
    const p = pty.spawn(process.execPath, args, { name: 'xterm-256color', cols: 200, rows: 50, cwd: home, env });
    let exited = false;
    p.onExit(() => { exited = true; });
    p.onData(() => { /* drained */ });
    await sleep(SECONDS * 1000 - (performance.now() - t0));
    const threads = exited ? [] : threadCpu(p.pid);
    const total = threads.reduce((a, [, u, s]) => a + u + s, 0);
    const ms = (ticks: number) => ((ticks / HZ) * 1000).toFixed(0).padStart(6);
    out.push(`ostop's first ${SECONDS} s with +${EXTRA} idle processes: ${ms(total).trim()} ms of CPU (${((100 * total) / HZ / SECONDS).toFixed(2)} % of a core)`);
    out.push('per thread: user ms, system ms');
    for (const [name, u, s] of threads) out.push(`  ${ms(u)} ${ms(s)}  ${name}`);
    const whole = procTicks(p.pid);
    if (whole) out.push(`  ${ms(whole[0] - threads.reduce((a, t) => a + t[1], 0))} ${ms(whole[1] - threads.reduce((a, t) => a + t[2], 0))}  threads that have exited`);
    p.write('q');
    for (let i = 0; i < 100 && !exited; i++) await sleep(100);
    if (!exited) p.kill('SIGKILL');
  } finally {
    if (fs.existsSync(aside)) fs.renameSync(aside, bundle);
    try {
      process.kill(-sh.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const file = fs.existsSync(profDir) ? fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!file) {
    out.push('no profile written (ostop did not exit cleanly)');
    return out.join('\n');
  }
  const prof = JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8')) as CpuProfile;
  const rel = (u: string) => (u ? u.replace(/^file:\/\//, '').replace(root + '/', '').replace(/^.*\/node_modules\//, 'node_modules/') : '(native/VM)');
  const fileKey = (n: CpuProfileNode) => (n.callFrame.url ? rel(n.callFrame.url) : n.callFrame.functionName || '(anonymous)');
  const fnKey = (n: CpuProfileNode) => `${n.callFrame.functionName || '(anonymous)'}  ${rel(n.callFrame.url)}${n.callFrame.url ? ':' + (n.callFrame.lineNumber + 1) : ''}`;
  const byFile = aggregate(prof, SECONDS * 1000, fileKey);
  const byFn = aggregate(prof, SECONDS * 1000, fnKey);
  out.push('', `main thread in the profile, first ${SECONDS} s: ${byFile.totalMs.toFixed(0)} ms sampled (idle included as "(idle)")`);
  out.push('self time per file:', ...top(byFile.self, 25, byFile.totalMs));
  out.push('', 'self time per function:', ...top(byFn.self, 30, byFn.totalMs));
  out.push('', 'inclusive time per function:', ...top(byFn.incl, 45, byFn.totalMs));
  out.push('', `profile kept: ${path.join(profDir, file)}`);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  profileStart().then((s) => console.log(s), (e) => { console.error(e); process.exitCode = 1; });
}
