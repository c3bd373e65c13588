// Picks what blessed should believe about the terminal, because blessed only
// parses the legacy (16-bit) terminfo format: under ncurses >= 6.1 entries
// such as screen-256color are stored in the 32-bit format and blessed
// silently falls back to xterm with 8 colours; tmux-256color is often not
// installed at all. We convert 32-bit entries to the legacy layout (numbers
// clamped to 16 bits, extended section dropped) into a per-user cache file
// and hand blessed that path, and we force the colour count the terminal
// really has. NO_COLOR (https://no-color.org) and dumb/vt100-class terminals
// give a monochrome theme.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TerminalChoice {
  /** Value for blessed's `terminal` option: a terminfo name or a file path. */
  terminal: string;
  /** Colours to force onto blessed's tput (0 = monochrome, -1 = as terminfo says). */
  colors: number;
  mono: boolean;
  /** Why this choice was made (shown in tests and when debugging a terminal). */
  reason: string;
}

const LEGACY_MAGIC = 0o432;
const NUM32_MAGIC = 0o1036;

export function terminfoDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  if (env.TERMINFO) dirs.push(env.TERMINFO);
  if (env.HOME) dirs.push(path.join(env.HOME, '.terminfo'));
  for (const d of (env.TERMINFO_DIRS ?? '').split(':')) if (d) dirs.push(d);
  dirs.push('/etc/terminfo', '/lib/terminfo', '/usr/share/terminfo', '/usr/lib/terminfo', '/usr/share/lib/terminfo');
  return dirs;
}

export function findTerminfo(name: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!name || name.includes('/') || name.includes('\0')) return undefined;
  for (const d of terminfoDirs(env)) {
    for (const sub of [name[0], name.charCodeAt(0).toString(16)]) {
      const p = path.join(d, sub, name);
      try {
        if (fs.statSync(p).isFile()) return p;
      } catch { /* next */ }
    }
  }
  return undefined;
}

/** Convert a 32-bit-number terminfo entry to the legacy layout; legacy input is returned as is; anything else throws. */
export function toLegacyTerminfo(data: Buffer): Buffer {
  if (data.length < 12) throw new Error('terminfo entry too short');
  const magic = data.readUInt16LE(0);
  if (magic === LEGACY_MAGIC) return data;
  if (magic !== NUM32_MAGIC) throw new Error(`unknown terminfo magic 0${magic.toString(8)}`);
  const namesSize = data.readUInt16LE(2);
  const boolCount = data.readUInt16LE(4);
  const numCount = data.readUInt16LE(6);
  const strCount = data.readUInt16LE(8);
  const strTableSize = data.readUInt16LE(10);
  let i = 12 + namesSize + boolCount;
  const head = Buffer.from(data.subarray(0, i));
  head.writeUInt16LE(LEGACY_MAGIC, 0);
  const pad = i % 2 ? Buffer.from([0]) : Buffer.alloc(0);
  if (i % 2) i++;
  const nums = Buffer.alloc(numCount * 2);
  for (let k = 0; k < numCount; k++) {
    const v = data.readInt32LE(i + k * 4);
    nums.writeInt16LE(v > 32767 ? 32767 : v < -2 ? -1 : v, k * 2);
  }
  i += numCount * 4;
  const strEnd = i + strCount * 2 + strTableSize;
  if (strEnd > data.length) throw new Error('terminfo entry truncated');
  return Buffer.concat([head, pad, nums, data.subarray(i, strEnd)]);
}

function legacyFile(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const src = findTerminfo(name, env);
  if (!src) return undefined;
  try {
    const data = fs.readFileSync(src);
    if (data.readUInt16LE(0) === LEGACY_MAGIC) return name;
    const out = toLegacyTerminfo(data);
    const uid = process.getuid?.() ?? 0;
    const dir = path.join(os.tmpdir(), `ostop-terminfo-${uid}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // /tmp is shared: use the directory only if it is ours and nobody else can write to it.
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) return undefined;
    const dst = path.join(dir, name);
    // Written once; later starts find it unchanged (no write on every launch).
    try {
      if (fs.readFileSync(dst).equals(out)) return dst;
    } catch {
      /* not there yet */
    }
    const tmp = `${dst}.${process.pid}`;
    fs.writeFileSync(tmp, out, { mode: 0o600 });
    fs.renameSync(tmp, dst);
    return dst;
  } catch {
    return undefined;
  }
}

export function chooseTerminal(env: NodeJS.ProcessEnv = process.env): TerminalChoice {
  const term = env.TERM || 'xterm';
  const mono = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || /^(vt\d+|dumb|ansi-mono|xterm-mono)$/.test(term);
  const truecolor = /^(truecolor|24bit)$/i.test(env.COLORTERM ?? '');
  // -1: keep what the terminfo entry says.
  const colors = mono ? 0 : /256col/.test(term) || truecolor ? 256 : -1;

  const candidates = [term];
  if (/^tmux/.test(term)) candidates.push(term.replace(/^tmux/, 'screen'));
  if (/256col/.test(term)) candidates.push('xterm-256color');
  candidates.push('xterm');
  for (const c of candidates) {
    const t = legacyFile(c, env);
    if (t) return { terminal: t, colors, mono, reason: c === term ? (t === c ? 'terminfo' : 'converted 32-bit terminfo') : `fallback to ${c}` };
  }
  return { terminal: 'xterm', colors, mono, reason: 'no terminfo found; blessed built-in xterm' };
}
