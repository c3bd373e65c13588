// The shell's side of the view contract (the Source side and the per-view
// Request types are in src/model/view-contract.ts). A view is two halves:
//  - a Source (src/views, src/failures): collects Samples and turns the last
//    two into a Model. It never draws.
//  - a Screen (screens/): draws a Model with blessed and says in request()
//    what the Source must collect for it. It never reads /proc and never
//    acts on the system (actions go through AppApi).
// Only the visible view's Source is ticked, so a hidden view collects
// nothing of its own. `ostop dump <view>` prints the same Model a Screen draws.
// The composition root (src/tui.ts) pairs each Source with its Screen.
import type { Widgets } from 'blessed';
import type { Theme } from './theme.js';
import type { Actions } from '../actions/index.js';

export type { Actions, ActionResult, Command, SignalInfo } from '../actions/index.js';
import type { Config } from '../model/config.js';
import type { Source, ViewFlags, ViewTarget } from '../model/view-contract.js';

export type { Source, ViewFlags, ViewTarget } from '../model/view-contract.js';

export interface AppApi {
  /** Show what `target` is about (e.g. { kind: 'pid', pid }: the drill-in), in the view whose flags take that kind; stacks, so back() returns. */
  open(target: ViewTarget): void;
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
  /** The settings shown and changed in the UI (columns, sort, tree...). */
  readonly config: Config;
  /** Write the config file (when it was readable at start); errors go to the status line. */
  saveConfig(): void;
}

export interface ViewContext {
  screen: Widgets.Screen;
  theme: Theme;
  app: AppApi;
  /**
   * Ask this view's Source now (outside a tick) to complete its Model with
   * what the Screen's request() needs (e.g. every command line once a filter
   * is typed after a fast first frame); returns the new Model, or undefined
   * when nothing changed. Set by the shell.
   */
  completeNow?(): unknown;
}

export interface Screen<M, R = void> {
  /** What the Source must collect for this screen as it is now (read by the shell before every collect and complete; a screen whose Source needs nothing has none). */
  request?(): R;
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

/** The two factories of one view (paired by src/tui.ts). */
export interface ViewFactories<M = unknown, R = unknown> {
  createSource(params: Record<string, unknown>): Source<M, R>;
  createScreen(ctx: ViewContext, params: Record<string, unknown>): Screen<M, R>;
}

/** One view as the shell knows it: its flags, and its factories loaded on first use (start-up stays small). */
export interface ViewEntry extends ViewFlags {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  load(): ViewFactories<any, any> | Promise<ViewFactories<any, any>>;
}

/** A loaded view. */
export type ViewDef<M = unknown, R = unknown> = ViewFlags & ViewFactories<M, R>;
