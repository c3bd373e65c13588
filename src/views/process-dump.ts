// `ostop dump process --pid PID [-n N] [-d SEC] [--format text|json] [--environ]`:
// the drill-in details of one process, the same ProcessDetailModel the
// process screen draws. JSON field names are documented in
// docs/process-detail.md; never rename one without a note there.
//
// Invariants: text output passes every process-supplied string through
// sanitize(); JSON keeps strings exact but escapes C1 controls, bidi
// overrides and line separators as \uXXXX (jsonLine) so printing it is safe
// too. The environment (often secrets) is neither read nor printed without
// --environ, so a pasted dump does not carry it by accident.
import { UsageError, sleep, type DumpView } from '../model/dump-view.js';
import { formatRecords } from '../model/output.js';
import type { Column } from '../model/columns.js';
import { sanitize } from '../util/text.js';
import { parsePid } from '../collectors/validate.js';
import { jsonLine } from '../util/output-safe.js';
import { ALL_SECTIONS } from '../collectors/proc-detail-read.js';
import type { LimitRow } from '../collectors/procfs/pid-limits.js';
import { describeErrno, formatLimit } from '../model/process-detail-format.js';
import { sparkline } from '../util/cells.js';
import { formatBytes, formatCpuTime, formatKib, formatPercent, formatPercentSign, formatRate, formatTimestamp } from '../util/format.js';
import type { FdRow, ProcessDetailModel, SocketRow, ThreadRow } from '../model/process-detail.js';
import { ProcessSource, type ProcessSourceOptions } from './process-source.js';

const THREAD_COLS: Column<ThreadRow>[] = [
  { id: 'tid', title: 'TID', width: 8, align: 'right', value: (t) => t.tid },
  { id: 'state', title: 'S', width: 1, value: (t) => t.state },
  { id: 'cpu', title: 'CPU%', width: 6, align: 'right', value: (t) => t.cpuPercent, text: (t) => formatPercent(t.cpuPercent) },
  { id: 'processor', title: 'CPU', width: 3, align: 'right', value: (t) => t.processor },
  { id: 'voluntaryCtxt', title: 'VCSW', width: 9, align: 'right', value: (t) => t.voluntaryCtxt },
  { id: 'nonvoluntaryCtxt', title: 'NVCSW', width: 9, align: 'right', value: (t) => t.nonvoluntaryCtxt },
  { id: 'name', title: 'NAME', value: (t) => t.name },
];

const FD_COLS: Column<FdRow>[] = [
  { id: 'fd', title: 'FD', width: 5, align: 'right', value: (f) => f.fd },
  { id: 'kind', title: 'TYPE', width: 6, value: (f) => f.kind },
  { id: 'mode', title: 'MODE', width: 4, value: (f) => f.mode },
  { id: 'pos', title: 'POS', width: 10, align: 'right', value: (f) => f.pos },
  { id: 'description', title: 'TARGET', value: (f) => f.description },
];

const SOCKET_COLS: Column<SocketRow>[] = [
  { id: 'fd', title: 'FD', width: 5, align: 'right', value: (s) => s.fd },
  { id: 'proto', title: 'PROTO', width: 5, value: (s) => s.proto },
  { id: 'state', title: 'STATE', width: 11, value: (s) => s.state },
  { id: 'rxQueue', title: 'RECV-Q', width: 7, align: 'right', value: (s) => s.rxQueue },
  { id: 'txQueue', title: 'SEND-Q', width: 7, align: 'right', value: (s) => s.txQueue },
  { id: 'local', title: 'LOCAL', width: 28, value: (s) => s.local },
  { id: 'remote', title: 'REMOTE', value: (s) => s.remote },
];

const LIMIT_COLS: Column<LimitRow>[] = [
  { id: 'name', title: 'LIMIT', width: 22, value: (l) => l.name },
  { id: 'soft', title: 'SOFT', width: 12, align: 'right', value: (l) => formatLimit(l.soft) },
  { id: 'hard', title: 'HARD', width: 12, align: 'right', value: (l) => formatLimit(l.hard) },
  { id: 'units', title: 'UNITS', value: (l) => l.units },
];


