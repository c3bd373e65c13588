// Benchmark: `ostop replay` on a day-long store. The store is written with
// the store's own writer (test/helpers/synth-store.ts): 17,280 samples at
// 5 s (24 h) of a machine with ~1,000 processes (every third one using a
// little CPU each sample), a few failures. Targets (issue 13): the first
// frame within 300 ms, seeking to any time within 100 ms.
//   first frame   `ostop replay STORE --at <noon>` in a 200x50 pty (through
//                 the bin, as users run it) until the REPLAY line and the
//                 process table are on screen; beside it, in the same run,
//                 live `ostop` until its process table (the same start-up
//                 without the store). 5 runs each, median and max.
//   seek          in that pty: `b`, a time, Enter; from the Enter to the
//                 header showing that time, 12 times spread over the day,
//                 in the process table and in vmstat (two samples decoded
//                 and drawn; vmstat's graphs then get their 160 samples of
//                 history on the next turn of the event loop). Median, max.
//   in-process    StoreReader.open of the day; one seek's work without the
//                 terminal (decode + Sources + screen render on a fake
//                 screen) for the same two views.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import blessed from 'blessed';
import { spawnOstop, delay, OSTOP_BIN, KEYS, type PtyApp } from '../test/helpers/pty.js';
import { fakeScreen } from '../test/helpers/fake-screen.js';
import { writeSynthStore, BURNER_PID } from '../test/helpers/synth-store.js';
import { StoreReader } from '../src/store/disk-store.js';
import { RecordedFeed } from '../src/views/recorded-feed.js';
import { VmstatSource } from '../src/views/vmstat.js';
import { TopSource } from '../src/views/top.js';
import { VmstatScreen } from '../screens/vmstat-screen.js';
import { UserNames } from '../src/collectors/users.js';
import { ReplayController, type ReplaySession } from '../src/app/replay.js';
import { makeTheme } from '../src/app/theme.js';
import type { AppApi } from '../src/app/view.js';
import type { RecordedEvents, RecordedTick } from '../src/model/recorded.js';

