// A replacement for blessed's Screen.draw() that writes fewer bytes for the
// same cells. blessed 0.1.81, per changed line: a cursor move to column 0,
// then a cursor-forward (ESC[nC, 4-5 bytes) over every unchanged run, even
// one cell wide; a full SGR reset + set at every attribute change; a reset
// at the end of every line; wide characters redrawn on every frame. Over SSH
// at 1 s refreshes that was 1.8 KB/s on an idle top view, against htop's
// 0.8 (ncurses rewrites short unchanged runs instead of moving over them).
//
// What this draw keeps from blessed's, so the terminal ends up showing
// exactly screen.lines (checked cell by cell against a headless xterm in
// test/app/screen-draw.test.ts): only dirty lines are visited; olines is
// updated to what was written; back_color_erase clears to end of line;
// a wide character that does not fit (last column, or a border drawn over its
// second cell) becomes a space and is redrawn next time; ACS and the
// non-Unicode fallback are applied as blessed does; the frame is wrapped in
// save/restore cursor (and hide/show when the cursor is visible).
//
// What changes: the cursor is moved to the first changed cell directly; an
// unchanged run between two changes is rewritten when that costs fewer bytes
// than a cursor-forward (attribute switches counted); attributes switch by
// difference (ESC[39m, ESC[1m...) when that is shorter than reset + set, and
// carry over from line to line, reset once at the end of the frame.
import blessed from 'blessed';
import { timed } from '../util/tick-stats.js';

type Cell = [number, string];
type Line = Cell[] & { dirty?: boolean };

interface Tput {
  strings: Record<string, string | undefined>;
  bools: Record<string, boolean | undefined>;
  numbers: Record<string, number | undefined>;
  acscr: Record<string, string>;
  utoa: Record<string, string>;
  brokenACS?: boolean;
  unicode?: boolean;
  cup(y: number, x: number): string;
  el(): string;
  sc(): string;
  rc(): string;
  civis(): string;
  cnorm(): string;
  smacs(): string;
  rmacs(): string;
}

interface DrawScreen {
  lines: Line[];
  olines: Line[];
  dattr: number;
  _buf?: string;
  options: { useBCE?: boolean };
  tput: Tput;
  fullUnicode?: boolean;
  cursor: { artificial?: boolean };
  program: { cursorHidden?: boolean; _write(s: string): unknown };
  _reduceColor(c: number): number;
  draw(start: number, end: number): void;
  ostopDraw?: boolean;
}

const ANGLES = new Set(['\u2518', '\u2510', '\u250c', '\u2514', '\u253c', '\u251c', '\u2524', '\u2534', '\u252c', '\u2502', '\u2500']);
const DEFAULT_COLOR = 0x1ff;

const charWidth = (ch: string): number => (blessed as unknown as { unicode: { charWidth(s: string): number } }).unicode.charWidth(ch);

/** Install on one screen (idempotent). Falls back to blessed's draw while an artificial cursor is in use. */
export function installScreenDraw(screen: unknown): void {
  const s = screen as DrawScreen;
  if (s.ostopDraw) return;
  s.ostopDraw = true;
  const original = s.draw.bind(s);
  s.draw = (start: number, end: number) => {
    if (s.cursor.artificial) return original(start, end);
    timed('draw', () => drawLines(s, start, end));
  };
}

/**
 * A line's cells hashed (FNV-1a over attributes and UTF-16 units): no
 * allocation per frame. A collision can only cost bytes, never a wrong
 * screen: after a move olines holds what the terminal really shows and the
 * cell diff repairs any row that differs.
 */
function lineHash(l: Line): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < l.length; i++) {
    const c = l[i];
    h = Math.imul(h ^ c[0], 0x01000193);
    const ch = c[1];
    for (let j = 0; j < ch.length; j++) h = Math.imul(h ^ ch.charCodeAt(j), 0x01000193);
  }
  return h >>> 0;
}

