// E2E harness: runs `node bin/ostop.js ...` in a real pseudo-terminal
// (node-pty) and feeds everything it writes into a headless xterm, so tests
// assert on what a person would see (screenText) and on the raw bytes
// (output) for terminal-state checks (alternate screen, cursor, SGR codes).
// Invariant: every spawned ostop gets its own temp HOME/XDG_CONFIG_HOME, so
// the user's real config is never read or written; call dispose() (or
// waitExit()) so no pty is left behind.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';
import xtermHeadless from '@xterm/headless';
import { DEFAULT_COLUMNS, PROC_COLUMNS } from '../../src/model/columns.js';

const { Terminal } = xtermHeadless as unknown as typeof import('@xterm/headless');
type XTerm = InstanceType<typeof Terminal>;

// The repository root: the nearest folder up with package.json (this file also runs compiled, from dist/test/helpers).
export const REPO = ((): string => {
  let d = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
})();
export const OSTOP_BIN = path.join(REPO, 'bin', 'ostop.js');

export interface SpawnOptions {
  cols?: number;
  rows?: number;
  env?: Record<string, string | undefined>;
  /** Use this dir as HOME/XDG_CONFIG_HOME parent instead of a fresh temp dir. */
  home?: string;
  /** Program to run instead of ostop (bench: top, htop, btop). */
  file?: string;
  cwd?: string;
}

export interface ExitInfo {
  exitCode: number;
  signal?: number;
}

/** Named keys as xterm sends them (normal cursor mode; blessed accepts both CSI and SS3 forms). */
export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  enter: '\r',
  esc: '\x1b',
  backspace: '\x7f',
  tab: '\t',
  home: '\x1b[H',
  end: '\x1b[F',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  f1: '\x1bOP',
  f2: '\x1bOQ',
  f3: '\x1bOR',
  f4: '\x1bOS',
  f5: '\x1b[15~',
  f6: '\x1b[17~',
  f7: '\x1b[18~',
  f8: '\x1b[19~',
  f9: '\x1b[20~',
  f10: '\x1b[21~',
  ctrlC: '\x03',
  ctrlL: '\x0c',
} as const;

/** xterm SGR (1006) mouse press+release of the left button at 0-based cell (x, y). */
export function sgrClick(x: number, y: number): string {
  return `\x1b[<0;${x + 1};${y + 1}M\x1b[<0;${x + 1};${y + 1}m`;
}

export function makeTempHome(prefix = 'ostop-e2e-'): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(home, '.config'), { recursive: true });
  return home;
}

