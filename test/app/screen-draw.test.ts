// The replacement draw (src/app/screen-draw.ts) must leave the terminal
// showing exactly blessed's cell grid, frame after frame, while writing fewer
// bytes than blessed's own draw. Checked by feeding every byte into a
// headless xterm and comparing each cell's character, colours and flags with
// screen.lines, over random frames (colours, bold/inverse, CJK and emoji,
// borders, lines that grow and shrink, partial changes).
import blessed, { type Widgets } from 'blessed';
import { fakeScreen } from '../helpers/fake-screen.js';
import { describe, expect, it } from 'vitest';
import xtermHeadless from '@xterm/headless';
import { installScreenDraw, switchAttr } from '../../src/app/screen-draw.js';
import { alignBlessedWidths } from '../../src/app/blessed-widths.js';
import { MODERN_UNICODE } from '../helpers/pty.js';

const { Terminal } = xtermHeadless as unknown as typeof import('@xterm/headless');
type Term = InstanceType<typeof Terminal>;

const COLS = 60;
const ROWS = 14;

interface Rig { screen: Widgets.Screen; term: Term; bytes: () => number; text: () => string; box: Widgets.BoxElement; flush: () => Promise<void> }

function rig(optimized: boolean): Rig {
  alignBlessedWidths();
  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  // terminals of today: emoji two cells wide, as ostop's width table says
  term.unicode.register(MODERN_UNICODE);
  term.unicode.activeVersion = MODERN_UNICODE.version;
  let bytes = 0;
  let text = '';
  let pending = Promise.resolve();
  const onData = (d: Buffer) => {
    bytes += d.length;
    text += d.toString('utf8');
    const s = d.toString('utf8');
    pending = pending.then(() => new Promise<void>((res) => term.write(s, () => res())));
  };
  const screen = fakeScreen(COLS, ROWS, { onData, screen: { smartCSR: true, autoPadding: false, dockBorders: true } as Partial<Widgets.IScreenOptions> });
  if (optimized) installScreenDraw(screen);
  const box = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%', tags: true });
  return { screen, term, box, bytes: () => bytes, text: () => text, flush: async () => {
    await new Promise((r) => setImmediate(r)); // blessed writes on the next tick
    await pending;
  } };
}

/** Deterministic PRNG so a failure reproduces. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = ['sleep', '600', 'node', '/usr/bin/ostop', '12.5', '0.0', 'S', 'R', '漢字', 'テスト', '🙂', 'é', 'a', '  ', '|||', '│', '─'];
const TAGS = ['', '{red-fg}', '{red-fg}{blue-bg}', '{bold}{green-fg}{black-bg}', '{green-fg}', '{bold}', '{inverse}', '{blue-bg}', '{#ff8800-fg}', '{underline}', '{gray-fg}', '{white-fg}{blue-bg}'];

function frame(rand: () => number, prev: string[] | undefined): string[] {
  // a table whose top gains or loses rows: the rest moves up or down
  if (prev && rand() < 0.35) {
    const k = 1 + Math.floor(rand() * 3);
    const at = Math.floor(rand() * 4);
    const fresh = frame(rand, undefined);
    const moved = rand() < 0.5
      ? [...prev.slice(0, at), ...prev.slice(at + k), ...fresh.slice(0, k)]
      : [...prev.slice(0, at), ...fresh.slice(0, k), ...prev.slice(at, ROWS - k)];
    return moved.slice(0, ROWS);
  }
  const lines: string[] = [];
  for (let y = 0; y < ROWS; y++) {
    // keep most lines as they were: partial updates are the common case
    if (prev && rand() < 0.6) {
      lines.push(prev[y]);
      continue;
    }
    let l = '';
    const parts = Math.floor(rand() * 9);
    for (let i = 0; i < parts; i++) {
      const tag = TAGS[Math.floor(rand() * TAGS.length)];
      const w = WORDS[Math.floor(rand() * WORDS.length)];
      l += tag ? `${tag}${w}{/}` : w;
      const r = rand();
      l += r < 0.3 ? '' : r < 0.7 ? ' ' : '   '; // adjacent attributes too
    }
    lines.push(l);
  }
  return lines;
}

/** Mismatches between the xterm screen and blessed's cell grid. */
function diff(r: Rig): string[] {
  const s = r.screen as unknown as { lines: Array<Array<[number, string]>> };
  const buf = r.term.buffer.active;
  const cell = buf.getNullCell();
  const bad: string[] = [];
  for (let y = 0; y < ROWS; y++) {
    const line = buf.getLine(y)!;
    const want = s.lines[y];
    for (let x = 0; x < COLS; x++) {
      line.getCell(x, cell);
      const [attr, ch] = want[x];
      const width = cell.getWidth();
      if (width === 0) continue; // second half of a wide character
      const got = cell.getChars() || ' ';
      if (got !== ch) bad.push(`(${x},${y}) char ${JSON.stringify(got)} != ${JSON.stringify(ch)}`);
      const fg = (attr >> 9) & 0x1ff, bg = attr & 0x1ff, flags = attr >> 18;
      const gotFg = cell.isFgDefault() ? 0x1ff : cell.getFgColor();
      const gotBg = cell.isBgDefault() ? 0x1ff : cell.getBgColor();
      if (gotFg !== fg) bad.push(`(${x},${y}) fg ${gotFg} != ${fg}`);
      if (gotBg !== bg) bad.push(`(${x},${y}) bg ${gotBg} != ${bg}`);
      if (!!cell.isBold() !== !!(flags & 1)) bad.push(`(${x},${y}) bold`);
      if (!!cell.isUnderline() !== !!(flags & 2)) bad.push(`(${x},${y}) underline`);
      if (!!cell.isInverse() !== !!(flags & 8)) bad.push(`(${x},${y}) inverse`);
    }
  }
  return bad;
}

