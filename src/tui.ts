// The composition root of the TUI: the only module that pairs each view's
// Source (src/views, src/failures) with its Screen (screens/). The shell
// (src/app) receives the list and knows views only by their flags
// (ViewFlags: key, keepAlive, home, stacks), never by name.
// Views other than the process table are loaded on first use (and prefetched
// once the first frame is out): their modules (systeminformation, the
// kernel-log reader...) stay out of start-up, so the first frame comes fast.
import { App } from './app/app.js';
import { loadConfig } from './app/config.js';
import { chooseTerminal } from './app/terminal.js';
import { makeTheme } from './app/theme.js';
import type { UiOptions } from './app/ui-options.js';
import type { ViewContext, ViewEntry } from './app/view.js';
import { UserNames } from './collectors/users.js';
import { MachineSampler } from './collectors/machine.js';
import { TopSource, type TopInputs } from './views/top.js';
import { TopScreen } from '../screens/top-screen.js';
import { PaneHost } from '../screens/trace-panes.js';
import { sanitize } from './util/text.js';
import type { FailuresHub } from './failures/hub.js';
import type { RecordedFeed } from './views/recorded-feed.js';
import type { RecordedEvents, RecordedTick } from './model/recorded.js';
import { liveOnlyPanes, ReplayController, type ReplaySession } from './app/replay.js';
import { UsageError } from './model/dump-view.js';
import { formatLocalTime, parseTimeArg } from './util/time-arg.js';
import type { Preloadable, PreloadingSource, StoreHistory } from './app/preload.js';
import type { Source } from './model/view-contract.js';

/**
 * The TUI's failure recorder (src/failures/hub.ts): one per TUI, made on
 * first use (its modules stay out of start-up), shared by the shell (which
 * starts its exit tracer at launch as root), the failures view (whose
 * timeline outlives the view) and the drill-in (how a process ended).
 */
export interface FailureRecorder {
  /** The recorder if something made it already, without making it. */
  current(): FailuresHub | undefined;
  open(): Promise<FailuresHub>;
}

export function failureRecorder(history?: () => Promise<StoreHistory | undefined>): FailureRecorder {
  let hub: FailuresHub | undefined;
  return {
    current: () => hub,
    async open() {
      const { FailuresHub } = await import('./failures/hub.js'); // its eBPF feed is the exit tracer's (explicit default)
      if (hub) return hub;
      hub = new FailuresHub();
      // The recorder's recent failures first (ostop record's store), so the timeline is full from the first frame.
      (await history?.())?.failuresInto(hub);
      return hub;
    },
  };
}

/** The recorder's store's recent history, read once on first use (src/app/preload.ts); undefined without a store. */
export function storeHistoryOnce(): () => Promise<StoreHistory | undefined> {
  let p: Promise<StoreHistory | undefined> | undefined;
  return () => (p ??= import('./app/preload.js').then((m) => m.storeHistory()).catch(() => undefined));
}

/** What the views take from the shell and the rest of the app, given once per TUI. */
export interface ViewWiring {
  users: UserNames;
  /** -u USER resolved; undefined = every user. */
  uid?: number;
  /** -p PID,PID (more than one): show only these. */
  pids?: ReadonlySet<number>;
  /** The trace panes' per-PID rates and the renice events, for the process table (set by the app). */
  topInputs(): TopInputs;
  /** The failure recorder (default: one of this list's own). */
  recorder?: FailureRecorder;
  /** Replay: every Source takes the recorded feed's samples instead of reading this machine (runReplay). */
  recorded?: RecordedWiring;
  /** The recorder's store's recent history, preloaded into the graphs' Sources in the live UI (default: none). */
  history?: () => Promise<StoreHistory | undefined>;
}

/** A graph view's Source that starts with the store's recent history, when there is one (each new Source of the view: PreloadingSource). */
function preloaded<M, R, S extends Source<M, R> & Preloadable<R>>(source: S, history: ViewWiring['history'], Preloading: typeof PreloadingSource | undefined): Source<M, R> {
  return history && Preloading ? new Preloading<M, R, S>(source, history) : source;
}

/** The preload module when there is a history to preload (its code is loaded with the view's, not at start-up). */
async function preloading(history: ViewWiring['history']): Promise<typeof PreloadingSource | undefined> {
  return history ? (await import('./app/preload.js')).PreloadingSource : undefined;
}

/** What the views take in replay: the feed the replay cursor moves, and the store's events for the failures view. */
export interface RecordedWiring {
  feed: RecordedFeed;
  events(t0: number, t1: number): Iterable<{ time: number; events: RecordedEvents }>;
}

