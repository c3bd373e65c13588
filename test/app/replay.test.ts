// Replay in the shell (src/app/replay.ts, src/app/app.ts): the cursor, its
// keys, the replay bar (recorded host and time, never now), the Sources fed
// the samples they lack (a step feeds one, a jump resets and primes), and
// what replay refuses (actions on processes, trace panes).
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { App } from '../../src/app/app.js';
import { makeTheme } from '../../src/app/theme.js';
import { liveOnlyPanes, ReplayController, replayActions, type ReplaySession } from '../../src/app/replay.js';
import { createActions } from '../../src/actions/index.js';
import { DEFAULT_CONFIG } from '../../src/model/config.js';
import type { Screen, ViewEntry } from '../../src/app/view.js';
import type { Source } from '../../src/model/view-contract.js';
import { displayWidth } from '../../src/util/text.js';

const T0 = Date.UTC(2026, 0, 2, 3, 0, 0);
const INTERVAL = 5000;

/** A recording of `n` samples 5 s apart whose value is 10 x its index; failures where told; `bad` samples do not decode. */
function session(n: number, failures: number[] = [], bad: number[] = [], host = 'web1'): ReplaySession & { current: number; loads: number[] } {
  return {
    path: '/var/lib/ostop', host, kernel: '6.1.0', intervalMs: INTERVAL, size: n, current: -1, loads: [],
    timeAt: (i) => T0 + i * INTERVAL,
    indexAt: (t) => Math.min(n - 1, Math.floor((t - T0) / INTERVAL)),
    load(i) {
      this.loads.push(i);
      if (bad.includes(i)) return false;
      this.current = i;
      return true;
    },
    failureIndexes: () => failures,
    parseTime: (text, cursorMs) => {
      const m = /^-(\d+)m$/.exec(text);
      if (m) return cursorMs - Number(m[1]) * 60_000;
      const t = Date.parse(text);
      if (Number.isNaN(t)) throw new Error(`time: '${text}' is not a time`);
      return t;
    },
  };
}

describe('ReplayController', () => {
  it('steps within the recording, jumps to times inside it and refuses others, finds failures both ways', () => {
    const r = new ReplayController(session(100, [20, 70]), 50);
    expect(r.step(1)).toBe(true);
    expect(r.cursor).toBe(51);
    expect(r.step(-100)).toBe(true);
    expect(r.cursor).toBe(0);
    expect(r.step(-1)).toBe(false);
    expect(r.jumpTo(T0 + 30 * INTERVAL + 1)).toBeNull();
    expect(r.cursor).toBe(30);
    expect(r.jumpTo(T0 - 60_000)).toMatch(/outside the recording/);
    expect(r.jumpTo(T0 + 200 * INTERVAL)).toMatch(/outside the recording/);
    expect(r.cursor).toBe(30);
    expect(r.toFailure(1)).toBe(true);
    expect(r.cursor).toBe(70);
    expect(r.toFailure(1)).toBe(false);
    expect(r.toFailure(-1)).toBe(true);
    expect(r.cursor).toBe(20);
  });

  it('feeds a Source only what it lacks: nothing, the next samples, or a reset and its history', () => {
    const r = new ReplayController(session(1000), 500);
    expect(r.catchUp(500, 1)).toBeNull();
    expect(r.catchUp(499, 1)).toEqual({ from: 500, to: 500, reset: false });
    expect(r.catchUp(490, 150)).toEqual({ from: 491, to: 500, reset: false });
    expect(r.catchUp(undefined, 150)).toEqual({ from: 350, to: 500, reset: true });
    expect(r.catchUp(600, 1)).toEqual({ from: 499, to: 500, reset: true }); // backwards: rates need the sample before
  });

  it('plays one sample per interval over the speed, skipping samples past 10 a second', () => {
    const r = new ReplayController(session(10), 0);
    expect(r.playStep()).toEqual({ ms: 5000, samples: 1 });
    r.speed = 10;
    expect(r.playStep()).toEqual({ ms: 500, samples: 1 });
    r.speed = 300;
    expect(r.playStep().samples).toBeGreaterThan(1);
    expect(r.playStep().ms).toBeGreaterThanOrEqual(100);
  });

  it('the bar says REPLAY, the recorded host and time, fits the width, and shows the cursor and failures on a time line', () => {
    const r = new ReplayController(session(100, [90], [], 'evil\x1b]0;x\x07{red-fg}host'), 10);
    for (const w of [40, 80, 200]) {
      const text = r.bar(makeTheme(true), w).replace(/\{\/?inverse\}/g, '').replace(/\{open\}/g, '{').replace(/\{close\}/g, '}');
      expect(displayWidth(text)).toBe(w);
      expect(text).toMatch(/^REPLAY evil/);
      expect(text).not.toMatch(/[\x00-\x1f]/);
    }
    const wide = r.bar(makeTheme(true), 200);
    expect(wide).toContain('2026-01-02 03:00:50');
    expect(wide).toContain('11/100');
    expect(r.timeLine(100)[10]).toBe('●');
    expect(r.timeLine(100)[90]).toBe('!');
  });
});

