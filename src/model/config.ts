// The settings the UI changes and keeps (columns by stable id, sort, tree,
// delay, hidden threads): the type and its defaults. Reading and writing the
// file is the shell's business (src/app/config.ts); the views only read these.
import { DEFAULT_COLUMNS, DEFAULT_SORT } from './columns.js';

export interface Config {
  columns: string[];
  sort: string;
  descending: boolean;
  tree: boolean;
  delaySec: number;
  hideUserThreads: boolean;
  hideKernelThreads: boolean;
}

export const DEFAULT_CONFIG: Config = {
  columns: [...DEFAULT_COLUMNS],
  sort: DEFAULT_SORT,
  descending: true,
  tree: false,
  delaySec: 1.5,
  hideUserThreads: true,
  // As htop: kernel threads are hidden until K shows them.
  hideKernelThreads: true,
};

/** Bounds of the refresh delay in seconds (-d, the d key, delaySec). */
export const MIN_DELAY = 0.1;
export const MAX_DELAY = 3600;
