// /dev/kmsg records: the one parser of the kernel log's record format (a
// device, not a /proc file, so it lives here beside its reader, kmsg.ts).
//
// Format (Documentation/ABI/testing/dev-kmsg): one record per read(),
//   "prio,seq,usec,flags[,key=val...];message\n"
// followed by zero or more dictionary lines " KEY=value\n". prio is
// facility<<3 | level; usec is the printk timestamp in microseconds on the
// monotonic clock; flags '-' (complete), 'c' (continuation) or '+'. Message
// and dictionary bytes that are not printable are written as \xNN (a
// backslash itself as \x5c), so a record is always one line of ASCII-safe
// text plus its dictionary.
//
// Invariants: pure (text or bytes in, record out); anything that is not a
// record gives null, never an exception. Messages keep their raw
// (unescaped) bytes decoded as UTF-8: they are untrusted (user space can
// write to /dev/kmsg too) and must go through sanitize() before reaching a
// terminal.
import { decodeBytes } from '../util/text.js';

export const KMSG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type KmsgLevelName = (typeof KMSG_LEVELS)[number];

export const KMSG_FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'res12', 'res13', 'res14', 'res15', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

export interface KmsgRecord {
  /** 0 (emerg) .. 7 (debug). */
  level: number;
  /** 0 = kern, 1 = user, ... (syslog facility number). */
  facility: number;
  seq: number;
  /** Microseconds since boot on the printk clock (CLOCK_MONOTONIC-like). */
  usec: number;
  /** '-' complete record, 'c' continuation, '+' fragment. */
  flags: string;
  /** Extra prefix fields such as caller=T123 (CONFIG_PRINTK_CALLER). */
  prefix: Record<string, string>;
  /** Unescaped message, decoded as UTF-8; untrusted (sanitize before display). */
  message: string;
  /** Dictionary (continuation) lines: SUBSYSTEM=, DEVICE=... */
  dict: Record<string, string>;
}

export function levelName(level: number): string {
  return KMSG_LEVELS[level] ?? String(level);
}

export function facilityName(fac: number): string {
  return KMSG_FACILITIES[fac] ?? String(fac);
}

/** Parse a level given as a name (err, warning, warn, error...) or a number 0-7. Returns undefined when unknown. */
export function parseLevel(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^[0-7]$/.test(t)) return Number(t);
  const alias: Record<string, string> = { error: 'err', warn: 'warning', panic: 'emerg', critical: 'crit' };
  const i = KMSG_LEVELS.indexOf((alias[t] ?? t) as KmsgLevelName);
  return i >= 0 ? i : undefined;
}

export function parseFacility(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^\d+$/.test(t) && Number(t) < KMSG_FACILITIES.length) return Number(t);
  const i = KMSG_FACILITIES.indexOf(t as (typeof KMSG_FACILITIES)[number]);
  return i >= 0 ? i : undefined;
}

const HEX = /\\x([0-9a-fA-F]{2})/g;

/** Undo /dev/kmsg's \xNN escaping and decode the bytes as UTF-8 (invalid bytes become U+FFFD). */
export function unescapeKmsg(s: string): string {
  if (!s.includes('\\x')) return s;
  const bytes: number[] = [];
  let last = 0;
  HEX.lastIndex = 0;
  for (let m = HEX.exec(s); m; m = HEX.exec(s)) {
    for (const b of Buffer.from(s.slice(last, m.index), 'latin1')) bytes.push(b);
    bytes.push(parseInt(m[1], 16));
    last = m.index + m[0].length;
  }
  for (const b of Buffer.from(s.slice(last), 'latin1')) bytes.push(b);
  return decodeBytes(Uint8Array.from(bytes));
}

/** Parse one record as returned by one read() of /dev/kmsg. Returns null for text that is not a record. */
export function parseKmsgRecord(raw: string | Uint8Array): KmsgRecord | null {
  // The record itself is ASCII (non-printables are escaped); latin1 keeps any stray byte 1:1 for unescapeKmsg.
  const text = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const semi = text.indexOf(';');
  if (semi < 0) return null;
  const head = text.slice(0, semi).split(',');
  if (head.length < 4) return null;
  const [p, s, u, flags] = head;
  if (!/^\d+$/.test(p) || !/^\d+$/.test(s) || !/^\d+$/.test(u)) return null;
  const prio = Number(p);
  const prefix: Record<string, string> = {};
  for (const kv of head.slice(4)) {
    const eq = kv.indexOf('=');
    if (eq > 0) prefix[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const body = text.slice(semi + 1);
  const lines = body.split('\n');
  const message = unescapeKmsg(lines[0]);
  const dict: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (!line.startsWith(' ')) continue;
    const eq = line.indexOf('=');
    if (eq < 2) continue;
    dict[line.slice(1, eq)] = unescapeKmsg(line.slice(eq + 1));
  }
  return { level: prio & 7, facility: prio >> 3, seq: Number(s), usec: Number(u), flags, prefix, message, dict };
}