describe('what replay refuses', () => {
  it('actions on processes say why, before any menu', () => {
    let killed = false;
    const a = replayActions(createActions({ kill: () => { killed = true; } }));
    expect(a.refusal).toMatch(/replay/);
    const r = a.sendSignal(1234, 'SIGKILL');
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/live-only/);
    expect(killed).toBe(false);
    expect(a.renice(1234, 1).ok).toBe(false);
    expect(a.gdbAttach(1234)).toHaveProperty('error');
    let gerr: string | null = null;
    a.gcore(1234, 'x', (e) => { gerr = e; });
    expect(gerr).toMatch(/live-only/);
  });

  it('trace pane keys say they are live-only', () => {
    const said: string[] = [];
    const p = liveOnlyPanes((m) => said.push(m));
    expect(p.handleKey('3', '3', '3')).toBe(true);
    expect(said[0]).toMatch(/live-only/);
    expect(p.handleKey('x', 'x', 'x')).toBe(false);
    expect(p.desiredHeight(100, 40)).toBe(0);
  });
});

// ---- the shell in replay, on in-memory streams ------------------------------

let app: App | undefined;
afterEach(() => {
  app?.quit(0);
  app = undefined;
});

/** A view whose Source models "value <10 x sample> after <n> collects" from the session's current sample. */
function view(s: ReturnType<typeof session>, log: string[], flags: Partial<ViewEntry> = {}, slowMs = 0): ViewEntry {
  return {
    id: 'v', title: 'V', home: true, keepAlive: true, ...flags,
    load: () => ({
      createSource: (): Source<string, void> => {
        let n = 0;
        let m: string | undefined;
        return {
          collect(now) {
            n++;
            log.push(`collect ${s.current} now=${now}`);
            m = `value ${10 * s.current} after ${n}`;
            return slowMs ? new Promise<void>((res) => setTimeout(res, slowMs)) : undefined;
          },
          model: () => m,
          reset() { n = 0; log.push('reset'); },
        };
      },
      createScreen: (): Screen<string, void> => {
        let box: import('blessed').Widgets.BoxElement | undefined;
        return {
          mount(parent) { box = parent; },
          unmount() {},
          render(m) { box?.setContent(m ?? 'nothing yet'); },
          handleKey: () => false,
          footer: () => [['x', 'viewkey']],
        };
      },
    }),
  };
}

