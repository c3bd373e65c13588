import { describe, expect, it } from 'vitest';
import { sanitize, displayWidth, truncateWidth, fitWidth } from '../../src/util/text.js';
import { formatMem, formatCpuTime, formatBytes, formatDuration } from '../../src/util/format.js';
import { formatRecords } from '../../src/model/output.js';
import { csvCell } from '../../src/util/output-safe.js';

describe('sanitize', () => {
  it('neutralises escape sequences and control characters', () => {
    expect(sanitize('a\x1b[31mred\x1b[0m')).toBe('a?red?');
    expect(sanitize('x\x1b]0;pwned\x07y')).toBe('x?y');
    expect(sanitize('t\x1bPdcs\x1b\\u')).toBe('t?u');
    expect(sanitize('bell\x07 nul\x00 del\x7f c1\x9b2J')).toBe('bell? nul? del? c1?');
    expect(sanitize('line1\nline2\ttab\r')).toBe('line1 line2 tab ');
    expect(sanitize('rtl\u202eevil\u2066x')).toBe('rtlevilx');
    expect(sanitize('plain text')).toBe('plain text');
    expect(/[\x00-\x1f\x7f-\x9f]/.test(sanitize('\x1b[2J\x1b[H\x1bc\x9d8;;\x9c'))).toBe(false);
  });
});

describe('display width', () => {
  it('counts wide, combining and emoji cells', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('한글')).toBe(4);
  });
  it('truncates without splitting a wide character and pads to the exact width', () => {
    expect(truncateWidth('日本語', 5)).toBe('日本');
    expect(displayWidth(fitWidth('日本語', 5))).toBe(5);
    expect(fitWidth('ab', 4, 'right')).toBe('  ab');
    expect(fitWidth('abcdef', 3)).toBe('abc');
    expect(truncateWidth('abcdef', 4, '…')).toBe('abc…');
    expect(displayWidth(fitWidth('x😀y😀', 4))).toBe(4);
  });
});

describe('formatting', () => {
  it('memory like htop', () => {
    expect(formatMem(1024 * 5000)).toBe('5000');
    expect(formatMem(1024 * 1024 * 200)).toBe('200M');
    expect(formatMem(1024 * 1024 * 1024 * 1.5)).toBe('1.50G');
    expect(formatMem(1024 * 1024 * 12.34)).toBe('12636');
    expect(formatMem(1024 * 1024 * 123.4)).toBe('123M');
  });
  it('TIME+', () => {
    expect(formatCpuTime(3.5)).toBe('0:03.50');
    expect(formatCpuTime(125.25)).toBe('2:05.25');
    expect(formatCpuTime(3600 * 2 + 61)).toBe('2h01:01');
    expect(formatCpuTime(86400 * 3 + 3600 * 5)).toBe('3d+05h');
  });
  it('bytes and durations', () => {
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(1536)).toBe('1.50K'); // three significant digits, as the table's M/G values (src/util/format.ts)
    expect(formatDuration(90061)).toBe('1 day, 01:01:01');
  });
});

describe('formatRecords', () => {
  const rows = [{ a: 1, b: 'x,y', c: null }, { a: 22, b: 'q"t', c: 'z' }];
  const cols = [
    { id: 'a', title: 'A', align: 'right' as const, value: (r: (typeof rows)[number]) => r.a },
    { id: 'b', title: 'B', value: (r: (typeof rows)[number]) => r.b },
    { id: 'c', title: 'C', value: (r: (typeof rows)[number]) => r.c },
  ];
  it('text aligns columns and shows null as -', () => {
    expect(formatRecords(rows, cols, 'text')).toBe(' A B   C\n 1 x,y -\n22 q"t z');
  });
  it('csv quotes per RFC 4180', () => {
    expect(formatRecords(rows, cols, 'csv')).toBe('a,b,c\n1,"x,y",\n22,"q""t",z');
    expect(csvCell(' lead')).toBe('" lead"');
  });
  it('json keeps types', () => {
    expect(JSON.parse(formatRecords(rows, cols, 'json'))).toEqual([{ a: 1, b: 'x,y', c: null }, { a: 22, b: 'q"t', c: 'z' }]);
  });
  it('sanitizes text output', () => {
    expect(formatRecords([{ a: 1, b: '\x1b[31mred', c: '' }], cols, 'text')).not.toContain('\x1b');
  });
});

describe('one width table for layout and blessed', () => {
  it('wideCharRegex matches exactly the characters charWidth calls wide', async () => {
    const { wideCharRegex, charWidth } = await import('../../src/util/text.js');
    const re = wideCharRegex();
    for (const cp of [0x41, 0x1100, 0x4e2d, 0xac00, 0x1f600, 0x1f680, 0x2603, 0x26a1, 0x20000, 0xff21, 0x301, 0xe9]) {
      const ch = String.fromCodePoint(cp);
      re.lastIndex = 0;
      expect(re.test(ch), cp.toString(16)).toBe(charWidth(cp) === 2);
    }
  });
  it('blessed measures with it once aligned', async () => {
    const { alignBlessedWidths } = await import('../../src/app/blessed-widths.js');
    const blessed = (await import('blessed')).default as unknown as { unicode: { strWidth(s: string): number } };
    alignBlessedWidths();
    expect(blessed.unicode.strWidth('a😀中')).toBe(5);
  });
});
