// `ostop trace <tracer> [--pid PID] [--duration SEC] [--format text|json] [--summary] [tracer flags]`
// Streams decoded events (text: aligned rows, header once; json: one object
// per line) or, with --summary, prints the aggregate and the drop counts at
// the end. Works without a TTY. SIGINT/SIGTERM/SIGHUP end it cleanly: the
// tracer is detached before returning. Exit codes: 0 ok, 1 tracer failed to
// start or is not available in this build, 2 usage error.
import { formatRecords, toObject, type OutputFormat } from '../model/output.js';
import type { Column } from '../model/columns.js';
import { sleep } from '../model/dump-view.js';
import { jsonLine } from '../util/output-safe.js';
import { sanitize } from '../util/text.js';
import { parseDecimal, UsageError } from '../util/args.js';
import { parsePid } from '../collectors/validate.js';
import { TracerError, TracerManager, tracerManager } from './manager.js';
import { TRACERS, findTracer } from './registry.js';
import type { TraceOptions, TraceReport, TracerDescriptor } from './types.js';

export interface TraceIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDescriptor = TracerDescriptor<any>;

export function traceHelp(): string {
  const lines = [
    'usage: ostop trace <tracer> [--pid PID] [--duration SEC] [--format text|json|folded] [--summary] [tracer flags]',
    '',
    'tracers:',
    ...TRACERS.map((t) => {
      const flags = t.flags ? ' ' + Object.entries(t.flags).map(([f, k]) => (k === 'string' ? `[--${f} X]` : `[--${f}]`)).join(' ') : '';
      return `  ${t.name.padEnd(9)} ${t.summary}${flags}`;
    }),
    '',
    '  --pid PID       only this process (opens/exit: the process; exec: the process or its children)',
    '  --duration SEC  stop after SEC seconds (default: until Ctrl-C)',
    '  --format F      text (default) or json (one object per line; with --summary one object);',
    '                  profile/offcpu also folded (collapsed stacks for flamegraph.pl, inferno, speedscope)',
    '  --summary       print an aggregate at the end instead of every event',
    '  opens: --failed only failed opens, --path X only paths containing X',
    '  exec: --failed only failed execs; exit: --failed only non-zero exits, signals and OOM kills',
    '  profile: --freq HZ samples per second on every CPU (default 49); --off-cpu: time blocked by stack',
    '    instead (the offcpu tracer), --min-us N only blocks of at least N us (default 1); --pid PID one process',
    '    (system-wide without); printed at the end (--duration or Ctrl-C)',
    '',
    'Needs root (or CAP_BPF+CAP_PERFMON) and a kernel with BTF.',
  ];
  return lines.join('\n') + '\n';
}

interface ParsedArgs {
  desc: AnyDescriptor;
  opts: TraceOptions;
  durationSec?: number;
  format: OutputFormat;
}

class TraceUsage extends Error {
  constructor(message: string, readonly code = 2) {
    super(message);
  }
}

/** A shared validator's UsageError (src/util/args.ts) as this command's usage error (exit 2). */
function checked<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof UsageError) throw new TraceUsage(e.message);
    throw e;
  }
}

function parseArgs(argv: string[]): ParsedArgs | 'help' | 'usage' {
  if (!argv.length) return 'usage';
  if (argv[0] === '--help' || argv[0] === '-h') return 'help';
  const name = argv[0];
  if (name.startsWith('-')) throw new TraceUsage(`missing tracer name before '${name}'`);
  const desc = findTracer(name);
  if (!desc) throw new TraceUsage(`unknown tracer '${name}'; known: ${TRACERS.map((t) => t.name).join(', ')}`);
  const opts: TraceOptions = { flags: {} };
  let durationSec: number | undefined;
  let format: OutputFormat = 'text';
  for (let i = 1; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new TraceUsage(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--pid' || a === '-p') {
      opts.pid = checked(() => parsePid(value(), a));
    } else if (a === '--duration' || a === '-d') {
      const v = value();
      const d = checked(() => parseDecimal(v, a, 'a positive number of seconds'));
      if (!(d > 0)) throw new TraceUsage(`${a}: '${v}' is not a positive number of seconds`);
      durationSec = d;
    } else if (a === '--format' || a === '-f') {
      const v = value();
      const formats = ['text', 'json', ...(desc.formats ?? [])];
      if (!formats.includes(v)) throw new TraceUsage(`--format: '${v}' is not one of ${formats.join(', ')}`);
      format = v as OutputFormat;
    } else if (a === '--summary' || a === '-s') {
      opts.summary = true;
    } else if (a.startsWith('--') && desc.flags && a.slice(2) in desc.flags) {
      const f = a.slice(2);
      opts.flags![f] = desc.flags[f] === 'string' ? value() : true;
      // Numeric tracer flags: plain decimal, like every number on the command line.
      if (f === 'min-us') checked(() => parseDecimal(opts.flags![f] as string, a, 'a number of microseconds'));
      if (f === 'freq') checked(() => parseDecimal(opts.flags![f] as string, a, 'a number of samples per second'));
    } else {
      throw new TraceUsage(`unknown option '${argv[i]}' for tracer '${name}'`);
    }
  }
  if (opts.summary && !desc.createAggregator) throw new TraceUsage(`tracer '${name}' has no --summary mode`);
  // Options that make it another tracer (profile --off-cpu: offcpu).
  let run = desc;
  try {
    const other = desc.variant?.(opts);
    if (other) run = findTracer(other) ?? desc;
  } catch (e) {
    throw new TraceUsage((e as Error).message);
  }
  return { desc: run, opts, durationSec, format };
}