const MAX_SHIFT = 4;

/**
 * When a run of rows shows what the terminal has a few rows higher or lower
 * (a process list whose top gained or lost a row: every row below moves),
 * move them with the terminal's own line insert/delete inside a scroll
 * region, as ncurses does, instead of rewriting each of them. Updates olines
 * to what the terminal then shows and marks the region for the cell diff.
 * Returns the bytes to write ('' when nothing is worth moving).
 */
export function scrollShift(s: DrawScreen, start: number, end: number): string {
  const t = s.tput.strings;
  if (!t.change_scroll_region || !(t.parm_delete_line || t.delete_line) || !(t.parm_insert_line || t.insert_line)) return '';
  let dirty = 0;
  for (let y = start; y <= end; y++) if (s.lines[y]?.dirty) dirty++;
  if (dirty < 3) return '';
  const nk: number[] = [];
  const ok: number[] = [];
  for (let y = start; y <= end; y++) {
    ok[y] = lineHash(s.olines[y]);
    nk[y] = s.lines[y]?.dirty ? lineHash(s.lines[y]) : ok[y]; // not dirty: the terminal already shows it
  }
  let best = { gain: 0, k: 0, from: 0, to: -1 };
  for (let k = -MAX_SHIFT; k <= MAX_SHIFT; k++) {
    if (k === 0) continue;
    let runStart = -1, gain = 0;
    for (let y = start; y <= end + 1; y++) {
      const src = y + k;
      const match = y <= end && src >= start && src <= end && nk[y] === ok[src];
      if (match) {
        if (runStart < 0) { runStart = y; gain = 0; }
        if (nk[y] !== ok[y]) gain++;
      } else if (runStart >= 0) {
        // the run's rows plus the |k| rows the move blanks must be redrawn
        if (gain - Math.abs(k) > best.gain) best = { gain: gain - Math.abs(k), k, from: runStart, to: y - 1 };
        runStart = -1;
      }
    }
  }
  if (best.gain < 2) return '';
  const { k, from, to } = best;
  const n = Math.abs(k);
  // Region (0-based, inclusive) and the row where lines are deleted/inserted.
  const top = k > 0 ? from : from + k;
  const bottom = k > 0 ? to + k : to;
  let out = '\x1b[' + (top + 1) + ';' + (bottom + 1) + 'r' + s.tput.cup(top, 0);
  out += k > 0 ? '\x1b[' + n + 'M' : '\x1b[' + n + 'L';
  out += '\x1b[r';
  // What the terminal shows now, in olines: the row arrays move with the
  // rows (no copy); the rows the move blanks reuse the arrays that left.
  const region = s.olines.slice(top, bottom + 1);
  for (let y = top; y <= bottom; y++) {
    const src = y + k;
    const blankRow = src < top || src > bottom;
    const row = blankRow ? region[k > 0 ? y - (bottom - n + 1) : y - top + (bottom - top + 1 - n)] : region[src - top];
    if (blankRow) {
      for (let x = 0; x < row.length; x++) {
        row[x][0] = s.dattr;
        row[x][1] = ' ';
      }
    }
    s.olines[y] = row;
    s.lines[y].dirty = true;
  }
  return out;
}

/** SGR parameters (without ESC[ and m) that set `data` from the default state. */
function fullParams(s: DrawScreen, data: number): string[] {
  const p: string[] = [];
  const flags = data >> 18;
  if (flags & 1) p.push('1');
  if (flags & 2) p.push('4');
  if (flags & 4) p.push('5');
  if (flags & 8) p.push('7');
  if (flags & 16) p.push('8');
  const bg = data & 0x1ff;
  const fg = (data >> 9) & 0x1ff;
  if (bg !== DEFAULT_COLOR) p.push(colorParam(s, bg, 40, 100, '48'));
  if (fg !== DEFAULT_COLOR) p.push(colorParam(s, fg, 30, 90, '38'));
  return p;
}

