// /proc/PID/io: I/O counters (readable only by the owner with ptrace access,
// or root). One parser for the process table's IO columns, iostat's
// per-process table and the drill-in.

export interface IoCounters {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
  readBytes: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}

/** Parse /proc/PID/io (readable only by the owner with ptrace access, or root). */
export function parseIo(text: string): IoCounters | undefined {
  const v: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(\d+)/.exec(line);
    if (m) v[m[1]] = Number(m[2]);
  }
  if (v.rchar === undefined && v.read_bytes === undefined) return undefined;
  return {
    rchar: v.rchar ?? 0, wchar: v.wchar ?? 0, syscr: v.syscr ?? 0, syscw: v.syscw ?? 0,
    readBytes: v.read_bytes ?? 0, writeBytes: v.write_bytes ?? 0, cancelledWriteBytes: v.cancelled_write_bytes ?? 0,
  };
}
