// `ostop dump failures` and `ostop dump kmsg`: the failures view's Model
// printed without a TTY. Field names and units are documented in
// docs/failures.md: add fields, never rename or change units.
//
// A dump cannot see the past through eBPF, so its timeline comes from the
// kernel log backlog (since boot, as far as the ring still reaches),
// filtered by --since. With -n > 1 it keeps following: each further
// iteration prints only entries (or lines) that are new.
import { formatRecords } from '../model/output.js';
import type { Column } from '../model/columns.js';
import { sleep, UsageError, type DumpOptions, type DumpView } from '../model/dump-view.js';
import { readCorePattern, type CoreDumpFile, type CorePatternInfo } from '../collectors/coredump.js';
import { monotonicUsec } from '../collectors/kmsg.js';
import { facilityName, levelName, parseFacility, parseLevel } from '../collectors/kmsg-record.js';
import { signalName, type EntryRow, type FailuresModel, type KmsgLine } from '../model/failures.js';
import { coreText, entryDetail, filterKmsg, parseDuration } from './model.js';
import { formatAge, formatKib } from '../util/format.js';
import { FailuresHub } from './hub.js';
import { collectModel, findDumps } from './source.js';
import { ostopCoreDir } from '../util/private-dir.js';
import { sanitize } from '../util/text.js';
import { ppidColumn } from '../tracers/types.js';
import { jsonLine } from '../util/output-safe.js';

export { coreText, entryDetail };

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function shortTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Stable JSON record of one timeline entry (docs/failures.md). */
export function entryJson(e: EntryRow): Record<string, unknown> {
  const sender = e.sender === 'kernel' ? { type: 'kernel', pid: null, comm: null }
    : e.sender ? { type: 'process', pid: e.sender.pid, comm: e.sender.comm } : null;
  return {
    id: e.id, time: isoTime(e.wallMs), boot_sec: (e.bootUsec ?? e.tsUsec) / 1e6, feeds: e.feeds, kind: e.kind, end: e.end,
    pid: e.pid, ppid: e.ppid, comm: e.comm, cmdline: e.cmdline, age_ms: e.ageMs,
    exit_code: e.exitCode, signal: e.signal, signal_name: e.signal === null ? null : signalName(e.signal),
    core_dumped: e.coreDumped, core_file: e.dump ? sanitize(e.dump.path) : null, sender,
    oom: e.oom ? {
      rss_kb: e.oom.rssKb, total_vm_kb: e.oom.totalVmKb, anon_rss_kb: e.oom.anonRssKb, file_rss_kb: e.oom.fileRssKb,
      shmem_rss_kb: e.oom.shmemRssKb, pgtables_kb: e.oom.pgtablesKb, oom_score_adj: e.oom.oomScoreAdj, constraint: e.oom.constraint,
      memcg: e.oom.memcg, trigger_pid: e.oom.triggerPid, trigger_comm: e.oom.triggerComm, uid: e.oom.uid,
    } : null,
    fault: e.fault ? { addr: e.fault.addr, ip: e.fault.ip, sp: e.fault.sp, error: e.fault.error, where: e.fault.where } : null,
    kernel: e.kernel ? { what: e.kernel.what, message: e.kernel.detail } : null,
    kmsg_seqs: e.kmsgSeqs,
  };
}

export function dumpJson(d: CoreDumpFile & { entryId: number | null }): Record<string, unknown> {
  return { path: sanitize(d.path), size_bytes: d.sizeBytes, time: isoTime(d.mtimeMs), pid: d.pid, comm: d.comm, source: d.source, compressed: d.compressed, entry_id: d.entryId };
}

/** The '-' placeholder is null in CSV/JSON (an empty cell, not a string a spreadsheet would see as a formula); text still shows '-'. */
const unknownAsNull = (s: string): string | null => (s === '-' ? null : s);

