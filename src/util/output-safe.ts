// Writers for what `ostop dump` and `ostop trace` print. Process names,
// command lines, paths and kernel log text are untrusted: whatever the
// format, no C0/C1 control, DEL or bidi override reaches stdout/stderr raw.
//  - JSON stays exact (JSON.parse gives the original string back): what
//    JSON.stringify leaves raw but a terminal acts on is written as \uXXXX.
//  - CSV cells are sanitized like text (sanitize: controls shown as '?',
//    escape sequences removed) and quoted per RFC 4180; a string cell that
//    starts like a spreadsheet formula (= + - @ tab CR, OWASP "CSV
//    Injection") gets a leading ' and quotes. Number values stay numbers.
import { sanitize } from './text.js';

// DEL, C1, line/paragraph separators, bidi overrides/isolates and the other
// invisible format characters sanitize() removes (C0 is escaped by JSON itself).
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** JSON.stringify for output: exact, valid JSON with no terminal control or bidi character raw. */
export function jsonLine(v: unknown): string {
  return (JSON.stringify(v) ?? 'null').replace(JSON_UNSAFE, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180). Strings are sanitized; one that starts like a formula becomes "'..." (numbers are left alone). */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const raw = String(v);
  const s = sanitize(raw);
  if (FORMULA_START.test(raw) || FORMULA_START.test(s)) return `"'${s.replace(/"/g, '""')}"`;
  return /[",\n\r]/.test(s) || /^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** One CSV line (no line end). */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',');
}

// Controls other than newline, DEL, C1, bidi and invisible format characters.
const TERMINAL_UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** Last guard before stdout/stderr: each line of `s` that still holds a control character is sanitized. */
export function terminalSafe(s: string): string {
  return TERMINAL_UNSAFE.test(s) ? s.split('\n').map(sanitize).join('\n') : s;
}