describe('optimized screen draw', () => {
  it('leaves the terminal equal to the cell grid after every frame, in fewer bytes than blessed', async () => {
    const ours = rig(true);
    const theirs = rig(false);
    for (const seed of [1, 2, 3]) {
      const rand = prng(seed);
      let prev: string[] | undefined;
      for (let f = 0; f < 40; f++) {
        const lines = frame(rand, prev);
        prev = lines;
        for (const r of [ours, theirs]) {
          r.box.setContent(lines.join('\n'));
          r.screen.render();
          await r.flush();
        }
        const bad = diff(ours);
        expect(bad.slice(0, 5), `seed ${seed} frame ${f}`).toEqual([]);
        expect(diff(theirs).length).toBe(0); // the reference itself is right
      }
    }
    expect(ours.bytes()).toBeLessThan(theirs.bytes() * 0.9);
    // rows that moved were moved by the terminal (scroll region + insert/delete line), both ways
    expect((ours.text().match(/\x1b\[\d+;\d+r\x1b\[\d+;\d+H\x1b\[\d+M/g) ?? []).length).toBeGreaterThan(3);
    expect((ours.text().match(/\x1b\[\d+;\d+r\x1b\[\d+;\d+H\x1b\[\d+L/g) ?? []).length).toBeGreaterThan(3);
    ours.screen.destroy();
    theirs.screen.destroy();
  });

  it('switches attributes by difference when shorter, by reset when a flag goes off', () => {
    const r = rig(true);
    const s = r.screen as unknown as Parameters<typeof switchAttr>[0];
    const D = s.dattr;
    const red = (D & ~(0x1ff << 9)) | (1 << 9);
    const redBold = red | (1 << 18);
    expect(switchAttr(s, D, D)).toBe('');
    expect(switchAttr(s, D, red)).toBe('\x1b[31m');
    expect(switchAttr(s, red, redBold)).toBe('\x1b[1m');
    expect(switchAttr(s, redBold, red)).toBe('\x1b[0;31m');
    expect(switchAttr(s, red, D)).toBe('\x1b[m');
    const blueBg = (red & ~0x1ff) | 4;
    expect(switchAttr(s, red, blueBg)).toBe('\x1b[44m');
    expect(switchAttr(s, blueBg, red)).toBe('\x1b[49m');
    r.screen.destroy();
  });
});