function partial(m: ProcessDetailModel, section: keyof ProcessDetailModel['errors']): string | undefined {
  const c = m.errors[section];
  return c ? `(${describeErrno(c)}: ${c})` : undefined;
}

/** The text report for one model: identity, rates, then one table per section; the environment only with `environ`. */
export function formatProcessText(m: ProcessDetailModel, opts: { environ?: boolean } = {}): string {
  const id = m.identity;
  const s = (v: string | null | undefined) => (v === null || v === undefined ? '-' : sanitize(v));
  const out: string[] = [];
  const head = m.status === 'exited'
    ? `PID ${m.pid} EXITED${m.exitedAt ? ' at ' + formatTimestamp(m.exitedAt) : ''} (last values shown)`
    : `PID ${m.pid}`;
  out.push(`${head}  ${s(id.comm)}`);
  if (m.status === 'exited' && (m.end || m.endNote)) {
    out.push(`  ended   ${m.end ? sanitize(m.end.summary) : ''}${m.end && m.endNote ? '  ' : ''}${m.endNote ? `(${m.endNote})` : ''}`);
  }
  out.push(`  ppid ${id.ppid ?? '-'}  user ${s(id.user)}${id.uid !== null ? ` (${id.uid})` : ''}  state ${id.state} (${id.stateName})${m.wchan ? `  wchan ${sanitize(m.wchan)}` : ''}  nice ${id.nice ?? '-'}  threads ${id.threads ?? '-'}`);
  out.push(`  started ${formatTimestamp(id.startTime)}`);
  out.push(`  exe     ${s(id.exe) ?? ''} ${partial(m, 'exe') ?? ''}`.trimEnd());
  out.push(`  cwd     ${s(id.cwd)} ${partial(m, 'cwd') ?? ''}`.trimEnd());
  const cmd = id.cmdline === null ? '-' : id.cmdline.length ? id.cmdline.join(' ') : `[${id.comm}]`;
  out.push(`  cmdline ${sanitize(cmd)} ${partial(m, 'cmdline') ?? ''}`.trimEnd());
  out.push(`  cgroup  ${s(id.cgroup)}`);
  out.push(`  ns      ${id.namespaces.map((n) => `${n.type}:${n.inode}`).join(' ') || '-'}`);
  out.push('');
  out.push(`CPU     ${formatPercentSign(m.cpu.percent)} (user ${formatPercentSign(m.cpu.userPercent)}, sys ${formatPercentSign(m.cpu.systemPercent)})  time ${formatCpuTime(m.cpu.timeSec)}  ${sparkline(m.history.cpuPercent, 30, 100)}`);
  const mem = m.memory;
  out.push(`Memory  RSS ${formatKib(mem.rssKb)} (${formatPercentSign(mem.memPercent)})  anon ${formatKib(mem.anonKb)}  file ${formatKib(mem.fileKb)}  shmem ${formatKib(mem.shmemKb)}  swap ${formatKib(mem.swapKb)}  PSS ${formatKib(mem.pssKb)}  VSZ ${formatKib(mem.vszKb)}  peak ${formatKib(mem.peakRssKb)} ${partial(m, 'smaps') ?? ''}`.trimEnd());
  if (m.io) {
    out.push(`I/O     read ${formatRate(m.io.readBps)} write ${formatRate(m.io.writeBps)}  (total read ${formatBytes(m.io.readBytes)} write ${formatBytes(m.io.writeBytes)}; syscalls rchar ${formatRate(m.io.rcharBps)} wchar ${formatRate(m.io.wcharBps)})`);
  } else {
    out.push(`I/O     - ${partial(m, 'io') ?? ''}`.trimEnd());
  }
  const cs = m.ctxSwitches;
  const scope = cs.threadsCounted === null ? 'main thread only' : `sum of ${cs.threadsCounted} thread${cs.threadsCounted === 1 ? '' : 's'}`;
  out.push(`Ctx sw  voluntary ${cs.voluntary ?? '-'}  involuntary ${cs.nonvoluntary ?? '-'}  (${scope}${cs.note ? `; ${sanitize(cs.note)}` : ''})`);
  const section = (title: string, body: string, sec?: keyof ProcessDetailModel['errors']) => {
    out.push('');
    out.push(`${title} ${(sec && partial(m, sec)) ?? ''}`.trimEnd());
    if (body) out.push(body);
  };
  const more = (shown: number, total: number) => (total > shown ? `\n  +${total - shown} more` : '');
  // A process stuck in D state: where each such thread waits in the kernel.
  if (m.blocked.length || m.errors.kstack) {
    const body = m.blocked.map((b) => [
      `  tid ${b.tid} ${sanitize(b.name)}: D (uninterruptible)${b.wchan ? `, waiting in ${sanitize(b.wchan)}` : ''}`,
      ...(b.stack.length ? b.stack.map((f) => `    ${sanitize(f)}`) : ['    (kernel stack not readable: /proc/PID/stack needs root)']),
    ].join('\n')).join('\n');
    section(`Kernel stack (D state, ${m.blocked.length} thread${m.blocked.length === 1 ? '' : 's'})`, body, 'kstack');
  }
  section(`Threads (${m.threadTotal})`, formatRecords(m.threads, THREAD_COLS, 'text') + more(m.threads.length, m.threadTotal), 'threads');
  section(`File descriptors (${m.fdTotal})`, formatRecords(m.fds, FD_COLS, 'text') + more(m.fds.length, m.fdTotal), 'fds');
  section(`Sockets (${m.sockets.length})`, m.sockets.length ? formatRecords(m.sockets, SOCKET_COLS, 'text') : '', 'sockets');
  section('Limits', m.limits.length ? formatRecords(m.limits, LIMIT_COLS, 'text') : '', 'limits');
  // NAME=VALUE lines (like `env`), so long names are not cut.
  if (opts.environ) section(`Environment (${m.environ?.length ?? '-'})`, (m.environ ?? []).map((e) => `${sanitize(e.name)}=${sanitize(e.value)}`).join('\n'), 'environ');
  else section('Environment: hidden (use --environ)', '');
  return out.join('\n');
}

