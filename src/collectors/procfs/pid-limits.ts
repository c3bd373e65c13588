// /proc/PID/limits: the resource limits table of the drill-in.

export type LimitValue = number | 'unlimited';

export interface LimitRow {
  name: string;
  soft: LimitValue | null;
  hard: LimitValue | null;
  units: string;
}

function limitValue(s: string | undefined): LimitValue | null {
  if (s === undefined || s === '') return null;
  if (s === 'unlimited') return 'unlimited';
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * Parse /proc/PID/limits. Columns are fixed-width and names contain spaces
 * ("Max open files"), so the header's column starts are used when present;
 * otherwise the row is split on runs of 2+ spaces.
 */
export function parseLimits(text: string): LimitRow[] {
  const lines = text.split('\n');
  const rows: LimitRow[] = [];
  let soft = -1, hard = -1, units = -1;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (line.startsWith('Limit ')) {
      soft = line.indexOf('Soft Limit');
      hard = line.indexOf('Hard Limit');
      units = line.indexOf('Units');
      continue;
    }
    if (soft > 0 && hard > soft && line.length > soft) {
      const name = line.slice(0, soft).trim();
      const s = line.slice(soft, hard).trim();
      const h = (units > hard ? line.slice(hard, units) : line.slice(hard)).trim();
      const u = units > hard ? line.slice(units).trim() : '';
      // Sanity check: if the columns did not line up, fall back.
      if (name && limitValue(s.split(/\s+/)[0]) !== null && !/\s/.test(s)) {
        rows.push({ name, soft: limitValue(s), hard: limitValue(h.split(/\s+/)[0]), units: u });
        continue;
      }
    }
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)(?:\s+(\S+))?\s*$/.exec(line);
    if (m) rows.push({ name: m[1].trim(), soft: limitValue(m[2]), hard: limitValue(m[3]), units: m[4] ?? '' });
  }
  return rows;
}

/** A limit that has both values (the core dump size of a process, for the failures view). */
export interface SoftHard {
  soft: LimitValue;
  hard: LimitValue;
}

/** The "Max core file size" row of parsed limits, or null when it is absent or unreadable. */
export function coreSizeLimit(rows: readonly LimitRow[]): SoftHard | null {
  const r = rows.find((x) => x.name === 'Max core file size');
  return r && r.soft !== null && r.hard !== null ? { soft: r.soft, hard: r.hard } : null;
}
