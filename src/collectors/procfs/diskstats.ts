// /proc/diskstats. Field count by kernel: 14 (up to 4.17: reads, writes,
// in-flight, io ticks, weighted ticks), 18 (4.18+: discards), 20 (5.5+:
// flushes). Missing groups are absent (undefined), not zero, so screens can
// hide discard/flush columns a kernel does not report. Sectors are always
// 512 bytes here.

export interface DiskStat {
  major: number; minor: number; name: string;
  rdIos: number; rdMerges: number; rdSectors: number; rdTicks: number;
  wrIos: number; wrMerges: number; wrSectors: number; wrTicks: number;
  inFlight: number; ioTicks: number; timeInQueue: number;
  dcIos?: number; dcMerges?: number; dcSectors?: number; dcTicks?: number;
  flIos?: number; flTicks?: number;
  /** True for partitions (from sysfs when available, else by name heuristics). */
  partition: boolean;
}

/** Guess partition-ness from the name when sysfs is not available (fixtures). */
export function looksLikePartition(name: string): boolean {
  if (/^(nvme\d+n\d+|mmcblk\d+|loop\d+|nbd\d+|zram\d+|md\d+)p\d+$/.test(name)) return true;
  if (/^(nvme\d+n\d+|mmcblk\d+|loop\d+|nbd\d+|zram\d+|md\d+|dm-\d+|sr\d+|ram\d+)$/.test(name)) return false;
  return /^([shv]d[a-z]+|xvd[a-z]+)\d+$/.test(name);
}

export function parseDiskstats(text: string, isPartition: (name: string, major: number, minor: number) => boolean = (n) => looksLikePartition(n)): DiskStat[] {
  const out: DiskStat[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const v = f.map(Number);
    if (!Number.isFinite(v[0]) || !Number.isFinite(v[1])) continue;
    const name = f[2];
    if (!/^[\w.:@+-]+$/.test(name)) continue; // kernel device names; anything else is not a diskstats line
    const d: DiskStat = {
      major: v[0], minor: v[1], name,
      rdIos: v[3], rdMerges: v[4], rdSectors: v[5], rdTicks: v[6],
      wrIos: v[7], wrMerges: v[8], wrSectors: v[9], wrTicks: v[10],
      inFlight: v[11], ioTicks: v[12], timeInQueue: v[13],
      partition: isPartition(name, v[0], v[1]),
    };
    if (f.length >= 18) { d.dcIos = v[14]; d.dcMerges = v[15]; d.dcSectors = v[16]; d.dcTicks = v[17]; }
    if (f.length >= 20) { d.flIos = v[18]; d.flTicks = v[19]; }
    out.push(d);
  }
  return out;
}
