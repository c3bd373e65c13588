// Cheap synchronous reads of /proc and /sys files. /proc files are generated
// on read and never block on disk, so sync reads with one reused buffer are
// far cheaper than fs.promises (no thread-pool hop, no per-call allocation
// beyond the result string). Every read may fail because the process
// vanished (ENOENT, ESRCH) or is not ours (EACCES): callers get undefined,
// never an exception.
import * as fs from 'node:fs';

let buf = Buffer.allocUnsafe(64 * 1024);

/** Read a whole file, or undefined when it cannot be read. `limit` caps the bytes kept. */
export function readFileFast(path: string, encoding: BufferEncoding = 'utf8', limit = 16 * 1024 * 1024): string | undefined {
  const b = readBytes(path, limit);
  return b === undefined ? undefined : b.toString(encoding);
}

/** Like readFileFast but returns a copy of the bytes. */
export function readBytes(path: string, limit = 16 * 1024 * 1024): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (len >= limit) break;
        const nb = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(nb, 0, 0, len);
        buf = nb;
      }
      const n = fs.readSync(fd, buf, len, Math.min(buf.length, limit) - len, null);
      if (n <= 0) break;
      len += n;
      if (len >= limit) break;
    }
    return Buffer.from(buf.subarray(0, len));
  } catch {
    return undefined;
  } finally {
    try { fs.closeSync(fd); } catch { /* already gone */ }
  }
}

/** Numeric directory entries of /proc (or a fixture root). */
export function listPids(procRoot = '/proc'): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(procRoot);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      const v = Number(n);
      if (Number.isInteger(v)) pids.push(v);
    }
  }
  return pids;
}
