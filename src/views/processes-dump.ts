// `ostop dump processes`: the top view's Model printed without a TTY, like
// `top -b`. JSON field names and units are part of the public interface
// (documented in README.md): add fields, never rename or change units.
import { formatRecords, toObject } from '../model/output.js';
import type { Column } from '../model/columns.js';
import { nextSample, sampleWallMs, UsageError, type DumpOptions, type DumpView } from '../model/dump-view.js';
import { TopSource } from './top.js';
import type { TopRequest } from '../model/view-contract.js';
import { UserNames } from '../collectors/users.js';
import type { ProcessTableModel, ProcRow } from '../model/process-model.js';
import { DEFAULT_COLUMNS, PROC_COLUMNS, resolveColumns, columnById, type ProcColumn } from '../model/columns.js';
import { parsePidList, parseUser } from '../collectors/validate.js';
import { arrangeRows } from '../model/process-view.js';
import { formatDuration } from '../util/format.js';
import { jsonLine } from '../util/output-safe.js';

/**
 * The columns every JSON process record has, whatever --columns says; its
 * keys are the column ids (README: the keys renamed when they became ids).
 * Columns chosen with --columns beyond these are added under their ids.
 */
export const JSON_COLUMN_IDS = ['pid', 'ppid', 'user', 'uid', 'comm', 'command', 'state', 'priority', 'nice', 'cpu', 'mem', 'virt', 'res', 'shr', 'threads', 'start', 'time', 'tty', 'processor', 'is_thread', 'is_kernel_thread'] as const;
const JSON_COLUMNS = resolveColumns(JSON_COLUMN_IDS);
const BASE_JSON = new Set<string>(JSON_COLUMN_IDS);

/** The stable JSON record of one process: column id -> JSON/CSV value. */
export function processJson(r: ProcRow): Record<string, unknown> {
  return toObject(r, JSON_COLUMNS);
}
function round2<T extends object>(o: T): T {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) r[k] = typeof v === 'number' ? Math.round(v * 100) / 100 : v;
  return r as T;
}


/** Local wall-clock HH:MM:SS, as top's first line shows it. */
function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The text header of one sample, like top -b's; `at` is the sample's wall-clock time (ms). */
export function summaryLines(m: ProcessTableModel, at = Date.now()): string[] {
  const t = m.tasks;
  const c = m.cpuTotal;
  const gib = (b: number) => (b / 1048576).toFixed(1);
  return [
    `ostop - ${clock(at)} up ${formatDuration(m.uptimeSec)}, load average: ${m.load.map((x) => x.toFixed(2)).join(', ')}`,
    `Tasks: ${t.total}, ${t.threads} thr, ${t.kernelThreads} kthr; ${t.running} running (${t.runnable} runnable); processes: ${t.sleeping} sleeping, ${t.stopped} stopped, ${t.zombie} zombie`,
    `%Cpu(s): ${c.user.toFixed(1)} us, ${c.system.toFixed(1)} sy, ${c.nice.toFixed(1)} ni, ${c.idle.toFixed(1)} id, ${c.iowait.toFixed(1)} wa, ${c.irq.toFixed(1)} hi+si, ${c.steal.toFixed(1)} st`,
    `MiB Mem: ${gib(m.mem.totalBytes)} total, ${gib(m.mem.freeBytes)} free, ${gib(m.mem.usedBytes)} used, ${gib(m.mem.buffersBytes + m.mem.cacheBytes)} buff/cache`,
    `MiB Swap: ${gib(m.mem.swapTotalBytes)} total, ${gib(m.mem.swapTotalBytes - m.mem.swapUsedBytes)} free, ${gib(m.mem.swapUsedBytes)} used, ${gib(m.mem.availableBytes)} avail Mem`,
    ...(m.mem.problem ? [`warning: ${m.mem.problem}`] : []),
  ];
}

/** --columns: a non-empty comma-separated list of known column ids. */
export function parseColumnsFlag(v: string): ProcColumn[] {
  const ids = v.split(',');
  if (v === '' || ids.some((id) => id === '')) throw new UsageError(`--columns: '${v}' is not a list of column ids (e.g. pid,user,cpu,command; ids: ${PROC_COLUMNS.map((c) => c.id).join(' ')})`);
  try {
    return resolveColumns(ids);
  } catch (e) {
    throw new UsageError(`--columns: ${(e as Error).message}`);
  }
}

/** --pid's syntax only (a recorded pid need not exist now). */
function parsePidSyntaxList(v: string): number[] {
  const out: number[] = [];
  for (const p of v.split(',')) {
    if (!/^\d+$/.test(p) || Number(p) < 1 || !Number.isSafeInteger(Number(p))) throw new UsageError(`--pid: '${v}' is not a list of PIDs (like 1234 or 1,2,3)`);
    out.push(Number(p));
  }
  return out;
}

