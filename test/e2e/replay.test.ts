// e2e: `ostop replay` in a real pseudo-terminal (headless xterm) on a store
// written by the store's writer with samples known in advance
// (test/helpers/synth-store.ts: 120 samples 5 s apart from 03:00:00 UTC, a
// process "burner" at 50 % CPU whose RES grows 1 MiB a sample, 75 % CPU
// from sample 80 to 99, a SIGSEGV death of "crasher" at sample 90). The
// values at given times, stepping (t / T), jumping to a time (b) and to the
// failure (e), the header, playing, what replay refuses; then bad input
// from the command line. And in-process: a jump draws the same graph as
// watching every sample up to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import blessed from 'blessed';
import { writeSynthStore } from '../helpers/synth-store.js';
import { spawnOstop, OSTOP_BIN, KEYS, type PtyApp } from '../helpers/pty.js';
import { fakeScreen } from '../helpers/fake-screen.js';
import { StoreReader } from '../../src/store/disk-store.js';
import { RecordedFeed } from '../../src/views/recorded-feed.js';
import { VmstatSource } from '../../src/views/vmstat.js';
import { VmstatScreen } from '../../screens/vmstat-screen.js';
import { ReplayController, type ReplaySession } from '../../src/app/replay.js';
import { makeTheme } from '../../src/app/theme.js';
import type { RecordedEvents, RecordedTick } from '../../src/model/recorded.js';
import type { AppApi } from '../../src/app/view.js';

const T0 = Date.UTC(2026, 2, 4, 3, 0, 0);
let root = '';
let store = '';
let app: PtyApp | undefined;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-replay-e2e-'));
  store = path.join(root, 'store');
  await writeSynthStore({ dir: store, start: T0, intervalMs: 5000, ticks: 120, failures: [90], spike: (i) => i >= 80 && i < 100 });
}, 30000);

