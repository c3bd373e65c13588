// Helpers shared by the vmstat, netstat and iostat views and screens:
// text sparklines (one cell per sample, cheap to redraw over SSH),
// and number formatting with fixed, short widths.

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

/** Bytes with binary units (src/util/format.ts formatBytes): 512B 1.50K 20.0M 3.20G. */
export const humanBytes = formatBytes;

/** A count or a count per second, decimal (src/util/format.ts formatCount): 0, 12, 3.4k, 12M. Never for bytes: use formatRate. */
export const humanRate = formatCount;

/** Fixed decimals, '-' for null. */
export function fixed(n: number | null | undefined, digits = 2): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

/** Round to `digits` decimals for JSON/CSV (keeps numbers numbers). */
export function round(n: number | null | undefined, digits = 2): number | null {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

import type { DumpOptions } from '../app/dump-view.js';
import { formatBytes, formatCount } from '../util/format.js';
import { sleep } from '../app/dump-view.js';
import { formatRecords, toObject, type OutputColumn } from '../app/output.js';
import { jsonLine } from '../util/output-safe.js';

/**
 * The loop every sampled dump shares: take a first Sample silently (rates
 * need two), then -n times: wait -d seconds, sample, print. `stream` output
 * (vmstat: one record per interval) prints the text/CSV header once and
 * JSON as one object per line; `table` output (one record per device)
 * prints a header per interval in text and one JSON array per line.
 * The 'time' column is left out of text output.
 */
export async function runSampledDump<S, R>(
  opts: DumpOptions,
  take: () => Promise<S> | S,
  rowsOf: (prev: S | undefined, cur: S) => R[],
  cols: readonly OutputColumn<R>[],
  mode: 'stream' | 'table',
  needsPrev = true,
): Promise<number> {
  const textCols = cols.filter((c) => c.id !== 'time');
  let prev: S | undefined = needsPrev ? await take() : undefined;
  for (let i = 0; i < opts.n; i++) {
    if (needsPrev || i > 0) {
      if (!(await sleep(opts.delaySec * 1000, opts.signal))) return 0;
    }
    const cur = await take();
    const rows = rowsOf(prev, cur);
    prev = cur;
    if (opts.format === 'json') {
      opts.out((mode === 'stream' && rows.length === 1 ? jsonLine(toObject(rows[0], cols)) : formatRecords(rows, cols, 'json')) + '\n');
    } else if (opts.format === 'csv') {
      const csv = formatRecords(rows, cols, 'csv', { header: i === 0 });
      if (csv) opts.out(csv + '\n');
    } else {
      const text = formatRecords(rows, textCols, 'text', { header: mode === 'table' || i === 0 });
      opts.out((mode === 'table' && i > 0 ? '\n' : '') + text + '\n');
    }
    if (opts.signal.aborted) return 0;
  }
  return 0;
}

export const timeColumn = <R extends { time: number }>(): OutputColumn<R> => ({ id: 'time', title: 'TIME', value: (r) => new Date(r.time).toISOString() });
