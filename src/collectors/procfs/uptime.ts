// /proc/uptime: seconds since boot (first field).

/** Seconds since boot; 0 when unreadable. */
export function parseUptime(text: string): number {
  return Number(text.trim().split(/\s+/)[0]) || 0;
}
