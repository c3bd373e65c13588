// The config file: $XDG_CONFIG_HOME/ostop/config.json (default
// ~/.config/ostop/config.json). It holds settings changed in the UI:
// columns (stable ids, never positions), sort, tree, delay, hidden threads.
// A malformed file is reported with the problem named and is never
// overwritten (no silent reset): ostop runs with defaults and says so.
// Writes are atomic (temp file + rename).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROC_COLUMNS, DEFAULT_COLUMNS, DEFAULT_SORT, columnById } from '../model/columns.js';

export interface Config {
  columns: string[];
  sort: string;
  descending: boolean;
  tree: boolean;
  delaySec: number;
  hideUserThreads: boolean;
  hideKernelThreads: boolean;
}

export const DEFAULT_CONFIG: Config = {
  columns: [...DEFAULT_COLUMNS],
  sort: DEFAULT_SORT,
  descending: true,
  tree: false,
  delaySec: 1.5,
  hideUserThreads: true,
  hideKernelThreads: false,
};

export const MIN_DELAY = 0.1;
export const MAX_DELAY = 3600;

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

export function loadConfig(file = configPath()): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { config: { ...DEFAULT_CONFIG, columns: [...DEFAULT_CONFIG.columns] }, path: file };
    return { config: { ...DEFAULT_CONFIG }, path: file, error: `config ${file}: cannot read: ${(e as Error).message}` };
  }
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`not valid JSON: ${jsonPosition(text, (e as Error).message)}`);
    }
    return { config: validateConfig(raw), path: file };
  } catch (e) {
    return { config: { ...DEFAULT_CONFIG, columns: [...DEFAULT_CONFIG.columns] }, path: file, error: `config ${file}: ${(e as Error).message}` };
  }
}

export function saveConfig(file: string, c: Config): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(c, null, 2) + '\n');
  fs.renameSync(tmp, file);
}
