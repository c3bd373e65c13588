// One line per view the TUI can show. The first is the default view.
import type { ViewDef } from './view.js';
import { processView } from '../views/process.js';
import { vmstatView } from '../views/vmstat.js';
import { netstatView } from '../views/netstat.js';
import { iostatView } from '../views/iostat.js';
import { failuresView } from '../views/failures.js';

export const VIEWS: ViewDef<any>[] = [
  processView,
  vmstatView,
  netstatView,
  iostatView,
  failuresView,
];
