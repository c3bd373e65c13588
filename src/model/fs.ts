// FsModel: filesystems as df shows them (see src/collectors/fs.ts for the
// definitions). Filesystem usage is a gauge, so one Sample is enough; the
// model only sorts and carries statfs errors for the screen to show.
import type { FsSample, FsStat } from '../collectors/fs.js';

export type FsSortKey = 'mount' | 'use' | 'size' | 'avail' | 'iuse';

export interface FsModel {
  time: number;
  rows: FsStat[];
  errors: FsSample['errors'];
}

const SORTS: Record<FsSortKey, (a: FsStat, b: FsStat) => number> = {
  mount: (a, b) => a.mountPoint.localeCompare(b.mountPoint),
  use: (a, b) => (b.usePct ?? -1) - (a.usePct ?? -1),
  size: (a, b) => b.sizeBytes - a.sizeBytes,
  avail: (a, b) => a.availBytes - b.availBytes,
  iuse: (a, b) => (b.inodeUsePct ?? -1) - (a.inodeUsePct ?? -1),
};

export function buildFsModel(s: FsSample, sort: FsSortKey = 'mount'): FsModel {
  const cmp = SORTS[sort] ?? SORTS.mount;
  return { time: s.time, rows: [...s.fs].sort((a, b) => cmp(a, b) || a.mountPoint.localeCompare(b.mountPoint)), errors: s.errors };
}
