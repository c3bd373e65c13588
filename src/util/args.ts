// Validation of command-line values, shared by the UI flags, `ostop dump`
// and `ostop trace`, so a bad value gets the same message (and exit 2)
// wherever it is given. Pure parsing only: the checks that look at the
// system (the PID exists, the user exists, the interface exists) are in
// src/collectors/validate.ts and use the syntax checks below. Rules:
//  - numbers are plain decimal: digits, optionally one '.' (no sign, hex,
//    exponent, spaces or empty string, all of which Number() would take);
//  - a PID is an integer from 1 to pid_max - 1 (/proc/sys/kernel/pid_max)
//    whose /proc/PID exists when the flag is read (one that exits later is
//    the EXITED screen's business, not a usage error);
//  - a user is a name or a numeric uid found in the passwd database
//    (/etc/passwd, as the user column reads it);
//  - an interface is one listed in /sys/class/net.
// Messages quote the value as given; callers sanitize them before printing.
/** A bad command-line value or usage: printed with the program's usage hint, exit code 2. */
export class UsageError extends Error {}

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

/** The syntax of one PID: decimal, 1..pidMax-1 (whether it exists is src/collectors/validate.ts's parsePid). */
export function parsePidSyntax(v: string | undefined, flag: string, pidMax: number): number {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs a PID`);
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n >= pidMax) throw new UsageError(`${flag}: '${v}' is not a PID (a whole number from 1 to ${pidMax - 1}, the kernel's pid_max)`);
  return n;
}

/** PID[,PID...] split into items, an empty item refused (each item then goes to parsePid). */
export function splitPidList(v: string | undefined, flag: string): string[] {
  if (v === undefined || v === '') throw new UsageError(`${flag} needs a PID or a comma-separated list of PIDs`);
  const items = v.split(',');
  if (items.includes('')) throw new UsageError(`${flag}: '${v}' has an empty item (expected PID[,PID...])`);
  return items;
}

/** Split "--x=v" and "-dV" forms (the short flags in `shortWithValue` take a glued value); returns [flag, inlineValue]. */
export function splitFlag(a: string, shortWithValue: string): [string, string | undefined] {
  if (a.startsWith('--')) {
    const i = a.indexOf('=');
    return i > 0 ? [a.slice(0, i), a.slice(i + 1)] : [a, undefined];
  }
  if (a.length > 2 && a[0] === '-' && shortWithValue.includes(a[1])) return [a.slice(0, 2), a.slice(2)];
  return [a, undefined];
}
