// Replay in the shell: the cursor over a recorded store, its keys, the
// replay bar that replaces "now" at the top of the screen, and what a
// replay refuses. The shell (src/app/app.ts) knows a recording only through
// ReplaySession, which the composition root builds from the store's reader
// and the recorded feed the Sources read (src/replay.ts): load(i) makes tick
// i the feed's current one, then the shown view's Source collects as live.
//
// Keys (atop's where atop has one): t next sample, T previous sample,
// b jump to a time (absolute, or relative to the shown sample, e.g. -2h), e / E next / previous failure, Space pause / play, S speed.
// They are a keymap table: the handler, the footer and F1 come from it.
//
// The bar says REPLAY, the recorded host and the recorded time (never the
// time now), whether it plays and how fast, the sample number and a time
// line of the whole recording with the failures marked and the cursor.
import blessed from 'blessed';
import type { Keymap } from './keymap.js';
import type { Theme } from './theme.js';
import type { Actions } from '../actions/index.js';
import type { PaneArea } from './panes.js';
import { fitWidth, sanitize, truncateWidth } from '../util/text.js';
import { formatTimestamp } from '../util/format.js';

/** A recording, as the shell sees it (built by the composition root from a store reader). */
export interface ReplaySession {
  /** The store directory or file (shown in errors). */
  readonly path: string;
  /** The recorded machine's host name and kernel (from the store's meta record; untrusted text). */
  readonly host: string;
  readonly kernel?: string;
  /** The recording interval, ms. */
  readonly intervalMs: number;
  /** Number of samples. */
  readonly size: number;
  /** Epoch ms of sample i. */
  timeAt(i: number): number;
  /** The newest sample at or before `time` (-1 when all are later). */
  indexAt(time: number): number;
  /** Make sample i the one the Sources read next; false when it cannot be decoded (a corrupt record). */
  load(i: number): boolean;
  /**
   * Samples whose interval holds a failure (signal death, OOM kill, core
   * dump...), ascending, as far as the store's events have been scanned
   * (a scan that started after the first frame may still run): `complete`
   * finishes it first.
   */
  failureIndexes(complete?: boolean): readonly number[];
  /** A typed time (absolute, or relative to `cursorMs` like -2h) to epoch ms; throws with a message for a person. */
  parseTime(text: string, cursorMs: number): number;
}

/** Playback speeds (samples per recording interval), the S menu. */
export const REPLAY_SPEEDS = [1, 2, 5, 10, 30, 60, 300] as const;
/** The fastest playback step, ms (at high speeds samples are skipped rather than drawn faster). */
export const MIN_STEP_MS = 100;

/** What a Source needs to show the cursor: samples from..to fed in order, after a reset when `reset`. */
export type CatchUp = { from: number; to: number; reset: boolean } | null;

export class ReplayController {
  /** The sample shown. */
  cursor: number;
  playing = false;
  speed: number = REPLAY_SPEEDS[0];
  constructor(readonly session: ReplaySession, start: number) {
    this.cursor = Math.max(0, Math.min(session.size - 1, start));
  }

  get time(): number {
    return this.session.timeAt(this.cursor);
  }

  /** Move by `n` samples (clamped); false when already at that end. */
  step(n: number): boolean {
    const to = Math.max(0, Math.min(this.session.size - 1, this.cursor + n));
    if (to === this.cursor) return false;
    this.cursor = to;
    return true;
  }

  /** Jump to the sample in effect at `time`; an error message when the time is outside the recording. */
  jumpTo(time: number): string | null {
    const first = this.session.timeAt(0);
    const last = this.session.timeAt(this.session.size - 1);
    if (!Number.isFinite(time)) return 'not a time';
    if (time < first || time > last + this.session.intervalMs) {
      return `${formatTimestamp(time)} is outside the recording (${formatTimestamp(first)} to ${formatTimestamp(last)})`;
    }
    this.cursor = Math.max(0, this.session.indexAt(time));
    return null;
  }

