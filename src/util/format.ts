// Number formatting shared by screens and dump text output. Widths are
// fixed per function so table columns do not jitter between refreshes.
//
// Units, one convention everywhere (htop's):
//  - sizes are binary: 1K = 1024 bytes; suffixes B K M G T P, three
//    significant digits: 512B 1.50K 33.0M 300M 1.20G (formatBytes, formatKib);
//  - a rate of bytes is a size per second: 33.0M/s, 0B/s (formatRate);
//  - counts and count rates (packets, faults, interrupts, requests) are
//    decimal: 950, 3.4k, 12k, 1.2M (formatCount), never a size suffix;
//  - the process table's memory columns (VIRT RES SHR SWAP) follow htop:
//    KiB as a plain number below 100000, then the size form (formatMem).
// A value given in KiB (/proc's "kB") is a size: formatKib, never "kB".

const SIZE_UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

/** Three significant digits: 1.50, 33.0, 300 (v >= 0, below 1024 after rounding). */
function sig3(v: number): string {
  if (v < 9.995) return v.toFixed(2);
  if (v < 99.95) return v.toFixed(1);
  return String(Math.round(v));
}

/** A size in bytes with binary units: 0B, 512B, 1.50K, 33.0M, 300M, 1.20G. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  const neg = bytes < 0;
  let v = Math.abs(bytes);
  let i = 0;
  if (Math.round(v) < 1024) return (neg ? '-' : '') + Math.round(v) + 'B';
  // Promote when rounding would print 1024 of a unit.
  while (i < SIZE_UNITS.length - 1 && (i === 0 || Math.round(v) >= 1024)) { v /= 1024; i++; }
  return (neg ? '-' : '') + sig3(v) + SIZE_UNITS[i];
}

/** A size given in KiB (/proc's "kB"): formatBytes(kib * 1024). */
export function formatKib(kib: number | null | undefined): string {
  return kib === null || kib === undefined ? '-' : formatBytes(kib * 1024);
}

/** A rate in bytes per second: "1.50K/s", "33.0M/s", "0B/s". */
export function formatRate(bps: number | null | undefined): string {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return '-';
  return formatBytes(bps) + '/s';
}

/** A count or a count per second, decimal and short: 0, 2.5, 950, 3.4k, 12k, 1.2M, 3.0G. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a < 0.005) return '0';
  if (a < 10) return n.toFixed(2).replace(/\.?0+$/, '');
  if (a < 1000) return String(Math.round(n));
  if (a < 1e6) return (n / 1e3).toFixed(a < 1e4 ? 1 : 0) + 'k';
  if (a < 1e9) return (n / 1e6).toFixed(a < 1e7 ? 1 : 0) + 'M';
  return (n / 1e9).toFixed(1) + 'G';
}

/** The process table's memory columns, as htop: KiB as a plain number below 100000, then M/G/T (formatBytes). */
export function formatMem(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  const kib = bytes / 1024;
  if (kib < 100000) return String(Math.round(kib));
  return formatBytes(bytes);
}

/**
 * TIME+ as htop prints it, everywhere (table, drill-in, dump, panes):
 * M:SS.CC below an hour (1:02.35), HhMM:SS below a day (26 hours is a day:
 * 3h07:09), then Dd+HHh (1d+02h). Hundredths are cut, not rounded, as
 * htop cuts clock ticks (59.999 s is 0:59.99).
 */
export function formatCpuTime(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return '-';
  // Whole hundredths; the epsilon undoes binary fractions (62.35 * 100 = 6234.9999...).
  const hs = Math.floor(sec * 100 + 1e-6);
  const cs = hs % 100;
  const s = Math.floor(hs / 100);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (h === 0) return `${m}:${String(s % 60).padStart(2, '0')}.${String(cs).padStart(2, '0')}`;
  if (d === 0) return `${h}h${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return `${d}d+${String(h % 24).padStart(2, '0')}h`;
}

/** A percent without its sign (table columns): 12.3, 1234 (no decimals from 1000 up); '-' when unknown. */
export function formatPercent(p: number | null | undefined, digits = 1): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '-';
  return p >= 1000 ? String(Math.round(p)) : p.toFixed(digits);
}

/** A percent with its sign (prose: the drill-in, dump text): 12.3%; '-' when unknown. */
export function formatPercentSign(p: number | null | undefined, digits = 1): string {
  const t = formatPercent(p, digits);
  return t === '-' ? t : t + '%';
}

/** A time span, short: 45s, 12m03s, 3h07m, 5d02h ('-' when unknown). */
export function formatElapsed(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return '-';
  const s = Math.floor(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** An age or a lifetime in ms, short: 0.5ms, 12ms, 1.5s, then as formatElapsed (12m03s, 3h07m, 5d02h); '-' when unknown. */
export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatElapsed(ms / 1000);
}

/** Local time "YYYY-MM-DD HH:MM:SS" of an epoch-ms instant ('-' when unknown). */
export function formatTimestamp(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Uptime as top prints it: "HH:MM:SS", with "N day(s), " in front from one day. */
export function formatDuration(sec: number): string {
  const s = Math.floor(sec);
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return (d > 0 ? `${d} day${d > 1 ? 's' : ''}, ` : '') + `${hh}:${mm}:${ss}`;
}

/** Start time: HH:MM today, "Mon DD" this year, else the year. */
export function formatStart(epochSec: number, now = Date.now() / 1000): string {
  const d = new Date(epochSec * 1000);
  const n = new Date(now * 1000);
  if (now - epochSec < 86400 && d.getDate() === n.getDate()) return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  const mon = d.toLocaleString('en', { month: 'short' });
  if (d.getFullYear() === n.getFullYear()) return `${mon}${String(d.getDate()).padStart(2, '0')}`;
  return String(d.getFullYear());
}
