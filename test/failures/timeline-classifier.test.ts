import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKmsgRecord, type KmsgRecord } from '../../src/collectors/kmsg-record.js';
import { KmsgFailureClassifier, classifyKmsg } from '../../src/failures/kmsg-classifier.js';
import { FailureTimeline } from '../../src/failures/timeline.js';
import { decodeExitCode, signalName, type FailureEvent } from '../../src/model/failures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
function records(name: string): KmsgRecord[] {
  return fs.readFileSync(path.join(here, '..', 'fixtures', name), 'utf8').split('\n').filter(Boolean)
    .map((l) => parseKmsgRecord(JSON.parse(l) as string)).filter((r): r is KmsgRecord => r !== null);
}
function classifyAll(recs: KmsgRecord[]): FailureEvent[] {
  const c = new KmsgFailureClassifier();
  const out: FailureEvent[] = [];
  for (const r of recs) out.push(...c.feed(r));
  out.push(...c.flush());
  return out;
}

describe('kernel-log classifier on real records (segfault, OOM in a memcg, divide error, print-fatal-signals)', () => {
  const evs = classifyAll(records('kmsg-real/crashes.jsonl'));
  it('finds each failure once', () => {
    expect(evs.map((e) => [e.kind, e.comm, e.signal])).toEqual([
      ['signal', 'segv', 11], ['oom', 'hog', 9], ['signal', 'fpe', 8], ['signal', 'abrt', 6],
    ]);
  });
  it('segfault: pid, fault details, kernel as sender', () => {
    expect(evs[0]).toMatchObject({ pid: 3691, sender: 'kernel', feed: 'kmsg', fault: { addr: '10', error: '6', where: 'segv[1139,55729b949000+1000]' }, kmsgSeqs: [337] });
  });
  it('OOM: victim memory, oom_score_adj, memcg and the triggering task', () => {
    expect(evs[1]).toMatchObject({ pid: 5308, coreDumped: false, sender: { pid: 5308, comm: 'hog' } });
    expect(evs[1].oom).toEqual({
      rssKb: 65280 + 840, totalVmKb: 68268, anonRssKb: 65280, fileRssKb: 840, shmemRssKb: 0, pgtablesKb: 172, oomScoreAdj: 0,
      constraint: 'CONSTRAINT_MEMCG', memcg: '/ostop-probe', triggerPid: 5308, triggerComm: 'hog', uid: 0,
    });
    expect(evs[1].kmsgSeqs!.length).toBe(4); // invoked, CPU line, oom-kill:, Killed process
  });
  it('trap: divide error is SIGFPE; fatal signal gets its pid from the CPU line', () => {
    expect(evs[2]).toMatchObject({ pid: 5309, fault: { where: expect.stringMatching(/^divide error in fpe/) } });
    expect(evs[3]).toMatchObject({ pid: 5310, signal: 6, sender: null, kernel: { what: 'fatal-signal' } });
  });
});

describe('kernel-log classifier on synthetic records', () => {
  const recs = records('kmsg-synthetic/records.jsonl');
  const evs = classifyAll(recs);
  it('segfault of a comm with spaces and brackets', () => {
    expect(evs[0]).toMatchObject({ kind: 'signal', pid: 4242, comm: 'my prog[x]', signal: 11 });
  });
  it('hung task and BUG+Oops as kernel entries', () => {
    expect(evs[1]).toMatchObject({ kind: 'kernel', pid: 77, comm: 'kworker/u4:2', kernel: { what: 'hung' } });
    expect(evs[2]).toMatchObject({ kind: 'kernel', pid: 999, comm: 'insmod', kernel: { what: 'oops' }, kmsgSeqs: [193, 195, 196] });
    expect(evs.length).toBe(3);
  });
  it('highlights', () => {
    expect(recs.map((r) => classifyKmsg(r.message))).toEqual([null, null, null, 'segfault', 'hung', null, 'bug', null, 'oops', null, null]);
  });
  it('a BUG without a CPU line is emitted at flush', () => {
    const c = new KmsgFailureClassifier();
    expect(c.feed(parseKmsgRecord('1,5,100,-;kernel BUG at mm/x.c:12!\n')!)).toEqual([]);
    expect(c.flush(50)).toEqual([]);
    expect(c.flush(200)[0]).toMatchObject({ kind: 'kernel', kernel: { what: 'bug' } });
  });
});