/** Samples fed before the cursor on a jump to a view with graphs: more than the widest graph draws (2 x 78 braille columns). */
const GRAPH_HISTORY = 160;

function pidParam(params: Record<string, unknown>): number {
  const pid = Number(params.pid);
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`process view: bad pid ${String(params.pid)}`);
  return pid;
}

/**
 * Every view of the TUI, in Tab order (the home view first). UI state a
 * screen keeps across openings (netstat's and iostat's panes and toggles)
 * lives here, one per TUI, and reaches the Sources only through the
 * screens' requests.
 */
export function tuiViews(w: ViewWiring): ViewEntry[] {
  const recorder = w.recorder ?? failureRecorder();
  let netstatUi: unknown;
  let iostatUi: unknown;
  // One machine-wide sample per tick for every view: /proc/stat, meminfo, loadavg, uptime, vmstat, diskstats and net/dev are read once per tick.
  // In replay the recorded tick's (the feed's MachineSampler), and nothing of this machine is read.
  const rec = w.recorded;
  const feed = rec?.feed;
  const machine = feed?.machine ?? new MachineSampler();
  return [
    {
      id: 'top', title: 'Processes', home: true, keepAlive: true,
      load: () => ({
        createSource: () => new TopSource({ users: w.users, pids: w.pids, machine, feed, reuseRows: true }, w.topInputs()),
        createScreen: (ctx: ViewContext) => new TopScreen(ctx, { uid: w.uid, pids: w.pids, userName: (uid) => w.users.name(uid) }),
      }),
    },
    {
      id: 'process', title: 'Process', target: 'pid', stacks: true, scopesPanes: true, replayHistory: 60,
      load: async () => {
        const [{ ProcessSource }, { ProcessScreen }, recordedProcess] = await Promise.all([
          import('./views/process-source.js'), import('../screens/process-screen.js'), feed ? import('./views/recorded-process.js') : undefined,
        ]);
        if (feed && recordedProcess) {
          // The process as the tick at the cursor recorded it; the recorded machine's boot time and memory.
          const sys = recordedProcess.recordedSystemInfo(() => feed.peek(), (uid) => w.users.name(uid));
          return {
            // How it ended: the store's records of its death up to the cursor (failures with their sender, short-lived exits).
            createSource: () => new ProcessSource({
              read: (pid) => recordedProcess.recordedProcDetail(feed.current(), pid), sys, clock: () => feed.wallMs(),
              exitsOf: (pid) => recordedProcess.recordedExitsOf(pid, rec!.events(feed.wallMs() - recordedProcess.END_LOOKBACK_MS, feed.wallMs())),
            }),
            createScreen: (ctx, params) => new ProcessScreen(ctx, pidParam(params)),
          };
        }
        return {
          // How a process ended comes from the exit tracer the failures recorder
          // already runs as root (no second tracer); without it, from the zombie.
          createSource: () => new ProcessSource({ exitsOf: (pid) => recorder.current()?.exitsOf(pid) ?? null }),
          createScreen: (ctx, params) => new ProcessScreen(ctx, pidParam(params)),
        };
      },
    },
    {
      id: 'vmstat', title: 'vmstat', key: 'v', footer: 'vmstat', replayHistory: GRAPH_HISTORY,
      load: async () => {
        const [{ VmstatSource }, { VmstatScreen }] = await Promise.all([import('./views/vmstat.js'), import('../screens/vmstat-screen.js')]);
        if (feed) return { createSource: () => new VmstatSource('/proc', machine, feed), createScreen: (ctx) => new VmstatScreen(ctx) };
        const P = await preloading(w.history);
        return { createSource: () => preloaded(new VmstatSource('/proc', machine), w.history, P), createScreen: (ctx) => new VmstatScreen(ctx) };
      },
    },
    {
      id: 'netstat', title: 'netstat', key: 'n', footer: 'net', replayHistory: GRAPH_HISTORY,
      load: async () => {
        const [{ NetstatSource }, { NetstatScreen, NetstatUiState }] = await Promise.all([import('./views/netstat.js'), import('../screens/netstat-screen.js')]);
        const ui = (netstatUi ??= new NetstatUiState()) as InstanceType<typeof NetstatUiState>;
        if (feed) return { createSource: () => new NetstatSource(machine, { osInventoryOnly: true, feed }), createScreen: (ctx) => new NetstatScreen(ctx, ui) };
        const P = await preloading(w.history);
        return { createSource: () => preloaded(new NetstatSource(machine), w.history, P), createScreen: (ctx) => new NetstatScreen(ctx, ui) };
      },
    },
    {
      id: 'iostat', title: 'iostat', key: 'i', footer: 'io', replayHistory: GRAPH_HISTORY,
      load: async () => {
        const [{ IostatSource }, { IostatScreen, IostatUiState }] = await Promise.all([import('./views/iostat.js'), import('../screens/iostat-screen.js')]);
        const ui = (iostatUi ??= new IostatUiState()) as InstanceType<typeof IostatUiState>;
        if (feed) return { createSource: () => new IostatSource(machine, feed), createScreen: (ctx) => new IostatScreen(ctx, ui) };
        const P = await preloading(w.history);
        return { createSource: () => preloaded(new IostatSource(machine), w.history, P), createScreen: (ctx) => new IostatScreen(ctx, ui) };
      },
    },
    {
      id: 'failures', title: 'Failures', key: 'f', footer: 'fail', drainsRecorder: true,
      load: async () => {
        if (rec) {
          // The recorded events up to the cursor, in a hub that reads nothing of this machine.
          const [{ RecordedFailuresSource }, { FailuresScreen }] = await Promise.all([import('./failures/recorded-source.js'), import('../screens/failures-screen.js')]);
          return { createSource: () => new RecordedFailuresSource({ events: (t0, t1) => rec.events(t0, t1), current: () => rec.feed.current() }), createScreen: (ctx, params) => new FailuresScreen(ctx, params) };
        }
        const [{ FailuresSource }, { FailuresScreen }, hub] = await Promise.all([import('./failures/source.js'), import('../screens/failures-screen.js'), recorder.open()]);
        // The timeline lives in the TUI's failure recorder, so it survives the view being closed;
        // the screen's toggles and target reach the Source in its request().
        return { createSource: () => new FailuresSource(hub), createScreen: (ctx, params) => new FailuresScreen(ctx, params) };
      },
    },
  ];
}

