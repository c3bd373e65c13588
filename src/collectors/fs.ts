// Mounted filesystems with df's numbers: /proc/self/mountinfo (parser:
// src/collectors/procfs/mountinfo.ts) + statfs(2).
// df definitions: size = f_blocks*f_frsize, used = (f_blocks-f_bfree)*f_frsize,
// avail = f_bavail*f_frsize, use% = ceil(used*100/(used+avail)); inodes from
// f_files/f_ffree. Like df without -a we skip filesystems with 0 blocks
// (proc, sysfs, cgroup...) and keep one mount per device (the shortest
// mount point). Mount points and sources are untrusted (octal-escaped by the
// kernel; decoded here, then sanitized). statfs can hang on a dead network
// mount, so each call has a timeout.
import * as fs from 'node:fs';
import { sanitize } from '../util/text.js';
import { parseMountinfo, type MountEntry } from './procfs/mountinfo.js';

export interface FsStat {
  mountPoint: string; fsType: string; source: string; dev: string;
  sizeBytes: number; usedBytes: number; availBytes: number;
  /** df's use%: ceil(used / (used + avail) * 100), null when size is 0. */
  usePct: number | null;
  inodes: number; inodesUsed: number; inodesFree: number;
  inodeUsePct: number | null;
}

export interface FsSample {
  time: number;
  fs: FsStat[];
  /** Mounts statfs failed or timed out on. */
  errors: Array<{ mountPoint: string; error: string }>;
}

export interface StatfsLike { bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }

export function fsStatFrom(m: MountEntry, st: StatfsLike): FsStat {
  // Node's statfs gives f_bsize; on Linux f_frsize == f_bsize for every filesystem df cares about.
  const bs = st.bsize;
  const used = (st.blocks - st.bfree) * bs;
  const avail = st.bavail * bs;
  const ua = used + avail;
  const iu = st.files - st.ffree;
  return {
    mountPoint: m.mountPoint, fsType: m.fsType, source: m.source, dev: m.dev,
    sizeBytes: st.blocks * bs, usedBytes: used, availBytes: avail,
    usePct: ua > 0 ? Math.ceil((used * 100) / ua) : null,
    inodes: st.files, inodesUsed: iu, inodesFree: st.ffree,
    inodeUsePct: st.files > 0 ? Math.ceil((iu * 100) / st.files) : null,
  };
}

/** df's choice: skip 0-block filesystems, one entry per device (shortest mount point wins), last mount wins per mount point. */
export function selectFilesystems(stats: FsStat[]): FsStat[] {
  // A later mount on the same point hides the earlier one: keep the last (input is in mount order).
  const byPoint = new Map<string, FsStat>();
  for (const s of stats) byPoint.set(s.mountPoint, s);
  const byDev = new Map<string, FsStat>();
  for (const s of byPoint.values()) {
    if (s.sizeBytes === 0) continue;
    const key = s.dev.startsWith('0:') ? `${s.dev}|${s.source}` : s.dev;
    const prev = byDev.get(key);
    if (!prev || s.mountPoint.length < prev.mountPoint.length) byDev.set(key, s);
  }
  return [...byDev.values()].sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
}

const PSEUDO = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'securityfs', 'debugfs', 'tracefs', 'pstore', 'bpf', 'mqueue', 'configfs', 'fusectl', 'binfmt_misc', 'autofs', 'hugetlbfs', 'rpc_pipefs', 'nsfs', 'efivarfs', 'selinuxfs']);

export async function readFsSample(opts: { procRoot?: string; timeoutMs?: number } = {}): Promise<FsSample> {
  const mounts = parseMountinfo(fs.readFileSync(`${opts.procRoot ?? '/proc'}/self/mountinfo`, 'latin1'));
  const errors: FsSample['errors'] = [];
  const timeoutMs = opts.timeoutMs ?? 1000;
  const stats = await Promise.all(
    mounts.filter((m) => !PSEUDO.has(m.fsType)).map(async (m) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const st = await Promise.race([
          fs.promises.statfs(m.rawMountPoint ?? m.mountPoint),
          new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error('statfs timed out')), timeoutMs); timer.unref(); }),
        ]);
        return fsStatFrom(m, st);
      } catch (e) {
        errors.push({ mountPoint: m.mountPoint, error: sanitize(String((e as Error).message ?? e)) });
        return undefined;
      } finally {
        if (timer) clearTimeout(timer);
      }
    }),
  );
  return { time: Date.now(), fs: selectFilesystems(stats.filter((s): s is FsStat => !!s)), errors };
}
