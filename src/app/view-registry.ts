// One line per view the TUI can show. The first is the default view.
import type { ViewDef } from './view.js';

export const VIEWS: ViewDef<any>[] = [
];
