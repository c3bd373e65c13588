// The history graph widget (screens/widgets/graph.ts) on fake screens: every
// line exactly its width, hidden (never thrown, never wrapped) when it does
// not fit, hostile labels neither escape nor tag, the per-CPU grid, and the
// same cells under tmux's and screen's 256-colour terminfo.
import { afterEach, describe, expect, it } from 'vitest';
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { makeTheme } from '../../../src/app/theme.js';
import { chooseTerminal } from '../../../src/app/terminal.js';
import { graphBlockRows, graphGrid, graphLines, sideBySide } from '../../../screens/widgets/graph.js';
import { Series } from '../../../src/store/series.js';
import { displayWidth } from '../../../src/util/text.js';
import { fakeScreen } from '../../helpers/fake-screen.js';

const theme = makeTheme(false);
const plain = (tagged: string) => tagged.replace(/\{open\}/g, '\0').replace(/\{close\}/g, '\x01').replace(/\{\/?[a-z0-9-]+\}/g, '').replace(/\0/g, '{').replace(/\x01/g, '}');
const ramp = Series.from(Array.from({ length: 100 }, (_, i) => i));

let screen: Widgets.Screen | undefined;
afterEach(() => {
  screen?.destroy();
  screen = undefined;
});

function drawn(lines: string[], cols: number, rows: number, terminal?: string): { text: string[]; bytes: () => string } {
  let bytes = '';
  screen = fakeScreen(cols, rows, { onData: (d) => (bytes += d.toString('utf8')), screen: terminal ? { terminal } : {} });
  blessed.box({ parent: screen, top: 0, left: 0, width: cols, height: rows, tags: true, wrap: false, content: lines.join('\n') });
  screen.render();
  const text = (screen as unknown as { lines: Array<Array<[number, string]>> }).lines.map((l) => l.map((c) => c[1]).join('').replace(/\x03/g, ''));
  return { text, bytes: () => bytes };
}

describe('graph block', () => {
  it('is `height` lines of exactly `width` cells: label, value, scale in the gutter, the newest values at the right', () => {
    for (const [w, h] of [[60, 4], [30, 1], [24, 2], [100, 8]]) {
      const lines = graphLines(theme, { label: 'cpu', value: '99.0%', series: ramp, color: 'cpuUser', max: 100 }, w, h);
      expect(lines).toHaveLength(h);
      for (const l of lines) expect(displayWidth(plain(l)), plain(l)).toBe(w);
      // A rising ramp: the rightmost cell of the bottom row is full, the leftmost of the top row is not.
      const bottom = plain(lines.at(-1)!);
      expect(bottom.at(-1)).toBe('⣿');
      expect(plain(lines[0])).toMatch(/^cpu/);
    }
  });

  it('shows the auto scale\'s top in the gutter of a 3+ row block', () => {
    const rows = graphBlockRows({ label: 'rx', value: '1K/s', series: [0, 512, 2048], color: 'graph1', scale: (t) => `${t}B` }, 60, 3);
    expect(rows[2][0]).toContain('max 2048B');
  });

  it('is hidden, not thrown or wrapped, when it does not fit', () => {
    expect(graphLines(theme, { label: 'cpu', value: '1%', series: ramp, color: 'cpuUser' }, 3, 3)).toEqual([]);
    expect(graphLines(theme, { label: 'cpu', value: '1%', series: ramp, color: 'cpuUser' }, 60, 0)).toEqual([]);
    expect(graphLines(theme, { label: 'cpu', value: '1%', series: ramp, color: 'cpuUser' }, -5, -1)).toEqual([]);
    expect(graphGrid(theme, [ramp], () => 'cpu0', () => '1%', 'cpuUser', 10, 2)).toEqual([]);
    expect(graphGrid(theme, [ramp], () => 'cpu0', () => '1%', 'cpuUser', 60, 0)).toEqual([]);
    // On a 20x5 screen a 2-row block draws in its 2 rows and nothing else.
    const lines = graphLines(theme, { label: 'mem', value: '5%', series: ramp, color: 'memUsed' }, 20, 2);
    const { text } = drawn(lines, 20, 5);
    expect(text.slice(2).every((l) => l.trim() === '')).toBe(true);
  });

  it('hostile labels and values: no escape sequence, no blessed tag, no wrap', async () => {
    const evil = 'eth\x1b]0;pwn\x07{red-fg}X{/red-fg}\u202e\n0';
    const lines = graphLines(theme, { label: evil, value: '{bold}1{/bold}\x1b[2J', series: ramp, color: 'graph1' }, 50, 2);
    const { text, bytes } = drawn(lines, 50, 3);
    await new Promise((r) => setImmediate(r));
    expect(bytes()).toContain('eth');
    expect(bytes()).not.toContain('\x1b]0;');
    expect(text.join('')).not.toMatch(/[\x00-\x1f\x7f\u202e]/);
    expect(text.join('\n')).toContain('{red-fg}'.slice(0, 5)); // shown as text, not applied
    for (const l of lines) expect(displayWidth(plain(l))).toBe(50);
  });

  it('draws the same cells under tmux-256color and screen-256color as under xterm-256color', async () => {
    const lines = sideBySide([
      graphLines(theme, { label: 'rx', value: '2K/s', series: ramp, color: 'graph1' }, 38, 3),
      graphLines(theme, { label: 'tx', value: '1K/s', series: ramp, color: 'graph2' }, 38, 3),
    ], [38, 38]);
    const ref = drawn(lines, 80, 4).text;
    screen!.destroy();
    screen = undefined;
    expect(ref[0]).toMatch(/[\u2801-\u28ff]/);
    for (const term of ['tmux-256color', 'screen-256color']) {
      const t = chooseTerminal({ TERM: term, HOME: '/nonexistent' });
      const out = drawn(lines, 80, 4, t.terminal);
      expect(out.text).toEqual(ref);
      await new Promise((r) => setImmediate(r)); // blessed flushes its output buffer on the next tick
      const bytes = out.bytes();
      // Coloured with the terminal's SGR (a foreground colour), braille passed through as UTF-8.
      expect(bytes).toMatch(/\x1b\[(3[0-7]|38;5;\d+|9[0-7])m/);
      expect(bytes).toContain('⣿');
      screen!.destroy();
      screen = undefined;
    }
  });
});

describe('graph grid (per-CPU graphs)', () => {
  it('one row per CPU in columns, labelled, each line the grid width', () => {
    const cores = Array.from({ length: 4 }, (_, i) => Series.from([0, 10 * i, 25 * i]));
    const lines = graphGrid(theme, cores, (i) => `cpu${i}`, (i) => `${25 * i}%`, 'cpuUser', 60, 2, 100);
    expect(lines).toHaveLength(2);
    const text = lines.map(plain);
    for (const l of text) expect(displayWidth(l)).toBe(60);
    expect(text[0]).toMatch(/^cpu0 .*cpu2 /);
    expect(text[1]).toMatch(/^cpu1 .*cpu3 /);
  });

  it('says how many CPUs it leaves out when they do not fit', () => {
    const cores = Array.from({ length: 64 }, () => Series.from([50]));
    const lines = graphGrid(theme, cores, (i) => `cpu${i}`, () => '50%', 'cpuUser', 40, 2, 100).map(plain);
    expect(lines).toHaveLength(2);
    // 40 cells hold 2 columns of 16+: 3 CPUs and "+61 more".
    expect(lines.join('\n')).toContain('+61 more');
    for (const l of lines) expect(displayWidth(l)).toBe(40);
  });
});