  /** The next (dir 1) or previous (dir -1) sample with a failure; false when there is none that way. */
  toFailure(dir: 1 | -1): boolean {
    const f = this.session.failureIndexes(true);
    const next = dir > 0 ? f.find((i) => i > this.cursor) : [...f].reverse().find((i) => i < this.cursor);
    if (next === undefined) return false;
    this.cursor = next;
    return true;
  }

  /** ms between two played samples, and how many samples each step moves (speeds past MIN_STEP_MS skip samples). */
  playStep(): { ms: number; samples: number } {
    const per = this.session.intervalMs / this.speed;
    if (per >= MIN_STEP_MS) return { ms: per, samples: 1 };
    const samples = Math.ceil(MIN_STEP_MS / per);
    return { ms: per * samples, samples };
  }

  /**
   * What a Source that last collected sample `last` (undefined: never) must
   * be fed to show the cursor: nothing (null); the samples after `last`
   * when the cursor is at most `history` ahead (playing, t); else a reset
   * and the `history` samples before the cursor (rates need one, graphs
   * want their width), which is what a jump back or far ahead costs.
   */
  catchUp(last: number | undefined, history: number): CatchUp {
    const h = Math.max(1, Math.floor(history));
    if (last === this.cursor) return null;
    if (last !== undefined && last < this.cursor && this.cursor - last <= h) return { from: last + 1, to: this.cursor, reset: false };
    return { from: Math.max(0, this.cursor - h), to: this.cursor, reset: true };
  }

  /** The replay bar: one line of exactly `width` cells (blessed tags), meant to be drawn inverse. */
  bar(theme: Theme, width: number): string {
    const s = this.session;
    const host = sanitize(s.host) || '?';
    const state = this.playing ? `▶ ${this.speed}x` : '⏸ paused';
    const head = `REPLAY ${host}  ${formatTimestamp(this.time)}  ${state}  ${this.cursor + 1}/${s.size}`;
    const room = width - head.length - 2;
    let line = head;
    if (room >= 12) line += '  ' + this.timeLine(room);
    const text = fitWidth(truncateWidth(line, width), width);
    return theme.mono ? `{inverse}${blessed.escape(text)}{/inverse}` : `{black-fg}{yellow-bg}${blessed.escape(text)}{/yellow-bg}{/black-fg}`;
  }

  /** The whole recording in `w` cells: '─' time, '!' a failure, '●' the cursor. */
  timeLine(w: number): string {
    const n = this.session.size;
    const cell = (i: number) => (n <= 1 ? 0 : Math.min(w - 1, Math.floor((i * w) / n)));
    const out = new Array<string>(w).fill('─');
    for (const f of this.session.failureIndexes()) out[cell(f)] = '!';
    out[cell(this.cursor)] = '●';
    return out.join('');
  }
}

/** The replay keys: what the shell runs for them (src/app/app.ts implements this). */
export interface ReplayHost {
  readonly replay: ReplayController;
  /** Show the cursor (collect at it and draw). */
  showCursor(): void;
  status(msg: string, level?: 'info' | 'warn' | 'error'): void;
  prompt(label: string, initial: string, done: (value: string | null) => void): void;
  menu(title: string, items: string[], done: (index: number | null) => void, selected?: number): void;
  /** Start or stop playing. */
  setPlaying(on: boolean): void;
}

