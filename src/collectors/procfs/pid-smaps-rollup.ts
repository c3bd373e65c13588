// /proc/PID/smaps_rollup: the memory summary (kB) of the drill-in.

/** Parse /proc/PID/smaps_rollup: field name -> kB (Rss, Pss, Pss_Anon, Swap, SwapPss...). */
export function parseSmapsRollup(text: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  let any = false;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_]+):\s+(\d+)\s*kB/.exec(line);
    if (m) {
      out[m[1]] = Number(m[2]);
      any = true;
    }
  }
  return any ? out : undefined;
}