afterAll(async () => {
  await app?.dispose();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

const header = (a: PtyApp) => a.lines()[0];
/** The burner's row of the process table: [CPU%, RES]. */
function burner(a: PtyApp): { cpu: string; res: string } | undefined {
  const l = a.lines().find((x) => /^\s*4242\s/.test(x));
  if (!l) return undefined;
  const f = l.trim().split(/\s+/);
  return { res: f[5], cpu: f[8] };
}

describe('ostop replay in a pty', () => {
  it('opens at --at, paused, on the recorded host and time; the process table holds that sample\'s values', async () => {
    app = spawnOstop(['replay', store, '--at', '2026-03-04T03:02:00Z'], { cols: 160, rows: 40, env: { TZ: 'UTC' } });
    await app.waitForText(/PID\s+USER/, 15000);
    expect(header(app)).toMatch(/^REPLAY testhost +2026-03-04 03:02:00 +⏸ paused +25\/120 +─*●─*!?─*$/);
    // The failure's mark on the time line, once the events are scanned (after the first frame).
    await app.waitFor((t) => /^REPLAY testhost .* ─*●─*!─*$/.test(t.split('\n')[0]), 'the failure marked on the time line');
    // Sample 24: burner at 50 % of one CPU, RES 100 MiB + 24 MiB.
    await app.waitFor(() => burner(app!)?.cpu === '50.0', 'burner at 50.0 %');
    expect(burner(app)).toEqual({ cpu: '50.0', res: '124M' });
    // The CPU meters: 25 % busy, two thirds of it on cpu0 (33.3 % of cpu0, 16.7 % of cpu1).
    expect(app.screenText()).toMatch(/^0 \[\|+ +33\.\d%\]/m);
    // The footer starts with the replay keys.
    expect(app.lines().at(-1)).toMatch(/^tnext Tprev btime efailure Spaceplay S1x/);
  });

  it('t steps forward and T back one sample, as atop', async () => {
    await app!.press('t');
    await app!.waitFor((s) => /03:02:05 .* 26\/120/.test(s.split('\n')[0]), 'the next sample');
    await app!.waitFor(() => burner(app!)?.res === '125M', 'RES of sample 25');
    await app!.press('T');
    await app!.press('T');
    await app!.waitFor((s) => /03:01:55 .* 24\/120/.test(s.split('\n')[0]), 'two samples back');
    await app!.waitFor(() => burner(app!)?.res === '123M', 'RES of sample 23');
    expect(burner(app!)?.cpu).toBe('50.0'); // rates against the sample before, after stepping back
  });

  it('Enter drills into the burner as recorded; what a sample does not hold says "not recorded"; t moves the drill-in too', async () => {
    await app!.press(KEYS.enter);
    await app!.waitForText(/PID 4242 +burner/, 10000);
    const s = await app!.waitFor((t) => /CPU +50\.0%/.test(t), 'the burner\'s CPU in the drill-in');
    expect(s).toMatch(/RSS +123M/);
    expect(s).toMatch(/WRITE +205K\/s/);
    expect(s).toMatch(/cmd \/usr\/bin\/burner --half/);
    expect(s).toMatch(/exe \(not recorded\)/);
    expect(s).toMatch(/threads: not recorded/);
    await app!.press('t');
    await app!.waitFor((t) => /RSS +124M/.test(t) && /cpu time 1:00\.00/.test(t), 'the next sample in the drill-in');
    await app!.press('T');
    await app!.waitFor((t) => /RSS +123M/.test(t), 'back');
    await app!.press(KEYS.esc);
    await app!.waitForText(/PID\s+USER/);
  });

  it('b jumps to a typed time, absolute or relative to the shown sample; a bad or outside time says so', async () => {
    await app!.press('b');
    await app!.type('03:05');
    await app!.press(KEYS.enter);
    await app!.waitFor((s) => /03:05:00 .* 61\/120/.test(s.split('\n')[0]), 'the sample at 03:05');
    await app!.waitFor(() => burner(app!)?.res === '160M', 'RES of sample 60');
    await app!.press('b');
    await app!.type('-1m');
    await app!.press(KEYS.enter);
    await app!.waitFor((s) => /03:04:00 .* 49\/120/.test(s.split('\n')[0]), 'one minute before');
    await app!.press('b');
    await app!.type('2026-03-05 01:00');
    await app!.press(KEYS.enter);
    await app!.waitForText(/outside the recording \(2026-03-04 03:00:00 to 2026-03-04 03:09:55\)/);
    await app!.press('b');
    await app!.type('teatime');
    await app!.press(KEYS.enter);
    await app!.waitForText(/'teatime' is not a time/);
    expect(header(app!)).toMatch(/03:04:00 .* 49\/120/);
  });

  it('e jumps to the next failure; the failures view shows it with its signal and core', async () => {
    await app!.press('e');
    await app!.waitFor((s) => /03:07:30 .* 91\/120/.test(s.split('\n')[0]), 'the failure\'s sample');
    await app!.press('f');
    const s = await app!.waitForText(/crasher\s+SIGSEGV\s+kernel\s+yes/, 10000);
    expect(s[0]).toBeTruthy();
    expect(app!.screenText()).toMatch(/03:07:29 +ebpf +4243 +1 +crasher/);
    await app!.press('e');
    await app!.waitForText(/no failure after this sample/);
  });

  it('vmstat at the cursor: the spike\'s 75 %, per-CPU graphs, the history graph drawn back from the cursor', async () => {
    await app!.press('v');
    await app!.waitForText(/cpu busy/, 10000);
    const tableRows = (t: string) => t.split('\n').filter((l) => /^\s*\d+\s+\d+\s+\d+\s+\d+/.test(l));
    const s = await app!.waitFor((t) => /^\s+75\.0%/m.test(t) && tableRows(t).length > 0, 'cpu busy 75.0 % and the table');
    expect(s).toMatch(/cpu0 +100%/);
    expect(s).toMatch(/cpu1 +50%/);
    expect(s).toMatch(/[\u2801-\u28ff]/);
    // The table's newest row is sample 90: us 75, id 25.
    const rows = tableRows(s);
    expect(rows.at(-1)!.trim().split(/\s+/).slice(12, 15)).toEqual(['75', '0', '25']);
  });

  it('netstat and iostat at the cursor; a pane switched in replay is fed the samples it needs', async () => {
    await app!.press('n');
    // Sample 90: eth0 receives 1,000 x 91 bytes a second; the socket table is live-only.
    await app!.waitFor((t) => /^eth0 +up +1500 +1Gb +88\.9K\/s +44\.4K\/s/m.test(t), 'eth0 rx at sample 90');
    await app!.waitForText(/socket table and owners are live-only/);
    await app!.press('i');
    await app!.waitFor((t) => /^vda .* 900K\/s/m.test(t), 'vda writes 10 x 90 KiB/s');
    await app!.press(KEYS.right); // the per-process I/O pane: needs /proc/PID/io of two samples
    await app!.waitFor((t) => /^\s*4242\s+0B\/s\s+205K\/s/m.test(t), 'the burner writing 1 MiB a sample');
    await app!.press(KEYS.left);
  });

  it('refuses process actions and trace panes with a message', async () => {
    await app!.press(KEYS.esc);
    await app!.waitForText(/PID\s+USER/);
    await app!.press('k');
    await app!.waitForText(/replay: the processes shown are recorded/);
    await app!.press('1');
    await app!.waitForText(/trace panes are live-only/);
    // F1 lists the replay keys first, from the same keymap as the footer.
    await app!.press(KEYS.f1);
    await app!.waitForText(/Replay of testhost/);
    expect(app!.screenText()).toMatch(/t +next sample \(as atop/);
    expect(app!.screenText()).toMatch(/e \/ E +jump to the next \/ previous failure/);
    await app!.press(KEYS.esc);
    await app!.dispose();
    app = undefined;
  });

  it('--begin plays from that time at --speed; it stops at the end of the recording', async () => {
    app = spawnOstop(['replay', store, '--begin', '2026-03-04T03:09:00Z', '--speed', '60'], { cols: 120, rows: 30, env: { TZ: 'UTC' } });
    await app.waitForText(/REPLAY testhost/, 15000);
    await app.waitFor((s) => /▶ 60x/.test(s.split('\n')[0]), 'playing at 60x');
    await app.waitFor((s) => /03:09:55 .* 120\/120/.test(s.split('\n')[0]), 'the last sample', 15000);
    await app.waitForText(/end of the recording/);
    expect(header(app)).toMatch(/⏸ paused/);
    await app.dispose();
    app = undefined;
  });
});

describe('ostop replay FILE (a snapshot)', () => {
  it('opens a file written by ostop snapshot from a real recording, on this host\'s name', async () => {
    const rec = path.join(root, 'rec');
    const proc = execFile(process.execPath, [OSTOP_BIN, 'record', '--dir', rec, '--interval', '1'], { env: { ...process.env } });
    try {
      const t0 = Date.now();
      while (Date.now() - t0 < 20000) {
        await new Promise((r) => setTimeout(r, 300));
        try {
          if (StoreReader.open(rec).size >= 3) break;
        } catch { /* not yet */ }
      }
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.on('exit', r));
    }
    const file = path.join(root, 'snap.ostop');
    const snap = await run(['snapshot', '-o', file, '--dir', rec, '--last', '10m']);
    expect(snap.code, snap.err).toBe(0);
    app = spawnOstop(['replay', file], { cols: 120, rows: 30, env: { TZ: 'UTC' } });
    await app.waitForText(/PID\s+USER/, 15000);
    expect(header(app)).toMatch(new RegExp(`^REPLAY ${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +⏸ paused +1/\\d+`));
    // The first sample of the recording: this machine's process table as it was (init, pid 1, is in every one).
    await app.waitForText(/^\s+1 \S+ /m, 10000);
    await app.dispose();
    app = undefined;
  }, 60000);
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [OSTOP_BIN, ...args], { env: { ...process.env, TZ: 'UTC', ...env } }, (e, out, err) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err });
    });
  });
}

