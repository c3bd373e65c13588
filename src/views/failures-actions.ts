// Debugger actions of the failures view: write a core of a live process
// (gcore), attach gdb to it, open a dump in gdb with its executable.
// These build argument vectors (never shell strings: paths and names are
// untrusted) and say what to do when a tool is missing.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCoreFileInfo, type CoreDumpFile } from '../collectors/coredump.js';
import { untrustedFileReason } from '../util/trust.js';
import { createPrivateFile, ensurePrivateDir, ostopCoreName, type PrivateFile } from '../util/private-dir.js';

export { ostopCoreDir } from '../util/private-dir.js';

/** Where root looks for programs, whatever PATH says (sudo's secure_path). */
export const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Find a program (no shell) and return its absolute path. Relative PATH
 * entries are skipped. As root, PATH is not used at all (under `sudo -E`
 * it is another user's, and a `gdb` of theirs would run as root): only
 * ROOT_PATH, and only a file root owns that nobody else can write.
 */
export function which(prog: string, envPath = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  const root = process.geteuid?.() === 0;
  for (const dir of (root ? ROOT_PATH : envPath).split(':')) {
    if (!path.isAbsolute(dir)) continue;
    const p = path.join(dir, prog);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (root && untrustedFileReason(p) !== null) continue;
      return p;
    } catch { /* next */ }
  }
  return null;
}

export const NO_GDB = 'gdb is not installed: apt-get install gdb (gcore comes with it)';

export interface Command {
  cmd: string;
  args: string[];
}

/**
 * The gdb command that writes a core of `pid` into the file open as
 * `fdInChild` in gdb: `generate-core-file /proc/self/fd/N` writes into
 * exactly the inode ostop created (O_EXCL, 0600), whatever happens to names
 * in the directory meanwhile. Options as the gcore script passes them; the
 * pid is a positive integer, checked.
 */
export function gcoreCommand(pid: number, fdInChild = 3): Command {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`not a PID: ${pid}`);
  return {
    cmd: which('gdb') ?? 'gdb',
    args: ['--nx', '--batch', '--readnever', '-iex', 'set debuginfod enabled off',
      '-ex', 'set pagination off', '-ex', 'set height 0', '-ex', 'set width 0',
      '-p', String(pid), '-ex', `generate-core-file /proc/self/fd/${fdInChild}`, '-ex', 'detach'],
  };
}

function isElfCore(fd: number): boolean {
  const h = Buffer.alloc(18);
  if (fs.readSync(fd, h, 0, 18, 0) < 18) return false;
  return h.readUInt32BE(0) === 0x7f454c46 && (h[5] === 1 ? h.readUInt16LE(16) : h.readUInt16BE(16)) === 4;
}

export interface GcoreOptions {
  /** Time in the file name (tests). */
  nowMs?: number;
  timeoutMs?: number;
}

/**
 * Write a core of `pid` into the private directory `dir` (default
 * ostopCoreDir(); checked and created by ensurePrivateDir) without taking
 * the terminal. The file is created by ostop first (O_EXCL|O_NOFOLLOW,
 * 0600) and gdb writes into that open file. Calls back with the core's path
 * or an error a person can act on; on any failure no core file is left.
 */