export const ENTRY_COLUMNS: Column<EntryRow>[] = [
  { id: 'time', title: 'TIME', width: 19, value: (e) => isoTime(e.wallMs), text: (e) => shortTime(e.wallMs) },
  { id: 'feeds', title: 'FEED', width: 9, value: (e) => e.feeds.join('+') },
  { id: 'pid', title: 'PID', width: 7, align: 'right', value: (e) => e.pid || null },
  ppidColumn<EntryRow>(),
  { id: 'comm', title: 'COMM', width: 15, value: (e) => e.comm },
  { id: 'end', title: 'END', width: 12, value: (e) => e.end },
  { id: 'sender', title: 'SENDER', width: 16, value: (e) => unknownAsNull(e.senderText) },
  { id: 'core', title: 'CORE', width: 4, value: (e) => unknownAsNull(coreText(e)), text: (e) => (e.dump || e.coreDumped ? 'yes' : e.coreDumped === false ? 'no' : '-') },
  { id: 'age', title: 'AGE', width: 7, align: 'right', value: (e) => e.ageMs, text: (e) => formatAge(e.ageMs) },
  { id: 'detail', title: 'DETAIL', value: (e) => [entryDetail(e), e.dump ? `core ${e.dump.path}` : '', e.cmdline ? `cmd ${e.cmdline}` : ''].filter(Boolean).join('; ') },
];

export const KMSG_COLUMNS: Column<KmsgLine>[] = [
  { id: 'boot_sec', title: '[BOOT SEC]', width: 14, align: 'right', value: (l) => l.usec / 1e6, text: (l) => `[${(l.usec / 1e6).toFixed(6)}]` },
  { id: 'time', title: 'TIME', width: 19, value: (l) => isoTime(l.wallMs), text: (l) => shortTime(l.wallMs) },
  { id: 'level', title: 'LEVEL', width: 7, value: (l) => levelName(l.level) },
  { id: 'facility', title: 'FAC', width: 6, value: (l) => facilityName(l.facility) },
  { id: 'seq', title: 'SEQ', width: 7, align: 'right', value: (l) => l.seq },
  { id: 'highlight', title: 'MARK', width: 12, value: (l) => l.highlight },
  { id: 'entry_id', title: 'ENTRY', width: 5, align: 'right', value: (l) => l.entryId },
  { id: 'message', title: 'MESSAGE', value: (l) => l.text },
];

function sinceUsecFlag(o: DumpOptions): number | undefined {
  if (typeof o.flags.since !== 'string') return undefined;
  const ms = parseDuration(o.flags.since);
  if (ms === undefined) throw new UsageError(`invalid --since '${o.flags.since}': expected a duration like 90s, 10m, 2h, 1d`);
  return monotonicUsec() - ms * 1000;
}

function corePattern(): { pattern: CorePatternInfo | null; error: string | null } {
  try {
    return { pattern: readCorePattern(), error: null };
  } catch (e) {
    return { pattern: null, error: (e as Error).message };
  }
}

/** Build the failures Model from the kernel log backlog (and eBPF when following). Exported for tests. */
export async function collectFailures(hub: FailuresHub, sinceUsec: number | undefined, showExits: boolean): Promise<FailuresModel> {
  await hub.pollKmsg(true);
  await hub.pollEbpf();
  const { pattern, error } = corePattern();
  const dumps = findDumps(hub, pattern, null, ostopCoreDir());
  return collectModel(hub, { showExits, sinceBoot: true, sinceUsec, pattern, patternError: error, dumps, target: null });
}

/** The failures model of a recorded range: the hub rebuilt from the recorded events, "now" the range's last tick. */
function recordedModel(o: DumpOptions, showExits: boolean): FailuresModel {
  if (typeof o.flags.since === 'string') throw new UsageError('--since is relative to now: with --from, give the range with --begin and --end');
  const r = o.replay!;
  const hub = new FailuresHub({ recorded: true });
  for (const { events } of r.events()) hub.ingest(events);
  const now = r.endClock() ?? { wallMs: r.end, monoUsec: 0 };
  return collectModel(hub, { showExits, sinceBoot: true, pattern: null, patternError: null, dumps: hub.recordedDumps, target: null, now });
}

