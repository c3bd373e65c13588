// A directory only the invoking user can read, and files created in it that
// nobody else can have planted: where ostop writes process cores (and
// anything else that may hold another process's memory or secrets).
//
// Layout: as root /var/lib/ostop/cores; otherwise
// $XDG_STATE_HOME/ostop/cores (an absolute XDG_STATE_HOME only, as the XDG
// spec says), default ~/.local/state/ostop/cores.
//
// Invariants: the directory and its parent (the "ostop dir") are refused
// when they are symlinks, not directories, owned by another uid, or
// writable by group or others; the directory is created 0700 (umask
// irrelevant: chmod after mkdir) and tightened to 0700 when it is ours but
// readable by others. Files are created O_CREAT|O_EXCL|O_NOFOLLOW relative
// to an open descriptor of the checked directory (through
// /proc/self/fd/N), so neither a planted file or symlink at the name nor a
// directory swapped after the check is ever written to; mode 0600 by fchmod.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface CoreDirOptions {
  uid?: number;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

function euid(): number {
  return process.geteuid?.() ?? process.getuid?.() ?? 0;
}

/** Where ostop writes cores for the invoking user (not created here: see ensurePrivateDir). */
export function ostopCoreDir(opts: CoreDirOptions = {}): string {
  const uid = opts.uid ?? euid();
  if (uid === 0) return '/var/lib/ostop/cores';
  const env = opts.env ?? process.env;
  const xdg = env.XDG_STATE_HOME;
  const state = xdg && path.isAbsolute(xdg) ? xdg : path.join(opts.home ?? os.homedir(), '.local', 'state');
  return path.join(state, 'ostop', 'cores');
}

/** ostop's state directory: the recorder's store (/var/lib/ostop as root, else $XDG_STATE_HOME/ostop); the cores go in its cores/. */
export function ostopStateDir(opts: CoreDirOptions = {}): string {
  return path.dirname(ostopCoreDir(opts));
}

export type PrivateDirResult = { ok: true; dir: string } | { ok: false; error: string };

function octal(mode: number): string {
  return '0' + (mode & 0o7777).toString(8);
}

/** Why a directory's lstat/fstat makes it unfit to hold private files, or null. */
export function privateDirProblem(st: fs.Stats, uid: number): string | null {
  if (st.isSymbolicLink()) return 'it is a symlink';
  if (!st.isDirectory()) return 'it is not a directory';
  if (st.uid !== uid) return `it is owned by uid ${st.uid}, not ${uid}`;
  if (st.mode & 0o022) return `it is writable by group or others (mode ${octal(st.mode)})`;
  return null;
}

function refuseFor(dir: string, problem: string, what = 'cores'): PrivateDirResult {
  return { ok: false, error: `refusing to use ${dir} for ${what}: ${problem}` };
}

/**
 * Make sure `dir` exists and is private to `uid`: parents created as
 * needed (0700), `dir` created 0700 if missing; `dir` and its parent are
 * checked (symlink, owner, group/other write). Nothing is written on refusal.
 */
export function ensurePrivateDir(dir: string, uid = euid(), what = 'cores'): PrivateDirResult {
  const refuse = (d: string, problem: string) => refuseFor(d, problem, what);
  if (!path.isAbsolute(dir)) return refuse(dir, 'not an absolute path');
  dir = path.normalize(dir);
  const parent = path.dirname(dir);
  try {
    fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
  } catch (e) {
    return refuse(dir, `cannot create ${parent}: ${(e as Error).message}`);
  }
  let pst: fs.Stats;
  try { pst = fs.lstatSync(parent); } catch (e) { return refuse(dir, `cannot stat ${parent}: ${(e as Error).message}`); }
  const pp = privateDirProblem(pst, uid);
  if (pp) return refuse(dir, `its parent ${parent}: ${pp.replace(/^it is /, 'is ')}`);
  let created = false;
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
    created = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return refuse(dir, `cannot create it: ${(e as Error).message}`);
  }
  let st: fs.Stats;
  try { st = fs.lstatSync(dir); } catch (e) { return refuse(dir, `cannot stat it: ${(e as Error).message}`); }
  const p = privateDirProblem(st, uid);
  if (p) return refuse(dir, p);
  if (created || (st.mode & 0o077)) {
    // Ours, not writable by others: make it unreadable by them too, whatever the umask was.
    try { fs.chmodSync(dir, 0o700); } catch (e) { return refuse(dir, `cannot chmod 0700: ${(e as Error).message}`); }
  }
  return { ok: true, dir };
}

export interface PrivateFile {
  /** Open read-write; the caller closes it. */
  fd: number;
  path: string;
}

/**
 * Create a new empty file in a private directory, exclusively, mode 0600.
 * `base` is tried first, then base.1, base.2, ...; a name that exists (file,
 * symlink, anything) is never opened. Throws with a message a person can act on.
 */
export function createPrivateFile(dir: string, base: string, uid = euid(), what = 'cores'): PrivateFile {
  if (!path.isAbsolute(dir)) throw new Error(`${dir}: not an absolute path`);
  if (!base || base.includes('/') || base === '.' || base === '..') throw new Error(`bad file name ${JSON.stringify(base)}`);
  const C = fs.constants;
  const dfd = fs.openSync(dir, C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
  try {
    // The directory actually opened, not the one checked a moment ago.
    const p = privateDirProblem(fs.fstatSync(dfd), uid);
    if (p) throw new Error(`refusing to use ${dir} for ${what}: ${p}`);
    for (let i = 0; i < 100; i++) {
      const name = i === 0 ? base : `${base}.${i}`;
      let fd: number;
      try {
        fd = fs.openSync(`/proc/self/fd/${dfd}/${name}`, C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      try {
        fs.fchmodSync(fd, 0o600);
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
      return { fd, path: path.join(dir, name) };
    }
    throw new Error(`${path.join(dir, base)}: 100 names taken`);
  } finally {
    fs.closeSync(dfd);
  }
}

/** Names of the cores ostop writes: core.COMM.PID.MS[.N]. */
export const OSTOP_CORE_NAME = /^core\.(?<comm>.*)\.(?<pid>\d+)\.(?<ms>\d{10,})(?:\.\d+)?$/;

export function ostopCoreName(pid: number, comm: string, nowMs = Date.now()): string {
  const safe = comm.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32) || 'proc';
  return `core.${safe}.${pid}.${nowMs}`;
}