/** The replay keys, before the view's own (t and T are not the top view's tree and TIME sort in replay: F5 and F6 are). */
export const REPLAY_KEYS: Keymap<ReplayHost> = [
  {
    keys: ['t'], label: 't', footer: 'next', help: 'next sample (as atop; in replay F5 is the tree view)',
    run: (h) => { if (h.replay.step(1)) h.showCursor(); else h.status('at the last sample of the recording', 'warn'); },
  },
  {
    keys: ['S-t', 'T'], label: 'T', footer: 'prev', help: 'previous sample (as atop; in replay F6 sorts by TIME+)',
    run: (h) => { if (h.replay.step(-1)) h.showCursor(); else h.status('at the first sample of the recording', 'warn'); },
  },
  {
    keys: ['b'], label: 'b', footer: 'time', help: 'jump to a time: HH:MM[:SS] (the shown day), YYYY-MM-DD HH:MM, ISO 8601, or relative to the shown sample (-2h, -30m)',
    run: (h) => h.prompt('jump to time (HH:MM, YYYY-MM-DD HH:MM, -2h): ', '', (v) => {
      if (v === null || !v.trim()) return;
      let t: number;
      try {
        t = h.replay.session.parseTime(v.trim(), h.replay.time);
      } catch (e) {
        return h.status((e as Error).message, 'error');
      }
      const err = h.replay.jumpTo(t);
      if (err) return h.status(err, 'error');
      h.showCursor();
    }),
  },
  {
    keys: ['e'], label: 'e', footer: 'failure', helpKeys: 'e / E', help: 'jump to the next / previous failure (signal death, OOM kill, core dump)',
    run: (h) => { if (h.replay.toFailure(1)) h.showCursor(); else h.status('no failure after this sample', 'warn'); },
  },
  { keys: ['S-e', 'E'], run: (h) => { if (h.replay.toFailure(-1)) h.showCursor(); else h.status('no failure before this sample', 'warn'); } },
  {
    keys: ['space', 'S-z', 'Z'], label: 'Space', footer: (h) => (h.replay.playing ? 'pause' : 'play'), help: 'play / pause (one sample per recorded interval, times the speed)',
    run: (h) => h.setPlaying(!h.replay.playing),
  },
  {
    keys: ['S-s', 'S'], label: 'S', footer: (h) => `${h.replay.speed}x`, help: 'playback speed',
    run: (h) => h.menu('playback speed', REPLAY_SPEEDS.map((x) => `${x}x`), (i) => {
      if (i === null) return;
      h.replay.speed = REPLAY_SPEEDS[i];
      h.status(`playing at ${h.replay.speed}x`);
      if (h.replay.playing) h.setPlaying(true);
    }, Math.max(0, REPLAY_SPEEDS.indexOf(h.replay.speed as (typeof REPLAY_SPEEDS)[number]))),
  },
];

/**
 * The trace panes in replay: live-only (eBPF tracing is not recorded). Keys
 * 1-9 say so instead of attaching a tracer to this machine.
 */
export function liveOnlyPanes(status: (msg: string, level?: 'info' | 'warn' | 'error') => void): PaneArea {
  const say = () => status('trace panes are live-only: eBPF tracing is not recorded (run ostop without replay)', 'warn');
  return {
    toggle: say, toggleKeys: () => '1-9', setScopePid() {},
    handleKey: (_ch, _name, full) => { if (/^[1-9]$/.test(full)) { say(); return true; } return false; },
    focused: () => undefined, statusLine: () => '', footer: () => [],
    help: () => [['1-9', 'trace panes: live-only, not in replay (eBPF tracing is not recorded)']],
    desiredHeight: () => 0, mount() {}, unmount() {}, render() {}, perPid: () => new Map(), active: () => [], dispose() {},
  };
}

/** Actions on processes in replay: refused (the processes shown are recorded, not this machine's now). */
export function replayActions(live: Actions): Actions {
  const why = 'replay: the processes shown are recorded, not running here; kill, renice, gcore and gdb are live-only';
  const no = { ok: false as const, code: 'EPERM', message: why };
  return {
    ...live,
    refusal: why,
    sendSignal: () => no,
    renice: () => no,
    gcore: (_pid, _comm, done) => done(why, null),
    gdbAttach: () => ({ error: why }),
    gdbDump: () => ({ error: why }),
    onRenice: () => () => {},
  };
}
