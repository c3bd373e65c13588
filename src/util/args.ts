// Validation of command-line values, shared by the UI flags, `ostop dump`
// and `ostop trace`, so a bad value gets the same message (and exit 2)
// wherever it is given. Rules:
//  - numbers are plain decimal: digits, optionally one '.' (no sign, hex,
//    exponent, spaces or empty string, all of which Number() would take);
//  - a PID is an integer from 1 to pid_max - 1 (/proc/sys/kernel/pid_max)
//    whose /proc/PID exists when the flag is read (one that exits later is
//    the EXITED screen's business, not a usage error);
//  - a user is a name or a numeric uid found in the passwd database
//    (/etc/passwd, as the user column reads it);
//  - an interface is one listed in /sys/class/net.
// Messages quote the value as given; callers sanitize them before printing.
import * as fs from 'node:fs';
import { parsePasswd } from '../collectors/users.js';

/** A bad command-line value or usage: printed with the program's usage hint, exit code 2. */
export class UsageError extends Error {}

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

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

/** A plain decimal number (no sign, hex, exponent, spaces); `what` names it in the message. */
export function parseDecimal(v: string | undefined, flag: string, what: string): number {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs a value (${what})`);
  if (!DECIMAL.test(v)) throw new UsageError(`${flag}: '${v}' is not ${what} (plain decimal digits, like 2 or 0.5)`);
  return Number(v);
}

/** A positive integer count in plain decimal. */
export function parseCount(v: string | undefined, flag: string): number {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs a value (a positive count)`);
  if (!/^\d+$/.test(v) || !(Number(v) >= 1) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag}: '${v}' is not a positive count (plain decimal digits)`);
  return Number(v);
}

export interface PidCheck {
  /** /proc to look the PID up in (tests). */
  procRoot?: string;
  pidMax?: number;
}

/** One PID: decimal, 1..pid_max-1, and present in /proc now. */
export function parsePid(v: string | undefined, flag: string, opts: PidCheck = {}): number {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs a PID`);
  const max = opts.pidMax ?? pidMax();
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n >= max) throw new UsageError(`${flag}: '${v}' is not a PID (a whole number from 1 to ${max - 1}, the kernel's pid_max)`);
  if (!fs.existsSync(`${opts.procRoot ?? '/proc'}/${n}`)) throw new UsageError(`${flag}: no process with PID ${n}`);
  return n;
}

/** PID[,PID...]: each one as parsePid; no empty items; a PID given twice counts once. */
export function parsePidList(v: string | undefined, flag: string, opts: PidCheck = {}): number[] {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs a PID or a comma-separated list of PIDs`);
  const out: number[] = [];
  for (const p of v.split(',')) {
    if (p === '') throw new UsageError(`${flag}: '${v}' has an empty item (expected PID[,PID...])`);
    const n = parsePid(p, flag, opts);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** A user name or numeric uid that the passwd database knows; returns its uid. */
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
