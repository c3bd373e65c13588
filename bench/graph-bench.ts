// Benchmark: drawing history graphs, blessed-contrib's widgets against the
// painted braille graphs ostop draws (screens/widgets/graph.ts). The same
// frame each way on a 160x45 in-memory screen (test/helpers/fake-screen.ts):
// four 78x8 graphs of 300-point histories (CPU, memory, rx, tx) that change
// every frame, then screen.render(). Reported: the median and 95th
// percentile time of one frame (update + render) over FRAMES frames after a
// warm-up, the bytes the screen wrote per frame, and the time to load the
// library (a fresh Node process each, 5 runs, median), since every module
// loaded is paid at start-up. blessed-contrib was removed from package.json
// after these figures (bench/README-figures.md, "Graphs"): the blessed-contrib
// rows run only when it is installed (npm install --no-save blessed-contrib).
//   contrib line      blessed-contrib's line chart (drawille canvas), 4 widgets
//   contrib sparkline blessed-contrib's sparkline (a title and one text row per series)
//   painted sparkline the same with src/util/cells.ts's sparkline in a tagged box
//   painted braille   graphLines() into one tagged box (what the vmstat screen does)
//   painted cells     the same rows written straight into the cell grid (PaintedBox)
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { fakeScreen } from '../test/helpers/fake-screen.js';
import { makeTheme } from '../src/app/theme.js';
import { Series } from '../src/store/series.js';
import { graphBlockRows, graphLines, sideBySide } from '../screens/widgets/graph.js';
import { PaintedBox, type PaintedLine } from '../screens/widgets/painted-box.js';
import { sparkline } from '../src/util/cells.js';

const require = createRequire(import.meta.url);
const FRAMES = 300;
const WARMUP = 30;
const COLS = 160, ROWS = 45, GW = 78, GH = 8;

interface Result { name: string; median: number; p95: number; bytes: number }

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

/** Four histories that move every frame (a new point each). */
function histories(): { series: Series[]; step(i: number): void } {
  const series = [0, 1, 2, 3].map(() => new Series(300));
  const step = (i: number) => series.forEach((s, k) => s.push(50 + 45 * Math.sin((i + k * 17) / 9) + (i % 7)));
  for (let i = 0; i < 300; i++) step(i);
  return { series, step };
}

function run(name: string, setup: (screen: Widgets.Screen, series: Series[]) => () => void): Result {
  let bytes = 0;
  const screen = fakeScreen(COLS, ROWS, { onData: (d) => (bytes += d.length) });
  const h = histories();
  const frame = setup(screen, h.series);
  const times: number[] = [];
  let counted = 0;
  for (let i = 0; i < WARMUP + FRAMES; i++) {
    h.step(300 + i);
    if (i === WARMUP) bytes = 0;
    const t = performance.now();
    frame();
    screen.render();
    if (i >= WARMUP) {
      times.push(performance.now() - t);
      counted++;
    }
  }
  screen.destroy();
  return { name, median: pct(times, 0.5), p95: pct(times, 0.95), bytes: bytes / counted };
}

const labels = ['cpu', 'mem', 'rx', 'tx'];

function contribLine(screen: Widgets.Screen, series: Series[]): () => void {
  const contrib = require('blessed-contrib');
  const charts = series.map((_, k) => {
    const c = contrib.line({ top: Math.floor(k / 2) * GH, left: (k % 2) * (GW + 1), width: GW, height: GH, label: labels[k], showLegend: false, minY: 0, maxY: 100 });
    screen.append(c);
    return c;
  });
  const x = Array.from({ length: 300 }, (_, i) => String(i));
  return () => charts.forEach((c, k) => c.setData([{ title: labels[k], x, y: series[k].values() }]));
}

function contribSparkline(screen: Widgets.Screen, series: Series[]): () => void {
  const contrib = require('blessed-contrib');
  const charts = series.map((_, k) => {
    const c = contrib.sparkline({ top: Math.floor(k / 2) * GH, left: (k % 2) * (GW + 1), width: GW, height: GH, tags: true, border: undefined, style: { fg: 'green' } });
    screen.append(c);
    return c;
  });
  // blessed-contrib's sparkline draws the first width-2 points it is given: pass the newest.
  return () => charts.forEach((c, k) => c.setData([labels[k]], [series[k].last(GW - 2)]));
}

