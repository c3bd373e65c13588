// /proc/vmstat: "name value" lines (pgpgin, pgpgout, pswpin, pswpout, pgfault, pgmajfault...).

/** Counters by name; lines whose value is not a number are left out. */
export function parseVmstat(text: string): Record<string, number> {
  const m: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v)) m[line.slice(0, sp)] = v;
  }
  return m;
}