// Cell widths as modern terminals (VTE, kitty, iTerm2, Windows Terminal) use them:
// Unicode 9+ East Asian Width, where emoji with default emoji presentation
// are wide. xterm's built-in table is Unicode 6 (emoji narrow). Written from
// Unicode properties, independent of ostop's own width table in src/util/text.ts.
const WIDE = /[\p{Emoji_Presentation}\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303e\uff01-\uff60\uffe0-\uffe6]/u;
const ZERO = /[\p{Mn}\p{Me}\u200b-\u200f\u2060-\u2064\ufeff]/u;
function modernWcwidth(cp: number): 0 | 1 | 2 {
  if (cp < 32 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  const ch = String.fromCodePoint(cp);
  if (ZERO.test(ch)) return 0;
  if (cp >= 0x1160 && cp <= 0x11ff) return 0; // Hangul medial vowels / finals join
  return WIDE.test(ch) ? 2 : 1;
}
export const MODERN_UNICODE = {
  version: 'modern-test',
  wcwidth: modernWcwidth,
  // Same encoding as xterm's UnicodeService.createPropertyValue(state=0, width, shouldJoin).
  charProperties(cp: number, preceding: number): number {
    let width: number = modernWcwidth(cp);
    let join = width === 0 && preceding !== 0;
    if (join) {
      const old = (preceding >> 1) & 3;
      if (old === 0) join = false;
      else if (old > width) width = old;
    }
    return ((width & 3) << 1) | (join ? 1 : 0);
  },
};

export class PtyApp {
  readonly proc: pty.IPty;
  readonly term: XTerm;
  readonly home: string;
  /** Everything the program wrote, raw. */
  output = '';
  /** Bytes written so far (UTF-8), for throughput measurement. */
  bytes = 0;
  exit: ExitInfo | undefined;
  private exitWaiters: Array<(e: ExitInfo) => void> = [];
  private pendingWrite: Promise<void> = Promise.resolve();
  private ownHome: boolean;
  private dataListeners: Array<(d: string) => void> = [];

  constructor(args: string[], opts: SpawnOptions = {}) {
    const cols = opts.cols ?? 120;
    const rows = opts.rows ?? 40;
    this.ownHome = !opts.home;
    this.home = opts.home ?? makeTempHome();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    // Strip what could leak the caller's terminal or test-runner state into the child.
    for (const k of ['NO_COLOR', 'COLORTERM', 'TMUX', 'STY', 'TERM_PROGRAM', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'NODE_OPTIONS']) delete env[k];
    Object.assign(env, { TERM: 'xterm-256color', HOME: this.home, XDG_CONFIG_HOME: path.join(this.home, '.config'), LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
    this.term.unicode.register(MODERN_UNICODE);
    this.term.unicode.activeVersion = MODERN_UNICODE.version;
    const file = opts.file ?? process.execPath;
    const argv = opts.file ? args : [OSTOP_BIN, ...args];
    this.proc = pty.spawn(file, argv, { name: 'xterm-256color', cols, rows, cwd: opts.cwd ?? REPO, env });
    this.proc.onData((d) => {
      this.output += d;
      this.bytes += Buffer.byteLength(d);
      this.pendingWrite = new Promise<void>((res) => this.term.write(d, res));
      for (const l of this.dataListeners) l(d);
    });
    this.proc.onExit((e) => {
      this.exit = { exitCode: e.exitCode, signal: e.signal };
      for (const w of this.exitWaiters) w(this.exit);
      this.exitWaiters = [];
    });
  }

  get pid(): number {
    return this.proc.pid;
  }

  get configFile(): string {
    return path.join(this.home, '.config', 'ostop', 'config.json');
  }

  onData(l: (d: string) => void): void {
    this.dataListeners.push(l);
  }

  /** Wait until the xterm has parsed everything received so far. */
  async flush(): Promise<void> {
    let p: Promise<void>;
    do {
      p = this.pendingWrite;
      await p;
    } while (p !== this.pendingWrite);
  }

  /** The visible screen, one string per row, trailing blanks trimmed. */
  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  screenText(): string {
    return this.lines().join('\n');
  }

  /** Cell-accurate column of `needle` on row y (wide chars take two cells), or -1. */
  cellColumn(y: number, needle: string): number {
    const buf = this.term.buffer.active;
    const line = buf.getLine(buf.viewportY + y);
    if (!line) return -1;
    let text = '';
    const starts: number[] = [];
    for (let x = 0; x < this.term.cols; x++) {
      const c = line.getCell(x);
      if (!c || c.getWidth() === 0) continue;
      starts.push(x);
      text += c.getChars() || ' ';
    }
    // text index -> cell: chars may be surrogate pairs, so walk code units.
    const i = text.indexOf(needle);
    if (i < 0) return -1;
    let units = 0;
    for (let k = 0; k < starts.length; k++) {
      if (units === i) return starts[k];
      const c = line.getCell(starts[k])!;
      units += (c.getChars() || ' ').length;
    }
    return -1;
  }

  /** Colours of the cell at (x, y): palette index or -1 for the default; inverse flag. */
  cellStyle(x: number, y: number): { fg: number; bg: number; inverse: boolean; bold: boolean } {
    const buf = this.term.buffer.active;
    const c = buf.getLine(buf.viewportY + y)?.getCell(x);
    if (!c) return { fg: -1, bg: -1, inverse: false, bold: false };
    return {
      fg: c.isFgDefault() ? -1 : c.getFgColor(),
      bg: c.isBgDefault() ? -1 : c.getBgColor(),
      inverse: !!c.isInverse(),
      bold: !!c.isBold(),
    };
  }

  /** Rows drawn as the selection bar: cyan background (colour) or inverse (mono), excluding the given rows. */
  highlightedRows(exclude: number[] = []): number[] {
    const out: number[] = [];
    for (let y = 0; y < this.term.rows; y++) {
      if (exclude.includes(y)) continue;
      const s = this.cellStyle(0, y);
      if (s.bg === 6 || s.bg === 14 || s.inverse) out.push(y);
    }
    return out;
  }

  /** Wait until the screen matches; returns the match. Throws with the screen shown on timeout. */
  async waitForText(re: RegExp | string, timeoutMs = 10000): Promise<RegExpMatchArray> {
    const rx = typeof re === 'string' ? new RegExp(re.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : re;
    const end = Date.now() + timeoutMs;
    for (;;) {
      await this.flush();
      const m = this.screenText().match(rx);
      if (m) return m;
      if (this.exit) throw new Error(`program exited (${JSON.stringify(this.exit)}) before ${rx} appeared; screen:\n${this.screenText()}`);
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${rx}; screen:\n${this.screenText()}`);
      await delay(50);
    }
  }

  /** Wait until pred(screen) holds. */
  async waitFor(pred: (screen: string) => boolean, what: string, timeoutMs = 10000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      await this.flush();
      const s = this.screenText();
      if (pred(s)) return s;
      if (this.exit) throw new Error(`program exited before ${what}; screen:\n${s}`);
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${s}`);
      await delay(50);
    }
  }

  /** Wait until the raw output (from `from` on) contains `needle`. */
  async waitForOutput(needle: string | RegExp, timeoutMs = 10000, from = 0): Promise<void> {
    const end = Date.now() + timeoutMs;
    const has = () => (typeof needle === 'string' ? this.output.indexOf(needle, from) >= 0 : needle.test(this.output.slice(from)));
    while (!has()) {
      if (this.exit || Date.now() > end) throw new Error(`raw output never contained ${JSON.stringify(String(needle))}`);
      await delay(50);
    }
  }

  /** Type keys; a string is sent as-is (use KEYS for named keys). A short pause after each lets blessed split them. */
  async press(...keys: string[]): Promise<void> {
    for (const k of keys) {
      this.proc.write(k);
      await delay(k === KEYS.esc ? 150 : 60);
    }
  }

  /** Type text one character at a time (prompts read keypress by keypress). */
  async type(text: string): Promise<void> {
    for (const ch of text) {
      this.proc.write(ch);
      await delay(15);
    }
  }

  resize(cols: number, rows: number): void {
    this.proc.resize(cols, rows);
    this.term.resize(cols, rows);
  }

  waitExit(timeoutMs = 10000): Promise<ExitInfo> {
    if (this.exit) return Promise.resolve(this.exit);
    return new Promise<ExitInfo>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no exit within ${timeoutMs} ms; screen:\n${this.screenText()}`)), timeoutMs);
      this.exitWaiters.push((e) => {
        clearTimeout(t);
        resolve(e);
      });
    });
  }

  /** Kill if still running, free the terminal, remove the temp home we made. */
  async dispose(): Promise<void> {
    if (!this.exit) {
      try {
        this.proc.kill('SIGKILL');
      } catch {
        /* gone */
      }
      await this.waitExit(3000).catch(() => undefined);
    }
    this.term.dispose();
    if (this.ownHome) fs.rmSync(this.home, { recursive: true, force: true });
  }
}

export function spawnOstop(args: string[] = [], opts: SpawnOptions = {}): PtyApp {
  return new PtyApp(args, opts);
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Row index (0-based) of the first screen line matching re, or -1. */
export function rowOf(lines: string[], re: RegExp): number {
  return lines.findIndex((l) => re.test(l));
}

/** The process table as seen on screen: header row, column spans, body rows. */
export interface ScreenTable {
  headerRow: number;
  /** title (sort mark removed) -> [startCell, endCell) from the header. */
  cols: Map<string, [number, number]>;
  /** Body rows (screen row index, text) up to the status/footer lines. */
  rows: Array<{ y: number; text: string }>;
}

/**
 * Find and parse the top view's table (header line starting with PID); undefined if not on screen.
 * Column spans come from the descriptors (ids in display order), laid out as the screen does:
 * fixed widths separated by one space, the width-0 column (COMMAND) takes the rest.
 */
export function parseTable(app: PtyApp, ids: readonly string[] = DEFAULT_COLUMNS): ScreenTable | undefined {
  const lines = app.lines();
  const headerRow = lines.findIndex((l) => /^\s*[△▽]?PID\b/.test(l) && /COMMAND|COMM/.test(l));
  if (headerRow < 0) return undefined;
  const descs = ids.map((id) => PROC_COLUMNS.find((c) => c.id === id)!).filter(Boolean);
  const fixed = descs.reduce((a, c) => a + (c.width ? c.width + 1 : 0), 0);
  const flex = Math.max(8, app.term.cols - fixed);
  const cols = new Map<string, [number, number]>();
  let x = 0;
  for (const c of descs) {
    const w = c.width || flex;
    cols.set(c.title, [x, x + w]);
    x += w + 1;
  }
  const rows: Array<{ y: number; text: string }> = [];
  for (let y = headerRow + 1; y < lines.length - 2; y++) {
    if (!lines[y].trim()) break;
    rows.push({ y, text: lines[y] });
  }
  return { headerRow, cols, rows };
}

/** The text of column `title` in a body row (trimmed), using the header's spans. */
export function cell(t: ScreenTable, rowText: string, title: string): string {
  const span = t.cols.get(title);
  if (!span) throw new Error(`no column ${title} in header`);
  return rowText.slice(span[0], span[1]).trim();
}

/** The sort column as marked in the header (title, descending?). */
export function sortMark(app: PtyApp): { title: string; descending: boolean } | undefined {
  const t = parseTable(app);
  if (!t) return undefined;
  const h = app.lines()[t.headerRow];
  const m = /([△▽])([^\s△▽]+)|([^\s△▽]+)([△▽])/.exec(h);
  if (!m) return undefined;
  return { title: m[2] ?? m[3], descending: (m[1] ?? m[4]) === '▽' };
}
