// blessed 0.1.81 measures text with a Unicode 5-era table: emoji are one
// cell there, two in every modern terminal and in src/util/text.ts. When the
// two disagree, a redraw of a changed cell shifts the rest of the row by one
// column. This makes blessed use ostop's own width table, so layout (fitWidth),
// blessed's cell grid and the terminal agree. Idempotent.
import blessed from 'blessed';
import { charWidth, wideCharRegex } from '../util/text.js';

interface BlessedUnicode {
  charWidth(str: string | number, i?: number): number;
  codePointAt(str: string, i: number): number;
  chars: { all: RegExp };
  ostopWidths?: boolean;
}

export function alignBlessedWidths(): void {
  const u = (blessed as unknown as { unicode: BlessedUnicode }).unicode;
  if (u.ostopWidths) return;
  u.ostopWidths = true;
  const original = u.charWidth.bind(u);
  u.charWidth = (str, i) => {
    const cp = typeof str === 'number' ? str : u.codePointAt(str, i || 0);
    return cp === 0x09 ? original(str, i) : charWidth(cp);
  };
  // parseContent puts a placeholder cell after each match: all wide characters, emoji included.
  u.chars.all = wideCharRegex();
}
