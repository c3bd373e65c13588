// /proc/PID/environ: NUL-separated NAME=value entries (often secrets: shown only on request).
import { splitNul } from './nul.js';

export interface EnvVar {
  name: string;
  value: string;
}

/** Split NUL-separated /proc/PID/environ. Entries without '=' keep their text as the name. */
export function parseEnviron(buf: Buffer): EnvVar[] {
  const out: EnvVar[] = [];
  for (const raw of splitNul(buf)) {
    if (raw === '') continue;
    const i = raw.indexOf('=');
    // A leading '=' (as in cmd.exe-style "=C:=...") is part of the name.
    if (i <= 0) out.push({ name: raw, value: '' });
    else out.push({ name: raw.slice(0, i), value: raw.slice(i + 1) });
  }
  return out;
}
