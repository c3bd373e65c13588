// `ostop snapshot -o FILE [--last 10m] [--dir DIR]`: the recent history of
// the recorder's store in one portable file (a store file: docs/store.md)
// that `ostop replay FILE` and `ostop dump VIEW --from FILE` open on another
// machine. Created O_CREAT|O_EXCL|O_NOFOLLOW, 0600: an existing name (or a
// planted link) is never written to.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreReader, writeSnapshot } from '../store/disk-store.js';
import type { RecordedEvents, RecordedTick } from '../model/recorded.js';
import { UsageError, splitFlag } from '../util/args.js';
import { formatLocalTime, parseDurationArg } from '../util/time-arg.js';
import { defaultStoreDir } from './recorder.js';

export { defaultStoreDir };

export const SNAPSHOT_HELP = `Usage: ostop snapshot -o FILE [--last DURATION] [--dir DIR]

Writes the last DURATION (default 10m) of the recorder's store (ostop record;
default directory as for ostop record) to FILE, a single file that
\`ostop replay FILE\` and \`ostop dump VIEW --from FILE\` open on any machine:
the thing to attach to a bug report. FILE must not exist; it is created 0600.
`;

export async function runSnapshot(argv: string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(SNAPSHOT_HELP);
    return 0;
  }
  let file: string | undefined;
  let lastMs = 10 * 60_000;
  let dir = defaultStoreDir();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = splitFlag(a, '');
    const val = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '-o' || flag === '--output') file = path.resolve(val());
    else if (flag === '--last') lastMs = parseDurationArg(val(), flag);
    else if (flag === '--dir') dir = path.resolve(val());
    else throw new UsageError(a.startsWith('-') ? `unknown option '${a}' for 'snapshot'` : `unexpected argument '${a}' for 'snapshot'`);
  }
  if (!file) throw new UsageError('snapshot needs -o FILE (the file to write; it must not exist)');
  const r = takeSnapshot(dir, file, lastMs);
  if (r.ok) io.out(`${r.message}\n`);
  else io.err(`ostop snapshot: ${r.message}\n`);
  return r.ok ? 0 : 1;
}

/** What takeSnapshot did: the file's summary, or why nothing was written. */
export type SnapshotResult = { ok: true; file: string; samples: number; message: string } | { ok: false; message: string };

/**
 * Writes the last `lastMs` of the store in `dir` to `file` (a snapshot: the
 * command's and the TUI's W key's one way). `file` is created
 * O_CREAT|O_EXCL|O_NOFOLLOW, 0600: an existing name is never written to.
 * Never throws: every failure is a message saying what to do.
 */
export function takeSnapshot(dir: string, file: string, lastMs: number): SnapshotResult {
  let reader: StoreReader<RecordedTick, RecordedEvents>;
  try {
    reader = StoreReader.open<RecordedTick, RecordedEvents>(dir);
  } catch (e) {
    return { ok: false, message: `no recorder's store to take a snapshot of (start one with \`ostop record\`, or see contrib/ostop-record.service): ${(e as Error).message}` };
  }
  try {
    return write(reader, file, lastMs);
  } finally {
    reader.close();
  }
}

function write(reader: StoreReader<RecordedTick, RecordedEvents>, file: string, lastMs: number): SnapshotResult {
  const end = reader.lastTime();
  if (end === undefined) return { ok: false, message: `${reader.path} holds no tick yet` };
  const begin = end - lastMs;
  try {
    const n = writeSnapshot(reader, file, begin, end, { snapshot: { of: reader.path, host: os.hostname(), taken: Date.now(), begin, end } });
    if (n === 0) return { ok: false, message: `${reader.path} holds no tick in the last ${lastMs / 1000} s` };
    return { ok: true, file, samples: n, message: `${file}: ${n} samples, ${formatLocalTime(reader.timeAt(reader.indexFrom(begin)))} .. ${formatLocalTime(end)}` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: `cannot write ${file}: ${code === 'EEXIST' ? 'it exists (a snapshot never overwrites)' : code === 'ELOOP' ? 'it is a symlink' : (e as Error).message}` };
  }
}

/**
 * Where the TUI's W key offers to write a snapshot:
 * ./ostop-snapshot-YYYYMMDD-HHMMSS.ostop (local time) in the current
 * directory, or in the home directory when the current one is not writable
 * (or gone). The prompt shows it for editing; it is never overwritten.
 */
export function defaultSnapshotPath(now = new Date(), cwd?: string, home = os.homedir()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const name = `ostop-snapshot-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.ostop`;
  try {
    const dir = cwd ?? process.cwd();
    fs.accessSync(dir, fs.constants.W_OK);
    return path.join(dir, name);
  } catch {
    return path.join(home, name);
  }
}
