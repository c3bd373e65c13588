// Text shared by the process screen and the text dump besides numbers
// (sparklines, limits, errno words), so both print the same thing. Numbers,
// sizes, rates, percents and times come from src/util/format.ts, the one
// formatter. Pure functions; no untrusted text passes through here (callers
// sanitize strings themselves).

const SPARK = '▁▂▃▄▅▆▇█';

/**
 * Text sparkline of the last `width` values, scaled to `max` (default: the
 * largest value shown, or 1). Zero is the lowest bar; missing columns on the
 * left are spaces so the newest value is always at the right edge.
 */
export function sparkline(values: readonly number[], width: number, max?: number): string {
  if (width <= 0) return '';
  const v = values.slice(-width);
  const top = max ?? Math.max(1e-9, ...v);
  let out = ' '.repeat(width - v.length);
  for (const x of v) {
    const f = top > 0 && Number.isFinite(x) ? Math.max(0, Math.min(1, x / top)) : 0;
    out += SPARK[Math.min(SPARK.length - 1, Math.round(f * (SPARK.length - 1)))];
  }
  return out;
}

export function formatLimit(v: number | 'unlimited' | null): string {
  return v === null ? '-' : String(v);
}

/** Human text for an errno code from a /proc read. */
export function describeErrno(code: string): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
    case 'ESRCH':
      return 'process gone';
    case 'EINVAL':
      return 'unreadable';
    default:
      return code;
  }
}
