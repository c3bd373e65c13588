// The top view's Source and its shared state. The Source reads exactly what
// the configured columns need (htop's column scan flags): no cmdline reads
// without the COMMAND column, no task/ reads while user threads are hidden.
import type { Source, ViewDef } from '../app/view.js';
import type { Config } from '../app/config.js';
import { ProcessCollector, type ProcessTableSample } from '../collectors/processes.js';
import type { UserNames } from '../collectors/users.js';
import { buildProcessModel, type ProcessTableModel } from '../model/process-model.js';
import { needsOf, resolveColumns, PROC_COLUMNS } from '../model/columns.js';
import { TopScreen } from '../../screens/top-screen.js';

export interface TopState {
  config: Config;
  users: UserNames;
  /** -u USER */
  uid?: number;
  /** -p PID,PID: show only these */
  pids?: ReadonlySet<number>;
  /** Rows drawn by the screen last time: their display-only columns are read (see ProcessCollector.detailNeeds). */
  visiblePids?: ReadonlySet<number>;
  save(): void;
}

export class TopSource implements Source<ProcessTableModel> {
  private collector: ProcessCollector;
  private prev: ProcessTableSample | undefined;
  private cur: ProcessTableSample | undefined;
  private last: ProcessTableModel | undefined;

  constructor(private state: TopState, procRoot = '/proc') {
    this.collector = new ProcessCollector({ procRoot, pids: state.pids });
  }

  collect(now: number): void {
    const cfg = this.state.config;
    const cols = resolveColumns(cfg.columns.filter((id) => PROC_COLUMNS.some((c) => c.id === id)));
    // Every task: what sorting and filtering need. Rows on screen only: the rest.
    const needs = needsOf(resolveColumns([cfg.sort].filter((id) => PROC_COLUMNS.some((c) => c.id === id))));
    needs.add('cmdline'); // filter and search match the full command line (cached per process)
    needs.add('uid'); // from the kept-open stat file's owner: free
    this.collector.needs = needs;
    this.collector.detailNeeds = needsOf(cols);
    this.collector.detailPids = this.state.visiblePids;
    this.collector.threads = !cfg.hideUserThreads;
    this.prev = this.cur;
    this.cur = this.collector.collect(now);
    this.last = buildProcessModel(this.prev, this.cur, (u) => this.state.users.name(u));
  }

  model(): ProcessTableModel | undefined {
    return this.last;
  }

  dispose(): void {
    this.collector.dispose();
  }

  reset(): void {
    // Coming back from another view: the next tick's rates span the gap, which is fine.
  }
}

export function topView(state: TopState): ViewDef<ProcessTableModel> {
  return {
    id: 'top',
    title: 'Processes',
    createSource: () => new TopSource(state),
    createScreen: (ctx) => new TopScreen(ctx, state),
  };
}
