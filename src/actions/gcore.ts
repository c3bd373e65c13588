// Writing a core of a live process without taking the terminal (the
// failures view's g): the file is created by ostop first (O_EXCL|O_NOFOLLOW,
// 0600) in a private directory, and gdb writes into that open file
// (docs/security.md 4). Argument vectors only, never shell strings.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createPrivateFile, ensurePrivateDir, ostopCoreName, type PrivateFile } from '../util/private-dir.js';
import { which } from './programs.js';

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
