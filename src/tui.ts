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

export function failureRecorder(): FailureRecorder {
  let hub: FailuresHub | undefined;
  return {
    current: () => hub,
    async open() {
      const { FailuresHub } = await import('./failures/hub.js'); // its eBPF feed is the exit tracer's (explicit default)
      return (hub ??= new FailuresHub());
    },
  };
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
}

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
  const machine = new MachineSampler();
  return [
    {
      id: 'top', title: 'Processes', home: true, keepAlive: true,
      load: () => ({
        createSource: () => new TopSource({ users: w.users, pids: w.pids, machine }, w.topInputs()),
        createScreen: (ctx: ViewContext) => new TopScreen(ctx, { uid: w.uid, pids: w.pids, userName: (uid) => w.users.name(uid) }),
      }),
    },
    {
      id: 'process', title: 'Process', target: 'pid', stacks: true, scopesPanes: true,
      load: async () => {
        const [{ ProcessSource }, { ProcessScreen }] = await Promise.all([
          import('./views/process-source.js'), import('../screens/process-screen.js'),
        ]);
        return {
          // How a process ended comes from the exit tracer the failures recorder
          // already runs as root (no second tracer); without it, from the zombie.
          createSource: () => new ProcessSource({ exitsOf: (pid) => recorder.current()?.exitsOf(pid) ?? null }),
          createScreen: (ctx, params) => new ProcessScreen(ctx, pidParam(params)),
        };
      },
    },
    {
      id: 'vmstat', title: 'vmstat', key: 'v', footer: 'vmstat',
      load: async () => {
        const [{ VmstatSource }, { VmstatScreen }] = await Promise.all([import('./views/vmstat.js'), import('../screens/vmstat-screen.js')]);
        return { createSource: () => new VmstatSource('/proc', machine), createScreen: (ctx) => new VmstatScreen(ctx) };
      },
    },
    {
      id: 'netstat', title: 'netstat', key: 'n', footer: 'net',
      load: async () => {
        const [{ NetstatSource }, { NetstatScreen, NetstatUiState }] = await Promise.all([import('./views/netstat.js'), import('../screens/netstat-screen.js')]);
        const ui = (netstatUi ??= new NetstatUiState()) as InstanceType<typeof NetstatUiState>;
        return { createSource: () => new NetstatSource(machine), createScreen: (ctx) => new NetstatScreen(ctx, ui) };
      },
    },
    {
      id: 'iostat', title: 'iostat', key: 'i', footer: 'io',
      load: async () => {
        const [{ IostatSource }, { IostatScreen, IostatUiState }] = await Promise.all([import('./views/iostat.js'), import('../screens/iostat-screen.js')]);
        const ui = (iostatUi ??= new IostatUiState()) as InstanceType<typeof IostatUiState>;
        return { createSource: () => new IostatSource(machine), createScreen: (ctx) => new IostatScreen(ctx, ui) };
      },
    },
    {
      id: 'failures', title: 'Failures', key: 'f', footer: 'fail', drainsRecorder: true,
      load: async () => {
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
  const recorder = failureRecorder();
  const views = tuiViews({
    recorder,
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
