// `ostop record` side by side with `atop -w FILE 5`, in the same run: both
// start together with BENCH_RECORD_EXTRA (1,000) extra idle processes and
// record every BENCH_RECORD_INTERVAL (5) s for BENCH_RECORD_SECONDS (600) s.
// Reported, as ratios to atop:
//  - bytes per day, extrapolated from the whole run and from its steady
//    part (after the first minute: the first keyframe, and the kernel-log
//    backlog ostop records once, are start-up costs);
//  - recorder CPU (utime + stime of the process, /proc/PID/stat), whole run
//    and steady part.
// Then the reader side (replay's targets): a day-long store (17,280 ticks at
// 5 s, built by appending the recorded ticks again with shifted times) is
// opened and its first tick decoded (first frame), then random seeks.
// A shorter run for iteration: BENCH_RECORD_SECONDS=120.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreReader, StoreWriter } from '../src/store/disk-store.js';
import type { RecordedEvents, RecordedTick } from '../src/model/recorded.js';
import { median } from './side-by-side.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const num = (k: string, d: number) => (process.env[k] && Number(process.env[k]) > 0 ? Number(process.env[k]) : d);
const SECONDS = num('BENCH_RECORD_SECONDS', 600);
const INTERVAL = num('BENCH_RECORD_INTERVAL', 5);
const EXTRA = num('BENCH_RECORD_EXTRA', 1000);
const STEADY_FROM = Math.min(60, SECONDS / 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => process.stderr.write(`record-bench: ${s}\n`);

function cpuTicks(pid: number): number | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
  } catch {
    return undefined;
  }
}

function bytesOf(p: string): number {
  try {
    const st = fs.statSync(p);
    if (!st.isDirectory()) return st.size;
    return fs.readdirSync(p).reduce((t, f) => t + bytesOf(path.join(p, f)), 0);
  } catch {
    return 0;
  }
}

async function startSleepers(n: number): Promise<ChildProcess> {
  const sh = spawn('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep 100000 & i=$((i+1)); done; echo ready; wait`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((res) => {
    sh.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && res());
    sh.once('exit', () => res());
  });
  return sh;
}

/** Bytes of a store's shards by record kind (headers included): where the bytes go. */
function byKind(dir: string): string {
  const names = ['', 'meta', 'keyframes', 'deltas', 'events'];
  const sum = [0, 0, 0, 0, 0];
  const count = [0, 0, 0, 0, 0];
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.ostop')) continue;
    const b = fs.readFileSync(path.join(dir, f));
    for (let at = 16; at + 32 <= b.length;) {
      const kind = b[at + 4];
      const len = 32 + b.readUInt32LE(at + 8);
      if (kind >= 1 && kind <= 4) { sum[kind] += len; count[kind]++; }
      at += len;
    }
  }
  return [1, 2, 3, 4].map((k) => `${names[k]} ${count[k]} x ${count[k] ? Math.round(sum[k] / count[k]) : 0} B`).join(', ');
}

const mb = (b: number) => (b / 1048576).toFixed(1);
const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(2));

