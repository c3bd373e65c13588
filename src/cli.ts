// Command-line entry: `ostop` (TUI), `ostop dump <view>`, `ostop trace <tracer>`.
// Exit codes: 0 ok, 1 runtime failure, 2 usage error (unknown flag, bad value).
import { readFileSync } from 'node:fs';
import { DUMP_VIEWS } from './app/dump-registry.js';
import { UsageError, type DumpOptions } from './model/dump-view.js';
import { parseCount, parseDecimal, splitFlag } from './util/args.js';
import { parsePidList, parseUser } from './collectors/validate.js';
import { OUTPUT_FORMATS, type OutputFormat } from './model/output.js';
import { MIN_DELAY, MAX_DELAY } from './model/config.js';
import { packageRoot } from './native.js';
import { terminalSafe } from './util/output-safe.js';
import type { UiOptions } from './app/ui-options.js';
import { sanitize } from './util/text.js';
import { formatLocalTime, parseTimeArg } from './util/time-arg.js';

export { whenStarted } from './app/startup.js';

export const VERSION: string = (() => {
  try {
    // packageRoot(): found from dist/src/ and from the dist/ostop.cjs bundle alike
    return JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')).version;
  } catch {
    return 'unknown';
  }
})();

const HELP = `ostop ${VERSION} - processes, system counters and eBPF tracing in one terminal UI

Usage:
  ostop [-d SEC] [-p PID[,PID...]] [-u USER]   full-screen UI (default: process table)
  ostop dump <view> [options]                   print a view without a terminal
  ostop trace <tracer> [options]                stream eBPF trace events
  ostop record [--dir DIR] [--interval SEC]     record every view to a store (see ostop record --help)
  ostop snapshot -o FILE [--last 10m]           the recent history in one portable file
  ostop replay [DIR|FILE] [--at T|--begin T]    the UI on recorded data (see ostop replay --help)
  ostop --help | --version

UI options:
  -d, --delay SEC     refresh delay in seconds (default 1.5, like htop; 0.1..3600)
  -p, --pid PID       start drilled into PID (several, comma separated: show only those)
  -u, --user USER     show only USER's processes
  --no-color          monochrome (also: NO_COLOR=1, TERM=vt100)

dump views:
${'%DUMP%'}
dump options: -n N (samples, default 1)  -d SEC (interval, default 1)  --format text|json|csv
              --from DIR|FILE [--begin T] [--end T]: recorded samples (ostop record) instead of now;
              T: HH:MM, 'YYYY-MM-DD HH:MM', ISO 8601, or relative like -2h

trace: ostop trace <opens|disk|exec|exit|syscalls|tcp|runqlat|profile|offcpu> [--pid PID] [--duration SEC]
       [--format text|json] [--summary]     (needs root or CAP_BPF+CAP_PERFMON)
       ostop trace profile [--pid PID] [--duration SEC] [--freq HZ] [--off-cpu] [--format folded|json|text]

Keys in the UI: F1 or ? for help. Config: $XDG_CONFIG_HOME/ostop/config.json
`;

export function helpText(): string {
  return HELP.replace('%DUMP%', DUMP_VIEWS.map((v) => `  ${v.name.padEnd(12)} ${v.summary}`).join('\n'));
}

export type { UiOptions } from './app/ui-options.js';

function parseDelay(v: string | undefined, flag: string): number {
  const d = parseDecimal(v, flag, `a delay between ${MIN_DELAY} and ${MAX_DELAY} seconds`);
  if (d < MIN_DELAY || d > MAX_DELAY) throw new UsageError(`${flag}: '${v}' is not a delay between ${MIN_DELAY} and ${MAX_DELAY} seconds`);
  return d;
}