export const failuresDump: DumpView = {
  name: 'failures',
  summary: 'abnormal process ends (signal deaths, OOM kills, kernel failures) with core dumps, from the kernel log',
  flags: { since: 'string', exits: 'boolean' },
  fromStore: true,
  async run(o) {
    if (o.replay) {
      const m = recordedModel(o, o.flags.exits === true);
      if (o.format === 'json') {
        o.out(jsonLine({
          time: isoTime(m.nowWallMs), from: sanitize(o.replay.path), begin: isoTime(o.replay.begin), end: isoTime(o.replay.end),
          feeds: m.feeds.map((f) => ({ name: f.name, active: f.active, note: f.note, drops: f.drops })),
          // The live header's fields: core_pattern is this machine's, so none for a recording.
          core_pattern: null, kmsg_overwritten: m.kmsgOverwritten, kmsg_lost: m.kmsgLost,
          entries: m.entries.map(entryJson), dumps: m.dumps.map(dumpJson), hints: [],
        }) + '\n');
      } else {
        if (o.format === 'text') o.out(sanitize(`recorded: ${o.replay.path}, ${shortTime(o.replay.begin)} .. ${shortTime(o.replay.end)}`) + '\n\n');
        o.out(formatRecords(m.entries, ENTRY_COLUMNS, o.format, { header: true }) + '\n');
      }
      return 0;
    }
    const since = sinceUsecFlag(o);
    const hub = new FailuresHub();
    try {
      let printedUpTo = 0;
      for (let i = 0; i < Math.max(1, o.n); i++) {
        if (i > 0) {
          if (i === 1) await hub.startEbpf();
          if (!(await sleep(o.delaySec * 1000, o.signal))) break;
        }
        const m = await collectFailures(hub, since, o.flags.exits === true);
        const fresh = m.entries.filter((e) => e.id > printedUpTo);
        for (const e of fresh) printedUpTo = Math.max(printedUpTo, e.id);
        if (i === 0) {
          const errors = m.feeds.filter((f) => f.name === 'kmsg' && f.note).map((f) => f.note!);
          for (const e of errors) o.err(`ostop: ${sanitize(e)}\n`);
          if (errors.length && !m.entries.length) return 1;
        }
        if (o.format === 'json') {
          if (i === 0) {
            o.out(jsonLine({
              time: isoTime(m.nowWallMs),
              feeds: m.feeds.map((f) => ({ name: f.name, active: f.active, note: f.note, drops: f.drops })),
              core_pattern: m.corePattern ? { pattern: m.corePattern.pattern, kind: m.corePattern.kind, handler: m.corePattern.handler, handler_name: m.corePattern.handlerName, relative: m.corePattern.relative, uses_pid: m.corePattern.usesPid } : null,
              kmsg_overwritten: m.kmsgOverwritten, kmsg_lost: m.kmsgLost,
              entries: fresh.map(entryJson),
              dumps: m.dumps.map(dumpJson),
              hints: m.hints,
            }) + '\n');
          } else {
            for (const e of fresh) o.out(jsonLine(entryJson(e)) + '\n');
          }
        } else {
          if (i === 0 && o.format === 'text') {
            const cp = m.corePattern;
            o.out(sanitize(`core_pattern: ${cp ? `${cp.pattern} (${cp.kind === 'pipe' ? `pipe to ${cp.handlerName ?? cp.handler}` : cp.relative ? 'file, relative to the process cwd' : 'file'})` : m.corePatternError}`) + '\n');
            o.out(sanitize(`sources: ${m.feeds.map((f) => `${f.name} ${f.active ? 'on' : 'off'}${f.note ? ` (${f.note})` : ''}`).join('; ')}`) + '\n');
            for (const h of m.hints) o.out(`note: ${sanitize(h)}\n`);
            o.out('\n');
          }
          if (fresh.length || i === 0) o.out(formatRecords(fresh, ENTRY_COLUMNS, o.format, { header: i === 0 }) + '\n');
          if (i === 0 && o.format === 'text' && m.dumps.length) {
            o.out(`\ncore dumps (${m.dumps.length}):\n`);
            o.out(formatRecords(m.dumps, [
              { id: 'time', title: 'TIME', width: 19, value: (d) => shortTime(d.mtimeMs) },
              { id: 'size', title: 'SIZE', width: 8, align: 'right', value: (d) => formatKib(Math.ceil(d.sizeBytes / 1024)) },
              { id: 'pid', title: 'PID', width: 7, align: 'right', value: (d) => d.pid },
              { id: 'source', title: 'SOURCE', width: 16, value: (d) => d.source },
              { id: 'entry', title: 'ENTRY', width: 5, align: 'right', value: (d) => d.entryId },
              { id: 'path', title: 'PATH', value: (d) => d.path },
            ], 'text') + '\n');
          }
        }
      }
      return 0;
    } finally {
      hub.close();
    }
  },
};