export async function runTui(ui: UiOptions): Promise<number> {
  const loaded = loadConfig();
  const term = chooseTerminal(process.env);
  const mono = ui.noColor || term.mono;
  const users = new UserNames();
  let uid: number | undefined;
  // The verdict on the config file first; an unknown -u user replaces it (as before the split).
  let startError = loaded.error;
  if (ui.user !== undefined) {
    uid = users.uidOf(ui.user);
    if (uid === undefined) startError = `unknown user '${sanitize(ui.user)}': showing all users`;
  }
  let app: App | undefined;
  const history = storeHistoryOnce();
  const recorder = failureRecorder(history);
  const views = tuiViews({
    recorder, history,
    users, uid,
    pids: ui.pids && ui.pids.length > 1 ? new Set(ui.pids) : undefined,
    topInputs: () => app!.topInputs(),
  });
  app = new App(loaded.config, loaded.path, { saveEnabled: !loaded.error, startError }, makeTheme(mono), term.terminal, mono ? 0 : term.colors, {
    delaySec: ui.delaySec,
    first: ui.pids && ui.pids.length === 1 ? { kind: 'pid', pid: ui.pids[0] } : undefined,
    recorder: () => recorder.open(),
    panes: (ctx) => new PaneHost(ctx),
  }, views);
  return app.run();
}

/** `ostop replay` as the command line gave it (src/cli.ts parseReplayArgs). */
export interface ReplayOptions {
  /** Store directory or file (default: where `ostop record` writes). */
  path: string;
  /** Start at this time, paused (--at), or playing (--begin); default: the first sample, paused. */
  at?: string;
  begin?: string;
  speed?: number;
  noColor: boolean;
}

/** Where in the recording to start: the sample of --at / --begin, refused with the recording's range when outside it. */
export function replayStart(times: { first: number; last: number; intervalMs: number; indexAt(t: number): number }, o: Pick<ReplayOptions, 'at' | 'begin'>, now = Date.now()): number {
  const flag = o.at !== undefined ? '--at' : o.begin !== undefined ? '--begin' : undefined;
  if (!flag) return 0;
  const t = parseTimeArg(o.at ?? o.begin, flag, now);
  if (t < times.first || t > times.last + times.intervalMs) {
    throw new UsageError(`${flag} ${formatLocalTime(t)} is outside the recording (${formatLocalTime(times.first)} to ${formatLocalTime(times.last)})`);
  }
  return Math.max(0, times.indexAt(t));
}

/**
 * `ostop replay`: the TUI on recorded data. The store is opened (errors for
 * a person: missing, unreadable, another user's, corrupt), every view's
 * Source takes the recorded feed (tuiViews with `recorded`), and the shell
 * moves the cursor (src/app/replay.ts).
 */
