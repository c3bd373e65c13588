// Short cells for every screen and the text dumps: the one sparkline (one
// cell per sample, eighth-block bars), the braille history graphs (btop
// style: two samples per cell, four dot rows per cell, a filled area) and
// fixed decimals. Pure; sizes and rates are in src/util/format.ts. A graph
// is a list of plain rows (top first) that a screen colours; it never
// throws: a width or height below 1 gives no cells, a value that is not a
// finite number draws as nothing (a gap reads as idle, never as NaN).

const BARS = '▁▂▃▄▅▆▇█';
const ASCII_BARS = '_.-=^###';

/** The scale of `values`: `max` when given (> 0), else the largest value shown (0 when none is positive). */
function scaleOf(values: readonly number[], max: number | undefined): number {
  if (max !== undefined && max > 0) return max;
  let top = 0;
  for (const x of values) if (x > top && x !== Infinity) top = x;
  return top;
}

/**
 * One line of block characters, right-aligned to `width` cells (newest at
 * the right). `max` fixes the scale (e.g. 100 for percents); by default the
 * largest value shown. Zero (or less, or not a number) draws as a space so
 * idle reads as empty; any positive value shows at least the lowest bar.
 * `ascii`: `_.-=^#` for terminals without those glyphs.
 */
export function sparkline(values: readonly number[], width: number, max?: number, ascii = false): string {
  if (!(width >= 1)) return '';
  width = Math.floor(width);
  const v = values.length > width ? values.slice(values.length - width) : values;
  const top = scaleOf(v, max);
  const glyphs = ascii ? ASCII_BARS : BARS;
  let s = '';
  for (const x of v) {
    if (!(x > 0) || x === Infinity || !(top > 0)) { s += ' '; continue; }
    const i = Math.min(glyphs.length - 1, Math.max(0, Math.ceil((x / top) * glyphs.length) - 1));
    s += glyphs[i];
  }
  return ' '.repeat(width - v.length) + s;
}

// Braille: a cell is 2 dot columns x 4 dot rows, U+2800 + one bit per dot;
// from the bottom up the left column's dots are bits 0x40 0x04 0x02 0x01,
// the right column's 0x80 0x20 0x10 0x08.
/** Bits of a column filled `k` dots (0..4) from the bottom. */
const LEFT_FILL = [0, 0x40, 0x44, 0x46, 0x47];
const RIGHT_FILL = [0, 0x80, 0xa0, 0xb0, 0xb8];

/** Dots filled for `x` on a scale of `top` over `dots` dot rows: 0 for nothing, at least 1 for any positive value. */
function level(x: number, top: number, dots: number): number {
  if (!(x > 0) || x === Infinity || !(top > 0)) return 0;
  return Math.max(1, Math.min(dots, Math.round((x / top) * dots)));
}

export interface GraphOptions {
  /** Fixed top of the scale (100 for percents); default: the largest value shown. */
  max?: number;
  /** ASCII instead of braille: one sample per cell, '#' filled, ':' for a part-filled top. */
  ascii?: boolean;
}

/**
 * A history graph `width` x `height` cells, newest at the right, as
 * `height` rows of text (top first), each exactly `width` cells. Braille:
 * two samples per cell (the newest 2*width values), the area under the
 * line filled, as btop draws. Empty (no rows) when width or height < 1.
 */
export function graphRows(values: readonly number[], width: number, height: number, opts: GraphOptions = {}): string[] {
  if (!(width >= 1) || !(height >= 1)) return [];
  width = Math.floor(width);
  height = Math.floor(height);
  const perCell = opts.ascii ? 1 : 2;
  const cols = width * perCell;
  const v = values.length > cols ? values.slice(values.length - cols) : values;
  const top = scaleOf(v, opts.max);
  const pad = cols - v.length;
  const dotRows = height * (opts.ascii ? 2 : 4);
  const lv = new Array<number>(cols);
  for (let i = 0; i < cols; i++) lv[i] = i < pad ? 0 : level(v[i - pad], top, dotRows);
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    let s = '';
    if (opts.ascii) {
      for (let c = 0; c < width; c++) {
        const k = Math.max(0, Math.min(2, lv[c] - r * 2));
        s += k === 2 ? '#' : k === 1 ? ':' : ' ';
      }
    } else {
      for (let c = 0; c < width; c++) {
        const a = Math.max(0, Math.min(4, lv[2 * c] - r * 4));
        const b = Math.max(0, Math.min(4, lv[2 * c + 1] - r * 4));
        s += a || b ? String.fromCharCode(0x2800 + LEFT_FILL[a] + RIGHT_FILL[b]) : ' ';
      }
    }
    rows.push(s);
  }
  return rows;
}

/** Fixed decimals, '-' for null. */
export function fixed(n: number | null | undefined, digits = 2): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}