export function parseUiArgs(argv: string[]): UiOptions {
  const o: UiOptions = { noColor: false };
  for (let i = 0; i < argv.length; i++) {
    const [f, inline] = splitFlag(argv[i], 'dpu');
    const val = () => (inline !== undefined ? inline : argv[++i]);
    switch (f) {
      case '-d': case '--delay': o.delaySec = parseDelay(val(), f); break;
      case '-p': case '--pid': o.pids = parsePidList(val(), f); break;
      case '-u': case '--user': { const u = val(); parseUser(u, f); o.user = u; break; }
      case '--no-color': case '--no-colour': o.noColor = true; break;
      default: throw new UsageError(argv[i].startsWith('-') ? `unknown option '${argv[i]}'` : `unexpected argument '${argv[i]}'`);
    }
  }
  return o;
}

export function parseDumpArgs(argv: string[], signal: AbortSignal, out: (s: string) => void, err: (s: string) => void): { view: (typeof DUMP_VIEWS)[number]; opts: DumpOptions; recorded?: RecordedRange } {
  const name = argv[0];
  if (!name || name.startsWith('-')) throw new UsageError(`dump needs a view: ${DUMP_VIEWS.map((v) => v.name).join(', ')}`);
  const view = DUMP_VIEWS.find((v) => v.name === name);
  const recorded: RecordedRange = {};
  if (!view) throw new UsageError(`unknown dump view '${name}' (views: ${DUMP_VIEWS.map((v) => v.name).join(', ')})`);
  const opts: DumpOptions = { n: 1, delaySec: 1, format: 'text', flags: {}, out, err, signal };
  const spec = view.flags ?? {};
  let nGiven = false;
  for (let i = 1; i < argv.length; i++) {
    const [f, inline] = splitFlag(argv[i], 'nd');
    const val = () => {
      const v = inline !== undefined ? inline : argv[++i];
      if (v === undefined) throw new UsageError(`${f} needs a value`);
      return v;
    };
    if (f === '-n' || f === '--iterations') { opts.n = parseCount(val(), f); nGiven = true; }
    else if (f === '--from') recorded.from = val();
    else if (f === '--begin') recorded.begin = val();
    else if (f === '--end') recorded.end = val();
    else if (f === '-d' || f === '--delay') opts.delaySec = parseDelay(val(), f);
    else if (f === '--format') {
      const v = val();
      if (!OUTPUT_FORMATS.includes(v as OutputFormat) || (view.formats && !view.formats.includes(v as OutputFormat))) {
        throw new UsageError(`--format: '${v}' is not one of ${(view.formats ?? OUTPUT_FORMATS).join(', ')}`);
      }
      opts.format = v as OutputFormat;
    } else if (f.startsWith('--') && spec[f.slice(2)]) {
      const key = f.slice(2);
      if (spec[key] === 'boolean') {
        if (inline !== undefined) throw new UsageError(`${f} takes no value`);
        opts.flags[key] = true;
      } else opts.flags[key] = val();
    } else if (f === '-p' && spec.pid) opts.flags.pid = val();
    else throw new UsageError(`unknown option '${argv[i]}' for 'dump ${view.name}'${Object.keys(spec).length ? ` (options: ${Object.keys(spec).map((k) => '--' + k).join(' ')})` : ''}`);
  }
  if (recorded.from === undefined && (recorded.begin !== undefined || recorded.end !== undefined)) throw new UsageError('--begin and --end need --from DIR|FILE (a store written by `ostop record`)');
  if (recorded.from !== undefined) {
    if (!view.fromStore) throw new UsageError(`dump ${view.name} cannot read a store (--from): its samples are not recorded${view.name === 'process' ? '; use dump processes --from STORE --pid PID' : ''}`);
    if (!recorded.from) throw new UsageError('--from needs a store directory or file');
    const now = Date.now();
    // Parsed now so a bad time is a usage error before the store is opened; unset ends are the store's.
    if (recorded.begin !== undefined) parseTimeArg(recorded.begin, '--begin', now);
    if (recorded.end !== undefined) parseTimeArg(recorded.end, '--end', now);
    if (!nGiven) opts.n = Infinity;
  }
  return { view, opts, recorded: recorded.from !== undefined ? recorded : undefined };
}

