// `ostop snapshot -o FILE [--last 10m] [--dir DIR]`: the recent history of
// the recorder's store in one portable file (a store file: docs/store.md)
// that `ostop replay FILE` and `ostop dump VIEW --from FILE` open on another
// machine. Created O_CREAT|O_EXCL|O_NOFOLLOW, 0600: an existing name (or a
// planted link) is never written to.
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreReader, writeSnapshot } from '../store/disk-store.js';
import type { RecordedEvents, RecordedTick } from '../model/recorded.js';
import { UsageError } from '../util/args.js';
import { formatLocalTime, parseDurationArg } from '../util/time-arg.js';
import { defaultStoreDir } from './recorder.js';

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
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const val = (): string => {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '-o' || flag === '--output') file = path.resolve(val());
    else if (flag === '--last') lastMs = parseDurationArg(val(), flag);
    else if (flag === '--dir') dir = path.resolve(val());
    else throw new UsageError(a.startsWith('-') ? `unknown option '${a}' for 'snapshot'` : `unexpected argument '${a}' for 'snapshot'`);
  }
  if (!file) throw new UsageError('snapshot needs -o FILE (the file to write; it must not exist)');
  let reader: StoreReader<RecordedTick, RecordedEvents>;
  try {
    reader = StoreReader.open<RecordedTick, RecordedEvents>(dir);
  } catch (e) {
    io.err(`ostop snapshot: no recorder's store to take a snapshot of: ${(e as Error).message}\n(start one with \`ostop record\`, or see contrib/ostop-record.service)\n`);
    return 1;
  }
  try {
    return write(reader, file, lastMs, io);
  } finally {
    reader.close();
  }
}

function write(reader: StoreReader<RecordedTick, RecordedEvents>, file: string, lastMs: number, io: { out: (s: string) => void; err: (s: string) => void }): number {
  const end = reader.lastTime()!;
  const begin = end - lastMs;
  try {
    const n = writeSnapshot(reader, file, begin, end, { snapshot: { of: reader.path, host: os.hostname(), taken: Date.now(), begin, end } });
    if (n === 0) {
      io.err(`ostop snapshot: ${reader.path} holds no tick in the last ${lastMs / 1000} s\n`);
      return 1;
    }
    io.out(`${file}: ${n} samples, ${formatLocalTime(reader.timeAt(reader.indexFrom(begin)))} .. ${formatLocalTime(end)}\n`);
    return 0;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`ostop snapshot: cannot write ${file}: ${code === 'EEXIST' ? 'it exists (a snapshot never overwrites)' : code === 'ELOOP' ? 'it is a symlink' : (e as Error).message}\n`);
    return 1;
  }
}
