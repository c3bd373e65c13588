// One line per view the TUI can show (the top view is built in). Views are
// loaded on first use: their modules (and what they import: systeminformation,
// the kernel-log reader...) stay out of start-up, so the first frame comes fast.
import type { ViewDef } from './view.js';

export interface ViewEntry {
  id: string;
  title: string;
  /** Global key that shows this view (blessed key.full), if any. */
  key?: string;
  load(): Promise<ViewDef<any>>;
}

export const VIEWS: ViewEntry[] = [
  { id: 'process', title: 'Process', load: async () => (await import('../views/process.js')).processView },
  { id: 'vmstat', title: 'vmstat', key: 'v', load: async () => (await import('../views/vmstat.js')).vmstatView },
  { id: 'netstat', title: 'netstat', key: 'n', load: async () => (await import('../views/netstat.js')).netstatView },
  { id: 'iostat', title: 'iostat', key: 'i', load: async () => (await import('../views/iostat.js')).iostatView },
  { id: 'failures', title: 'Failures', key: 'f', load: async () => (await import('../views/failures.js')).failuresView },
];
