// The kernel-log feeder of the failures timeline: recognizes failure lines
// in /dev/kmsg records and turns them into FailureEvents.
//
// Recognized (x86-64 wording, 6.x kernels):
//   "comm[pid]: segfault at ADDR ip IP sp SP error E in MAP" (optionally "traps: " first)
//   "traps: comm[pid] trap divide error ip:IP sp:SP error:E in MAP" / "general protection fault ip:..."
//   "comm: ...: potentially unexpected fatal signal N." + "CPU: c UID: u PID: p Comm: comm" (print-fatal-signals=1)
//   "comm invoked oom-killer: gfp_mask=..., order=N, oom_score_adj=A" + "CPU: ... PID: p Comm: comm"
//   "oom-kill:constraint=...,oom_memcg=...,task=comm,pid=p,uid=u"
//   "[Memory cgroup ]Out of memory: Killed process p (comm) total-vm:NkB, anon-rss:NkB, file-rss:NkB, shmem-rss:NkB, UID:u pgtables:NkB oom_score_adj:A"
//   "INFO: task comm:pid blocked for more than N seconds."
//   "BUG: ...", "kernel BUG at ...", "Oops: ...", "Kernel panic - not syncing: ...", "WARNING: CPU: ..."
// Several failures span records (the OOM report, print_fatal_signal,
// BUG + Oops + CPU line): the classifier keeps a little state and emits an
// event once its last record is seen, or on flush() after a quiet period.
// Pure (no I/O). Invariant: classify() is pure per record (highlighting never depends on
// state), feed() is the only stateful part.
import type { KmsgRecord } from '../collectors/kmsg-record.js';
import { FAULT_SIGNALS, type FailureEvent, type KernelWhat, type OomDetails } from '../model/failures.js';

export type KmsgHighlight = KernelWhat;

