// The contract between a view's two halves, below the shell so that the
// features (src/views, src/failures) and the screens both depend on it and
// never on each other:
//  - a Source (src/views, src/failures): collects Samples from /proc, /sys or
//    tracers and turns the last two into a Model. It never draws.
//  - a Screen (screens/, interface in src/app/view.ts): draws a Model with
//    blessed. It never reads /proc and never calls native code.
// What the Source needs to know of the Screen's state (which rows are drawn,
// whether the wide strip shows, which pane is open, the sort and filter) the
// Screen says in its request(), passed to every collect(): no module
// singletons, shared mutable objects or back-channels between the halves.
// The same Source serves the TUI, `ostop dump` (a request built from the
// flags) and, later, replay. Only the composition root (src/tui.ts) pairs a
// Source with a Screen.

import type { ProcessTableModel } from './process-model.js';
import type { VmstatModel } from './vmstat.js';
import type { IfaceModel, NetModel } from './net.js';
import type { IostatModel, PidIoModel, PidIoSortKey } from './iostat.js';
import type { SocketSortKey, SocketsModel } from './sockets.js';
import type { FsModel, FsSortKey } from './fs.js';

export interface Source<M, R = void> {
  /** Take one Sample (called once per refresh tick while the view is shown). */
  collect(now: number, request: R): Promise<void> | void;
  /** The Model from the last two Samples; undefined until there is one. */
  model(): M | undefined;
  /**
   * Called right after a render: a Source that took a partial Sample for a
   * fast first frame reads what the drawn rows need now (the request is the
   * screen's, after that render); true = the Model changed, render again.
   */
  complete?(request: R): boolean;
  /** Drop history when the view is hidden, so rates restart cleanly. */
  reset?(): void;
  /**
   * Replay moved the cursor somewhere else: forget every sample and history
   * (the next samples are from another time). Default: reset().
   */
  rewind?(): void;
  /** Release tracers, timers, file handles. */
  dispose?(): void;
}

/** The flags of a view, read by the shell's navigator instead of checks of view ids. */
export interface ViewFlags {
  id: string;
  title: string;
  /** Global key that shows this view (blessed key.full), if any; also its place in the Tab order. */
  key?: string;
  /** Its name in the footer after the current view's keys, room permitting (e.g. 'net' for n). */
  footer?: string;
  /** Kept across switches (its Source and Screen live as long as the app): the process table. */
  keepAlive?: boolean;
  /** The home view: first in the Tab order, shown at start, never disposed. */
  home?: boolean;
  /** Shown for a parameter (a pid): each opening stacks, even of the same view. */
  stacks?: boolean;
  /** The trace panes follow this view's `pid` parameter while it is shown (the drill-in). */
  scopesPanes?: boolean;
  /** The view's Source drains the failure recorder itself: the shell does not poll it while the view is shown. */
  drainsRecorder?: boolean;
  /**
   * Replay: samples fed to this view's Source before the cursor when it is
   * shown or the cursor jumps (rates need 1; graphs want their width).
   * Default 1.
   */
  replayHistory?: number;
  /** The view that shows a target of this kind (the drill-in: 'pid'): `app.open(target)` opens it with the target's fields as its params. */
  target?: ViewTarget['kind'];
}

/**
 * What a screen asks the app to show, by what it is about rather than by a
 * view's name: the navigator opens the view whose flags say it takes that
 * kind of target (ViewFlags.target).
 */
export type ViewTarget = { kind: 'pid'; pid: number };

/** A target's fields as the params of the view that shows it (its kind left out). */
export function targetParams(t: ViewTarget): Record<string, unknown> {
  const { kind: _kind, ...params } = t;
  return params;
}

// ---- the views' Requests and Models ----------------------------------------

/** A history a graph draws (oldest first); kept by the Source, read by the Screen. */
export interface NumberSeries {
  values(): readonly number[];
}

// top (the process table) ---------------------------------------------------

/** Terminal width from which the top view shows the vmstat/netstat/iostat strip. */
export const STRIP_MIN_WIDTH = 150;

/** The one-line system strip of the top view's header on wide terminals. */
export interface StripModels {
  vm?: VmstatModel;
  ifaces?: IfaceModel[];
  io?: IostatModel;
}