export const kmsgDump: DumpView = {
  name: 'kmsg',
  summary: 'the kernel log (/dev/kmsg) with failure lines marked and linked to failures entries',
  flags: { level: 'string', facility: 'string', grep: 'string', since: 'string' },
  fromStore: true,
  async run(o) {
    let maxLevel = 7;
    if (typeof o.flags.level === 'string') {
      const l = parseLevel(o.flags.level);
      if (l === undefined) throw new UsageError(`invalid --level '${o.flags.level}': expected emerg, alert, crit, err, warning, notice, info, debug or 0-7`);
      maxLevel = l;
    }
    let facility: number | null = null;
    if (typeof o.flags.facility === 'string') {
      const f = parseFacility(o.flags.facility);
      if (f === undefined) throw new UsageError(`invalid --facility '${o.flags.facility}': expected kern, user, daemon... or a number`);
      facility = f;
    }
    const text = typeof o.flags.grep === 'string' ? o.flags.grep : '';
    if (o.replay) {
      const m = recordedModel(o, true);
      const lines = filterKmsg(m.kmsg, { maxLevel, facility, text, sinceUsec: undefined });
      if (o.format === 'json') for (const l of lines) o.out(jsonLine(kmsgJson(l)) + '\n');
      else o.out(formatRecords(lines, KMSG_COLUMNS, o.format, { header: true }) + '\n');
      return 0;
    }
    const since = sinceUsecFlag(o);
    const hub = new FailuresHub();
    try {
      let lastSeq = -1;
      for (let i = 0; i < Math.max(1, o.n); i++) {
        if (i > 0 && !(await sleep(o.delaySec * 1000, o.signal))) break;
        const m = await collectFailures(hub, since, true);
        const err = m.feeds.find((f) => f.name === 'kmsg')?.note;
        if (err && !m.kmsg.length) {
          o.err(`ostop: ${sanitize(err)}\n`);
          return 1;
        }
        const lines = filterKmsg(m.kmsg, { maxLevel, facility, text, sinceUsec: since }).filter((l) => l.seq > lastSeq);
        for (const l of lines) lastSeq = Math.max(lastSeq, l.seq);
        if (o.format === 'json') {
          for (const l of lines) o.out(jsonLine(kmsgJson(l)) + '\n');
        } else if (lines.length || i === 0) {
          o.out(formatRecords(lines, KMSG_COLUMNS, o.format, { header: i === 0 }) + '\n');
        }
      }
      return 0;
    } finally {
      hub.close();
    }
  },
};

export function kmsgJson(l: KmsgLine): Record<string, unknown> {
  return {
    seq: l.seq, boot_sec: l.usec / 1e6, time: isoTime(l.wallMs), level: l.level, level_name: levelName(l.level),
    facility: l.facility, facility_name: facilityName(l.facility), message: l.text, highlight: l.highlight, entry_id: l.entryId,
  };
}