function start(s: ReturnType<typeof session>, cursor: number, log: string[], flags: Partial<ViewEntry> = {}, slowMs = 0) {
  const output = Object.assign(new PassThrough(), { columns: 120, rows: 20, isTTY: true });
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  output.on('data', () => {});
  const replay = new ReplayController(s, cursor);
  app = new App(structuredClone(DEFAULT_CONFIG), '/nonexistent/config.json', { saveEnabled: false }, makeTheme(true), 'xterm-256color', 0,
    { replay, panes: (ctx) => liveOnlyPanes((m, l) => ctx.app.status(m, l)) }, [view(s, log, flags, slowMs)], { input, output });
  void app.run();
  const lines = () => (app!.screen as unknown as { lines: Array<Array<[number, string]>> }).lines.map((l) => l.map((c) => c[1]).join('').trimEnd());
  const key = (k: string) => app!.dispatch({ type: 'key', ch: k.length === 1 ? k : undefined, name: k.length === 1 ? k.toLowerCase() : k, full: k });
  return { replay, lines, key };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('the shell in replay', () => {
  it('shows the sample at the cursor (primed with the one before), steps with t / T, jumps with e, and the bar follows', async () => {
    const s = session(100, [80]);
    const log: string[] = [];
    const { replay, lines, key } = start(s, 40, log);
    await settle();
    // Primed: sample 39 (for rates), then 40; the model is sample 40's.
    expect(s.loads).toEqual([39, 40]);
    expect(lines()[0]).toMatch(/^REPLAY web1 +2026-01-02 03:03:20 +⏸ paused +41\/100/);
    expect(lines()[1]).toBe('value 400 after 2');
    key('t');
    await settle();
    expect(replay.cursor).toBe(41);
    expect(s.loads.at(-1)).toBe(41);
    expect(lines()[1]).toBe('value 410 after 3'); // one more sample, no reset
    key('T');
    await settle();
    expect(replay.cursor).toBe(40);
    expect(log).toContain('reset'); // backwards: the Source starts over from the sample before
    expect(lines()[1]).toBe('value 400 after 2');
    key('e');
    await settle();
    expect(replay.cursor).toBe(80);
    expect(lines()[0]).toMatch(/03:06:40 .* 81\/100/);
    expect(lines()[1]).toBe('value 800 after 2');
    // Every collect got a `now` larger than the last (the MachineSampler's tick).
    const nows = log.filter((l) => l.startsWith('collect')).map((l) => Number(l.split('now=')[1]));
    for (let i = 1; i < nows.length; i++) expect(nows[i]).toBeGreaterThan(nows[i - 1]);
    // The footer starts with replay's keys.
    expect(lines().at(-1)).toMatch(/^tnext Tprev btime efailure Spaceplay S1x xviewkey/);
  });

  it('on a jump feeds a graph view the sample first, then its history before the cursor', async () => {
    const s = session(1000);
    const log: string[] = [];
    const { lines } = start(s, 500, log, { replayHistory: 150 });
    await settle();
    // First the sample and the one before (drawn at once), then a rewind and samples 350..500.
    expect(s.loads.slice(0, 2)).toEqual([499, 500]);
    expect(s.loads.slice(2)).toEqual(Array.from({ length: 151 }, (_, k) => 350 + k));
    expect(log.filter((l) => l === 'reset')).toHaveLength(2);
    expect(lines()[1]).toBe('value 5000 after 151');
  });

  it('a cursor moved while a collect runs is shown after it (no key is lost)', async () => {
    const s = session(1000);
    const log: string[] = [];
    const { replay, lines, key } = start(s, 500, log, {}, 5); // each collect takes 5 ms
    await new Promise((r) => setTimeout(r, 50));
    key('t');
    key('t'); // while the first step's collect runs
    key('t');
    await new Promise((r) => setTimeout(r, 100));
    expect(replay.cursor).toBe(503);
    expect(log.at(-1)).toMatch(/^collect 503 /);
    expect(lines()[1]).toMatch(/^value 5030 /);
  });

  it('a sample that cannot be read is said, not shown as the one before', async () => {
    const s = session(100, [], [41]);
    const log: string[] = [];
    const { lines, key } = start(s, 40, log);
    await settle();
    key('t');
    await settle();
    expect(lines().join('\n')).toMatch(/sample 42 .* cannot be read/);
  });

  it('plays: samples advance by themselves and stop at the end', async () => {
    const s = session(5);
    const log: string[] = [];
    const { replay, key } = start(s, 0, log);
    replay.speed = 300; // 5000/300 ms a sample: 6 samples a step of 100 ms
    key('space');
    await new Promise((r) => setTimeout(r, 400));
    expect(replay.cursor).toBe(4);
    expect(replay.playing).toBe(false);
  });

  it('refuses trace panes and process actions with a message', async () => {
    const s = session(10);
    const { lines, key } = start(s, 5, []);
    await settle();
    key('2');
    await settle();
    expect(lines().join('\n')).toMatch(/trace panes are live-only/);
    expect(app!.actions.sendSignal(1, 'SIGTERM').ok).toBe(false);
  });
});
