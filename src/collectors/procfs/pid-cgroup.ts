// /proc/PID/cgroup: "0::/path" on cgroup v2, "N:ctrl,ctrl:/path" on v1.
// One parser for the process table's CGROUP column and the drill-in.

export interface CgroupEntry {
  hierarchy: number;
  controllers: string[];
  path: string;
}

/** Parse /proc/PID/cgroup ("0::/user.slice/..." on cgroup v2, "N:ctrl,ctrl:/path" on v1). */
export function parseCgroup(text: string): CgroupEntry[] {
  const out: CgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const ctrl = line.slice(a + 1, b);
    out.push({ hierarchy: Number(line.slice(0, a)), controllers: ctrl ? ctrl.split(',') : [], path: line.slice(b + 1) });
  }
  return out;
}

/** The cgroup to show: the v2 unified path if present, else the first v1 path that is not '/'. */
export function primaryCgroup(entries: CgroupEntry[]): string | undefined {
  const v2 = entries.find((e) => e.hierarchy === 0 && e.controllers.length === 0);
  if (v2 && v2.path !== '/') return v2.path;
  const v1 = entries.find((e) => e.path !== '/' && e.path !== '');
  return v1?.path ?? v2?.path;
}
