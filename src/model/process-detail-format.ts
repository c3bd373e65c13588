// Text shared by the process screen and the text dump besides numbers
// (limits, errno words; the sparkline is src/util/cells.ts's), so both print the same thing. Numbers,
// sizes, rates, percents and times come from src/util/format.ts, the one
// formatter. Pure functions; no untrusted text passes through here (callers
// sanitize strings themselves).

export function formatLimit(v: number | 'unlimited' | null): string {
  return v === null ? '-' : String(v);
}

/** Human text for an errno code from a /proc read. */
export function describeErrno(code: string): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
    case 'ESRCH':
      return 'process gone';
    case 'EINVAL':
      return 'unreadable';
    case 'NOTRECORDED':
      return 'not recorded'; // replay: a recorded sample does not hold this part
    default:
      return code;
  }
}