function colorParam(s: DrawScreen, c: number, base: number, brightBase: number, ext: string): string {
  const r = s._reduceColor(c);
  if (r < 8) return String(r + base);
  if (r < 16) return String(r - 8 + brightBase);
  return `${ext};5;${r}`;
}

const FLAG_ON = ['1', '4', '5', '7', '8'];

/** The shortest SGR that switches the terminal from attribute `from` to `to`. */
export function switchAttr(s: DrawScreen, from: number, to: number): string {
  if (from === to) return '';
  if (to === s.dattr) return '\x1b[m';
  const full = fullParams(s, to);
  const reset = '\x1b[' + (full.length ? '0;' + full.join(';') : '') + 'm';
  const ff = from >> 18, tf = to >> 18;
  // A flag turned off: 22/24/25/27/28 exist but 22 also clears "dim"; reset is safe.
  if (ff & ~tf & 0x1f) return reset;
  // Only the differences from `from`, when shorter.
  const p: string[] = [];
  for (let i = 0; i < 5; i++) if (tf & ~ff & (1 << i)) p.push(FLAG_ON[i]);
  const fb = from & 0x1ff, tb = to & 0x1ff;
  if (fb !== tb) p.push(tb === DEFAULT_COLOR ? '49' : colorParam(s, tb, 40, 100, '48'));
  const fF = (from >> 9) & 0x1ff, tF = (to >> 9) & 0x1ff;
  if (fF !== tF) p.push(tF === DEFAULT_COLOR ? '39' : colorParam(s, tF, 30, 90, '38'));
  const diff = '\x1b[' + p.join(';') + 'm';
  return diff.length <= reset.length ? diff : reset;
}

/**
 * One draw's state. The helpers below take it as an argument instead of
 * closing over drawLines' locals: closures made on every frame were each
 * optimized anew by V8, on every frame that made them hot.
 */
interface DrawState {
  s: DrawScreen;
  tput: Tput;
  acsMode: boolean;
  toAscii: boolean;
  /** Attribute the terminal is in. */
  attr: number;
  /** Inside the alternate character set. */
  acs: boolean;
  /** Terminal cursor column on the current line after the last write, -1 = not on this line yet. */
  cx: number;
  line: Line;
}

/** The bytes of character `ch` as written (ACS / ASCII fallback applied), updating st.acs. */
function glyph(st: DrawState, ch: string): string {
  const tput = st.tput;
  if (st.acsMode && (tput.acscr[ch] || st.acs)) {
    if (tput.acscr[ch]) {
      if (st.acs) return tput.acscr[ch];
      st.acs = true;
      return tput.smacs() + tput.acscr[ch];
    }
    st.acs = false;
    return tput.rmacs() + ch;
  }
  if (st.toAscii && ch > '~') return tput.utoa[ch] || '?';
  return ch;
}

function switchTo(st: DrawState, data: number): string {
  const sw = switchAttr(st.s, st.attr, data);
  st.attr = data;
  return sw;
}

/** Cursor movement from st.cx to column x of line `row`: the cheapest of CUP, CUF and rewriting the unchanged cells between. */
function moveTo(st: DrawState, row: number, x: number): string {
  const cx = st.cx;
  if (cx === x) return '';
  const tput = st.tput;
  const cup = tput.cup(row, x);
  if (cx < 0 || cx > x) return cup;
  const gap = x - cx;
  const cuf = '\x1b[' + (gap === 1 ? '' : gap) + 'C';
  const cufOrCup = cuf.length <= cup.length && tput.strings.parm_right_cursor ? cuf : cup;
  const limit = Math.min(cup.length, cuf.length);
  // Rewrite cx..x-1 if cheaper: all narrow, plain (no ACS), and the attributes switched along the way counted.
  const line = st.line;
  let cost = 0;
  let a = st.attr;
  let text = '';
  for (let i = cx; i < x && cost <= limit; i++) {
    const c = line[i][1];
    if (c.length !== 1 || c < ' ' || (st.acsMode && (tput.acscr[c] || st.acs)) || (st.toAscii && c > '~') || (st.s.fullUnicode && charWidth(c) !== 1)) return cufOrCup;
    const sw = switchAttr(st.s, a, line[i][0]);
    a = line[i][0];
    text += sw + c;
    cost += sw.length + Buffer.byteLength(c);
  }
  if (cost <= limit) {
    st.attr = a;
    return text;
  }
  return cufOrCup;
}

