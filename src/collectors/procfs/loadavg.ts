// /proc/loadavg: "0.50 0.40 0.30 2/345 6789".

export interface Loadavg {
  load: [number, number, number];
  /** Running/total scheduling entities. */
  running: number;
  total: number;
}

export function parseLoadavg(text: string): Loadavg {
  const f = text.trim().split(/\s+/);
  const [r, t] = (f[3] ?? '0/0').split('/').map(Number);
  return { load: [Number(f[0]) || 0, Number(f[1]) || 0, Number(f[2]) || 0], running: r || 0, total: t || 0 };
}
