// History graphs as the system screens and the drill-in draw them, btop
// style: a block `height` rows tall, a gutter on the left (the label, the
// current value, the scale's top) and a braille area graph of the newest
// values (src/util/cells.ts graphRows: two samples a cell). Every line is
// exactly `width` cells, so blocks sit side by side by plain concatenation.
// A block that does not fit (too narrow, no rows) is not drawn at all: a
// tiny terminal hides graphs, it never throws or wraps. Labels and values
// are sanitized here (interface and device names are hostile) and escaped
// for blessed tags in the tagged form.
//
// Why painted text and not blessed-contrib's line/sparkline widgets: see
// bench/graph-bench.ts and bench/README-figures.md ("Graphs").
import blessed from 'blessed';
import type { Theme, ThemeColor } from '../../src/app/theme.js';
import type { NumberSeries } from '../../src/model/view-contract.js';
import { graphRows } from '../../src/util/cells.js';
import { displayWidth, fitWidth, sanitize } from '../../src/util/text.js';

export interface GraphSpec {
  /** What is graphed ("cpu", "eth0 rx"); sanitized here. */
  label: string;
  /** The current value, formatted ("12.5%", "1.2M/s"). */
  value: string;
  /** Oldest first (a Source's Series). */
  series: NumberSeries | readonly number[];
  color: ThemeColor;
  /** Fixed top of the scale (100 for percents); default: the largest value shown. */
  max?: number;
  /** The auto scale's top as text (shown in the gutter's last row of a block 3+ rows tall). */
  scale?: (top: number) => string;
}

/** Gutter width (label and value) of a block `width` wide. */
export function gutterWidth(width: number): number {
  return width >= 40 ? 11 : width >= 24 ? 8 : 0;
}

/** Narrowest graph area drawn; a block narrower than its gutter plus this is hidden. */
export const MIN_GRAPH_CELLS = 4;

const valuesOf = (s: NumberSeries | readonly number[]): readonly number[] => (Array.isArray(s) ? s : (s as NumberSeries).values());

export interface BlockOptions {
  /** ASCII instead of braille (see graphRows). */
  ascii?: boolean;
  /** Gutter width (default gutterWidth(width)); 0 for none. */
  gutter?: number;
}

/**
 * The plain rows of one block: [gutter text, graph text] per row (top
 * first), the gutter `gutterWidth(width)` cells and the graph the rest but
 * the space between them. [] when it does not fit.
 */
export function graphBlockRows(g: GraphSpec, width: number, height: number, opts: BlockOptions = {}): Array<[string, string]> {
  width = Math.floor(width);
  height = Math.floor(height);
  if (!(height >= 1) || !(width >= 1)) return [];
  const ascii = opts.ascii ?? false;
  const label = sanitize(g.label);
  const value = sanitize(g.value);
  let want = opts.gutter ?? gutterWidth(width);
  // One row holds label and value together: room for both (up to 20 cells) when the graph keeps half the width.
  if (height === 1 && opts.gutter === undefined && want) want = Math.max(want, Math.min(20, Math.floor(width / 2), displayWidth(label) + 1 + displayWidth(value)));
  const gw = Math.min(want, Math.max(0, width - MIN_GRAPH_CELLS - 1));
  const cells = width - gw - (gw ? 1 : 0);
  if (cells < MIN_GRAPH_CELLS || gw < 0) return [];
  const values = valuesOf(g.series);
  const rows = graphRows(values, cells, height, { max: g.max, ascii });
  const gutter: string[] = new Array<string>(height).fill('');
  if (gw) {
    if (height === 1) {
      const vw = displayWidth(value);
      const v = vw < gw - 1 ? value : '';
      gutter[0] = fitWidth(label, gw - (v ? vw + 1 : 0)) + (v ? ' ' + v : '');
    } else {
      gutter[0] = label;
      gutter[1] = fitWidth(value, gw, 'right');
      if (height >= 3) {
        const shown = values.slice(Math.max(0, values.length - cells * (ascii ? 1 : 2)));
        const top = g.max ?? shown.reduce((a, b) => (b > a && Number.isFinite(b) ? b : a), 0);
        if (g.max === undefined && g.scale && top > 0) gutter[height - 1] = fitWidth('max ' + g.scale(top), gw, 'right');
      }
    }
  }
  return rows.map((r, i) => [gw ? fitWidth(gutter[i], gw) : '', r]);
}

/** The block as blessed-tagged lines, each exactly `width` cells. [] when it does not fit. */
export function graphLines(theme: Theme, g: GraphSpec, width: number, height: number, opts: BlockOptions = {}): string[] {
  return graphBlockRows(g, width, height, opts).map(([gut, graph], i) => {
    const head = gut ? theme.fg(i === 1 ? 'value' : 'label', blessed.escape(gut)) + ' ' : '';
    return head + theme.fg(g.color, graph);
  });
}

/** `blocks` (each a list of lines of its own width) side by side, one space apart; a shorter block is padded with spaces to `widths[i]`. */
export function sideBySide(blocks: string[][], widths: number[]): string[] {
  const h = Math.max(0, ...blocks.map((b) => b.length));
  const out: string[] = [];
  for (let r = 0; r < h; r++) out.push(blocks.map((b, i) => b[r] ?? ' '.repeat(widths[i])).join(' '));
  return out;
}

/**
 * One-row graphs of many series (the per-CPU graphs) in columns: `label`
 * names each ("cpu3"), `value` its current text. At most `height` rows;
 * the columns are at least 16 cells wide, what does not fit is counted in
 * a last "+N more" cell. [] when nothing fits.
 */
export function graphGrid(theme: Theme, series: readonly NumberSeries[], label: (i: number) => string, value: (i: number) => string,
  color: ThemeColor, width: number, height: number, max?: number, ascii = false): string[] {
  const n = series.length;
  if (!n || !(height >= 1) || !(width >= 16)) return [];
  const minCol = 16;
  let cols = Math.ceil(n / height);
  const fit = Math.max(1, Math.floor((width + 1) / (minCol + 1)));
  let shown = n;
  if (cols > fit) {
    cols = fit;
    shown = cols * height - 1; // the last cell says how many are left out
  }
  const colW = Math.floor((width - (cols - 1)) / cols);
  const rows = Math.min(height, Math.ceil(shown / cols));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < cols; c++) {
      const i = c * rows + r;
      if (i < shown) {
        const row = graphBlockRows({ label: label(i), value: value(i), series: series[i], color, max }, colW, 1, { ascii, gutter: Math.min(12, colW - MIN_GRAPH_CELLS - 1) })[0];
        if (row) cells.push(theme.fg('label', blessed.escape(row[0])) + ' ' + theme.fg(color, row[1]));
        else cells.push(' '.repeat(colW));
      } else if (i === shown && shown < n) cells.push(theme.fg('dim', blessed.escape(fitWidth(`+${n - shown} more`, colW))));
      else cells.push(' '.repeat(colW));
    }
    lines.push(cells.join(' ') + ' '.repeat(width - (cols * colW + cols - 1)));
  }
  return lines;
}
