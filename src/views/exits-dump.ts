// `ostop dump exits --from STORE`: the processes that started and ended
// between two recorded samples (ostop record as root takes them from the
// exec and exit tracers: below's exit hook, atop's "exited processes"), one
// record each. Live, the exit tracer streams every end: `ostop trace exit`.
import { formatRecords } from '../model/output.js';
import type { Column } from '../model/columns.js';
import { UsageError, type DumpView } from '../model/dump-view.js';
import type { ShortProcess } from '../model/recorded.js';
import { signalName } from '../model/failures.js';
import { jsonLine } from '../util/output-safe.js';

const iso = (ms: number) => new Date(ms).toISOString();

export const EXIT_COLUMNS: Column<ShortProcess>[] = [
  { id: 'time', title: 'ENDED', width: 24, value: (e) => iso(e.endMs) },
  { id: 'start', title: 'STARTED', width: 24, value: (e) => iso(e.startMs) },
  { id: 'pid', title: 'PID', width: 7, align: 'right', value: (e) => e.pid },
  { id: 'ppid', title: 'PPID', width: 7, align: 'right', value: (e) => e.ppid },
  { id: 'uid', title: 'UID', width: 5, align: 'right', value: (e) => e.uid },
  { id: 'comm', title: 'COMM', width: 15, value: (e) => e.comm },
  { id: 'age_ms', title: 'AGE_MS', width: 8, align: 'right', value: (e) => e.ageMs },
  { id: 'cpu_ms', title: 'CPU_MS', width: 8, align: 'right', value: (e) => e.cpuMs, text: (e) => (e.cpuMs === null ? '-' : e.cpuMs.toFixed(1)) },
  { id: 'exit_code', title: 'EXIT', width: 4, align: 'right', value: (e) => e.exitCode },
  { id: 'signal', title: 'SIGNAL', width: 8, value: (e) => (e.signal === null ? null : signalName(e.signal)) },
  { id: 'core', title: 'CORE', width: 4, value: (e) => e.coreDumped },
  { id: 'command', title: 'COMMAND', value: (e) => e.cmdline },
];

export const exitsDump: DumpView = {
  name: 'exits',
  summary: 'processes that lived between two recorded samples (--from a store recorded as root)',
  fromStore: true,
  async run(o) {
    if (!o.replay) throw new UsageError('dump exits reads a store: give --from DIR|FILE (live, every process end: ostop trace exit)');
    const rows: ShortProcess[] = [];
    for (const { events } of o.replay.events()) for (const e of events.exits) if (e.endMs >= o.replay.begin && e.endMs <= o.replay.end + 60_000) rows.push(e);
    if (o.format === 'json') for (const r of rows) o.out(jsonLine(Object.fromEntries(EXIT_COLUMNS.map((c) => [c.id, c.value(r)]))) + '\n');
    else o.out(formatRecords(rows, EXIT_COLUMNS, o.format, { header: true }) + '\n');
    return 0;
  },
};
