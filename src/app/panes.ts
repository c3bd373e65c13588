// What the shell needs of the trace panes (keys 1..9 from any view): the
// area at the bottom of the body, the status line's part, keys, footer and
// help. The shell only calls this interface; the composition root gives it
// the implementation (screens/trace-panes.ts, over src/tracers/pane-host.ts),
// so the app layer never imports screens or tracers.
import type { Widgets } from 'blessed';
import type { PerPidRates } from '../model/process-model.js';

export interface PaneArea {
  /** Toggle the pane of a key (1..9). */
  toggle(key: number): void;
  /** The toggle keys for the footer ('1-9'; '' without panes). */
  toggleKeys(): string;
  /** The drilled-in PID the panes follow (undefined: system-wide). */
  setScopePid(pid: number | undefined): void;
  /** Keys 1..9, ` and 0, and the focused pane's keys; true when consumed. */
  handleKey(ch: string | undefined, name: string, full: string): boolean;
  /** The key of the focused pane, if any. */
  focused(): number | undefined;
  /** One tagged line for the status bar ('' when no pane is open). */
  statusLine(): string;
  /** Footer entries while a pane is focused (or the focus hint). */
  footer(): Array<[string, string]>;
  /** F1 lines: toggles and pane keys. */
  help(): Array<[string, string]>;
  /** Rows the shell should give the pane box (0 when no pane is open). */
  desiredHeight(cols: number, rows: number): number;
  mount(parent: Widgets.BoxElement): void;
  unmount(): void;
  /** Collect (at most once a second) and draw; called on ticks and after requestRender. */
  render(): void;
  /** The per-PID rates of the eBPF-fed process columns (the top Source's input). */
  perPid(): ReadonlyMap<number, PerPidRates>;
  active(): Array<{ key: number; name: string; drops: number; error?: string }>;
  dispose(): void;
}
