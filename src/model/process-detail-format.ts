// Number and time formatting shared by the process screen and the text
// dump, so both print the same thing. Pure functions; no untrusted text
// passes through here (callers sanitize strings themselves).

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

/** kB -> "512K", "12.3M", "1.50G". */
export function formatKb(kb: number | null | undefined): string {
  if (kb === null || kb === undefined) return '-';
  return formatBytes(kb * 1024);
}

export function formatBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '-';
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  let x = b;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  if (i === 0) return `${Math.round(x)}B`;
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}${units[i]}`;
}

export function formatRate(bps: number | null | undefined): string {
  return bps === null || bps === undefined ? '-' : `${formatBytes(bps)}/s`;
}

export function formatPercent(p: number | null | undefined, digits = 1): string {
  return p === null || p === undefined ? '-' : `${p.toFixed(digits)}%`;
}

/** Seconds -> "45s", "12m03s", "3h07m", "5d02h". */
export function formatDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return '-';
  const s = Math.floor(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** CPU time like ps TIME+: "1:02.35" (minutes:seconds.hundredths), hours when long. */
export function formatCpuTime(sec: number | null | undefined): string {
  if (sec === null || sec === undefined) return '-';
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const ss = s.toFixed(2).padStart(5, '0');
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Local "YYYY-MM-DD HH:MM:SS". */
export function formatTimestamp(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
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
