// Times, durations and sizes on the command line of `ostop record`,
// `ostop dump --from`, `ostop snapshot` and `ostop replay` (one parser for
// all of them). Pure: `now` is passed in.
//
// A time is
//  - relative to now: `-2h`, `-90s`, `-1h30m`, `-1d`, or `now`;
//  - a clock time today, local: `HH:MM` or `HH:MM:SS` (yesterday's when
//    today's is still to come: "what happened at 03:12" asked at 01:00);
//  - a local date and time: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`,
//    `YYYY-MM-DDTHH:MM[:SS]`;
//  - ISO 8601 with a zone: `2024-05-01T03:12:00Z`, `...+02:00`;
//  - epoch seconds with an `@`: `@1714533120`.
// A duration is a number and a unit (ms, s, m, h, d, w; several summed:
// `1h30m`); a size is bytes or a number with K, M, G, T (powers of 1024).
import { UsageError } from './args.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a duration like `90s`, `10m`, `1h30m`, `7d`; undefined when it is not one. */
export function parseDurationMs(s: string): number | undefined {
  const t = s.trim();
  if (!t) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let at = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = re.lastIndex;
  }
  if (at !== t.length || at === 0) return undefined;
  return total;
}

/** A duration flag's value in ms (throws UsageError with the flag's name). */
export function parseDurationArg(v: string | undefined, flag: string): number {
  const ms = v === undefined ? undefined : parseDurationMs(v);
  if (ms === undefined || !(ms > 0)) throw new UsageError(`${flag}: '${v ?? ''}' is not a duration (like 90s, 10m, 2h, 7d, 1h30m)`);
  return ms;
}

/** Bytes of a size like `2G`, `500M`, `1048576` (K, M, G, T are powers of 1024; a trailing B or iB is allowed). */
export function parseSizeArg(v: string | undefined, flag: string): number {
  const m = v === undefined ? null : /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(v.trim());
  const n = m ? Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase()) : NaN;
  if (!m || !(n >= 1)) throw new UsageError(`${flag}: '${v ?? ''}' is not a size (like 2G, 500M, 1048576)`);
  return Math.floor(n);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Epoch ms of a time argument (see the file header). Throws UsageError
 * naming `flag` and the accepted forms.
 */
export function parseTimeArg(v: string | undefined, flag: string, now: number): number {
  const bad = () => new UsageError(`${flag}: '${v ?? ''}' is not a time (absolute: HH:MM, 'YYYY-MM-DD HH:MM', ISO 8601; relative: -2h, -30m; or now)`);
  if (v === undefined) throw bad();
  const s = v.trim();
  if (s === 'now') return now;
  if (s.startsWith('-')) {
    const d = parseDurationMs(s.slice(1));
    if (d === undefined) throw bad();
    return now - d;
  }
  if (/^@\d+(\.\d+)?$/.test(s)) return Number(s.slice(1)) * 1000;
  let m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (m) {
    const [h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    if (h > 23 || mi > 59 || se > 59) throw bad();
    const d = new Date(now);
    d.setHours(h, mi, se, 0);
    if (d.getTime() > now) d.setDate(d.getDate() - 1);
    return d.getTime();
  }
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(s);
  if (m) {
    const [y, mo, da, h, mi, se, ms] = [m[1], m[2], m[3], m[4] ?? 0, m[5] ?? 0, m[6] ?? 0, (m[7] ?? '0').padEnd(3, '0')].map(Number);
    const d = new Date(y, mo - 1, da, h, mi, se, ms);
    // Reject what Date would roll over (2024-02-31, 25:00).
    if (d.getFullYear() !== y || d.getMonth() !== mo - 1 || d.getDate() !== da || d.getHours() !== h || d.getMinutes() !== mi) throw bad();
    return d.getTime();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const t = Date.parse(s);
    if (Number.isFinite(t)) return t;
  }
  throw bad();
}

/** Local `YYYY-MM-DD HH:MM:SS` of an epoch ms (how recorded times are shown). */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