export async function benchRecord(): Promise<string> {
  if (process.geteuid?.() !== 0) return 'skipped: needs root (atop -w and the recorder\'s tracers)';
  if (spawnSync('sh', ['-c', 'command -v atop']).status !== 0) return 'skipped: atop not installed (bash scripts/setup.sh --bench installs it)';
  const tmp = fs.mkdtempSync('/var/tmp/ostop-record-bench-');
  const store = path.join(tmp, 'store');
  const atopFile = path.join(tmp, 'atop.raw');
  say(`starting ${EXTRA} idle processes`);
  const sleepers = await startSleepers(EXTRA);
  const out: string[] = [];
  let rec: ChildProcess | undefined;
  let atop: ChildProcess | undefined;
  try {
    say(`recording ${SECONDS} s at ${INTERVAL} s: ostop record and atop -w side by side`);
    rec = spawn(process.execPath, [path.join(REPO, 'bin/ostop.js'), 'record', '--dir', store, '--interval', String(INTERVAL)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let recErr = '';
    rec.stderr!.on('data', (d) => { recErr += d; });
    atop = spawn('atop', ['-w', atopFile, String(INTERVAL)], { stdio: 'ignore' });
    const t0 = performance.now();
    await sleep(STEADY_FROM * 1000);
    const mid = { ostop: bytesOf(store), atop: bytesOf(atopFile), ostopCpu: cpuTicks(rec.pid!) ?? 0, atopCpu: cpuTicks(atop.pid!) ?? 0, t: performance.now() };
    await sleep(Math.max(0, t0 + SECONDS * 1000 - performance.now()));
    const end = { ostop: bytesOf(store), atop: bytesOf(atopFile), ostopCpu: cpuTicks(rec.pid!) ?? 0, atopCpu: cpuTicks(atop.pid!) ?? 0, t: performance.now() };
    rec.kill('SIGTERM');
    atop.kill('SIGTERM');
    await Promise.all([rec, atop].map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once('exit', r)))));
    const secs = (end.t - t0) / 1000;
    const steadySecs = (end.t - mid.t) / 1000;
    const perDay = (b: number, s: number) => (b * 86400) / s;
    const o = { all: perDay(end.ostop, secs), steady: perDay(end.ostop - mid.ostop, steadySecs) };
    const a = { all: perDay(end.atop, secs), steady: perDay(end.atop - mid.atop, steadySecs) };
    const cpuPct = (ticks: number, s: number) => (ticks / 100 / s) * 100;
    out.push(`${SECONDS} s at ${INTERVAL} s with +${EXTRA} idle processes (${os.cpus().length} CPUs); steady = after the first ${STEADY_FROM} s`);
    out.push('');
    out.push('                      ostop record     atop -w    ostop/atop');
    out.push(`bytes/day (whole)     ${mb(o.all).padStart(9)} MB ${mb(a.all).padStart(9)} MB    ${f2(o.all / a.all)}`);
    out.push(`bytes/day (steady)    ${mb(o.steady).padStart(9)} MB ${mb(a.steady).padStart(9)} MB    ${f2(o.steady / a.steady)}`);
    out.push(`CPU % (whole)         ${f2(cpuPct(end.ostopCpu, secs)).padStart(12)} ${f2(cpuPct(end.atopCpu, secs)).padStart(12)}    ${f2(end.ostopCpu / end.atopCpu)}`);
    out.push(`CPU % (steady)        ${f2(cpuPct(end.ostopCpu - mid.ostopCpu, steadySecs)).padStart(12)} ${f2(cpuPct(end.atopCpu - mid.atopCpu, steadySecs)).padStart(12)}    ${f2((end.ostopCpu - mid.ostopCpu) / (end.atopCpu - mid.atopCpu))}`);
    out.push(`files: ostop ${end.ostop} bytes in ${fs.readdirSync(store).length} files, atop ${end.atop} bytes`);
    out.push(`ostop bytes by record kind: ${byKind(store)}`);
    if (/ENOSPC|cannot write/.test(recErr)) out.push(`recorder log: ${recErr.trim()}`);

    // Reader: a day-long store made of the recorded ticks, shifted in time.
    say('building a day-long store for the reader figures');
    const r = StoreReader.open<RecordedTick, RecordedEvents>(store);
    const ticks: RecordedTick[] = [];
    for (let i = 0; i < r.size; i++) { const t = r.tick(i); if (t) ticks.push(t); }
    const day = path.join(tmp, 'day');
    const dayTicks = Math.round(86400 / INTERVAL);
    const start = Date.UTC(2030, 0, 1, 0, 0, 0);
    const w = new StoreWriter<RecordedTick, RecordedEvents>({ dir: day, meta: { host: 'bench', intervalMs: INTERVAL * 1000 }, sync: false, log: () => {} });
    const tw0 = performance.now();
    for (let k = 0; k < dayTicks; k++) {
      const t = ticks[k % ticks.length];
      w.append({ ...t, time: start + k * INTERVAL * 1000 });
    }
    w.close();
    const writeMs = (performance.now() - tw0) / dayTicks;
    const fo0 = performance.now();
    const dr = StoreReader.open<RecordedTick, RecordedEvents>(day);
    const openMs = performance.now() - fo0;
    const first = dr.at(dr.lastTime()! - 3600_000);
    const firstMs = performance.now() - fo0;
    const seeks: number[] = [];
    let seed = 7;
    for (let k = 0; k < 50; k++) {
      seed = (seed * 48271) % 2147483647;
      const t = start + (seed % dayTicks) * INTERVAL * 1000;
      const s0 = performance.now();
      const a2 = dr.at(t);
      seeks.push(performance.now() - s0);
      if (!a2) throw new Error('seek found nothing');
    }
    out.push('');
    out.push(`reader on a day-long store (${dayTicks} ticks, ${mb(bytesOf(day))} MB, built from these ticks):`);
    out.push(`  open ${openMs.toFixed(0)} ms, open + first tick (with the one before it) ${firstMs.toFixed(0)} ms (target 300), ${first ? Object.keys(first.tick.procs.tasks).length : 0} processes`);
    out.push(`  seek to a random time (tick and the one before): median ${median(seeks).toFixed(1)} ms, max ${Math.max(...seeks).toFixed(1)} ms (target 100)`);
    out.push(`  writer: ${writeMs.toFixed(2)} ms per tick (encode + write, no fsync)`);
    return out.join('\n');
  } finally {
    for (const c of [rec, atop]) if (c && c.exitCode === null) try { c.kill('SIGKILL'); } catch { /* gone */ }
    try { process.kill(-sleepers.pid!, 'SIGKILL'); } catch { /* gone */ }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
