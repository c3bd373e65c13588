// PaintedBox must leave the cell grid exactly as blessed's own render of the
// same text in the same colours (tags) would: same characters, same packed
// attributes, same placeholders after wide characters, combining marks in
// the previous cell, blanks to the right and below.
import { afterEach, describe, expect, it } from 'vitest';
import blessed, { type Widgets } from 'blessed';
import { PaintedBox, type PaintedLine } from '../../screens/widgets/painted-box.js';
import { alignBlessedWidths } from '../../src/app/blessed-widths.js';
import { fitWidth } from '../../src/util/text.js';
import { fakeScreen } from '../helpers/fake-screen.js';

type Grid = Array<Array<[number, string]>>;

const screens: Widgets.Screen[] = [];
afterEach(() => {
  for (const s of screens.splice(0)) s.destroy();
});

interface Style { fg?: string; bg?: string; inverse?: boolean; bold?: boolean }

/** The same line as blessed tags. */
function tagged(spans: Array<[string, Style]>): string {
  return spans.map(([text, st]) => {
    let open = '';
    let close = '';
    if (st.bold) { open += '{bold}'; close = '{/bold}' + close; }
    if (st.inverse) { open += '{inverse}'; close = '{/inverse}' + close; }
    if (st.fg) { open += `{${st.fg}-fg}`; close = `{/${st.fg}-fg}` + close; }
    if (st.bg) { open += `{${st.bg}-bg}`; close = `{/${st.bg}-bg}` + close; }
    return open + blessed.escape(text) + close;
  }).join('');
}

function grids(cols: number, rows: number, content: Array<Array<[string, Style]>>, before?: Array<Array<[string, Style]>>): [Grid, Grid] {
  alignBlessedWidths();
  const out: Grid[] = [];
  for (const mode of ['tags', 'painted'] as const) {
    const screen = fakeScreen(cols, rows);
    screens.push(screen);
    const opts = { parent: screen, top: 1, left: 2, right: 1, bottom: 1 };
    let setContent: (c: Array<Array<[string, Style]>>) => void;
    if (mode === 'tags') {
      const box = blessed.box({ ...opts, tags: true, wrap: false });
      setContent = (c) => box.setContent(c.map(tagged).join('\n'));
    } else {
      const pb = new PaintedBox(opts);
      setContent = (c) => pb.setLines(c.map((line): PaintedLine => line.map(([text, st]) => [text, pb.attrOf(st)])));
    }
    if (before) {
      setContent(before);
      screen.render();
    }
    setContent(content);
    screen.render();
    out.push((screen as unknown as { lines: Grid }).lines.map((l) => l.map((c) => [c[0], c[1]] as [number, string])));
  }
  return [out[0], out[1]];
}

describe('PaintedBox', () => {
  it('paints what blessed would render from tags: colours, inverse, wide characters, emoji, combining marks', () => {
    const content: Array<Array<[string, Style]>> = [
      [[fitWidth('  PID USER', 30), { fg: 'black', bg: 'green' }]],
      [['  101 ', {}], ['R', { fg: 'green' }], [' ', {}], ['0.0', { fg: 'gray' }], [' [kworker/0:1]', { fg: 'gray' }]],
      [['  102 ', {}], ['数据库服务', { fg: 'cyan' }], [' 🙂 ok', {}]],
      [['  103 café e\u0301 ', { bold: true }], ['tail', {}]],
      [[fitWidth('  104 selected row', 40), { inverse: true }]],
      [],
      [['  105 ', {}], ['a long line that runs past the right edge of the box and is cut there', { fg: 'yellow' }]],
      [['  106 wide at the edge: ', {}], ['ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰ', { fg: 'magenta' }]],
    ];
    const [tags, painted] = grids(50, 12, content);
    expect(painted).toEqual(tags);
    // the comparison is not vacuous: colours and placeholders are there
    expect(painted[3].some((c) => c[1] === '\x03')).toBe(true); // content line 2 (the box starts at row 1)
    expect(new Set(painted[4].map((c) => c[0])).size).toBeGreaterThan(1);
  });

  it('clears what a previous frame left (shorter lines, fewer lines)', () => {
    const before: Array<Array<[string, Style]>> = Array.from({ length: 8 }, (_, i) => [[`row ${i} ${'x'.repeat(30)}`, { fg: i % 2 ? 'red' : 'blue' }]]);
    const after: Array<Array<[string, Style]>> = [[['short', {}]], [['中', { fg: 'red' }]]];
    const [tags, painted] = grids(40, 12, after, before);
    expect(painted).toEqual(tags);
    expect(painted[3].slice(2, 39).every((c) => c[1] === ' ')).toBe(true);
  });
});