/** --from/--begin/--end of a dump: the store and the range, opened by openRecorded(). */
export interface RecordedRange { from?: string; begin?: string; end?: string }

/** The DumpReplay of --from (StoreError when the store cannot be read, UsageError for an empty range). */
export async function openRecorded(r: RecordedRange): Promise<import('./model/dump-view.js').DumpReplay> {
  const { StoreReader } = await import('./store/disk-store.js');
  const { RecordedDump } = await import('./views/recorded-feed.js');
  const reader = StoreReader.open<import('./model/recorded.js').RecordedTick, import('./model/recorded.js').RecordedEvents>(r.from!);
  const now = Date.now();
  const begin = r.begin !== undefined ? parseTimeArg(r.begin, '--begin', now) : reader.firstTime()!;
  const end = r.end !== undefined ? parseTimeArg(r.end, '--end', now) : reader.lastTime()!;
  if (begin > end) throw new UsageError(`--begin (${formatLocalTime(begin)}) is after --end (${formatLocalTime(end)})`);
  return new RecordedDump(reader, reader.path, begin, end);
}

export const REPLAY_HELP = `Usage: ostop replay [DIR|FILE] [--at TIME | --begin TIME] [--speed N] [--no-color]

Opens the UI on samples recorded by \`ostop record\` (a store directory) or
written by \`ostop snapshot\` (one file): every view (processes, drill-in,
vmstat, netstat, iostat, failures) shows the recorded sample at the cursor,
with the same keys as live. The top line says REPLAY, the recorded host and
the recorded time. Trace panes are live-only; kill, renice, gcore and gdb
are refused.

  DIR|FILE        the store (default: ${'%STORE%'})
  --at TIME       start at TIME, paused
  --begin TIME    start at TIME, playing
  --speed N       playback speed: ${'%SPEEDS%'} (samples per recorded interval)
  --no-color      monochrome
  TIME: HH:MM[:SS], 'YYYY-MM-DD HH:MM', ISO 8601, @EPOCH, or relative like -2h (to now)

Keys: t next sample, T previous (as atop), b jump to a time (relative times
are to the shown sample), e / E next / previous failure, Space play / pause,
S speed; F1 lists every key. In replay F5 is the tree view and F6 the sort.
`;

/** \`ostop replay\` arguments (src/tui.ts runReplay opens the store). */
export function parseReplayArgs(argv: string[], defaultDir: string, speeds: readonly number[]): import('./tui.js').ReplayOptions {
  const o: import('./tui.js').ReplayOptions = { path: defaultDir, noColor: false };
  let path: string | undefined;
  const now = Date.now();
  for (let i = 0; i < argv.length; i++) {
    const [f, inline] = splitFlag(argv[i], '');
    const val = () => {
      const v = inline !== undefined ? inline : argv[++i];
      if (v === undefined) throw new UsageError(`${f} needs a value`);
      return v;
    };
    if (f === '--at' || f === '--begin') {
      if (o.at !== undefined || o.begin !== undefined) throw new UsageError('give one of --at and --begin');
      const v = val();
      parseTimeArg(v, f, now); // a bad time is a usage error before the store is opened
      if (f === '--at') o.at = v;
      else o.begin = v;
    } else if (f === '--speed') {
      const v = val();
      const n = Number(v.replace(/x$/, ''));
      if (!speeds.includes(n)) throw new UsageError(`--speed: '${v}' is not one of ${speeds.join(', ')}`);
      o.speed = n;
    } else if (f === '--no-color' || f === '--no-colour') o.noColor = true;
    else if (f.startsWith('-') && f !== '-') throw new UsageError(`unknown option '${argv[i]}' for 'replay'`);
    else if (path !== undefined) throw new UsageError(`replay takes one store (directory or file), got '${path}' and '${argv[i]}'`);
    else if (!argv[i]) throw new UsageError('replay: the store path is empty');
    else path = argv[i];
  }
  if (path !== undefined) o.path = path;
  return o;
}

