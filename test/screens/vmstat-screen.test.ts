// The vmstat screen drawn into a fake terminal from the real VmstatSource
// reading a /proc tree the test writes: a title line, and under the graphs
// a table of the samples as `vmstat 1` prints them, newest at the bottom,
// as many rows as fit.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { makeTheme } from '../../src/app/theme.js';
import { VmstatScreen } from '../../screens/vmstat-screen.js';
import { VmstatSource } from '../../src/views/vmstat.js';
import type { AppApi } from '../../src/app/view.js';
import { displayWidth } from '../../src/util/text.js';
import { fakeScreen } from '../helpers/fake-screen.js';

const VMSTAT_COLUMNS = ['r', 'b', 'swpd', 'free', 'buff', 'cache', 'si', 'so', 'bi', 'bo', 'in', 'cs', 'us', 'sy', 'id', 'wa', 'st'];

const app: AppApi = {
  open: () => {}, back: () => {}, status: () => {}, requestRender: () => {}, refreshNow: () => {},
  prompt: (_l, _i, done) => done(null), menu: (_t, _i, done) => done(null), confirm: (_q, done) => done(false),
  suspendAndRun: (_c, _a, done) => done(null), delayMs: 1000,
};

let root: string;
let screen: Widgets.Screen | undefined;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-vmstat-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  screen?.destroy();
  screen = undefined;
  fs.rmSync(root, { recursive: true, force: true });
});

/** Sample i: procs_running = i (so each table row says which sample it is), memory that fits vmstat's KiB columns. */
function writeSample(i: number, memFreeKb = 300000): void {
  const t = 1000 * i;
  fs.writeFileSync(path.join(root, 'stat'), `cpu  ${t} 0 ${t} ${8 * t} ${t} 0 0 0 0 0\ncpu0 ${t} 0 ${t} ${8 * t} ${t} 0 0 0 0 0\nintr ${50 * i} 0\nctxt ${70 * i}\nbtime 1700000000\nprocesses ${i}\nprocs_running ${i}\nprocs_blocked 1\n`);
  fs.writeFileSync(path.join(root, 'meminfo'), `MemTotal:       90000000 kB\nMemFree:        ${memFreeKb} kB\nMemAvailable:     500000 kB\nBuffers:           10000 kB\nCached:           200000 kB\nSReclaimable:       5000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n`);
  fs.writeFileSync(path.join(root, 'vmstat'), `pgpgin ${100 * i}\npgpgout ${200 * i}\npswpin 0\npswpout 0\npgfault ${10 * i}\npgmajfault 0\n`);
}

function draw(cols: number, rows: number, samples: number, memFreeKb?: number) {
  screen = fakeScreen(cols, rows);
  const body = blessed.box({ parent: screen, top: 0, left: 0, right: 0, bottom: 2 });
  const vs = new VmstatScreen({ screen, theme: makeTheme(false), app });
  vs.mount(body);
  const src = new VmstatSource(root);
  // One sample a second (rates divide by the monotonic clock).
  let now = 0;
  vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => BigInt(now) * 1_000_000_000n);
  for (let i = 1; i <= samples + 1; i++) {
    now = i;
    writeSample(i, memFreeKb);
    src.collect();
  }
  vs.render(src.model());
  screen.render();
  const lines = (screen as unknown as { lines: Array<Array<[number, string]>> }).lines.map((l) => l.map((c) => c[1]).join('').replace(/\x03/g, '').trimEnd());
  return lines.slice(0, rows - 2);
}

