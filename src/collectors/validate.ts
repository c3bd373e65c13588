// The command-line checks that look at the system: a PID exists in /proc
// now, a user is listed in /etc/passwd, an interface is in /sys/class/net.
// The syntax rules and the messages' form are src/util/args.ts's; these
// throw the same UsageError (exit 2). Messages quote the value as given;
// callers sanitize them before printing.
import * as fs from 'node:fs';
import { UsageError, parsePidSyntax, splitPidList } from '../util/args.js';
import { parsePasswd } from './procfs/passwd.js';

/** The largest PID value plus one (PID_MAX_LIMIT when the sysctl cannot be read). */
export function pidMax(path = '/proc/sys/kernel/pid_max'): number {
  try {
    const n = Number(fs.readFileSync(path, 'latin1').trim());
    if (Number.isSafeInteger(n) && n > 1) return n;
  } catch {
    /* not Linux /proc: use the kernel's hard limit */
  }
  return 4194304;
}

export interface PidCheck {
  /** /proc to look the PID up in (tests). */
  procRoot?: string;
  pidMax?: number;
}

/** One PID: decimal, 1..pid_max-1, and present in /proc now (one that exits later is the EXITED screen's business). */
export function parsePid(v: string | undefined, flag: string, opts: PidCheck = {}): number {
  const n = parsePidSyntax(v, flag, opts.pidMax ?? pidMax());
  if (!fs.existsSync(`${opts.procRoot ?? '/proc'}/${n}`)) throw new UsageError(`${flag}: no process with PID ${n}`);
  return n;
}

/** PID[,PID...]: each one as parsePid; no empty items; a PID given twice counts once. */
export function parsePidList(v: string | undefined, flag: string, opts: PidCheck = {}): number[] {
  const out: number[] = [];
  for (const p of splitPidList(v, flag)) {
    const n = parsePid(p, flag, opts);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** A user name or numeric uid that the passwd database knows (as the USER column reads it); returns its uid. */
export function parseUser(v: string | undefined, flag: string, passwdPath = '/etc/passwd'): number {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs a user name or uid`);
  let users: Map<number, string>;
  try {
    users = parsePasswd(fs.readFileSync(passwdPath, 'utf8'));
  } catch (e) {
    throw new UsageError(`${flag}: cannot check user '${v}': ${passwdPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const [uid, name] of users) if (name === v) return uid;
  if (/^\d+$/.test(v) && users.has(Number(v))) return Number(v);
  throw new UsageError(`${flag}: no user '${v}' in ${passwdPath} (give a user name or a numeric uid that exists)`);
}

/** A network interface that exists now (/sys/class/net/NAME). */
export function parseIface(v: string | undefined, flag: string, netRoot = '/sys/class/net'): string {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs an interface name`);
  let names: string[] = [];
  try {
    names = fs.readdirSync(netRoot).sort();
  } catch {
    /* no sysfs: every name is unknown */
  }
  if (!names.includes(v)) throw new UsageError(`${flag}: no network interface '${v}' (interfaces: ${names.join(', ') || 'none found in ' + netRoot})`);
  return v;
}
