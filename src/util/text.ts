// Untrusted text from processes and the kernel (comm, cmdline, paths, env,
// kernel log) goes through here before it reaches a terminal or a table.
// Invariants: the result of sanitize() contains no C0/C1 control characters,
// no escape sequences and no bidi overrides, so it cannot move the cursor,
// change colours or retitle the terminal; width functions count terminal
// cells (wide CJK/emoji = 2, combining marks = 0), so columns line up.

// ESC [ ... final, ESC ] ... BEL/ST, other ESC-x pairs, then any C0/C1/DEL.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[P^_X][^\x1b]*(?:\x1b\\)?|\x1b[ -~]?|\x9b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;
// Bidi overrides/isolates and other invisible format characters that can
// reorder what a person reads.
const FORMAT_CHARS = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Make untrusted text safe to print: escapes removed, controls shown as '?', tabs/newlines as spaces. */
export function sanitize(s: string): string {
  if (!/[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(s)) return s;
  return s
    .replace(ESCAPES, '?')
    .replace(/[\t\n\r]/g, ' ')
    .replace(CONTROLS, '?')
    .replace(FORMAT_CHARS, '');
}

/** Decode bytes from /proc as UTF-8, keeping invalid bytes visible as U+FFFD. */
export function decodeBytes(b: Buffer | Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

function isCombining(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x0483 && cp <= 0x0489) || (cp >= 0x0591 && cp <= 0x05bd) ||
    (cp >= 0x0610 && cp <= 0x061a) || (cp >= 0x064b && cp <= 0x065f) || (cp >= 0x0900 && cp <= 0x0903) ||
    (cp >= 0x093a && cp <= 0x094f) || (cp >= 0x0e31 && cp <= 0x0e3a && cp !== 0x0e32 && cp !== 0x0e33) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfe20 && cp <= 0xfe2f) ||
    (cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0xe0100 && cp <= 0xe01ef) || cp === 0x200d
  );
}

// East Asian Wide/Fullwidth and emoji-presentation code points (Unicode 15),
// as modern terminals (VTE, kitty, iTerm2, Windows Terminal, tmux) draw them.
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = ([
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f], [0x2693, 0x2693], [0x26a1, 0x26a1],
  [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea],
  [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b],
  [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55], [0x2e80, 0x303e],
  [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf], [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f251], [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff], [0x1f7e0, 0x1f7eb], [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
] as Array<readonly [number, number]>).sort((x, y) => x[0] - y[0]);

function isWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = WIDE_RANGES[mid];
    if (cp < a) hi = mid - 1;
    else if (cp > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** A global regex matching one wide character (same table as charWidth). */
export function wideCharRegex(): RegExp {
  const hex = (n: number) => `\\u{${n.toString(16)}}`;
  return new RegExp(`([${WIDE_RANGES.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}])`, 'gu');
}

/** Terminal cells one code point takes: 0, 1 or 2. */
export function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (isCombining(cp)) return 0;
  return isWide(cp) ? 2 : 1;
}

/** Display width of (already sanitized) text in terminal cells. */
export function displayWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x300) { w += c >= 0x20 && (c < 0x7f || c >= 0xa0) ? 1 : 0; continue; }
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    w += charWidth(cp);
  }
  return w;
}

/** Cut text to at most `width` cells without splitting a wide character; `ellipsis` marks the cut. */
export function truncateWidth(s: string, width: number, ellipsis = ''): string {
  if (width <= 0) return '';
  if (s.length <= width && !/[^\x20-\x7e]/.test(s)) return s;
  if (displayWidth(s) <= width) return s;
  const ew = displayWidth(ellipsis);
  const limit = Math.max(0, width - ew);
  let w = 0;
  let out = '';
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > limit) break;
    out += ch;
    w += cw;
  }
  return ew <= width ? out + ellipsis : out;
}

/** Pad or cut to exactly `width` cells. */
export function fitWidth(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncateWidth(s, width);
  const pad = width - displayWidth(t);
  if (pad <= 0) return t;
  return align === 'right' ? ' '.repeat(pad) + t : t + ' '.repeat(pad);
}
