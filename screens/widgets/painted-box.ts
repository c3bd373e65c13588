// A blessed box whose lines are written straight into the screen's cell
// grid: each line is a list of [text, attr] spans, attr being blessed's
// packed cell attribute (flags << 18 | fg << 9 | bg, see attrOf). The top
// view's table redraws ~45 rows x 12 columns every second; as tagged content
// ('{cyan-fg}...') blessed re-parsed it on every frame (tags -> SGR escapes
// -> attributes, one regex per escape per cell), more CPU than reading the
// whole process table. Here the cells are set directly.
//
// The grid is left exactly as blessed's own render of the same text with the
// same colours would leave it (test/screens/painted-box.test.ts compares
// them cell by cell): a wide character takes its cell plus a '\x03'
// placeholder, a combining mark joins the previous cell, the rest of a line
// and the lines below the content are blank in the box's attribute. Text
// must already be sanitized (no control characters) and is cut at the right
// edge.
import blessed from 'blessed';
import { charWidth } from '../../src/util/text.js';

export type Span = [text: string, attr: number];
export type PaintedLine = Span[];

type Cell = [number, string];
type Line = Cell[] & { dirty?: boolean };

interface Coords {
  xi: number;
  xl: number;
  yi: number;
  yl: number;
}

interface BoxInternals {
  screen: { lines: Line[] };
  style: Record<string, unknown>;
  lpos?: Coords;
  children: Array<{ render(): void; index?: number; screen: { _ci: number } }>;
  _getCoords(get: boolean): Coords | undefined;
  _emit(type: string, args?: unknown[]): void;
  sattr(style: Record<string, unknown>, fg?: unknown, bg?: unknown): number;
}

export interface AttrStyle {
  fg?: string;
  bg?: string;
  bold?: boolean;
  inverse?: boolean;
  underline?: boolean;
}

export class PaintedBox {
  readonly box: blessed.Widgets.BoxElement;
  private lines: PaintedLine[] = [];
  private attrs = new Map<string, number>();
  private fgAttrs = new Map<string, number>();

  constructor(opts: blessed.Widgets.BoxOptions) {
    this.box = blessed.box({ ...opts, tags: false, wrap: false, content: '' });
    const self = this;
    (this.box as unknown as { render(): Coords | undefined }).render = function (this: BoxInternals) {
      return self.paint(this);
    };
  }

  /** The packed attribute of a style, as blessed computes it for an element ('' or undefined colour = default). */
  attrOf(style: AttrStyle = {}): number {
    if (!style.bg && !style.bold && !style.inverse && !style.underline) {
      // the common case (a foreground colour or none), per cell: no key string
      const fg = style.fg ?? '';
      let f = this.fgAttrs.get(fg);
      if (f === undefined) {
        f = (this.box as unknown as BoxInternals).sattr({}, fg || undefined, undefined);
        this.fgAttrs.set(fg, f);
      }
      return f;
    }
    const key = `${style.fg ?? ''}/${style.bg ?? ''}/${style.bold ? 1 : 0}${style.inverse ? 1 : 0}${style.underline ? 1 : 0}`;
    let a = this.attrs.get(key);
    if (a === undefined) {
      const el = this.box as unknown as BoxInternals;
      a = el.sattr({ bold: style.bold, inverse: style.inverse, underline: style.underline }, style.fg || undefined, style.bg || undefined);
      this.attrs.set(key, a);
    }
    return a;
  }

  /** The box's own attribute (blank cells). */
  get blankAttr(): number {
    return (this.box as unknown as BoxInternals).sattr((this.box as unknown as BoxInternals).style);
  }

  setLines(lines: PaintedLine[]): void {
    this.lines = lines;
  }

  private paint(el: BoxInternals): Coords | undefined {
    el._emit('prerender');
    const coords = el._getCoords(true);
    if (!coords) {
      delete el.lpos;
      return undefined;
    }
    if (coords.xl - coords.xi <= 0 || coords.yl - coords.yi <= 0) return undefined;
    el.lpos = coords;
    const grid = el.screen.lines;
    const blank = el.sattr(el.style);
    for (let y = coords.yi; y < coords.yl; y++) {
      const line = grid[y];
      if (!line) break;
      const spans = this.lines[y - coords.yi];
      let x = coords.xi;
      const xl = Math.min(coords.xl, line.length);
      if (spans) {
        outer: for (const [text, attr] of spans) {
          for (let i = 0; i < text.length; i++) {
            let cp = text.charCodeAt(i);
            let ch: string;
            if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
              cp = text.codePointAt(i)!;
              ch = text.slice(i, i + 2);
              i++;
            } else ch = text[i];
            const w = cp < 0x300 ? 1 : charWidth(cp);
            if (w === 0) {
              // a combining mark: part of the previous cell
              if (x > coords.xi) {
                line[x - 1][1] += ch;
                line.dirty = true;
              }
              continue;
            }
            if (x >= xl) break outer;
            set(line, x, attr, ch);
            // (blessed too leaves a wide character alone in the last cell; the draw shows a space there)
            if (x + w > xl) {
              x = xl;
              break outer;
            }
            if (w === 2) set(line, x + 1, attr, '\x03');
            x += w;
          }
        }
      }
      for (; x < xl; x++) set(line, x, blank, ' ');
    }
    for (const child of el.children) {
      if (child.screen._ci !== -1) child.index = child.screen._ci++;
      child.render();
    }
    el._emit('render', [coords]);
    return coords;
  }
}

function set(line: Line, x: number, attr: number, ch: string): void {
  const cell = line[x];
  if (cell[0] !== attr || cell[1] !== ch) {
    cell[0] = attr;
    cell[1] = ch;
    line.dirty = true;
  }
}
