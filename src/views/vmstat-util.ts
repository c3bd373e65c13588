// Helpers shared by the vmstat, netstat and iostat Sources and dumps
// (their graph histories are src/store Series): rounding for JSON/CSV, the sampling loop of `ostop dump`. Sparklines and
// fixed-width cells are in src/util/cells.ts (the screens draw them).



/** Round to `digits` decimals for JSON/CSV (keeps numbers numbers). */
export function round(n: number | null | undefined, digits = 2): number | null {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

import type { DumpOptions } from '../model/dump-view.js';
import { nextSample } from '../model/dump-view.js';
import { formatRecords, toObject } from '../model/output.js';
import type { Column } from '../model/columns.js';
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
  cols: readonly Column<R>[],
  mode: 'stream' | 'table',
  needsPrev = true,
): Promise<number> {
  const textCols = cols.filter((c) => c.id !== 'time');
  // With --from: the tick before the range (rates), then every tick in it.
  if (opts.replay && needsPrev && !opts.replay.prime()) return 0;
  let prev: S | undefined = needsPrev ? await take() : undefined;
  for (let i = 0; i < opts.n; i++) {
    if (needsPrev || i > 0 || opts.replay) {
      if (!(await nextSample(opts))) return 0;
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

export const timeColumn = <R extends { time: number }>(): Column<R> => ({ id: 'time', title: 'TIME', value: (r) => new Date(r.time).toISOString() });