export function runGcore(pid: number, comm: string, dir: string, done: (err: string | null, output: string | null) => void, opts: GcoreOptions = {}): void {
  if (!which('gdb')) return done(`${NO_GDB}; or send SIGQUIT/SIGABRT with core dumps enabled (ulimit -c unlimited) — that ends the process`, null);
  if (!Number.isSafeInteger(pid) || pid <= 0) return done(`not a PID: ${pid}`, null);
  const ok = ensurePrivateDir(dir);
  if (!ok.ok) return done(`${ok.error}; no core written`, null);
  let file: PrivateFile;
  try {
    file = createPrivateFile(ok.dir, ostopCoreName(pid, comm, opts.nowMs));
  } catch (e) {
    return done(`gcore ${pid}: ${(e as Error).message}; no core written`, null);
  }
  const c = gcoreCommand(pid, 3);
  let child;
  const finish = (why: string | null): void => {
    let err = why;
    if (!err) {
      try {
        if (!isElfCore(file.fd)) err = 'no core written';
      } catch (e) {
        err = (e as Error).message;
      }
    }
    fs.closeSync(file.fd);
    if (err) {
      try { fs.unlinkSync(file.path); } catch { /* already gone */ }
      return done(`gcore ${pid} failed: ${err}`, null);
    }
    done(null, file.path);
  };
  try {
    child = spawn(c.cmd, c.args, { stdio: ['ignore', 'ignore', 'pipe', file.fd], timeout: opts.timeoutMs ?? 120_000 });
  } catch (e) {
    return finish((e as Error).message);
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { if (stderr.length < 65536) stderr += d; });
  let ended = false;
  child.on('error', (e) => { if (!ended) { ended = true; finish(e.message); } });
  child.on('close', (code, signal) => {
    if (ended) return;
    ended = true;
    // The first error says why (e.g. "ptrace: Operation not permitted."); later ones follow from it.
    const first = stderr.split('\n').map((l) => l.trim()).find((l) => l && !/^warning:/.test(l));
    finish(code === 0 ? null : first ?? `gdb exited ${signal ?? code}`);
  });
}

export function gdbAttachCommand(pid: number): Command | { error: string } {
  const gdb = which('gdb');
  if (!gdb) return { error: NO_GDB };
  if (!Number.isSafeInteger(pid) || pid <= 0) return { error: `not a PID: ${pid}` };
  return { cmd: gdb, args: ['-q', '-p', String(pid)] };
}

/** Why `p` cannot be handed to gdb as the executable, or null when it is an absolute path to an existing regular file. */
export function exeProblem(p: string): string | null {
  if (!path.isAbsolute(p)) return 'not an absolute path';
  try {
    if (!fs.statSync(p).isFile()) return 'not a regular file';
  } catch {
    return 'does not exist';
  }
  return null;
}

const shown = (s: string): string => JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s).slice(1, -1);

/**
 * How to open a dump in gdb: systemd-coredump's compressed store goes
 * through `coredumpctl debug PID`; a plain ELF core opens as
 * `gdb -q --se=EXE --core=CORE`, the executable read from the core's own
 * notes (or the given fallback, e.g. argv[0] of the cmdline captured at
 * exit). Every path is absolute and glued to its flag, so no name (a
 * dead process's argv[0] like `-x=evil.gdb`, a file name in a core's
 * notes) can become a gdb option; an executable that is not an absolute
 * path to an existing regular file is left out, and `note` says so.
 */
export function gdbDumpCommand(dump: CoreDumpFile, exeFallback: string | null = null): (Command & { note?: string }) | { error: string } {
  if (dump.source === 'systemd-coredump' || dump.compressed) {
    const coredumpctl = which('coredumpctl');
    if (dump.source === 'systemd-coredump' && dump.pid !== null && Number.isSafeInteger(dump.pid) && dump.pid > 0 && coredumpctl) {
      return { cmd: coredumpctl, args: ['debug', String(dump.pid)] };
    }
    return { error: `${dump.path} is compressed: use coredumpctl debug ${dump.pid ?? ''} (systemd) or decompress it first` };
  }
  if (!path.isAbsolute(dump.path)) return { error: `core '${shown(dump.path)}' is not an absolute path: not opening it` };
  const gdb = which('gdb');
  if (!gdb) return { error: NO_GDB };
  const info = readCoreFileInfo(dump.path);
  let exe: string | null = null;
  let note: string | undefined;
  for (const cand of [info?.exe ?? null, exeFallback]) {
    if (!cand) continue;
    const why = exeProblem(cand);
    if (!why) { exe = cand; break; }
    note ??= `executable '${shown(cand)}' ${why}: opening the core without it`;
  }
  const args = ['-q', ...(exe ? [`--se=${exe}`] : []), `--core=${dump.path}`];
  return exe || !note ? { cmd: gdb, args } : { cmd: gdb, args, note };
}