const RE_SEGV = /^(?:traps: )?(.*?)\[(\d+)\]: segfault at ([0-9a-fA-F]+) ip ([0-9a-fA-F]+) sp ([0-9a-fA-F]+) error ([0-9a-fA-F]+)(?: in (.*?))?(?: likely on CPU.*)?$/s;
const RE_TRAP = /^(?:traps: )?(.*?)\[(\d+)\] (trap (.+?)|general protection fault|general protection) ip:([0-9a-fA-F]+) sp:([0-9a-fA-F]+) error:([0-9a-fA-F]+)(?: in (.*))?$/s;
const RE_FATAL = /potentially unexpected fatal signal (\d+)/;
const RE_CPU = /^CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: (.*?) (?:Not tainted|Tainted)/s;
const RE_INVOKED = /^(.*) invoked oom-killer: .*?order=(-?\d+), oom_score_adj=(-?\d+)/s;
const RE_OOMKILL = /^oom-kill:(.*)$/s;
const RE_KILLED = /^(Memory cgroup out of memory|Out of memory(?: \(oom_kill_allocating_task\))?): Killed process (\d+) \((.*)\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB(?:, UID:(\d+))?(?: pgtables:(\d+)kB)?(?: oom_score_adj:(-?\d+))?/s;
const RE_HUNG = /^INFO: task (.*):(\d+) blocked for more than (\d+) seconds/s;
const RE_BUG = /^(?:BUG: |kernel BUG at )/;
const RE_OOPS = /^Oops(?::| \d)/;
const RE_PANIC = /^Kernel panic - not syncing/;
const RE_WARNING = /^WARNING: CPU: \d+ PID: \d+ at /;

/** x86 trap names to the signal the kernel sends for them. */
const TRAP_SIGNALS: Record<string, number> = {
  'divide error': 8, 'invalid opcode': 4, 'int3': 5, 'overflow': 11, 'bounds': 11, 'stack segment': 7,
  'alignment check': 7, 'general protection fault': 11, 'general protection': 11, 'simd floating point exception': 8,
  'x87 floating point exception': 8, 'control protection fault': 11,
};

/** Which kind of failure line a record is, for highlighting; null for ordinary lines. Pure. */
export function classifyKmsg(message: string): KmsgHighlight | null {
  if (RE_SEGV.test(message)) return 'segfault';
  if (RE_TRAP.test(message)) return 'trap';
  if (RE_FATAL.test(message)) return 'fatal-signal';
  if (RE_KILLED.test(message) || RE_INVOKED.test(message) || message.startsWith('oom-kill:') || message.startsWith('oom_reaper: ')) return 'oom';
  if (RE_HUNG.test(message)) return 'hung';
  if (RE_OOPS.test(message)) return 'oops';
  if (RE_BUG.test(message)) return 'bug';
  if (RE_PANIC.test(message)) return 'panic';
  if (RE_WARNING.test(message)) return 'warning';
  return null;
}

function base(rec: KmsgRecord, kind: FailureEvent['kind'], pid: number, comm: string): FailureEvent {
  return {
    kind, feed: 'kmsg', tsUsec: rec.usec, pid, ppid: null, comm, cmdline: null, ageMs: null, exitCode: null,
    signal: null, coreDumped: null, sender: null, kmsgSeqs: [rec.seq],
  };
}

function kv(s: string): Record<string, string> {
  // "constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,...": split on commas that start a new key.
  const out: Record<string, string> = {};
  for (const part of s.split(/,(?=[a-z_]+=)/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

interface Pending {
  ev: FailureEvent;
  /** Give up waiting for the CPU line after this seq. */
  untilSeq: number;
  /** Waiting for "CPU: ... PID:" to learn the pid (or the OOM trigger's pid). */
  wantsCpu: boolean;
}

/** How many records after its first line a multi-record report may continue. */
const WINDOW = 12;

export class KmsgFailureClassifier {
  private pending: Pending[] = [];
  /** The OOM report in progress: trigger from "invoked oom-killer", details from "oom-kill:". */
  private oom: { triggerComm: string | null; triggerPid: number | null; triggerAdj: number | null; kv: Record<string, string>; seqs: number[]; untilSeq: number } | undefined;

  /** Feed one record; returns the events completed by it (usually none or one). */
  feed(rec: KmsgRecord): FailureEvent[] {
    const out: FailureEvent[] = [];
    // Only the kernel's own records: anything root writes to /dev/kmsg gets facility user or above.
    if (rec.facility !== 0) return out;
    const msg = rec.message;
    const cpu = RE_CPU.exec(msg);
    // Expire reports whose window has passed.
    this.expire(rec.seq, out);
    if (cpu) {
      const pid = Number(cpu[1]);
      const comm = cpu[2];
      if (this.oom && this.oom.triggerPid === null && rec.seq <= this.oom.untilSeq) {
        this.oom.triggerPid = pid;
        this.oom.seqs.push(rec.seq);
      }
      const p = this.pending.find((x) => x.wantsCpu);
      if (p) {
        p.ev.pid = pid;
        if (!p.ev.comm) p.ev.comm = comm;
        p.ev.kmsgSeqs!.push(rec.seq);
        p.wantsCpu = false;
        this.pending.splice(this.pending.indexOf(p), 1);
        out.push(p.ev);
      }
      return out;
    }
    let m: RegExpExecArray | null;
    if ((m = RE_SEGV.exec(msg))) {
      const ev = base(rec, 'signal', Number(m[2]), m[1]);
      ev.signal = 11;
      ev.sender = 'kernel';
      ev.fault = { addr: m[3], ip: m[4], sp: m[5], error: m[6], where: m[7] ?? null };
      ev.kernel = { what: 'segfault', detail: msg };
      out.push(ev);
    } else if ((m = RE_TRAP.exec(msg))) {
      const trap = (m[4] ?? m[3]).trim();
      const ev = base(rec, 'signal', Number(m[2]), m[1]);
      ev.signal = TRAP_SIGNALS[trap] ?? null;
      ev.sender = 'kernel';
      ev.fault = { addr: null, ip: m[5], sp: m[6], error: m[7], where: m[8] ? `${trap} in ${m[8]}` : trap };
      ev.kernel = { what: 'trap', detail: msg };
      out.push(ev);
    } else if ((m = RE_FATAL.exec(msg))) {
      // "comm/pid: potentially..." (old) or "comm: comm: potentially..." (pid on the next CPU line).
      const old = /^(.*)\/(\d+): potentially/s.exec(msg);
      const ev = base(rec, 'signal', old ? Number(old[2]) : 0, old ? old[1] : msg.slice(0, Math.max(0, msg.indexOf(': '))));
      ev.signal = Number(m[1]);
      ev.sender = FAULT_SIGNALS.has(ev.signal) ? 'kernel' : null;
      ev.kernel = { what: 'fatal-signal', detail: msg };
      if (old) out.push(ev);
      else this.pending.push({ ev, untilSeq: rec.seq + 3, wantsCpu: true });
    } else if ((m = RE_INVOKED.exec(msg))) {
      this.oom = { triggerComm: m[1], triggerPid: null, triggerAdj: Number(m[3]), kv: {}, seqs: [rec.seq], untilSeq: rec.seq + 400 };
    } else if ((m = RE_OOMKILL.exec(msg))) {
      if (!this.oom) this.oom = { triggerComm: null, triggerPid: null, triggerAdj: null, kv: {}, seqs: [], untilSeq: rec.seq + 5 };
      this.oom.kv = kv(m[1]);
      this.oom.seqs.push(rec.seq);
    } else if ((m = RE_KILLED.exec(msg))) {
      const st = this.oom;
      this.oom = undefined;
      const ev = base(rec, 'oom', Number(m[2]), m[3]);
      const n = (i: number) => (m![i] === undefined ? null : Number(m![i]));
      const anon = n(5), file = n(6), shmem = n(7);
      const oom: OomDetails = {
        rssKb: anon !== null && file !== null && shmem !== null ? anon + file + shmem : null,
        totalVmKb: n(4), anonRssKb: anon, fileRssKb: file, shmemRssKb: shmem, pgtablesKb: n(9), oomScoreAdj: n(10),
        constraint: st?.kv.constraint ?? (m[1].startsWith('Memory cgroup') ? 'CONSTRAINT_MEMCG' : null),
        memcg: st?.kv.oom_memcg ?? null,
        triggerPid: st?.triggerPid ?? null, triggerComm: st?.triggerComm ?? null,
        uid: n(8),
      };
      ev.oom = oom;
      ev.signal = 9;
      ev.coreDumped = false;
      ev.sender = oom.triggerPid !== null ? { pid: oom.triggerPid, comm: oom.triggerComm ?? '' } : 'kernel';
      ev.kernel = { what: 'oom', detail: msg };
      ev.kmsgSeqs = [...(st?.seqs ?? []), rec.seq];
      out.push(ev);
    } else if ((m = RE_HUNG.exec(msg))) {
      const ev = base(rec, 'kernel', Number(m[2]), m[1]);
      ev.kernel = { what: 'hung', detail: msg };
      out.push(ev);
    } else {
      const what = RE_OOPS.test(msg) ? 'oops' : RE_BUG.test(msg) ? 'bug' : RE_PANIC.test(msg) ? 'panic' : null;
      if (what) {
        const open = this.pending.find((p) => p.wantsCpu && p.ev.kind === 'kernel');
        if (open) {
          // "BUG: unable to handle..." then "Oops: ..." then "CPU: ...": one event.
          open.ev.kmsgSeqs!.push(rec.seq);
          if (what === 'oops' || what === 'panic') open.ev.kernel = { what, detail: `${open.ev.kernel!.detail} / ${msg}` };
        } else {
          const ev = base(rec, 'kernel', 0, '');
          ev.kernel = { what, detail: msg };
          this.pending.push({ ev, untilSeq: rec.seq + WINDOW, wantsCpu: true });
        }
      }
    }
    return out;
  }

  private expire(seq: number, out: FailureEvent[]): void {
    for (let i = 0; i < this.pending.length; ) {
      if (seq > this.pending[i].untilSeq) {
        out.push(this.pending[i].ev);
        this.pending.splice(i, 1);
      } else i++;
    }
    if (this.oom && seq > this.oom.untilSeq) this.oom = undefined;
  }

  /**
   * Emit reports still waiting for their last record. `beforeUsec` limits it
   * to reports started before that time (live mode: give the kernel a moment
   * to finish printing); omit it at the end of a one-shot read.
   */
  flush(beforeUsec = Infinity): FailureEvent[] {
    const out: FailureEvent[] = [];
    this.pending = this.pending.filter((p) => {
      if (p.ev.tsUsec < beforeUsec) { out.push(p.ev); return false; }
      return true;
    });
    return out;
  }
}
