// Paints the lines of a trace pane model (src/tracers/pane.ts) with the
// theme: every span is escaped (no blessed tag or terminal control from a
// process name gets through), then tagged with its style.
import blessed from 'blessed';
import type { Theme } from '../src/app/theme.js';
import type { PaneLine, PaneStyle } from '../src/tracers/pane.js';

/** One span's tags. Monochrome: colours become bold (a warning keeps its weight), headers underlined, notes plain. */
export function paintSpan(theme: Theme, text: string, style: PaneStyle): string {
  const esc = blessed.escape(text);
  if (!style) return esc;
  if (style === 'bold') return `{bold}${esc}{/bold}`;
  if (style === 'header') return theme.mono ? `{underline}${esc}{/underline}` : theme.fg('header', esc);
  if (style === 'note') return theme.fg('dim', esc);
  return theme.mono ? `{bold}${esc}{/bold}` : theme.fg(style, esc);
}

export function paintLine(theme: Theme, line: PaneLine): string {
  let s = '';
  for (const p of line) s += paintSpan(theme, p.text, p.style);
  return s;
}
