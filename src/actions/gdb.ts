// gdb argument vectors of the failures view: attach to a live process (G),
// open a core with its executable (o). Paths and names are untrusted: every
// path is absolute and glued to its flag, so none can become a gdb option
// (docs/security.md 5). Argument vectors only, never shell strings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCoreFileInfo, type CoreDumpFile } from '../collectors/coredump.js';
import { which } from './programs.js';
import { NO_GDB, type Command } from './gcore.js';

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
