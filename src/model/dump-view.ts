// Contract for `ostop dump <view>`: each view that can be dumped exports a
// DumpView and adds one line to DUMP_VIEWS in src/app/dump-registry.ts.
// Dump output is the same Model the screen draws, printed without a TTY.
import type { OutputFormat } from './output.js';
import type { SampleFeed } from '../collectors/feed.js';
import type { RecordedEvents } from './recorded.js';

// Bad flag values: one class for the CLI, the dump views and the tracers (src/util/args.ts).
export { UsageError } from '../util/args.js';

export interface DumpOptions {
  /** Number of samples/iterations to print (-n); rates need >= 2 samples, the first one is taken silently. */
  n: number;
  /** Seconds between samples (-d). */
  delaySec: number;
  format: OutputFormat;
  /** View-specific flags, already parsed: --sort COL -> { sort: 'COL' }, --listening -> { listening: true }. */
  flags: Record<string, string | boolean>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM: stop between samples and return 0. */
  signal: AbortSignal;
  /** `--from`: print recorded samples (the Sources take them from `replay.feed`) instead of sampling now. */
  replay?: DumpReplay;
}

/**
 * Recorded ticks for a dump (`ostop dump VIEW --from STORE --begin T --end T`):
 * a cursor over the ticks in [begin, end] that moves `feed` from one to the
 * next. Implemented by RecordedDump (src/views/recorded-feed.ts).
 */
export interface DumpReplay {
  feed: SampleFeed;
  /** Path of the store, and the range asked (epoch ms). */
  path: string;
  begin: number;
  end: number;
  /**
   * Position the feed on the tick rates are computed against: the last tick
   * before `begin`, or (none) the first tick in range, which is then not
   * printed. False when the range holds no tick.
   */
  prime(): boolean;
  /** Move the feed to the next tick to print; false when past `end`. */
  next(): boolean;
  /** The events recorded in [begin, end], oldest first (ticks are not decoded). */
  events(): Iterable<{ time: number; events: RecordedEvents }>;
  /** The clocks of the last tick in range (its wall ms and CLOCK_MONOTONIC µs): "now" for the failures model. */
  endClock(): { wallMs: number; monoUsec: number } | undefined;
}

/** The wall-clock time of the sample just taken: the recorded tick's, or now. */
export function sampleWallMs(o: Pick<DumpOptions, 'replay'>): number {
  return o.replay ? o.replay.feed.wallMs() : Date.now();
}

/**
 * Wait for the next sample: -d seconds live, the next recorded tick with
 * --from. False when done (aborted, or past the range).
 */
export async function nextSample(o: Pick<DumpOptions, 'replay' | 'delaySec' | 'signal'>): Promise<boolean> {
  if (o.replay) return !o.signal.aborted && o.replay.next();
  return sleep(o.delaySec * 1000, o.signal);
}

export interface DumpView {
  name: string;
  summary: string;
  /** Flags this view accepts besides -n -d --format: name -> 'string' | 'boolean'. Unknown flags are rejected by the CLI with exit 2. */
  flags?: Record<string, 'string' | 'boolean'>;
  /** Formats this view supports (default: all three). */
  formats?: OutputFormat[];
  /** Reads a store with --from (its Sources take a SampleFeed); a view without it refuses --from with a usage error. */
  fromStore?: boolean;
  /** Returns the process exit code. Throw UsageError for bad flag values (exit 2), before printing anything. */
  run(opts: DumpOptions): Promise<number>;
}

/** Sleep that ends early (resolving false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(true); }, ms);
    const onAbort = () => { clearTimeout(t); resolve(false); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