function pickColumns(desc: AnyDescriptor, format: OutputFormat): readonly Column<unknown>[] {
  if (format !== 'text' || !desc.textColumns) return desc.columns;
  return desc.textColumns.map((id) => desc.columns.find((c) => c.id === id)!).filter(Boolean);
}

export async function runTrace(argv: string[], io: TraceIO, manager: TracerManager = tracerManager()): Promise<number> {
  let parsed: ParsedArgs | 'help' | 'usage';
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof TraceUsage) {
      io.err(`ostop trace: ${sanitize(e.message)}\n${e.code === 2 ? "Try 'ostop trace --help'.\n" : ''}`);
      return e.code;
    }
    throw e;
  }
  if (parsed === 'help') {
    io.out(traceHelp());
    return 0;
  }
  if (parsed === 'usage') {
    // Bare `ostop trace`: a usage error, like any missing argument.
    io.err(traceHelp());
    return 2;
  }
  const { desc, opts, durationSec, format } = parsed;
  const name = desc.name;
  const agg = opts.summary ? desc.createAggregator!(opts) : undefined;
  // Options that stream nothing print a report instead (runqlat: its histogram, as BCC's runqlat).
  let report: TraceReport | undefined;
  try {
    report = agg ? undefined : desc.report?.(opts);
  } catch (e) {
    io.err(`ostop trace: ${sanitize((e as Error).message)}\nTry 'ostop trace --help'.\n`);
    return 2;
  }
  const cols = pickColumns(desc, format);
  let first = true;
  let events = 0;
  const unsubscribe = manager.onEvents(name, (batch: unknown[]) => {
    events += batch.length;
    if (agg) {
      agg.add(batch);
      return;
    }
    if (format === 'json') {
      io.out(batch.map((e) => jsonLine(toObject(e, cols))).join('\n') + '\n');
    } else {
      io.out(formatRecords(batch, cols, 'text', { header: first }) + '\n');
      first = false;
    }
  });

  const ctrl = new AbortController();
  const onSignal = () => ctrl.abort();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const started = Date.now();
  let reportTimer: NodeJS.Timeout | undefined;
  let tickTimer: NodeJS.Timeout | undefined;
  try {
    try {
      const info = manager.start(name, opts);
      if (process.env.OSTOP_DEBUG) {
        // Diagnostics (also used by the lifecycle tests): kernel ids of what is attached.
        for (const d of info.disabled) io.err(sanitize(`ostop trace: ${name}: ${d.name} not used: ${d.reason}`) + '\n');
        io.err(`ostop trace: ${name}: attached prog ids ${manager.programs(name).map((p) => p.id).join(',')}\n`);
      }
    } catch (e) {
      if (e instanceof TracerError) {
        io.err(`ostop trace: ${sanitize(e.message)}\n`);
        return 1;
      }
      throw e;
    }
    if (format === 'text' && !agg && !report) {
      io.out(formatRecords([], cols, 'text', { header: true }) + '\n');
      first = false;
    }
    if (report) io.err(`${report.banner}\n`);
    const every = report?.intervalSec;
    if (report && every) reportTimer = setInterval(() => void Promise.resolve(report.print(manager.handle(name), format)).then(io.out), every * 1000);
    // Reports that read their maps while tracing (the profilers symbolise while processes live).
    let ticking: Promise<void> | undefined;
    if (report?.tick) {
      const tick = report.tick;
      tickTimer = setInterval(() => {
        if (ticking) return;
        ticking = Promise.resolve(tick(manager.handle(name))).catch((e) => io.err(`ostop trace: ${name}: ${sanitize((e as Error).message)}\n`)).finally(() => (ticking = undefined));
      }, (report.tickSec ?? 1) * 1000);
    }
    if (durationSec !== undefined) await sleep(durationSec * 1000, ctrl.signal);
    else {
      // The addon's poll handle is unref'd (tracing never holds a process open), so keep the loop alive here.
      const keepAlive = setInterval(() => {}, 1 << 30);
      await new Promise<void>((resolve) => ctrl.signal.addEventListener('abort', () => resolve(), { once: true }));
      clearInterval(keepAlive);
    }

    manager.poll();
    if (agg?.collect) agg.collect(manager.handle(name));
    clearInterval(reportTimer);
    clearInterval(tickTimer);
    await ticking;
    if (report) io.out(await report.print(manager.handle(name), format));
    const drops = manager.drops(name);
    manager.stop(name);
    const elapsed = (Date.now() - started) / 1000;
    if (agg) {
      const tables = agg.tables();
      if (format === 'json') {
        const o: Record<string, unknown> = { tracer: name, duration_s: Math.round(elapsed * 1000) / 1000, events, drops };
        for (const t of tables) o[t.id] = t.rows.map((r) => toObject(r, t.columns));
        io.out(jsonLine(o) + '\n');
      } else {
        const parts = tables.map((t) => `${t.title}:\n${formatRecords(t.rows, t.columns, 'text')}`);
        parts.push(`drops: ring ${drops.ring}, map ${drops.map}, native ${drops.native}; ${elapsed.toFixed(1)} s`);
        io.out(parts.join('\n\n') + '\n');
      }
    } else {
      io.err(`ostop trace: ${name}: ${report ? '' : `${events} events in `}${elapsed.toFixed(1)} s; drops: ring ${drops.ring}, map ${drops.map}, native ${drops.native}\n`);
    }
    return 0;
  } finally {
    clearInterval(reportTimer);
    clearInterval(tickTimer);
    for (const s of signals) process.off(s, onSignal);
    unsubscribe();
    manager.stop(name);
  }
}

/** Registered tracer names (for help and completion). */
export function registeredTracers(): string[] {
  return TRACERS.map((t) => t.name);
}
