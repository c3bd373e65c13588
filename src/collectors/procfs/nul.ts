// NUL-separated lists (/proc/PID/cmdline, /proc/PID/environ).

/** Split at each NUL; a trailing NUL leaves a last empty item. */
export function splitNul(buf: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0) {
      out.push(buf.toString('utf8', start, i));
      start = i + 1;
    }
  }
  if (start < buf.length) out.push(buf.toString('utf8', start));
  else if (buf.length > 0) out.push('');
  return out;
}
