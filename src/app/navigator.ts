// Which view is shown, and the way back: a stack of views (Esc/Backspace
// returns to the previous one as it was: selection and scroll kept), driven
// by the views' flags (src/model/view-contract.ts ViewFlags), never by their
// ids: the home view is shown first and kept, a keep-alive view keeps its
// Source and Screen across switches, a view that stacks (the drill-in) is
// opened anew for each parameter, the views reached by their own key replace
// each other over the home view. Views are loaded on first use.
import type { Widgets } from 'blessed';
import type { Screen, Source, ViewContext, ViewDef, ViewEntry } from './view.js';
import { targetParams, type ViewTarget } from '../model/view-contract.js';

export interface ViewInstance {
  def: ViewDef<unknown, unknown>;
  key: string;
  source: Source<unknown, unknown>;
  screen: Screen<unknown, unknown>;
  params: Record<string, unknown>;
}

/** What the navigator needs of the shell. */
export interface NavigatorHost {
  /** Where a view's screen is mounted (between the header and the bars). */
  body: Widgets.BoxElement;
  /** The context a new screen gets; `complete` completes its Source's Model with the screen's request. */
  context(complete: () => unknown): ViewContext;
  /** A view was shown: the trace panes follow the pid of a view that scopes them. */
  shown(v: ViewInstance): void;
  render(): void;
  /** Collect (and draw) after `ms`. */
  schedule(ms: number): void;
  status(msg: string, level: 'info' | 'warn' | 'error'): void;
  exiting(): boolean;
}

/** Views kept on the stack at most (the home view stays at the bottom). */
const MAX_STACK = 8;

export class Navigator {
  current!: ViewInstance;
  private stack: ViewInstance[] = [];
  private cache = new Map<string, ViewInstance>();
  private loaded = new Map<string, ViewDef<unknown, unknown>>();
  /** The home view (first in the Tab order, shown at start, kept alive). */
  readonly home: ViewEntry;

  constructor(readonly views: ViewEntry[], private host: NavigatorHost) {
    this.home = views.find((v) => v.home) ?? views[0];
  }

  /** Shows the home view (its factories load synchronously, for a fast first frame), then the view of `first` over it. */
  start(first?: ViewTarget): void {
    const home = this.home.load();
    if (home instanceof Promise) throw new Error('the home view must load synchronously (src/tui.ts)');
    this.loaded.set(this.home.id, { ...this.home, ...home });
    this.open(this.loaded.get(this.home.id)!, {}, false);
    if (first) this.openTarget(first);
  }

  /** Shows `target` in the view whose flags take its kind (ViewFlags.target), e.g. a pid in the drill-in. */
  openTarget(target: ViewTarget): void {
    const entry = this.views.find((v) => v.target === target.kind);
    if (!entry) return this.host.status(`no view shows a ${target.kind}`, 'error');
    this.show(entry.id, targetParams(target));
  }

  /** Every view instance alive (to dispose of on the way out). */
  instances(): Set<ViewInstance> {
    return new Set([...this.cache.values(), ...this.stack, ...(this.current ? [this.current] : [])]);
  }

  /** The Tab order: the home view, then the views that have a key. */
  tabOrder(): string[] {
    return [this.home.id, ...this.views.filter((v) => v.key && v !== this.home).map((v) => v.id)];
  }

  /** Loads the other views' code while idle, so switching to one redraws at once. */
  async prefetch(): Promise<void> {
    for (const v of this.views) {
      if (this.host.exiting()) return;
      if (this.loaded.has(v.id)) continue;
      try {
        this.loaded.set(v.id, { ...v, ...(await v.load()) });
      } catch {
        /* reported when the view is asked for */
      }
    }
  }

  /**
   * Views reached by their own key (or Tab) are siblings of the home view:
   * they replace each other, so Esc from any of them returns to it.
   * Drilling in (Enter on a process) stacks, so Esc returns to where you were.
   */
  switchTo(viewId: string): void {
    const home = this.home.id;
    if (viewId === home || (this.current && this.current.def.id === viewId)) {
      if (viewId === home) this.show(home);
      return;
    }
    const topAt = this.stack.findIndex((v) => v.def.id === home);
    if (this.current.def.id !== home && topAt >= 0) {
      while (this.stack.length > topAt + 1) this.discard(this.stack.pop()!);
      const cur = this.current;
      cur.screen.unmount();
      this.discard(cur);
      this.current = this.stack.pop()!;
    }
    this.show(viewId);
  }

  show(viewId: string, params: Record<string, unknown> = {}): void {
    const def = this.loaded.get(viewId);
    if (!def) {
      const entry = this.views.find((v) => v.id === viewId);
      if (!entry) return this.host.status(`no view '${viewId}'`, 'error');
      // First use: load the view's module, then show it (keys meanwhile go to the current view).
      Promise.resolve(entry.load()).then(
        (d) => {
          this.loaded.set(viewId, { ...entry, ...d });
          if (!this.host.exiting()) this.show(viewId, params);
        },
        (e: Error) => this.host.status(`cannot load the ${entry.title} view: ${e.message}`, 'error'),
      );
      return;
    }
    if (this.current && this.current.def.id === viewId && !def.stacks) return;
    // A view already on the stack is returned to (as Esc would), so switching
    // views with their keys never grows the stack.
    const at = def.stacks ? -1 : this.stack.findIndex((v) => v.def.id === viewId);
    if (at >= 0) {
      while (this.stack.length > at + 1) this.discard(this.stack.pop()!);
      return this.back();
    }
    this.open(def, params, true);
    while (this.stack.length > MAX_STACK) this.discard(this.stack.splice(1, 1)[0]);
  }

  back(): void {
    const prev = this.stack.pop();
    if (!prev) return;
    const cur = this.current;
    cur.screen.unmount();
    this.discard(cur);
    this.current = prev;
    this.host.shown(prev);
    prev.source.reset?.();
    prev.screen.mount(this.host.body);
    this.host.render();
    this.host.schedule(0);
  }

  private discard(v: ViewInstance): void {
    if (!v.def.keepAlive) v.source.dispose?.();
  }

  private open(def: ViewDef<unknown, unknown>, params: Record<string, unknown>, push: boolean): void {
    const key = `${def.id}:${JSON.stringify(params)}`;
    if (this.current) {
      this.current.screen.unmount();
      if (push) this.stack.push(this.current);
      else this.discard(this.current);
    }
    let inst = this.cache.get(key);
    if (!inst) {
      const source = def.createSource(params);
      let screen: Screen<unknown, unknown> | undefined;
      // The Source completes its Model with what the screen's request names, now.
      const ctx = this.host.context(() => (screen && source.complete?.(screen.request?.()) ? source.model() : undefined));
      screen = def.createScreen(ctx, params);
      inst = { def, key, params, source, screen };
      // Only keep-alive views (the process table) are kept across switches; others are rebuilt so hidden views hold nothing.
      if (def.keepAlive) this.cache.set(key, inst);
    }
    this.current = inst;
    this.host.shown(inst);
    inst.screen.mount(this.host.body);
    this.host.render();
    // Collect on the next turn of the loop, so the redraw above reaches the terminal first.
    this.host.schedule(0);
  }
}
