// Cheap synchronous reads of /proc and /sys files. /proc files are generated
// on read and never block on disk, so sync reads with one reused buffer are
// far cheaper than fs.promises (no thread-pool hop, no per-call allocation
// beyond the result string). Every read may fail because the process
// vanished (ENOENT, ESRCH) or is not ours (EACCES): callers get undefined,
// never an exception.
import * as fs from 'node:fs';

/**
 * How the procfs layer reads whole files: the real one (readFileFast,
 * readBytes) or one a test injects, e.g. a CountingReader, to see which
 * files a tick reads and how often.
 */
export interface FileReader {
  /** A whole file as text, or undefined when it cannot be read. */
  text(path: string, limit?: number): string | undefined;
  /** A whole file's bytes, or undefined when it cannot be read. */
  bytes(path: string, limit?: number): Buffer | undefined;
}

/** The real file system, through the shared buffer below. */
export const directReader: FileReader = {
  text: (path, limit) => readFileFast(path, 'utf8', limit),
  bytes: (path, limit) => readBytes(path, limit),
};

/** A FileReader that counts the reads of each path (then passes them on). */
export class CountingReader implements FileReader {
  readonly counts = new Map<string, number>();
  constructor(private inner: FileReader = directReader) {}
  private count(path: string): void {
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
  }
  text(path: string, limit?: number): string | undefined {
    this.count(path);
    return this.inner.text(path, limit);
  }
  bytes(path: string, limit?: number): Buffer | undefined {
    this.count(path);
    return this.inner.bytes(path, limit);
  }
  /** Reads of `path` so far. */
  of(path: string): number {
    return this.counts.get(path) ?? 0;
  }
  reset(): void {
    this.counts.clear();
  }
}

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

function openFileLimit(): number {
  const t = readFileFast('/proc/self/limits') ?? '';
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(t);
  if (!m) return 1024;
  return m[1] === 'unlimited' ? 1 << 20 : Number(m[1]);
}

/**
 * Keeps /proc files open between ticks and re-reads them with pread at
 * offset 0, which regenerates their content: one syscall per file per tick
 * instead of open+read+close. A kept fd of an exited task fails with ESRCH
 * (even if its PID was reused, the fd still names the old task), so a read
 * error closes it and retries with a fresh open. Files not read during a
 * tick are closed by sweep(). The cache leaves 1,024 descriptors of the
 * open-file limit free for everything else (Node raises the soft limit to
 * the hard one at start-up) and holds at most 65,536; beyond that, files are
 * read the ordinary way.
 */
export class ProcFdCache {
  private fds = new Map<string, { fd: number; uid: number; seen: number }>();
  private tick = 0;
  readonly capacity: number;

  constructor(capacity = Math.max(0, Math.min(65536, openFileLimit() - 1024))) {
    this.capacity = capacity;
  }

  /** pread the whole file at offset 0 into the shared buffer; returns its length. */
  private pread(fd: number): number {
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const nb = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(nb, 0, 0, len);
        buf = nb;
      }
      const n = fs.readSync(fd, buf, len, buf.length - len, len);
      if (n <= 0) break;
      len += n;
    }
    return len;
  }

  /** Owner uid of the file last read by readRaw() (the task's effective uid, as `ps` shows for EUID). */
  lastUid = -1;

  /** The shared buffer holding the bytes of the last readRaw(); valid until the next read. */
  get bytes(): Buffer {
    return buf;
  }

  /**
   * Read a small /proc file into the shared buffer without allocating:
   * returns its length, or -1 when it cannot be read (task gone, no
   * permission). The owner uid is fstat'ed at open time and every 10
   * ticks after, into lastUid.
   */
  readRaw(path: string): number {
    const e = this.fds.get(path);
    if (e) {
      try {
        if (this.tick % 10 === 0) e.uid = fs.fstatSync(e.fd).uid;
        const len = this.pread(e.fd);
        e.seen = this.tick;
        if (len > 0) {
          this.lastUid = e.uid;
          return len;
        }
      } catch {
        /* task gone or PID reused: reopen below */
      }
      try { fs.closeSync(e.fd); } catch { /* ignore */ }
      this.fds.delete(path);
    }
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch {
      return -1;
    }
    let keep = false;
    try {
      const uid = fs.fstatSync(fd).uid;
      const len = this.pread(fd);
      if (len <= 0) return -1;
      if (this.fds.size < this.capacity) {
        this.fds.set(path, { fd, uid, seen: this.tick });
        keep = true;
      }
      this.lastUid = uid;
      return len;
    } catch {
      return -1;
    } finally {
      if (!keep) try { fs.closeSync(fd); } catch { /* ignore */ }
    }
  }

  /** Read a small /proc text file (kept open between ticks). */
  read(path: string): string | undefined {
    const len = this.readRaw(path);
    return len < 0 ? undefined : buf.toString('utf8', 0, len);
  }

  /** read() plus the file's owner uid. */
  readOwned(path: string): { text: string; uid: number } | undefined {
    const len = this.readRaw(path);
    return len < 0 ? undefined : { text: buf.toString('utf8', 0, len), uid: this.lastUid };
  }

  /** Close files not read since the last sweep; call once per tick. */
  sweep(): void {
    for (const [p, e] of this.fds) {
      if (e.seen !== this.tick) {
        try { fs.closeSync(e.fd); } catch { /* ignore */ }
        this.fds.delete(p);
      }
    }
    this.tick++;
  }

  get size(): number {
    return this.fds.size;
  }

  close(): void {
    for (const e of this.fds.values()) try { fs.closeSync(e.fd); } catch { /* ignore */ }
    this.fds.clear();
  }
}
