// /proc/PID/ns/X link targets ("net:[4026531840]").

export interface NamespaceLink {
  type: string;
  inode: number;
}

/** Parse a /proc/PID/ns/X link target ("net:[4026531840]"). */
export function parseNsLink(target: string): NamespaceLink | undefined {
  const m = /^([a-z_]+):\[(\d+)\]$/.exec(target);
  return m ? { type: m[1], inode: Number(m[2]) } : undefined;
}