function paintedTagged(screen: Widgets.Screen, series: Series[]): () => void {
  const theme = makeTheme(false);
  const box = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: GH * 2, tags: true, wrap: false });
  return () => {
    const blocks = series.map((s, k) => graphLines(theme, { label: labels[k], value: `${s.latest()!.toFixed(1)}%`, series: s, color: 'graph1', max: 100 }, GW, GH));
    box.setContent([...sideBySide([blocks[0], blocks[1]], [GW, GW]), ...sideBySide([blocks[2], blocks[3]], [GW, GW])].join('\n'));
  };
}

function paintedSparkline(screen: Widgets.Screen, series: Series[]): () => void {
  const theme = makeTheme(false);
  const boxes = series.map((_, k) => blessed.box({ parent: screen, top: Math.floor(k / 2) * GH, left: (k % 2) * (GW + 1), width: GW, height: GH, tags: true, wrap: false }));
  // What blessed-contrib's sparkline shows: a title row, then one row of eighth blocks (src/util/cells.ts sparkline).
  return () => boxes.forEach((b, k) => b.setContent(`\n${theme.fg('label', labels[k] + ':')}\n${theme.fg('graph1', sparkline(series[k].last(GW - 2), GW - 2))}`));
}

function paintedCells(screen: Widgets.Screen, series: Series[]): () => void {
  const pb = new PaintedBox({ parent: screen, top: 0, left: 0, width: '100%', height: GH * 2 });
  const label = pb.attrOf({ fg: 'cyan' });
  const graph = pb.attrOf({ fg: 'green' });
  return () => {
    const rows = series.map((s, k) => graphBlockRows({ label: labels[k], value: `${s.latest()!.toFixed(1)}%`, series: s, color: 'graph1', max: 100 }, GW, GH));
    const lines: PaintedLine[] = [];
    for (const [a, b] of [[0, 1], [2, 3]]) {
      for (let r = 0; r < GH; r++) {
        lines.push([[rows[a][r][0] + ' ', label], [rows[a][r][1] + ' ', graph], [rows[b][r][0] + ' ', label], [rows[b][r][1], graph]]);
      }
    }
    pb.setLines(lines);
  };
}

/** Median ms to load `mod` in a fresh Node (5 runs), from this file's node_modules. */
function loadMs(mod: string): number {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(mod)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) xs.push(Number(execFileSync(process.execPath, ['-e', script], { cwd: here, encoding: 'utf8' })));
  return pct(xs, 0.5);
}

/** blessed-contrib when installed (it is not a dependency of ostop since the graphs were measured: see the file header). */
function hasContrib(): boolean {
  try {
    require.resolve('blessed-contrib');
    return true;
  } catch {
    return false;
  }
}

export async function benchGraphs(): Promise<string> {
  const contrib = hasContrib();
  const results = [
    ...(contrib ? [run('contrib line', contribLine), run('contrib sparkline', contribSparkline)] : []),
    run('painted sparkline', paintedSparkline),
    run('painted braille', paintedTagged),
    run('painted cells', paintedCells),
  ];
  const out = [
    `Four ${GW}x${GH} graphs of 300-point histories, new point every frame, ${COLS}x${ROWS} in-memory screen; ${FRAMES} frames after ${WARMUP} of warm-up`,
    'way                  median ms   p95 ms   bytes/frame   vs painted braille',
  ];
  const ref = results.find((r) => r.name === 'painted braille')!.median;
  for (const r of results) out.push(`${r.name.padEnd(20)} ${r.median.toFixed(3).padStart(9)} ${r.p95.toFixed(3).padStart(8)} ${Math.round(r.bytes).toString().padStart(13)}   ${(r.median / ref).toFixed(2)}x`);
  const blessedMs = loadMs('blessed');
  if (contrib) out.push(`module load (fresh node, median of 5): blessed ${blessedMs.toFixed(1)} ms, blessed-contrib (with blessed) ${loadMs('blessed-contrib').toFixed(1)} ms`);
  else {
    out.push(`module load (fresh node, median of 5): blessed ${blessedMs.toFixed(1)} ms`);
    out.push('blessed-contrib is not installed (no longer a dependency: bench/README-figures.md "Graphs" has its figures); `npm install --no-save blessed-contrib@4.11.0` to compare again');
  }
  return out.join('\n');
}