describe('ostop replay: bad input', () => {
  it('--help', async () => {
    const r = await run(['replay', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: ostop replay \[DIR\|FILE\] \[--at TIME \| --begin TIME\]/);
    expect(r.out).toMatch(/t next sample, T previous/);
  });

  it('a missing store, a corrupt file, a store of another user: clear messages, exit 1', async () => {
    let r = await run(['replay', path.join(root, 'nothing-here')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no such store/);
    const junk = path.join(root, 'junk.ostop');
    fs.writeFileSync(junk, 'this is not a store\n'.repeat(10), { mode: 0o600 });
    r = await run(['replay', junk]);
    expect(r.code).toBe(1);
    // The file's path once (it is the store), not the store path joined with its name.
    expect(r.err).toBe(`ostop replay: ${junk}: not an ostop store file\n`);
    const other = path.join(root, 'other');
    fs.cpSync(store, other, { recursive: true });
    fs.chownSync(other, 65534, 65534);
    r = await run(['replay', other]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/owned by uid 65534/);
  });

  it('a store damaged in the middle opens: what checks out is shown, the skipped records are said', async () => {
    const damaged = path.join(root, 'damaged');
    fs.cpSync(store, damaged, { recursive: true });
    const shard = path.join(damaged, fs.readdirSync(damaged).find((f) => f.endsWith('.ostop'))!);
    const buf = fs.readFileSync(shard);
    for (let k = 0; k < 64; k++) buf[Math.floor(buf.length / 2) + k] ^= 0x5a; // a torn or corrupted stretch mid-file
    fs.writeFileSync(shard, buf);
    const a = spawnOstop(['replay', damaged, '--at', '2026-03-04T03:01:00Z'], { cols: 160, rows: 40, env: { TZ: 'UTC' } });
    try {
      await a.waitForText(/damaged records in the store were skipped/, 15000);
      expect(a.lines()[0]).toMatch(/^REPLAY testhost +2026-03-04 03:01:00 /);
      await a.waitFor(() => burner(a)?.res === '112M', 'sample 12 read back whole');
    } finally {
      await a.dispose();
    }
  });

  it('a time outside the recording, two start times, a bad speed: usage errors, exit 2', async () => {
    let r = await run(['replay', store, '--at', '2026-03-05T00:00:00Z']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--at 2026-03-05 00:00(:00)? is outside the recording \(2026-03-04 03:00(:00)? to 2026-03-04 03:09:55\)/);
    r = await run(['replay', store, '--at', '03:00', '--begin', '03:01']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/one of --at and --begin/);
    r = await run(['replay', store, '--speed', '7']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--speed: '7' is not one of/);
  });

  it('without a terminal: says so after checking the store', async () => {
    const r = await run(['replay', store]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/needs a terminal/);
  });
});

describe('graphs in replay', () => {
  it('a jump draws the same vmstat graphs as watching every sample up to it', async () => {
    const reader = StoreReader.open<RecordedTick, RecordedEvents>(store);
    const theme = makeTheme(false);
    const appApi = { requestRender() {}, refreshNow() {}, status() {} } as unknown as AppApi;
    const draw = (feedTo: (src: VmstatSource, feed: RecordedFeed) => void): string[] => {
      const screen = fakeScreen(120, 40);
      const body = blessed.box({ parent: screen, top: 0, left: 0, right: 0, bottom: 2 });
      const vs = new VmstatScreen({ screen, theme, app: appApi });
      vs.mount(body);
      const feed = new RecordedFeed();
      const src = new VmstatSource(undefined, feed.machine, feed);
      feedTo(src, feed);
      vs.render(src.model());
      screen.render();
      const lines = (screen as unknown as { lines: Array<Array<[number, string]>> }).lines.map((l) => l.map((c) => c[1]).join(''));
      screen.destroy();
      return lines;
    };
    let now = 0;
    // Watching: every sample from the first, as a live view (or playing) collects them.
    const watched = draw((src, feed) => { for (let i = 0; i <= 110; i++) { feed.set(reader.tick(i)!); src.collect(++now); } });
    // Jumping: what the shell feeds a graph view on a jump to sample 110.
    const session = { size: reader.size, timeAt: (i: number) => reader.timeAt(i), failureIndexes: () => [] } as unknown as ReplaySession;
    const need = new ReplayController(session, 110).catchUp(undefined, 160)!;
    const jumped = draw((src, feed) => { for (let i = need.from; i <= need.to; i++) { feed.set(reader.tick(i)!); src.collect(++now); } });
    expect(jumped.join('\n')).toMatch(/[\u2801-\u28ff]/);
    expect(jumped).toEqual(watched);
  });
});
