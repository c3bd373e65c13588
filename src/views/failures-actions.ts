// Debugger actions of the failures view: write a core of a live process
// (gcore), attach gdb to it, open a dump in gdb with its executable.
// These build argument vectors (never shell strings: paths and names are
// untrusted) and say what to do when a tool is missing.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCoreFileInfo, type CoreDumpFile, type CorePatternInfo } from '../collectors/coredump.js';

/** Find a program on PATH (no shell). */
export function which(prog: string, envPath = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  for (const dir of envPath.split(':')) {
    if (!dir) continue;
    const p = path.join(dir, prog);
    try {
      fs.accessSync(p, fs.constants.X_OK);
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

/** Directory for cores written on request: the file pattern's directory when absolute, else /var/tmp. */
export function gcoreDir(pattern: CorePatternInfo | null): string {
  if (pattern && pattern.kind === 'file' && !pattern.relative) {
    const d = path.dirname(pattern.pattern);
    if (!d.includes('%')) return d;
  }
  return '/var/tmp';
}

/** `gcore -o DIR/core.COMM PID` writes DIR/core.COMM.PID. */
export function gcoreCommand(pid: number, comm: string, dir: string): Command & { output: string } {
  const safe = comm.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 32) || 'proc';
  const prefix = path.join(dir, `core.${safe}`);
  return { cmd: 'gcore', args: ['-o', prefix, String(pid)], output: `${prefix}.${pid}` };
}

/** Run gcore without taking the terminal; calls back with the dump path or an error a person can act on. */
export function runGcore(pid: number, comm: string, dir: string, done: (err: string | null, output: string | null) => void): void {
  if (!which('gcore')) return done(`${NO_GDB}; or send SIGQUIT/SIGABRT with core dumps enabled (ulimit -c unlimited) — that ends the process`, null);
  const c = gcoreCommand(pid, comm, dir);
  execFile(c.cmd, c.args, { timeout: 120_000 }, (err, _stdout, stderr) => {
    if (err || !fs.existsSync(c.output)) {
      const why = (stderr || (err ? err.message : '')).split('\n').filter(Boolean).slice(-1)[0] ?? 'no core written';
      return done(`gcore ${pid} failed: ${why}`, null);
    }
    done(null, c.output);
  });
}

export function gdbAttachCommand(pid: number): Command | { error: string } {
  if (!which('gdb')) return { error: NO_GDB };
  return { cmd: 'gdb', args: ['-q', '-p', String(pid)] };
}

/**
 * How to open a dump in gdb: systemd-coredump's compressed store goes
 * through `coredumpctl debug PID`; a plain ELF core opens as
 * `gdb EXE CORE`, the executable read from the core's own notes (or the
 * given fallback, e.g. the cmdline captured at exit).
 */
export function gdbDumpCommand(dump: CoreDumpFile, exeFallback: string | null = null): Command | { error: string } {
  if (dump.source === 'systemd-coredump' || dump.compressed) {
    if (dump.source === 'systemd-coredump' && dump.pid !== null && which('coredumpctl')) {
      return { cmd: 'coredumpctl', args: ['debug', String(dump.pid)] };
    }
    return { error: `${dump.path} is compressed: use coredumpctl debug ${dump.pid ?? ''} (systemd) or decompress it first` };
  }
  if (!which('gdb')) return { error: NO_GDB };
  const info = readCoreFileInfo(dump.path);
  const exe = info?.exe && fs.existsSync(info.exe) ? info.exe : exeFallback && fs.existsSync(exeFallback) ? exeFallback : null;
  return { cmd: 'gdb', args: exe ? ['-q', exe, dump.path] : ['-q', '-c', dump.path] };
}