export function parsePidFlag(v: string | boolean | undefined): number {
  if (typeof v !== 'string') throw new UsageError('dump process: --pid PID is required');
  return parsePid(v, '--pid');
}

export function createProcessDump(sourceOpts: ProcessSourceOptions = {}): DumpView {
  return {
    name: 'process',
    summary: 'details of one process (--pid PID): identity, CPU/memory/I/O, threads, fds, sockets, limits; environment with --environ',
    flags: { pid: 'string', environ: 'boolean' },
    formats: ['text', 'json'],
    async run(opts) {
      const pid = parsePidFlag(opts.flags.pid);
      const environ = opts.flags.environ === true;
      const sections = sourceOpts.sections ?? ALL_SECTIONS;
      const src = new ProcessSource({ ...sourceOpts, sections: environ ? sections : sections.filter((s) => s !== 'environ') });
      src.collect(0, { pid });
      if (src.gone) {
        opts.err(`ostop: no process with pid ${pid}\n`);
        return 1;
      }
      const n = Math.max(1, opts.n);
      for (let i = 0; i < n; i++) {
        if (!(await sleep(opts.delaySec * 1000, opts.signal))) return 0;
        src.collect(0, { pid });
        const m = src.model()!;
        if (opts.format === 'json') opts.out(jsonLine(environ ? m : { ...m, environ: undefined }) + '\n');
        else opts.out((i > 0 ? '\n' : '') + formatProcessText(m, { environ }) + '\n');
        if (src.gone) return 0;
      }
      return 0;
    },
  };
}

export const processDump: DumpView = createProcessDump();