describe('vmstat screen', () => {
  for (const [cols, rows] of [[80, 24], [160, 45]]) {
    it(`at ${cols}x${rows}: a title, then the samples as vmstat 1 prints them, newest at the bottom, as many as fit`, () => {
      const lines = draw(cols, rows, 60);
      expect(lines[0]).toMatch(/^vmstat — /);
      for (const l of lines) expect(displayWidth(l), l).toBeLessThanOrEqual(cols);
      const h = lines.findIndex((l) => /^\s*r\s+b\s+swpd/.test(l));
      expect(h, lines.join('\n')).toBeGreaterThan(2);
      expect(lines[h].trim().split(/\s+/)).toEqual(VMSTAT_COLUMNS);
      expect(lines[h - 1]).toMatch(/^procs -+memory-+ -+swap-+ -+io-+ -+system-+ -+cpu-+$/);
      const body = lines.slice(h + 1);
      // The table fills the rest of the view: every line under its title is a sample.
      expect(body.length).toBeGreaterThanOrEqual(5);
      const r = body.map((l) => {
        const f = l.trim().split(/\s+/);
        expect(f, l).toHaveLength(17);
        for (const x of f) expect(x, l).toMatch(/^\d+$/);
        // The columns line up under their titles (right-aligned).
        return Number(f[0]);
      });
      // Oldest first, consecutive, the last one the newest sample (procs_running = sample number).
      expect(r.at(-1)).toBe(61);
      for (let i = 1; i < r.length; i++) expect(r[i]).toBe(r[i - 1] + 1);
      const title = lines[h];
      for (const row of body) {
        for (const col of ['free', 'cache', 'bo', 'st']) {
          const end = title.indexOf(col) + col.length;
          expect(row[end - 1], `${col} under its title in\n${title}\n${row}`).toMatch(/\d/);
          expect(row[end] ?? ' ').toBe(' ');
        }
      }
      const f = body.at(-1)!.trim().split(/\s+/);
      expect(Number(f[VMSTAT_COLUMNS.indexOf('free')])).toBe(300000);
      expect(Number(f[VMSTAT_COLUMNS.indexOf('cache')])).toBe(205000);
      expect(Number(f[VMSTAT_COLUMNS.indexOf('b')])).toBe(1);
      // Rates per second, CPU in percent of the interval's ticks.
      expect(f.slice(VMSTAT_COLUMNS.indexOf('bi')).map(Number)).toEqual([100, 200, 50, 70, 9, 9, 73, 9, 0]);
    });
  }

  it('shows memory in MiB, saying so, when KiB would not fit the width (as vmstat -S M)', () => {
    const narrow = draw(80, 24, 5, 23878532);
    const h = narrow.findIndex((l) => /^\s*r\s+b\s+swpd/.test(l));
    expect(narrow[h - 1]).toContain('memory(MiB)');
    expect(narrow[h].trim().split(/\s+/)).toEqual(VMSTAT_COLUMNS);
    const last = narrow.filter((l) => l.trim()).at(-1)!.trim().split(/\s+/);
    expect(last).toHaveLength(17);
    expect(Number(last[VMSTAT_COLUMNS.indexOf('free')])).toBe(Math.round(23878532 / 1024));
    screen!.destroy();
    const wide = draw(160, 24, 5, 23878532);
    const w = wide.findIndex((l) => /^\s*r\s+b\s+swpd/.test(l));
    expect(wide[w - 1]).not.toContain('MiB');
    expect(Number(wide.filter((l) => l.trim()).at(-1)!.trim().split(/\s+/)[VMSTAT_COLUMNS.indexOf('free')])).toBe(23878532);
  });

  it('hides the graphs on a tiny terminal (the smallest ostop runs in), never wider than it, and grows them with the room', () => {
    for (const [cols, rows] of [[40, 10], [50, 14], [80, 24], [120, 40]] as const) {
      const lines = draw(cols, rows, 20);
      for (const l of lines) expect(displayWidth(l), `${cols}x${rows}: ${l}`).toBeLessThanOrEqual(cols);
      const graphRows = lines.filter((l) => /[\u2801-\u28ff]/.test(l)).length;
      if (rows <= 14) expect(graphRows, lines.join('\n')).toBe(0);
      else expect(graphRows, lines.join('\n')).toBeGreaterThan(0);
      // The table keeps its rows whatever the graphs take.
      expect(lines.some((l) => /^\s*r\s+b\s+swpd/.test(l))).toBe(true);
      screen!.destroy();
      screen = undefined;
    }
  });

  it('with few samples shows those it has, newest at the bottom', () => {
    const lines = draw(100, 40, 3);
    const h = lines.findIndex((l) => /^\s*r\s+b\s+swpd/.test(l));
    const body = lines.slice(h + 1).filter((l) => l.trim());
    expect(body.map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([2, 3, 4]);
  });
});
