// One line per dumpable view. Keep names stable: they are CLI arguments.
import type { DumpView } from '../model/dump-view.js';
import { processesDump } from '../views/processes-dump.js';
import { processDump } from '../views/process-dump.js';
import { failuresDump, kmsgDump } from '../failures/dump.js';
import { vmstatDump } from '../views/vmstat.js';
import { netstatDump, socketsDump } from '../views/netstat.js';
import { iostatDump, fsDump } from '../views/iostat.js';
import { exitsDump } from '../views/exits-dump.js';

export const DUMP_VIEWS: DumpView[] = [
  processesDump,
  processDump,
  failuresDump,
  kmsgDump,
  vmstatDump,
  netstatDump,
  socketsDump,
  iostatDump,
  fsDump,
  exitsDump,
];
