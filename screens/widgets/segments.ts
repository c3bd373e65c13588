// A line of coloured segments drawn into a blessed-tagged string of at most
// `width` cells: each segment's text is sanitized, cut by display width and
// escaped, so untrusted text can go straight in. Shared by the screens that
// compose lines from pieces (process drill-in, failures).
import blessed from 'blessed';
import type { Theme, ThemeColor } from '../../src/app/theme.js';
import { displayWidth, sanitize, truncateWidth } from '../../src/util/text.js';

export type Seg = [text: string, color?: ThemeColor | 'bold'];
export type Line = Seg[];

/** `pad` fills the rest of the width with spaces; `inverse` pads and inverts the whole line (a selection). */
export function renderSegments(theme: Theme, line: Line, width: number, opts: { pad?: boolean; inverse?: boolean } = {}): string {
  let out = '';
  let w = 0;
  for (const [raw, color] of line) {
    if (w >= width) break;
    const t = truncateWidth(sanitize(raw), width - w);
    if (!t) continue;
    w += displayWidth(t);
    const e = blessed.escape(t);
    out += color === 'bold' ? `{bold}${e}{/bold}` : color ? theme.fg(color, e) : e;
  }
  if ((opts.pad || opts.inverse) && w < width) out += ' '.repeat(width - w);
  return opts.inverse ? `{inverse}${out}{/inverse}` : out;
}