function drawLines(s: DrawScreen, start: number, end: number): void {
  const tput = s.tput;
  const acsMode = !!tput.strings.enter_alt_charset_mode && !tput.brokenACS;
  const toAscii = !tput.unicode && tput.numbers.U8 !== 1;
  const bce = !!s.options.useBCE;
  const dattr = s.dattr;
  let main = '';
  if (s._buf) {
    main += s._buf;
    s._buf = '';
  }
  const st: DrawState = { s, tput, acsMode, toAscii, attr: dattr, acs: false, cx: -1, line: s.lines[start] ?? [] };
  main += scrollShift(s, start, end);

  for (let y = start; y <= end; y++) {
    const line = s.lines[y];
    const o = s.olines[y];
    if (!line || !o || !line.dirty) continue;
    line.dirty = false;
    st.line = line;
    let out = '';
    st.cx = -1;
    const n = line.length;
    for (let x = 0; x < n; x++) {
      const data = line[x][0];
      let ch = line[x][1];
      // A wide character takes its cell and the next (a placeholder).
      let wide = s.fullUnicode && ch.length > 0 && charWidth(ch) === 2;
      let forceNext = false;
      if (wide && (x === n - 1 || ANGLES.has(line[x + 1][1]))) {
        // no room for its second half: a space now, redrawn next frame
        wide = false;
        forceNext = true;
      }
      const same = wide
        ? data === o[x][0] && ch === o[x][1] && line[x + 1][0] === o[x + 1][0] && line[x + 1][1] === o[x + 1][1]
        : !forceNext && data === o[x][0] && ch === o[x][1];
      if (same) {
        if (wide) x++;
        continue;
      }

      // Clear to the end of the line when the rest is blank in an erasable attribute.
      if (bce && ch === ' ' && (tput.bools.back_color_erase || (data & 0x1ff) === (dattr & 0x1ff)) && ((data >> 18) & 8) === ((dattr >> 18) & 8)) {
        let clr = true;
        for (let xx = x; xx < n; xx++) {
          if (line[xx][0] !== data || line[xx][1] !== ' ') {
            clr = false;
            break;
          }
        }
        if (clr) {
          out += moveTo(st, y, x);
          out += switchTo(st, data);
          out += tput.el();
          for (let xx = x; xx < n; xx++) {
            o[xx][0] = data;
            o[xx][1] = ' ';
          }
          st.cx = x;
          break;
        }
      }

      out += moveTo(st, y, x);
      out += switchTo(st, data);
      if (forceNext) {
        ch = ' ';
        o[x][0] = data;
        o[x][1] = '\0';
        out += glyph(st, ch);
        st.cx = x + 1;
        continue;
      }
      o[x][0] = data;
      o[x][1] = ch;
      out += glyph(st, ch);
      if (wide) {
        o[x + 1][0] = line[x + 1][0];
        o[x + 1][1] = line[x + 1][1];
        x++;
        st.cx = x + 1;
      } else st.cx = x + 1;
    }
    main += out;
  }

  if (st.acs) main += tput.rmacs();
  if (st.attr !== dattr) main += '\x1b[m';
  if (main) {
    let pre = tput.sc();
    let post = tput.rc();
    if (!s.program.cursorHidden) {
      pre += tput.civis();
      post += tput.cnorm();
    }
    s.program._write(pre + main + post);
  }
}
