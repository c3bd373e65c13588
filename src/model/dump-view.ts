// Contract for `ostop dump <view>`: each view that can be dumped exports a
// DumpView and adds one line to DUMP_VIEWS in src/app/dump-registry.ts.
// Dump output is the same Model the screen draws, printed without a TTY.
import type { OutputFormat } from './output.js';

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
}

export interface DumpView {
  name: string;
  summary: string;
  /** Flags this view accepts besides -n -d --format: name -> 'string' | 'boolean'. Unknown flags are rejected by the CLI with exit 2. */
  flags?: Record<string, 'string' | 'boolean'>;
  /** Formats this view supports (default: all three). */
  formats?: OutputFormat[];
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
