// /proc/meminfo: kB by key, parsed strictly (a malformed line is named,
// never turned into NaN). One parser for every view.

export interface MeminfoParse {
  /** kB by key (HugePages_* counts are kept as plain numbers). */
  values: Record<string, number>;
  /** Keys whose line was not "Key: <unsigned number>[ kB]" (left out of values). */
  malformed: string[];
}

/**
 * Parse /proc/meminfo strictly: a value is an unsigned decimal number,
 * optionally followed by "kB". A line that is not is left out and its key
 * listed in `malformed` (the models say which of their inputs were bad);
 * lines without a key are ignored.
 */
export function parseMeminfoChecked(text: string): MeminfoParse {
  const values: Record<string, number> = {};
  const malformed: string[] = [];
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const m = /^\s*(\d+)(?:\s+kB)?\s*$/.exec(line.slice(i + 1));
    const v = m ? Number(m[1]) : NaN;
    if (Number.isSafeInteger(v)) {
      if (!(key in values)) values[key] = v;
    } else malformed.push(key);
  }
  return { values, malformed };
}

/** meminfo values in kB (HugePages_* counts are kept as plain numbers); malformed lines are left out. */
export function parseMeminfo(text: string): Record<string, number> {
  return parseMeminfoChecked(text).values;
}