const ev = (o: Partial<FailureEvent>): FailureEvent => ({
  kind: 'signal', feed: 'ebpf', tsUsec: 1_000_000, pid: 10, ppid: null, comm: 'x', cmdline: null, ageMs: null,
  exitCode: null, signal: null, coreDumped: null, sender: null, ...o,
});

describe('FailureTimeline', () => {
  it('merges the eBPF exit and the kmsg segfault of one death', () => {
    const t = new FailureTimeline();
    t.add(ev({ feed: 'kmsg', signal: 11, sender: 'kernel', kmsgSeqs: [5], fault: { addr: '0', ip: '1', sp: '2', error: '4', where: 'a.out' } }));
    t.add(ev({ feed: 'ebpf', tsUsec: 1_000_100, signal: 11, coreDumped: true, ppid: 1, cmdline: './a.out --x', ageMs: 3 }));
    expect(t.entries().length).toBe(1);
    expect(t.entries()[0]).toMatchObject({ feeds: ['kmsg', 'ebpf'], ppid: 1, cmdline: './a.out --x', ageMs: 3, coreDumped: true, sender: 'kernel', kmsgSeqs: [5], fault: { addr: '0' } });
    expect(t.entryForSeq(5)?.id).toBe(t.entries()[0].id);
  });
  it('folds a SIGKILL exit into the OOM entry; keeps different pids apart; time-orders late events', () => {
    const t = new FailureTimeline();
    t.add(ev({ kind: 'oom', feed: 'kmsg', signal: 9, oom: { rssKb: 1 } as never }));
    t.add(ev({ kind: 'signal', feed: 'ebpf', signal: 9, ppid: 7 }));
    t.add(ev({ pid: 11, tsUsec: 500, signal: 15 }));
    expect(t.entries().map((e) => [e.pid, e.kind, e.ppid])).toEqual([[11, 'signal', null], [10, 'oom', 7]]);
  });
  it('sanitizes text and is bounded', () => {
    const t = new FailureTimeline({ capacity: 2 });
    t.add(ev({ pid: 1, comm: 'a\x1b]0;pwned\x07b', cmdline: 'x\ny' }));
    t.add(ev({ pid: 2 }));
    t.add(ev({ pid: 3 }));
    expect(t.entries().map((e) => e.pid)).toEqual([2, 3]);
    expect(t.dropped).toBe(1);
  });
  it('when full, a late event takes its place in time and the oldest is dropped (itself when it is the oldest)', () => {
    const t = new FailureTimeline({ capacity: 3 });
    for (const [pid, ts] of [[1, 100], [2, 200], [3, 300]]) t.add(ev({ pid, tsUsec: ts }));
    t.add(ev({ pid: 4, tsUsec: 150 }));
    expect(t.entries().map((e) => [e.pid, e.tsUsec])).toEqual([[4, 150], [2, 200], [3, 300]]);
    expect(t.dropped).toBe(1);
    const old = t.add(ev({ pid: 5, tsUsec: 50 }));
    expect(old.pid).toBe(5);
    expect(t.entries().map((e) => e.pid)).toEqual([4, 2, 3]);
    expect(t.dropped).toBe(2);
    t.add(ev({ pid: 6, tsUsec: 400 }));
    expect(t.entries().map((e) => e.pid)).toEqual([2, 3, 6]);
    expect(t.dropped).toBe(3);
    t.clear();
    expect(t.entries()).toEqual([]);
    const t2 = new FailureTimeline();
    expect(t2.add(ev({ comm: 'a\x1b]0;pwned\x07b', cmdline: 'x\ny' }))).toMatchObject({ comm: 'a?b', cmdline: 'x y' });
  });
  it('decodes exit codes', () => {
    expect(decodeExitCode(0x8b)).toEqual({ signal: 11, coreDumped: true, exitCode: null });
    expect(decodeExitCode(9)).toEqual({ signal: 9, coreDumped: false, exitCode: null });
    expect(decodeExitCode(3 << 8)).toEqual({ signal: null, coreDumped: false, exitCode: 3 });
    expect(signalName(6)).toBe('SIGABRT');
    expect(signalName(36)).toBe('SIGRTMIN+2');
  });
});
