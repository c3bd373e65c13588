// Output helpers of `ostop dump` / `ostop trace` (src/util/output-safe.ts and
// the shared formatter src/app/output.ts): exact bytes for hostile strings.
// Nothing printed may carry a C0/C1 control, DEL or bidi override raw; JSON
// stays exact; CSV cells that start like a formula are neutralized (OWASP).
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, jsonLine, terminalSafe } from '../../src/util/output-safe.js';
import { formatRecords } from '../../src/model/output.js';
import type { Column } from '../../src/model/columns.js';
import { ENTRY_COLUMNS, entryJson } from '../../src/failures/dump.js';
import type { EntryRow } from '../../src/model/failures.js';

// Every C0 control, DEL, every C1 control, the bidi overrides and isolates.
const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
].map((c) => String.fromCharCode(c));
const ALL_CONTROLS = CONTROLS.join('');
/** What must never be printed raw (newline aside, which only separates records). */
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const OSC_TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
const OSC52 = '\x1b]52;c;cHduZWQ=\x07';

describe('jsonLine', () => {
  it('writes DEL, C1 and bidi characters as \\uXXXX, as JSON.stringify does C0', () => {
    expect(jsonLine({ s: `a${OSC_TITLE}b` })).toBe('{"s":"a\\u001b]0;pwned\\u0007b"}');
    expect(jsonLine('\x7f\x85\x9b\u202e\u2066\u2069\u2028')).toBe('"\\u007f\\u0085\\u009b\\u202e\\u2066\\u2069\\u2028"');
    expect(jsonLine(['中文😀', 'é', 1, null])).toBe('["中文😀","é",1,null]');
  });
  it('stays exact: JSON.parse gives every hostile string back', () => {
    const v = { all: ALL_CONTROLS, seqs: [OSC_TITLE, CLEAR, OSC52], nested: { k: `x${ALL_CONTROLS}y` } };
    const line = jsonLine(v);
    expect(line).not.toMatch(UNSAFE);
    expect(JSON.parse(line)).toEqual(v);
  });
});

describe('csvCell and csvRow', () => {
  it('prefixes a string that starts like a formula with a quote, and quotes it', () => {
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('=HYPERLINK("http://x/","y")')).toBe(`"'=HYPERLINK(""http://x/"",""y"")"`);
    // tab and CR lead: shown as spaces (like text), still prefixed
    expect(csvCell('\t=1')).toBe(`"' =1"`);
    expect(csvCell('\r=1')).toBe(`"' =1"`);
    // a bidi override in front is removed, so '=' leads: prefixed too
    expect(csvCell('\u202e=1')).toBe(`"'=1"`);
    expect(csvCell('a=1')).toBe('a=1');
  });
  it('keeps number values as numbers, negative ones too; decides by type, not text', () => {
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell('-1')).toBe(`"'-1"`);
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });
  it('sanitizes strings like text output', () => {
    expect(csvCell(`a${OSC_TITLE}b`)).toBe('a?b');
    expect(csvCell(`x${CLEAR}y`)).toBe('x?y');
    expect(csvCell(`${OSC52}z`)).toBe('?z');
    expect(csvCell('r\u202eevil\u2066x')).toBe('revilx');
    expect(csvCell('c1\x85 del\x7f end\x9b')).toBe('c1? del? end?');
    expect(csvCell('l1\nl2')).toBe('l1 l2');
    expect(csvCell(ALL_CONTROLS)).not.toMatch(UNSAFE);
  });
  it('keeps RFC 4180 quoting', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('q"t')).toBe('"q""t"');
    expect(csvCell(' lead')).toBe('" lead"');
    expect(csvRow(['=a', -1, null, 'b,c', 0.5])).toBe(`"'=a",-1,,"b,c",0.5`);
  });
});

describe('terminalSafe', () => {
  it('sanitizes each line that still holds a control, keeps the line breaks', () => {
    expect(terminalSafe(`a${OSC_TITLE}b\nplain\nc\x9b2Jd\n`)).toBe('a?b\nplain\nc?d\n');
    expect(terminalSafe('中文 ok\n')).toBe('中文 ok\n');
  });
});

describe('formatRecords: every format of the shared writer', () => {
  interface R { name: string; n: number }
  const rows: R[] = [{ name: `=cmd|' /c calc'!A1${OSC_TITLE}`, n: -1 }, { name: `${CLEAR}\u202eab${OSC52}`, n: -0.5 }];
  const cols: Column<R>[] = [
    { id: 'n', title: 'N', width: 4, align: 'right', value: (r) => r.n },
    { id: 'name', title: 'NAME', value: (r) => r.name },
  ];
  it('csv', () => {
    expect(formatRecords(rows, cols, 'csv')).toBe(`n,name\n-1,"'=cmd|' /c calc'!A1?"\n-0.5,?ab?`);
  });
  it('json', () => {
    const out = formatRecords(rows, cols, 'json');
    expect(out).toBe('[{"n":-1,"name":"=cmd|\' /c calc\'!A1\\u001b]0;pwned\\u0007"},{"n":-0.5,"name":"\\u001b[2J\\u202eab\\u001b]52;c;cHduZWQ=\\u0007"}]');
    expect(JSON.parse(out)).toEqual(rows);
  });
  it('text', () => {
    expect(formatRecords(rows, cols, 'text')).toBe(`   N NAME\n  -1 =cmd|' /c calc'!A1?\n-0.5 ?ab?`);
  });
});

describe('failures dump rows', () => {
  const e: EntryRow = {
    id: 1, kind: 'signal', feed: 'ebpf', feeds: ['ebpf'], tsUsec: 5e6, wallMs: Date.UTC(2026, 0, 1), pid: 42, ppid: 1, comm: '=cmd', cmdline: `a${OSC_TITLE}\u202eb`,
    ageMs: 3, exitCode: null, signal: 11, coreDumped: null, sender: null, kmsgSeqs: [], end: 'SIGSEGV', senderText: '-', dump: null,
  };
  it('csv: formula comm prefixed, controls shown as ?, unknown sender and core empty (not a "-" cell)', () => {
    expect(formatRecords([e], ENTRY_COLUMNS, 'csv', { header: false })).toBe(`2026-01-01T00:00:00.000Z,ebpf,42,1,"'=cmd",SIGSEGV,,,3,cmd a?b`);
  });
  it('text shows "-" for them; json keeps the exact command line', () => {
    expect(formatRecords([e], ENTRY_COLUMNS, 'text', { header: false })).toMatch(/ SIGSEGV +- +- +3\.0ms cmd a\?b$/);
    expect(JSON.parse(jsonLine(entryJson(e))).cmdline).toBe(e.cmdline);
  });
});
