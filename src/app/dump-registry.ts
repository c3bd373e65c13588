// One line per dumpable view. Keep names stable: they are CLI arguments.
import type { DumpView } from './dump-view.js';
import { processesDump } from '../views/processes-dump.js';

export const DUMP_VIEWS: DumpView[] = [
  processesDump,
];
