// What a root ostop may take from its environment. Variables such as
// OSTOP_NATIVE_PATH (code loaded into the process) or OSTOP_TICK_STATS (a
// file written) survive `sudo -E` and come from whoever set them: as root,
// a path from the environment is used only when the file (and the
// directory that holds it) belongs to root and nobody else can write to it.
// Without root the process can do nothing its user could not, so any path
// is taken as given.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/** Why `st` is not safe for root to trust, or null. */
function unsafeOwner(st: fs.Stats, what: string): string | null {
  if (st.uid !== 0) return `${what} is owned by uid ${st.uid}, not root`;
  // A sticky directory (/tmp) still lets others plant names in it.
  if ((st.mode & 0o022) !== 0) return `${what} is writable by group or others`;
  return null;
}

/**
 * Why root must not use the existing file at `p`, or null when it may:
 * the resolved file and its directory are root's and not writable by
 * group or others.
 */
export function untrustedFileReason(p: string): string | null {
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch (e) {
    return `${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  const st = fs.statSync(real);
  if (!st.isFile()) return `${real} is not a regular file`;
  return unsafeOwner(st, real) ?? unsafeOwner(fs.statSync(path.dirname(real)), path.dirname(real));
}

/**
 * A path named by environment variable `name`, or undefined when unset or,
 * as root, not trustworthy (the reason goes to `warn`). `forWrite`: the file
 * may not exist yet; then its directory must be root's and closed to others.
 */
export function envPath(name: string, opts: { forWrite?: boolean; warn?: (msg: string) => void; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  const p = (opts.env ?? process.env)[name];
  if (!p) return undefined;
  if (!isRoot()) return p;
  let why: string | null;
  if (opts.forWrite && !fs.existsSync(p)) {
    const dir = path.dirname(path.resolve(p));
    try {
      why = unsafeOwner(fs.statSync(dir), dir);
    } catch (e) {
      why = `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  } else {
    why = untrustedFileReason(p);
  }
  if (why === null) return p;
  opts.warn?.(`ignoring ${name} as root: ${why}`);
  return undefined;
}

/**
 * Write `data` to `file` without following a link planted at its name: a new
 * file is created exclusively (0600); an existing one is opened with
 * O_NOFOLLOW and truncated.
 */
export function writeFileNoFollow(file: string, data: string | Buffer): void {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_TRUNC, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // O_NONBLOCK: a FIFO planted at the name fails (ENXIO) instead of blocking.
    fd = fs.openSync(file, O_WRONLY | O_NOFOLLOW | O_NONBLOCK);
    if (!fs.fstatSync(fd).isFile()) {
      fs.closeSync(fd);
      throw new Error(`${file} is not a regular file`);
    }
    fs.ftruncateSync(fd, 0);
  }
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
  } finally {
    fs.closeSync(fd);
  }
}
