// /etc/passwd: uid -> user name (the first name listed for a uid). Names
// are untrusted text (sanitized by callers). One parser for the USER
// column, the drill-in and the -u/--user check.

export function parsePasswd(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && !m.has(uid)) m.set(uid, f[0]);
  }
  return m;
}
