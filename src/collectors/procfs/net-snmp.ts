// /proc/net/snmp and /proc/net/netstat. Both files are pairs of lines:
// "Section: Name1 Name2..." then "Section: v1 v2...". Layouts differ across
// kernels (columns added over time, e.g. Tcp InCsumErrors in 3.10, Udp
// IgnoredMulti in 3.19, Ip OutTransmits in 6.3), so counters are keyed by
// name, never by position. Result keys are "Section.Name".

export type SnmpCounters = Record<string, number>;

export function parseSnmp(text: string, out: SnmpCounters = {}): SnmpCounters {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i], b = lines[i + 1];
    const ca = a.indexOf(':'), cb = b.indexOf(':');
    if (ca <= 0 || cb <= 0) continue;
    const sec = a.slice(0, ca);
    if (b.slice(0, cb) !== sec) continue;
    const names = a.slice(ca + 1).trim().split(/\s+/);
    const vals = b.slice(cb + 1).trim().split(/\s+/);
    // A header line has names; the value line has numbers only.
    if (!vals.every((v) => /^-?\d+$/.test(v)) || names.some((n) => /^-?\d+$/.test(n))) continue;
    for (let k = 0; k < names.length && k < vals.length; k++) out[`${sec}.${names[k]}`] = Number(vals[k]);
    i++;
  }
  return out;
}