function onTerminate(ctrl: AbortController): () => void {
  const h = () => ctrl.abort();
  process.on('SIGINT', h);
  process.on('SIGTERM', h);
  process.on('SIGHUP', h);
  return () => {
    process.off('SIGINT', h);
    process.off('SIGTERM', h);
    process.off('SIGHUP', h);
  };
}

// Every view and tracer escapes what it prints (src/util/output-safe.ts);
// terminalSafe is the last guard, so no control character reaches a terminal raw.
function writeOut(s: string): void {
  try {
    process.stdout.write(terminalSafe(s));
  } catch {
    /* EPIPE: reader went away */
  }
}

export async function main(argv: string[]): Promise<number> {
  // A closed pipe (ostop dump ... | head) ends quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const err = (s: string) => process.stderr.write(terminalSafe(s));
  try {
    if (argv[0] === 'record') {
      const { runRecord } = await import('./app/recorder.js');
      return await runRecord(argv.slice(1), { out: writeOut, err });
    }
    if (argv[0] === 'snapshot') {
      const { runSnapshot } = await import('./app/snapshot.js');
      return await runSnapshot(argv.slice(1), { out: writeOut, err });
    }
    if (argv[0] === 'replay') {
      const [{ defaultStoreDir }, { REPLAY_SPEEDS }] = await Promise.all([import('./app/recorder.js'), import('./app/replay.js')]);
      if (argv.includes('--help') || argv.includes('-h')) {
        writeOut(REPLAY_HELP.replace('%STORE%', defaultStoreDir()).replace('%SPEEDS%', REPLAY_SPEEDS.join(', ')));
        return 0;
      }
      const o = parseReplayArgs(argv.slice(1), defaultStoreDir(), REPLAY_SPEEDS);
      const { runReplay } = await import('./tui.js');
      // The store is checked first (a bad store or time says so even without a terminal).
      return await runReplay(o, err, !!process.stdout.isTTY && !!process.stdin.isTTY);
    }
    if (argv.includes('--help') || argv.includes('-h')) {
      if (argv[0] !== 'trace') {
        writeOut(helpText());
        return 0;
      }
    }
    if (argv[0] === '--version' || argv[0] === '-V') {
      writeOut(`ostop ${VERSION}\n`);
      return 0;
    }
    if (argv[0] === 'dump') {
      const ctrl = new AbortController();
      const off = onTerminate(ctrl);
      try {
        const { view, opts, recorded } = parseDumpArgs(argv.slice(1), ctrl.signal, writeOut, err);
        if (recorded) {
          try {
            opts.replay = await openRecorded(recorded);
          } catch (e) {
            if (e instanceof UsageError) throw e;
            err(`ostop: ${sanitize((e as Error).message)}\n`);
            return 1;
          }
        }
        return await view.run(opts);
      } finally {
        off();
      }
    }
    if (argv[0] === 'trace') {
      let mod: { runTrace: (a: string[], io: { out: (s: string) => void; err: (s: string) => void }) => Promise<number> };
      try {
        mod = await import('./tracers/trace-cmd.js');
      } catch (e) {
        err(`ostop: tracing is not available in this build: ${sanitize((e as Error).message)}\n`);
        return 1;
      }
      return await mod.runTrace(argv.slice(1), { out: writeOut, err });
    }
    const ui = parseUiArgs(argv);
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      err('ostop: the UI needs a terminal on stdin and stdout; for scripts use `ostop dump processes` (see --help)\n');
      return 1;
    }
    const { runTui } = await import('./tui.js');
    return await runTui(ui);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`ostop: ${sanitize(e.message)}\nTry 'ostop --help'.\n`);
      return 2;
    }
    throw e;
  }
}