const DAY_TICKS = 17_280;
const INTERVAL = 5000;
const PROCS = 1000;
const START = Date.UTC(2026, 2, 4, 0, 0, 0);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs: number[]) => Math.max(...xs);
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ms (max ${max(xs).toFixed(0)})`;
const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);

async function until(app: PtyApp, re: RegExp, timeoutMs: number): Promise<void> {
  const t = performance.now();
  for (;;) {
    await app.flush();
    if (re.test(app.screenText())) return;
    if (performance.now() - t > timeoutMs) throw new Error(`no ${re} within ${timeoutMs} ms; screen:\n${app.screenText()}`);
    await delay(2);
  }
}

async function firstFrame(args: string[], ready: RegExp): Promise<number> {
  const t = performance.now();
  const app = spawnOstop(args, { cols: 200, rows: 50, file: OSTOP_BIN, env: { TZ: 'UTC' } });
  try {
    await until(app, ready, 20000);
    return performance.now() - t;
  } finally {
    await app.dispose();
  }
}

/** Seeks in a running replay: `b` TIME Enter, timed from the Enter to the header. */
async function seeks(app: PtyApp, times: number[]): Promise<number[]> {
  const out: number[] = [];
  for (const target of times) {
    app.proc.write('b');
    await until(app, /jump to time/, 5000);
    await app.type(new Date(target).toISOString());
    await delay(50);
    const t = performance.now();
    app.proc.write(KEYS.enter);
    // The sample in effect at the target: the newest at or before it.
    const shown = START + Math.floor((target - START) / INTERVAL) * INTERVAL;
    await until(app, new RegExp(`^REPLAY \\S+ +\\S+ ${hhmmss(shown)} `), 10000);
    out.push(performance.now() - t);
    await delay(150);
  }
  return out;
}

/** One seek's work in-process: decode what the view lacks, collect, render (fake screen). */
function inProcessSeek(reader: StoreReader<RecordedTick, RecordedEvents>, view: 'top' | 'vmstat', targets: number[]): number[] {
  const screen = fakeScreen(200, 50);
  const theme = makeTheme(false);
  const body = blessed.box({ parent: screen, top: 1, left: 0, right: 0, bottom: 2 });
  const appApi = { requestRender() {}, refreshNow() {}, status() {} } as unknown as AppApi;
  const feed = new RecordedFeed();
  const vmScreen = new VmstatScreen({ screen, theme, app: appApi });
  if (view === 'vmstat') vmScreen.mount(body);
  const session = { size: reader.size, timeAt: (i: number) => reader.timeAt(i), indexAt: (t: number) => reader.indexAt(t), intervalMs: INTERVAL, failureIndexes: () => [] } as unknown as ReplaySession;
  const out: number[] = [];
  let now = 0;
  for (const target of targets) {
    const t = performance.now();
    const r = new ReplayController(session, reader.indexAt(target));
    const need = r.catchUp(undefined, view === 'vmstat' ? 160 : 1)!;
    const src = view === 'vmstat' ? new VmstatSource(undefined, feed.machine, feed) : new TopSource({ users: new UserNames(), feed });
    for (let i = need.from; i <= need.to; i++) {
      feed.set(reader.tickShared(i)!);
      void src.collect(++now, { columns: ['pid', 'user', 'cpu', 'mem', 'res', 'command'], sort: 'cpu', hideUserThreads: true, strip: false, allCommandLines: false } as never);
    }
    const m = src.model();
    if (view === 'vmstat') vmScreen.render(m as never);
    else body.setContent(String((m as { rows?: unknown[] } | undefined)?.rows?.length ?? 0));
    screen.render();
    out.push(performance.now() - t);
  }
  screen.destroy();
  return out;
}

export async function benchReplay(): Promise<string> {
  const out: string[] = [];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-replay-bench-'));
  // BENCH_REPLAY_STORE=DIR: write the day there once and reuse it (writing takes ~2 minutes).
  const keep = process.env.BENCH_REPLAY_STORE;
  const dir = keep ?? path.join(root, 'store');
  try {
    let t = performance.now();
    if (!keep || !fs.existsSync(dir)) await writeSynthStore({ dir, start: START, intervalMs: INTERVAL, ticks: DAY_TICKS, procs: PROCS, failures: [3000, 9000, 15000], spike: (i) => i % 720 < 60 });
    const writeMs = performance.now() - t;
    const bytes = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    out.push(`A day-long store: ${DAY_TICKS} samples at ${INTERVAL / 1000} s, ${PROCS + 1} processes, written with the store's writer in ${(writeMs / 1000).toFixed(0)} s: ${(bytes / 2 ** 20).toFixed(1)} MiB`);

    t = performance.now();
    const reader = StoreReader.open<RecordedTick, RecordedEvents>(dir);
    const openMs = performance.now() - t;
    const spread = Array.from({ length: 12 }, (_, k) => START + Math.floor(((k * 7 + 3) % 12) * 2 * 3600_000 + 1234_567) % (DAY_TICKS * INTERVAL));
    const ipTop = inProcessSeek(reader, 'top', spread);
    const ipVm = inProcessSeek(reader, 'vmstat', spread);
    out.push(`in-process: StoreReader.open of the day ${openMs.toFixed(0)} ms; one seek's work (decode, Sources, render): process table ${fmt(ipTop)}, vmstat with its graph history ${fmt(ipVm)}`);

    const noon = new Date(START + 12 * 3600_000).toISOString();
    const replayFirst: number[] = [];
    const liveFirst: number[] = [];
    for (let k = 0; k < 5; k++) {
      replayFirst.push(await firstFrame(['replay', dir, '--at', noon], new RegExp(`^REPLAY [\\s\\S]*^\\s*${BURNER_PID}\\s`, 'm')));
      liveFirst.push(await firstFrame([], /PID\s+USER[\s\S]*\n\s*\d+\s/));
    }
    out.push(`first frame in a 200x50 pty (bin, 5 runs): replay --at noon ${fmt(replayFirst)} (target <= 300 ms); live ostop in the same run ${fmt(liveFirst)}; ratio ${(median(replayFirst) / median(liveFirst)).toFixed(2)}x`);

    const app = spawnOstop(['replay', dir, '--at', noon], { cols: 200, rows: 50, file: OSTOP_BIN, env: { TZ: 'UTC' } });
    try {
      await until(app, /PID\s+USER/, 20000);
      await delay(1500); // the idle prefetch of the other views' code, as a person would wait
      const top = await seeks(app, spread);
      app.proc.write('v');
      await until(app, /cpu busy/, 10000);
      const vm = await seeks(app, spread);
      out.push(`seek (b TIME Enter -> the header at that time), 12 times over the day (target <= 100 ms): process table ${fmt(top)}, vmstat ${fmt(vm)} (its graphs' 160 samples of history follow on the next turn of the event loop: the in-process figure above)`);
    } finally {
      await app.dispose();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchReplay().then((r) => console.log(r), (e) => { console.error(e); process.exitCode = 1; });
}
