// The kernel page size (statm and /proc/vmstat count pages): read once from
// /proc/self/smaps, 4096 when it cannot be read. A fact of the running
// kernel, so it is kept for the life of the process.
import * as fs from 'node:fs';
import { parseKernelPageSize } from './procfs/smaps.js';

let cached: number | undefined;

/** Bytes per page (4096 on x86-64; 16K or 64K on some arm64 kernels). */
export function pageSize(procRoot = '/proc'): number {
  if (cached !== undefined) return cached;
  cached = 4096;
  try {
    const fd = fs.openSync(`${procRoot}/self/smaps`, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      cached = parseKernelPageSize(buf.toString('latin1', 0, n)) ?? 4096;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // keep 4096
  }
  return cached;
}
