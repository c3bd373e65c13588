// Reading a JIT's /tmp/perf-PID.map as root. /tmp is shared and hostile:
// anyone can plant a name there before the process (or instead of it), as a
// symlink to a file root may read (/etc/shadow), as a FIFO that blocks a
// read forever, or as a huge file. So the file is opened with
// O_NOFOLLOW|O_NONBLOCK (a link is refused, a FIFO does not block), must be
// a regular file owned by root or by one of the process's own uids (real,
// effective, saved or filesystem), and at most PERF_MAP_MAX_BYTES are read.
// A process in another PID namespace writes the file under its own pid in
// its own /tmp: /proc/PID/root/tmp/perf-NSPID.map, with the same checks and
// /proc/PID/root/tmp itself a real directory (not a link).
import * as fs from 'node:fs';
import { parseStatus } from './procfs/pid-status.js';
import { parsePerfMap, parsePerfMapSliced, type PerfMap } from './procfs/perf-map.js';

export const PERF_MAP_MAX_BYTES = 64 * 1024 * 1024;

export type PerfMapResult = { ok: true; map: PerfMap; path: string; truncated: boolean } | { ok: false; path: string; reason: string };
type TextResult = { ok: true; text: string; path: string; truncated: boolean } | { ok: false; path: string; reason: string };

export interface PerfMapOptions {
  procRoot?: string;
  /** The shared /tmp (tests point it at a scratch directory). */
  tmpDir?: string;
  maxBytes?: number;
}

/** Why the opened file is refused, or null when it may be read. */
function refuse(st: fs.Stats, owners: readonly number[]): string | null {
  if (!st.isFile()) return 'not a regular file';
  if (st.uid !== 0 && !owners.includes(st.uid)) return `owned by uid ${st.uid}, not by the process's user (${[...new Set(owners)].join(',')}) or root`;
  return null;
}

/** Where a process's perf map is and whose it may be: from /proc/PID/status (NSpid, Uid). */
function locate(pid: number, o: PerfMapOptions): { path: string; owners: number[] } | { reason: string } {
  const procRoot = o.procRoot ?? '/proc';
  let status: ReturnType<typeof parseStatus>;
  try {
    status = parseStatus(fs.readFileSync(`${procRoot}/${pid}/status`, 'utf8'));
  } catch (e) {
    return { reason: `process ${pid}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const owners = status.uids ?? [];
  if (!owners.length) return { reason: `process ${pid}: no Uid line in its status` };
  const nspid = status.nspid?.[status.nspid.length - 1];
  if (nspid !== undefined && nspid !== pid && o.tmpDir === undefined) {
    const tmp = `${procRoot}/${pid}/root/tmp`;
    try {
      if (!fs.lstatSync(tmp).isDirectory()) return { reason: `${tmp} is not a directory` };
    } catch (e) {
      return { reason: `${tmp}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
    return { path: `${tmp}/perf-${nspid}.map`, owners };
  }
  return { path: `${o.tmpDir ?? '/tmp'}/perf-${pid}.map`, owners };
}

const OPEN_FLAGS = (): number => {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  return O_RDONLY | O_NOFOLLOW | O_NONBLOCK | ((fs.constants as { O_CLOEXEC?: number }).O_CLOEXEC ?? 0);
};

function openError(path: string, e: unknown): TextResult {
  const code = (e as NodeJS.ErrnoException).code;
  return { ok: false, path, reason: code === 'ELOOP' ? 'a symbolic link (refused)' : code === 'ENOENT' ? 'none' : (code ?? (e as Error).message) };
}

/** The text read (at most `cap` bytes, a cut last line dropped). */
function capped(buf: Buffer, got: number, size: number, cap: number): { text: string; truncated: boolean } {
  let text = buf.toString('utf8', 0, got);
  const truncated = size > cap;
  if (truncated) text = text.slice(0, text.lastIndexOf('\n') + 1);
  return { text, truncated };
}

function readText(pid: number, o: PerfMapOptions): TextResult {
  const where = locate(pid, o);
  if ('reason' in where) return { ok: false, path: '', reason: where.reason };
  const { path, owners } = where;
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_FLAGS());
  } catch (e) {
    return openError(path, e);
  }
  try {
    const st = fs.fstatSync(fd);
    const why = refuse(st, owners);
    if (why) return { ok: false, path, reason: `${why} (refused)` };
    const cap = o.maxBytes ?? PERF_MAP_MAX_BYTES;
    const want = Math.min(st.size, cap);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = fs.readSync(fd, buf, got, want - got, got);
      if (n <= 0) break;
      got += n;
    }
    return { ok: true, path, ...capped(buf, got, st.size, cap) };
  } catch (e) {
    return { ok: false, path, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  } finally {
    try { fs.closeSync(fd); } catch { /* ignore */ }
  }
}

async function readTextAsync(pid: number, o: PerfMapOptions): Promise<TextResult> {
  const where = locate(pid, o);
  if ('reason' in where) return { ok: false, path: '', reason: where.reason };
  const { path, owners } = where;
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(path, OPEN_FLAGS());
  } catch (e) {
    return openError(path, e);
  }
  try {
    const st = await fh.stat();
    const why = refuse(st, owners);
    if (why) return { ok: false, path, reason: `${why} (refused)` };
    const cap = o.maxBytes ?? PERF_MAP_MAX_BYTES;
    const want = Math.min(st.size, cap);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, got);
      if (bytesRead <= 0) break;
      got += bytesRead;
    }
    return { ok: true, path, ...capped(buf, got, st.size, cap) };
  } catch (e) {
    return { ok: false, path, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** The perf map of process `pid`, or why it cannot be used (none, refused, vanished). */
export function readPerfMap(pid: number, o: PerfMapOptions = {}): PerfMapResult {
  const r = readText(pid, o);
  return r.ok ? { ok: true, map: parsePerfMap(r.text), path: r.path, truncated: r.truncated } : r;
}

/** The same without holding the event loop: read on the thread pool, parsed in slices. */
export async function readPerfMapAsync(pid: number, o: PerfMapOptions & { pause?: () => Promise<void> } = {}): Promise<PerfMapResult> {
  const r = await readTextAsync(pid, o);
  if (!r.ok) return r;
  const map = await parsePerfMapSliced(r.text, o.pause ?? (() => new Promise((res) => setImmediate(res))));
  return { ok: true, map, path: r.path, truncated: r.truncated };
}