export async function runReplay(o: ReplayOptions, err: (s: string) => void, tty = true): Promise<number> {
  const [{ StoreReader }, { RecordedFeed, recordedEvents }] = await Promise.all([import('./store/disk-store.js'), import('./views/recorded-feed.js')]);
  let reader: import('./store/disk-store.js').StoreReader<RecordedTick, RecordedEvents>;
  try {
    reader = StoreReader.open<RecordedTick, RecordedEvents>(o.path);
  } catch (e) {
    err(`ostop replay: ${sanitize((e as Error).message)}\n`);
    return 1;
  }
  if (reader.size === 0) {
    err(`ostop replay: ${sanitize(reader.path)}: no sample could be read${reader.skipped ? ` (${reader.skipped} damaged records skipped)` : ''}\n`);
    return 1;
  }
  const meta = reader.sessions[0]?.meta ?? { format: '?', version: 0 };
  const intervalMs = Number(meta.intervalMs) > 0 ? Number(meta.intervalMs) : reader.size > 1 ? (reader.lastTime()! - reader.firstTime()!) / (reader.size - 1) : 5000;
  const start = replayStart({ first: reader.firstTime()!, last: reader.lastTime()!, intervalMs, indexAt: (t) => reader.indexAt(t) }, o);
  const feed = new RecordedFeed();
  // Which samples hold a failure (e / E, the marks of the time line): every events record is decoded for it
  // (one a sample on a busy machine), so it is scanned after the first frame, a slice per turn of the event loop.
  const failures: number[] = [];
  const scan = reader.events();
  let scanned = false;
  const scanSome = (n: number): boolean => {
    for (let k = 0; k < n && !scanned; k++) {
      const e = scan.next();
      if (e.done) scanned = true;
      else if (e.value.events.failures?.length) failures.push(e.value.index);
    }
    return scanned;
  };
  const session: ReplaySession = {
    path: reader.path,
    host: typeof meta.host === 'string' ? meta.host : '?',
    kernel: typeof meta.kernel === 'string' ? meta.kernel : undefined,
    intervalMs,
    size: reader.size,
    timeAt: (i) => reader.timeAt(i),
    indexAt: (t) => reader.indexAt(t),
    load(i) {
      // Not copied (a jump to a graph view reads 160 ticks in a row; the copy was 95 % of that): the feed copies what the Sources keep.
      const t = reader.tickShared(i);
      if (!t) return false;
      feed.set(t);
      return true;
    },
    failureIndexes: (complete) => {
      if (complete) scanSome(Infinity);
      return failures;
    },
    // HH:MM is on the shown sample's day (parseTimeArg takes it on the day of its `now`, or the day before when still to come); -2h is from the shown sample.
    parseTime: (text, cursorMs) => {
      const endOfDay = new Date(cursorMs);
      endOfDay.setHours(23, 59, 59, 999);
      return parseTimeArg(text, 'time', /^\d{1,2}:\d{2}(:\d{2})?$/.test(text) ? endOfDay.getTime() : cursorMs);
    },
  };
  if (!tty) {
    err('ostop replay: the UI needs a terminal on stdin and stdout; for scripts use `ostop dump VIEW --from STORE` (see --help)\n');
    return 1;
  }
  const replay = new ReplayController(session, start);
  if (o.speed) replay.speed = o.speed;
  replay.playing = o.begin !== undefined;
  const loaded = loadConfig();
  const term = chooseTerminal(process.env);
  const mono = o.noColor || term.mono;
  const users = new UserNames();
  const views = tuiViews({
    users,
    recorded: { feed, events: (t0, t1) => [...recordedEvents(reader, t0, t1)] },
    // No trace panes and no renice in replay: the process table takes nothing from the shell.
    topInputs: () => ({}),
  });
  // The config is read (columns, sort, colours) but never written from a replay.
  const app = new App(loaded.config, loaded.path, { saveEnabled: false, startError: loaded.error }, makeTheme(mono), term.terminal, mono ? 0 : term.colors, {
    replay,
    panes: (ctx) => liveOnlyPanes((m, l) => ctx.app.status(m, l)),
  }, views);
  if (reader.skipped) app.status(`${reader.skipped} damaged records in the store were skipped`, 'warn');
  let quit = false;
  const running = app.run().finally(() => { quit = true; });
  const slice = (): void => {
    if (quit) return;
    if (scanSome(200)) app.requestRender();
    else setTimeout(slice, 0);
  };
  setTimeout(slice, 200);
  // Records are checked when decoded; the whole store once the first frame is up (store13: StoreReader.verify).
  setTimeout(() => {
    if (quit) return;
    const before = reader.skipped;
    if (reader.verify() && !before) app.status(`${reader.skipped} damaged records in the store were skipped`, 'warn');
  }, 300);
  return running;
}
