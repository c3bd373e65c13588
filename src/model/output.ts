// Shared formatter for `ostop dump` and `ostop trace`: one list of records
// and one list of columns (the one Column type of src/model/columns.ts) give text (aligned, like top -b),
// JSON (one array or one object per line) or CSV (RFC 4180 quoting).
// Untrusted strings never reach the output raw: text and CSV cells are
// sanitized, JSON goes through jsonLine (src/util/output-safe.ts).
// Field names in JSON/CSV are the column ids, which are stable and
// documented in the README: never rename one without a note there.
import { fitWidth, sanitize } from '../util/text.js';
import { csvRow, jsonLine } from '../util/output-safe.js';
import type { Column } from './columns.js';

export type OutputFormat = 'text' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'csv'];


function textCell<R>(c: Column<R>, r: R): string {
  if (c.text) return sanitize(c.text(r));
  const v = c.value(r);
  return v === null || v === undefined ? '-' : sanitize(String(v));
}

export function formatRecords<R>(rows: readonly R[], cols: readonly Column<R>[], format: OutputFormat, opts: { header?: boolean } = {}): string {
  const header = opts.header ?? true;
  if (format === 'json') {
    return jsonLine(rows.map((r) => toObject(r, cols)));
  }
  if (format === 'csv') {
    const lines: string[] = [];
    if (header) lines.push(csvRow(cols.map((c) => c.id)));
    for (const r of rows) lines.push(csvRow(cols.map((c) => c.value(r))));
    return lines.join('\n');
  }
  const widths = cols.map((c) => c.width || Math.max(c.title.length, ...rows.map((r) => textCell(c, r).length), 1));
  const line = (cells: string[]) =>
    cells.map((s, i) => (i === cells.length - 1 && cols[i].align !== 'right' ? s : fitWidth(s, widths[i], cols[i].align ?? 'left'))).join(' ').trimEnd();
  const lines: string[] = [];
  if (header) lines.push(line(cols.map((c) => c.title)));
  for (const r of rows) lines.push(line(cols.map((c) => textCell(c, r))));
  return lines.join('\n');
}

export function toObject<R>(r: R, cols: readonly Column<R>[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const c of cols) {
    const v = c.value(r);
    o[c.id] = v === undefined ? null : v;
  }
  return o;
}
