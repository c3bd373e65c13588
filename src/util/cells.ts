// Short cells for the system screens: text sparklines (one cell per sample,
// cheap to redraw over SSH) and fixed decimals. Pure; sizes and rates are in
// src/util/format.ts.

const BARS = '▁▂▃▄▅▆▇█';

/**
 * One line of block characters, right-aligned to `width` cells (newest at
 * the right). `max` fixes the scale (e.g. 100 for percents); by default the
 * largest value shown. Zero draws as a space so idle reads as empty.
 */
export function sparkline(values: readonly number[], width: number, max?: number): string {
  if (width <= 0) return '';
  const v = values.slice(Math.max(0, values.length - width));
  const top = max ?? Math.max(0, ...v);
  let s = '';
  for (const x of v) {
    if (!(x > 0) || !(top > 0)) { s += ' '; continue; }
    const i = Math.min(BARS.length - 1, Math.max(0, Math.ceil((x / top) * BARS.length) - 1));
    s += BARS[i];
  }
  return ' '.repeat(width - v.length) + s;
}

/** Fixed decimals, '-' for null. */
export function fixed(n: number | null | undefined, digits = 2): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}
