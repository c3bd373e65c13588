// Benchmark: the UI under an event storm (issue: tracing, performance).
// ostop runs in a 200x50 pseudo-terminal (node-pty + headless xterm) as root
// with the opens pane (key 1) on, while a C program does open/close pairs as
// fast as it can. Measured:
//  - pane toggle: key 1 -> the pane's status on screen (BPF load + attach),
//    and key 1 again -> gone (the detach runs on a native thread);
//  - key latency during the storm: `v` -> the vmstat heading, Esc -> the
//    table heading, 10 rounds, median and max (target: within 100 ms);
//  - ostop's RSS before, at most during, right after and 20 s after the
//    storm (bounded, and given back);
//  - the storm's wall time untraced, with the pane on, and after the pane
//    was toggled off (target: baseline speed, nothing left attached).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, OSTOP_BIN, spawnOstop, type PtyApp } from '../test/helpers/pty.js';
import { buildStorm, storm, type RunResult } from './tracers-bench.js';
import { parseStatus } from '../src/collectors/procfs/pid-status.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms from writing `key` until `re` matches the emulated screen (polled every 2 ms). */
async function keyTo(app: PtyApp, key: string, re: RegExp, timeoutMs = 10_000): Promise<number> {
  const t = performance.now();
  app.proc.write(key);
  for (;;) {
    await app.flush();
    if (re.test(app.screenText())) return performance.now() - t;
    if (performance.now() - t > timeoutMs) throw new Error(`no ${re} within ${timeoutMs} ms after ${JSON.stringify(key)}`);
    await delay(2);
  }
}

const rssMb = (pid: number) => (parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).vmRssKb ?? 0) / 1024;

export async function benchStormUi(pairs = 3_000_000): Promise<string> {
  if (process.geteuid?.() !== 0) return 'storm UI bench: skipped (needs root)';
  const dir = mkdtempSync(join(tmpdir(), 'ostop-storm-ui-'));
  // through the bin itself, so its node flags (young generation, GC) apply as for a user
  const app = spawnOstop(['-d', '1'], { cols: 200, rows: 50, file: OSTOP_BIN });
  try {
    const bin = buildStorm(dir); // tracers-bench.ts's open/close loop, which prints its wall and CPU time as JSON
    const target = join(dir, 'target');
    writeFileSync(target, 'x');
    const runStorm = (n: number) => storm(bin, target, n).wall;
    runStorm(20_000);
    const base = Math.min(runStorm(pairs / 3), runStorm(pairs / 3));

    await app.waitForText(/PID\s+USER/, 20_000);
    await delay(2000); // past start-up (view prefetch, failure recorder)
    const rssBefore = rssMb(app.proc.pid);
    const paneOn = await keyTo(app, '1', /trace: 1 opens/);
    await delay(500);

    // The storm in the background; keys while it runs.
    const bg = spawn(bin, [target, String(pairs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stormOut = '';
    bg.stdout.on('data', (d) => (stormOut += d));
    const stormDone = new Promise<void>((r) => bg.on('exit', () => r()));
    let running = true;
    void stormDone.then(() => (running = false));
    let rssMax = rssBefore;
    const lat: number[] = [];
    await delay(300);
    while (running && lat.length < 20) {
      lat.push(await keyTo(app, 'v', /procs\s+-+memory/));
      rssMax = Math.max(rssMax, rssMb(app.proc.pid));
      await delay(150);
      lat.push(await keyTo(app, '\x1b', /PID\s+USER/));
      rssMax = Math.max(rssMax, rssMb(app.proc.pid));
      await delay(150);
    }
    await stormDone;
    const withPane = (JSON.parse(stormOut.trim()) as RunResult).wall; // seconds for `pairs`
    const paneOff = await keyTo(app, '1', /^(?![\s\S]*trace: 1 opens)/);
    await delay(1000);
    const afterOff = runStorm(pairs / 3);
    const rssAfter = rssMb(app.proc.pid);
    await delay(20_000); // a compaction (every 15 s) and V8's own memory reducer
    const rssLater = rssMb(app.proc.pid);
    const out = [
      `UI under an open storm (${pairs.toLocaleString('en')} open/close pairs; opens pane on), 200x50 pty`,
      `pane toggle: on ${paneOn.toFixed(0)} ms (load + attach), off ${paneOff.toFixed(0)} ms`,
      `key -> screen during the storm (v / Esc, ${lat.length} presses): median ${median(lat).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms; target <= 100 ms`,
      `storm wall time: untraced ${(base * 3).toFixed(2)} s, with the pane on ${withPane.toFixed(2)} s (x${(withPane / (base * 3)).toFixed(2)}), pane toggled off ${(afterOff * 3).toFixed(2)} s (x${(afterOff / base).toFixed(2)}; target: baseline)`,
      `ostop RSS: ${rssBefore.toFixed(1)} MB before, ${rssMax.toFixed(1)} MB at most during, ${rssAfter.toFixed(1)} MB after, ${rssLater.toFixed(1)} MB 20 s later`,
    ];
    if (!lat.length) out.push('note: the storm ended before a key could be pressed: raise the pair count');
    return out.join('\n');
  } finally {
    await app.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchStormUi(process.argv[2] ? Number(process.argv[2]) : undefined).then((r) => console.log(r), (e) => { console.error(e); process.exitCode = 1; });
}
