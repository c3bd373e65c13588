// Number formatting shared by screens and dump text output. Widths are
// fixed per function so table columns do not jitter between refreshes.

/** htop-style memory: KiB as a plain number below 100000, then M/G/T with one decimal when short. */
export function formatMem(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  const kib = bytes / 1024;
  if (kib < 100000) return String(Math.round(kib));
  const units = ['M', 'G', 'T', 'P'];
  let v = kib / 1024;
  for (const u of units) {
    if (v < 10) return v.toFixed(2) + u;
    if (v < 100) return v.toFixed(1) + u;
    if (v < 1024 || u === 'P') return Math.round(v) + u;
    v /= 1024;
  }
  return '-';
}

/** Human bytes with binary units: 0B, 512B, 1.5K, 20M, 3.2G. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  const neg = bytes < 0;
  let v = Math.abs(bytes);
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  const s = i === 0 ? String(Math.round(v)) : v < 10 ? v.toFixed(1) : String(Math.round(v));
  return (neg ? '-' : '') + s + units[i];
}

/** A rate in bytes/s, e.g. "1.5M/s"; '0' stays short. */
export function formatRate(bps: number | undefined): string {
  if (bps === undefined) return '-';
  if (bps < 0.5) return '0';
  return formatBytes(bps) + '/s';
}

/** TIME+ like htop: M:SS.CC below an hour, HhMM:SS below a day, then Dd+HHh. */
export function formatCpuTime(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '-';
  const cs = Math.floor(sec * 100) % 100;
  const s = Math.floor(sec);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (h === 0) return `${m}:${String(s % 60).padStart(2, '0')}.${String(cs).padStart(2, '0')}`;
  if (d === 0) return `${h}h${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return `${d}d+${String(h % 24).padStart(2, '0')}h`;
}

export function formatPercent(p: number, digits = 1): string {
  if (!Number.isFinite(p)) return '-';
  return p >= 1000 ? String(Math.round(p)) : p.toFixed(digits);
}

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
