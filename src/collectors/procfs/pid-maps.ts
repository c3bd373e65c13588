// /proc/PID/maps: one line per mapping,
//   start-end perms offset major:minor inode [padding] path
// (hex addresses, offset and device; decimal inode). The path is what is
// left after the padding: it may hold spaces, end in " (deleted)" when the
// file was unlinked or replaced, or be a pseudo name ([heap], [stack],
// [vdso], [anon:name]) or empty (anonymous memory, JIT code). The kernel
// escapes a newline in a path as "\012", so a line is one mapping whatever
// the file name; a line that does not parse is skipped, never guessed at.
// Addresses are user-space ones (below 2^47 on x86-64, 2^52 at most on any
// 64-bit Linux), exact as JS numbers.

export interface MapEntry {
  start: number;
  end: number;
  /** "r-xp": read, write, execute, private (p) or shared (s). */
  perms: string;
  /** File offset of `start` (the mapping's page offset), bytes. */
  offset: number;
  /** Device major:minor in hex, as the kernel prints it ("fd:01"). */
  dev: string;
  inode: number;
  /** The path without the " (deleted)" suffix; '' for anonymous memory. */
  path: string;
  /** The file was unlinked (or replaced) after it was mapped. */
  deleted: boolean;
}

const LINE = /^([0-9a-f]+)-([0-9a-f]+) ([r-][w-][x-][ps-]) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+)(?: +(.*))?$/;
const DELETED = ' (deleted)';

/** Parse the text of /proc/PID/maps; unparseable lines are skipped. Sorted by start (as the kernel prints them). */
export function parseMaps(text: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const start = parseInt(m[1], 16);
    const end = parseInt(m[2], 16);
    if (!(end > start) || !Number.isSafeInteger(end)) continue;
    let path = m[7] ?? '';
    const deleted = path.endsWith(DELETED) && path.startsWith('/');
    if (deleted) path = path.slice(0, -DELETED.length);
    out.push({ start, end, perms: m[3], offset: parseInt(m[4], 16), dev: m[5], inode: Number(m[6]), path, deleted });
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}

/** The mapping holding `addr` (binary search of a list sorted by start), or undefined. */
export function findMapping(maps: readonly MapEntry[], addr: number): MapEntry | undefined {
  let lo = 0, hi = maps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = maps[mid];
    if (addr < m.start) hi = mid - 1;
    else if (addr >= m.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}

/** A mapping backed by a file (not anonymous memory, not [heap], [vdso]...). */
export function isFileMapping(m: MapEntry): boolean {
  return m.inode !== 0 && m.path.startsWith('/');
}

/** The file offset an address in `m` corresponds to: addr - start + page offset. */
export function fileOffset(m: MapEntry, addr: number): number {
  return addr - m.start + m.offset;
}

/** The map_files entry name of a mapping ("7f12a000-7f12b000", as /proc/PID/map_files lists it). */
export function mapFilesName(m: MapEntry): string {
  return `${m.start.toString(16)}-${m.end.toString(16)}`;
}