/** The top view's model: the process table plus, on wide terminals, the system strip's models. */
export interface TopModel extends ProcessTableModel {
  strip?: StripModels;
}

export interface TopRequest {
  /** Configured column ids: what is read for the drawn rows. */
  columns: readonly string[];
  /** Sort column id: read for every task. */
  sort: string;
  /** Read no task/ directories while user threads are hidden. */
  hideUserThreads: boolean;
  /**
   * Rows drawn last time: their display-only columns are read (see
   * ProcessCollector.detailNeeds). undefined before the first draw: the
   * Source then takes a fast partial sample and completes it after.
   */
  visiblePids?: ReadonlySet<number>;
  /** The terminal is wide enough for the system strip (collected only then). */
  strip: boolean;
  /** A filter or a search looks at every row: every command line is needed (read when missing). */
  allCommandLines: boolean;
  /**
   * Every row is shown (`ostop dump processes`): the columns are read for
   * every task from the first sample on (no fast partial sample), and command
   * lines only when a column shows them.
   */
  everyRow?: boolean;
}

// process (drill-in) --------------------------------------------------------

export interface ProcessRequest {
  /** The process shown. */
  pid: number;
}

/** The parts of a drill-in sample that can fail on their own (the screen names them). */
export type { ProcSection } from '../collectors/proc-detail-read.js';

// vmstat: its Source needs nothing from the screen ---------------------------

export interface VmstatHistory {
  us: NumberSeries; sy: NumberSeries; wa: NumberSeries; st: NumberSeries;
  /** Busy % of all CPUs (us + sy + st) and of each CPU (by index). */
  busy: NumberSeries; cores: readonly NumberSeries[];
  usedPct: NumberSeries; cachePct: NumberSeries;
  si: NumberSeries; so: NumberSeries; in: NumberSeries; cs: NumberSeries;
  bi: NumberSeries; bo: NumberSeries;
  /** PSI "some" avg10 (% of time stalled) of cpu, memory and io; 0 where PSI is unavailable. */
  psiCpu: NumberSeries; psiMem: NumberSeries; psiIo: NumberSeries;
}

export interface VmstatViewModel {
  cur: VmstatModel;
  hist: VmstatHistory;
  /** The last samples, oldest first (the screen's `vmstat 1`-style table; at most SAMPLES_KEPT). */
  samples: readonly VmstatModel[];
}

// netstat -------------------------------------------------------------------

export interface NetstatRequest {
  /** The lower pane: the socket table (read only while shown) or the protocol counters. */
  pane: 'sockets' | 'proto';
  filterText: string;
  listening: boolean;
  unix: boolean;
  /** The owner column (the /proc/PID/fd scan) is shown. */
  owners: boolean;
  sort: SocketSortKey;
}

export interface NetstatViewModel {
  net: NetModel;
  hist: Map<string, { rx: NumberSeries; tx: NumberSeries }>;
  sockets?: SocketsModel;
  /** Milliseconds spent reading socket tables / scanning owners on the last refresh. */
  socketsMs?: number;
  ownersMs?: number;
  /** Owners are rescanned every this many ticks (1 = every tick). */
  ownersEvery: number;
  /** Why the socket table is empty though sockets are counted (replay: the table is not recorded). */
  socketsNote?: string;
}

// iostat --------------------------------------------------------------------

export interface IostatRequest {
  /**
   * The lower pane: filesystems (statfs only while shown) or per-process I/O
   * (/proc/PID/io only while shown); 'devices': the device table alone
   * (`ostop dump iostat`).
   */
  pane: 'fs' | 'procs' | 'devices';
  procSort: PidIoSortKey;
}

/** The filesystem table (iostat's lower pane, `ostop dump fs`). */
export interface FsRequest {
  sort: FsSortKey;
}

export interface DeviceHistory { util: NumberSeries; rkB: NumberSeries; wkB: NumberSeries }

export interface IostatViewModel {
  io: IostatModel;
  hist: Map<string, DeviceHistory>;
  fs?: FsModel;
  procs?: PidIoModel;
  /** Why some processes' I/O could not be read (short form), if any. */
  procsNote?: string;
}
