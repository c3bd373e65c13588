// /proc/PID/cmdline: NUL-separated argv (a trailing NUL is normal;
// setproctitle may use spaces instead). One parser for the drill-in's argv
// and the process table's COMMAND, which is the same argv joined by spaces.
// Strings stay raw here (sanitized where displayed).
import { splitNul } from './nul.js';

/** Split NUL-separated /proc/PID/cmdline into argv (a trailing NUL does not add an empty arg). */
export function parseCmdline(buf: Buffer): string[] {
  const parts = splitNul(buf);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * The command line as one string: argv joined by spaces, the trailing empty
 * args (NUL padding) left out; '' for none (kernel threads, zombies). The
 * same grammar as parseCmdline, without making one string per argument:
 * this runs for every process the table reads a command line of.
 */
export function commandLine(buf: Buffer): string {
  let end = buf.length;
  while (end > 0 && buf[end - 1] === 0) end--;
  return buf.toString('utf8', 0, end).replace(/\0/g, ' ');
}
