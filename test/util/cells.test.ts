// The one sparkline and the braille history graph (src/util/cells.ts): every
// screen and the text dumps draw histories with these two.
import { describe, expect, it } from 'vitest';
import { graphRows, sparkline } from '../../src/util/cells.js';
import { displayWidth } from '../../src/util/text.js';

/** Dots set in a braille cell (0 for a space). */
const dots = (ch: string) => (ch === ' ' ? 0 : (ch.codePointAt(0)! - 0x2800).toString(2).replace(/0/g, '').length);

describe('sparkline', () => {
  it('scales to max, right-aligns, zero and bad values are blank, any positive value shows', () => {
    expect(sparkline([0, 50, 100], 5, 100)).toBe('   ▄█');
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toBe('▇██'); // 7/9 and 8/9 of 8 eighths, rounded up
    expect(sparkline([], 4)).toBe('    ');
    expect(sparkline([0, 0], 2)).toBe('  ');
    expect(sparkline([NaN, -5, Infinity, 0.01], 4, 100)).toBe('   ▁');
    expect(sparkline([1, 2], 0)).toBe('');
    expect(sparkline([1, 2], -3)).toBe('');
    expect(sparkline([0, 50, 100], 3, 100, true)).toBe(' =#');
  });
});

describe('graphRows (braille)', () => {
  it('is height rows of width cells, newest at the right, two samples per cell', () => {
    const rows = graphRows([100, 100, 50, 50, 0, 25], 4, 2, { max: 100 });
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(displayWidth(r)).toBe(4);
    // 6 values in 8 columns: the first cell is empty padding.
    expect(rows[0][0]).toBe(' ');
    expect(rows[1][0]).toBe(' ');
    // 100,100: both columns full in both rows (8 dots a cell).
    expect(dots(rows[0][1])).toBe(8);
    expect(dots(rows[1][1])).toBe(8);
    // 50,50: the bottom row full, the top one empty.
    expect(rows[0][2]).toBe(' ');
    expect(dots(rows[1][2])).toBe(8);
    // 0, 25: the left column empty, the right filled 2 dots of 8 -> 2 dots in the bottom row.
    expect(rows[1][3]).toBe(String.fromCharCode(0x2800 + 0x80 + 0x20));
  });

  it('auto-scales to the largest value shown and keeps only the newest 2*width', () => {
    const rows = graphRows([1000, 1, 2, 3, 4], 2, 1);
    // 1000 is out of the window: 4 is the top, so the newest column is full.
    const last = rows[0].at(-1)!;
    expect(last.codePointAt(0)! & 0xb8).toBe(0xb8);
  });

  it('never throws and draws nothing for tiny or bad sizes and bad values', () => {
    expect(graphRows([1, 2, 3], 0, 3)).toEqual([]);
    expect(graphRows([1, 2, 3], 3, 0)).toEqual([]);
    expect(graphRows([1, 2, 3], NaN, 2)).toEqual([]);
    expect(graphRows([NaN, Infinity, -1], 2, 1, { max: 100 })).toEqual(['  ']);
    expect(graphRows([], 3, 2)).toEqual(['   ', '   ']);
  });

  it('ASCII: one sample a cell, # full and : half', () => {
    expect(graphRows([100, 50, 25, 0], 4, 2, { max: 100, ascii: true })).toEqual(['#   ', '##: ']);
  });
});
