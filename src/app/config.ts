// The config file: $XDG_CONFIG_HOME/ostop/config.json (default
// ~/.config/ostop/config.json). It holds settings changed in the UI:
// columns (stable ids, never positions), sort, tree, delay, hidden threads.
// A malformed file is reported with the problem named and is never
// overwritten (no silent reset): ostop runs with defaults and says so.
// Reads are bounded (a regular file of at most 256 KB, never blocking);
// writes are atomic (temp file + rename), private (0600), never through a
// planted link, and refused into a directory another user controls.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROC_COLUMNS, columnById } from '../model/columns.js';
import { DEFAULT_CONFIG, MIN_DELAY, MAX_DELAY, type Config } from '../model/config.js';

export { DEFAULT_CONFIG, MIN_DELAY, MAX_DELAY, type Config } from '../model/config.js';

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'ostop', 'config.json');
}

export class ConfigError extends Error {}

function jsonPosition(text: string, msg: string): string {
  const m = /position (\d+)/.exec(msg);
  if (!m) return msg;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `${msg.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${col}`;
}

/** Validate a parsed config; every problem is named with its key. Unknown keys are errors too (typos must not be ignored). */
export function validateConfig(raw: unknown): Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('the top level must be a JSON object');
  const o = raw as Record<string, unknown>;
  const c: Config = { ...DEFAULT_CONFIG, columns: [...DEFAULT_CONFIG.columns] };
  const known = new Set(Object.keys(DEFAULT_CONFIG));
  for (const k of Object.keys(o)) if (!known.has(k)) throw new ConfigError(`unknown key '${k}' (known: ${[...known].join(', ')})`);
  if (o.columns !== undefined) {
    if (!Array.isArray(o.columns) || o.columns.some((x) => typeof x !== 'string')) throw new ConfigError("'columns' must be an array of column ids");
    const bad = (o.columns as string[]).filter((id) => !columnById(id));
    if (bad.length) throw new ConfigError(`'columns': unknown column '${bad[0]}' (valid: ${PROC_COLUMNS.map((x) => x.id).join(', ')})`);
    if (o.columns.length === 0) throw new ConfigError("'columns' must name at least one column");
    c.columns = [...new Set(o.columns as string[])];
  }
  if (o.sort !== undefined) {
    if (typeof o.sort !== 'string' || !columnById(o.sort)) throw new ConfigError(`'sort': unknown column ${JSON.stringify(o.sort)}`);
    c.sort = o.sort;
  }
  for (const k of ['descending', 'tree', 'hideUserThreads', 'hideKernelThreads'] as const) {
    if (o[k] !== undefined) {
      if (typeof o[k] !== 'boolean') throw new ConfigError(`'${k}' must be true or false, not ${JSON.stringify(o[k])}`);
      c[k] = o[k] as boolean;
    }
  }
  if (o.delaySec !== undefined) {
    if (typeof o.delaySec !== 'number' || !(o.delaySec >= MIN_DELAY && o.delaySec <= MAX_DELAY)) throw new ConfigError(`'delaySec' must be a number of seconds between ${MIN_DELAY} and ${MAX_DELAY}`);
    c.delaySec = o.delaySec;
  }
  return c;
}

export interface LoadedConfig {
  config: Config;
  path: string;
  /** Set when the file exists but is unusable: shown to the user; saving is then disabled. */
  error?: string;
}

/** A config file is a few hundred bytes; anything near this is not one. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * Read the config file, bounded: only a regular file (a symlink to one is
 * fine: dotfiles), at most MAX_CONFIG_BYTES, opened without blocking (a FIFO
 * planted there must not hang start-up; /dev/zero must not fill memory).
 */
function readBounded(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new ConfigError(`not a regular file (${fileKind(st)}): not read`);
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(`too large (${st.size} bytes; a config file is at most ${MAX_CONFIG_BYTES / 1024} KB): not read`);
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (let r; n < buf.length && (r = fs.readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > MAX_CONFIG_BYTES) throw new ConfigError(`too large (more than ${MAX_CONFIG_BYTES / 1024} KB): not read`);
    return buf.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function fileKind(st: fs.Stats): string {
  return st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a file';
}

export function loadConfig(file = configPath()): LoadedConfig {
  const defaults = (): Config => ({ ...DEFAULT_CONFIG, columns: [...DEFAULT_CONFIG.columns] });
  let text: string;
  try {
    text = readBounded(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { config: defaults(), path: file };
    if (e instanceof ConfigError) return { config: defaults(), path: file, error: `config ${file}: ${e.message}` };
    return { config: defaults(), path: file, error: `config ${file}: cannot read: ${(e as Error).message}` };
  }
  // A UTF-8 byte order mark (some Windows editors write one) is not JSON but harmless.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`not valid JSON: ${jsonPosition(text, (e as Error).message)}`);
    }
    return { config: validateConfig(raw), path: file };
  } catch (e) {
    return { config: defaults(), path: file, error: `config ${file}: ${(e as Error).message}` };
  }
}

/**
 * Where a save really goes: config.json itself, or, when it is a symlink (a
 * dotfiles set-up), the file it points to, so that the link is kept.
 */
function saveTarget(file: string): string {
  let target = file;
  for (let hops = 0; hops < 40; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(target);
    } catch {
      return target; // not there yet: created
    }
    if (!st.isSymbolicLink()) return target;
    target = path.resolve(path.dirname(target), fs.readlinkSync(target));
  }
  throw new ConfigError(`${file}: too many levels of symbolic links`);
}

/** Why a save into `dir` could be redirected by someone else, or null. */
function unsafeDirReason(dir: string): string | null {
  const st = fs.statSync(dir);
  const uid = process.geteuid?.() ?? st.uid;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid) return `the directory ${dir} belongs to uid ${st.uid}, not to this user (uid ${uid}; under sudo -E?)`;
  if ((st.mode & 0o022) !== 0) return `the directory ${dir} is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`;
  return null;
}

/**
 * Atomic, private, never redirected: the new content goes to a temp file
 * with a random name, created exclusively (O_EXCL|O_NOFOLLOW, 0600) in the
 * target's directory, then renamed over the target. A directory that another
 * user owns or may write to is refused (throws; nothing is written).
 */
export function saveConfig(file: string, c: Config): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const target = saveTarget(file);
  const dir = path.dirname(target);
  const why = unsafeDirReason(dir);
  if (why) throw new ConfigError(`not saved: ${why}`);
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  // Unpredictable enough: nobody else can write to `dir` (checked above), and
  // O_EXCL never opens what might be there. (node:crypto costs start-up time.)
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}.tmp`);
  const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    try {
      fs.writeSync(fd, JSON.stringify(c, null, 2) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