export const processesDump: DumpView = {
  name: 'processes',
  summary: 'the process table (like top -b)',
  flags: { sort: 'string', pid: 'string', columns: 'string', user: 'string', tree: 'boolean', threads: 'boolean', asc: 'boolean' },
  fromStore: true,
  async run(o) {
    if (o.replay && o.flags.threads === true) throw new UsageError('dump processes --from: a store records processes, not threads: drop --threads');
    const cols = typeof o.flags.columns === 'string' ? parseColumnsFlag(o.flags.columns) : resolveColumns(DEFAULT_COLUMNS);
    const sortId = typeof o.flags.sort === 'string' ? o.flags.sort.toLowerCase() : 'cpu';
    const sortCol = columnById(sortId);
    if (!sortCol) throw new UsageError(`--sort: unknown column '${o.flags.sort}' (ids: ${PROC_COLUMNS.map((c) => c.id).join(' ')})`);
    // A recorded process need not exist now: only the syntax of --pid is checked with --from.
    const pids = typeof o.flags.pid === 'string' ? new Set(o.replay ? parsePidSyntaxList(o.flags.pid) : parsePidList(o.flags.pid, '--pid')) : undefined;
    const users = new UserNames();
    const uid = typeof o.flags.user === 'string' ? parseUser(o.flags.user, '--user') : undefined;
    // The top view's own Source, with the request a screen showing every row of these columns would make.
    const shown = o.format === 'text' || o.format === 'csv' ? cols : [...cols, ...resolveColumns(['user', 'shr', 'command'])];
    const req: TopRequest = {
      columns: shown.map((c) => c.id), sort: sortCol.id, hideUserThreads: o.flags.threads !== true,
      strip: false, allCommandLines: false, everyRow: true,
    };
    // eBPF-fed columns (opens_rate...): their tracers run for the length of the dump (root);
    // without them the column shows '-' and stderr says why.
    const tracers = [...cols, sortCol].flatMap((c) => (c.tracer ? [c.tracer] : []));
    let feed: import('../tracers/rates.js').TracerRateFeed | undefined;
    if (tracers.length && o.replay) throw new UsageError(`dump processes --from: the eBPF-fed columns (${tracers.join(', ')}) are live-only`);
    if (tracers.length) {
      const { TracerRateFeed } = await import('../tracers/rates.js');
      const { tracerManager } = await import('../tracers/manager.js');
      feed = new TracerRateFeed(tracerManager());
      for (const e of feed.start(tracers)) o.err(`ostop: eBPF-fed column unavailable ('-'): ${e}\n`);
    }
    const source = new TopSource({ users, pids, feed: o.replay?.feed }, { tracerRates: () => feed?.take() });
    try {
      return await samples(o, cols, sortCol, pids, uid, source, req);
    } finally {
      source.dispose();
      feed?.stop();
    }
  },
};

async function samples(
  o: DumpOptions, cols: ProcColumn[], sortCol: ProcColumn, pids: Set<number> | undefined, uid: number | undefined,
  source: TopSource, req: TopRequest,
): Promise<number> {
  if (o.replay && !o.replay.prime()) return 0;
  source.collect(performance.now(), req); // the tracers' first window starts with the first sample
  const text: readonly Column<ProcRow>[] = cols;
  // CSV rows carry their sample's time (ISO 8601, JSON's `time`), so -n N samples stay apart.
  // Not called `time`: that column id is TIME+ (CPU time).
  let sampleIso = '';
  const csv: Column<ProcRow>[] = [{ id: 'sample_time', title: 'SAMPLE_TIME', value: () => sampleIso }, ...text];
  for (let i = 0; i < o.n; i++) {
    if (!(await nextSample(o))) break;
    source.collect(performance.now(), req);
    const at = sampleWallMs(o);
    sampleIso = new Date(at).toISOString();
    const m = source.model()!;
    const rows = arrangeRows(m.rows, {
      sort: sortCol.id, descending: o.flags.asc === true ? false : sortCol.descending, tree: o.flags.tree === true, collapsed: new Set(),
      filter: '', uid, pids, hideUserThreads: o.flags.threads !== true, hideKernelThreads: false,
    }).map((v) => v.row);
    if (o.format === 'json') {
      const extra = cols.filter((c) => !BASE_JSON.has(c.id));
      o.out(jsonLine({
        time: sampleIso, uptime_sec: m.uptimeSec, interval_sec: Math.round(m.intervalSec * 1000) / 1000, load: m.load,
        tasks: m.tasks, cpu: round2(m.cpuTotal), cpus: m.cpus.map(round2), memory: m.mem,
        processes: rows.map((r) => { const j = processJson(r); for (const c of extra) j[c.id] = c.value(r); return j; }),
      }) + '\n');
    } else if (o.format === 'csv') {
      o.out(formatRecords(rows, csv, 'csv', { header: i === 0 }) + '\n');
    } else {
      o.out((i > 0 ? '\n' : '') + summaryLines(m, at).join('\n') + '\n\n' + formatRecords(rows, text, 'text') + '\n');
    }
  }
  return 0;
}
