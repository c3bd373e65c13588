// One line per view the TUI can show. The first is the default view.
import type { ViewDef } from './view.js';
import { processView } from '../views/process.js';

export const VIEWS: ViewDef<any>[] = [
  processView,
];
