// The contract between the app shell and each view (top, process, vmstat,
// netstat, iostat, failures...). A view is two halves:
//  - a Source (src/): collects Samples from /proc, /sys or tracers and turns
//    the last two into a Model. It never draws.
//  - a Screen (screens/): draws a Model with blessed. It never reads /proc
//    and never calls native code.
// Only the visible view's Source is ticked, so a hidden view collects
// nothing of its own. `ostop dump <view>` prints the same Model a Screen draws.
import type { Widgets } from 'blessed';
import type { Theme } from '../../screens/theme.js';
import type { Actions } from '../actions/index.js';

export type { Actions, ActionResult, Command, SignalInfo } from '../actions/index.js';

export interface Source<M> {
  /** Take one Sample (called once per refresh tick while the view is shown). */
  collect(now: number): Promise<void> | void;
  /** The Model from the last two Samples; undefined until there is one. */
  model(): M | undefined;
  /**
   * Called right after a render: a Source that took a partial Sample for a
   * fast first frame reads what the drawn rows need now; true = the Model
   * changed, render again.
   */
  complete?(): boolean;
  /** Drop history when the view is hidden, so rates restart cleanly. */
  reset?(): void;
  /** Release tracers, timers, file handles. */
  dispose?(): void;
}

export interface AppApi {
  /** Switch to another view; `params` is view specific (e.g. { pid }). */
  show(viewId: string, params?: Record<string, unknown>): void;
  /** Return to the previous view, as it was (selection and scroll kept). */
  back(): void;
  /** One-line message in the status bar (errors, confirmations). */
  status(msg: string, level?: 'info' | 'warn' | 'error'): void;
  /** Ask for a redraw of the current view from its last Model. */
  requestRender(): void;
  /** Ask for a collect + redraw now (e.g. after a kill). */
  refreshNow(): void;
  /** Modal prompt / menu helpers owned by the shell, so every view looks the same. */
  prompt(label: string, initial: string, done: (value: string | null) => void): void;
  menu(title: string, items: string[], done: (index: number | null) => void, selected?: number): void;
  confirm(question: string, done: (yes: boolean) => void): void;
  /** Run a program in the same terminal with the UI suspended and restored after (gdb). */
  suspendAndRun(cmd: string, args: string[], done: (code: number | null) => void): void;
  /** Everything that acts on the system (signal, renice, gcore, gdb argv): a Screen asks here, never itself. */
  readonly actions: Actions;
  readonly delayMs: number;
}

export interface ViewContext {
  screen: Widgets.Screen;
  theme: Theme;
  app: AppApi;
}

export interface Screen<M> {
  /** Build widgets inside `parent` (the area between header and footer). */
  mount(parent: Widgets.BoxElement): void;
  unmount(): void;
  render(model: M | undefined): void;
  /** Return true when the key was consumed. `name` is blessed's key.name, `full` its key.full. */
  handleKey(ch: string | undefined, name: string, full: string): boolean;
  /** Footer entries: [key, label]. */
  footer(): Array<[string, string]>;
  /** Help screen lines for this view. */
  help?(): Array<[string, string]>;
}

export interface ViewDef<M = unknown> {
  id: string;
  title: string;
  /** Global key that shows this view (blessed key.full), if any. */
  key?: string;
  createSource(params: Record<string, unknown>): Source<M>;
  createScreen(ctx: ViewContext, params: Record<string, unknown>): Screen<M>;
}
