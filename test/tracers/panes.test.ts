// The pane models of src/tracers/<name>/pane.ts without a terminal: a pane
// created from its registry line draws plain spans with style names (the
// screen only paints them), the stream shows its tracer's own columns, and a
// hostile path is sanitized in the model before any screen sees it.
import { describe, expect, it } from 'vitest';
import { REGISTRY, createPanes } from '../../src/tracers/registry.js';
import { asCount, fixedDigits, lineText, paneColumns, titled, type PaneUi } from '../../src/tracers/pane.js';
import type { OpensEvent } from '../../src/tracers/opens/tracer.js';
import type { ExitEvent } from '../../src/tracers/exit/tracer.js';
import { TcpAggregator, type TcpEvent } from '../../src/tracers/tcp/tracer.js';
import { RUNQLAT_LAYOUTS, RunqlatAggregator } from '../../src/tracers/runqlat/tracer.js';
import { SyscallAggregator, type SyscallEvent } from '../../src/tracers/syscalls/tracer.js';
import { clockTime, type MapDump, type SummaryTable } from '../../src/tracers/types.js';
import type { Column } from '../../src/model/columns.js';
import { toObject } from '../../src/model/output.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const ui: PaneUi = { prompt: () => {}, status: () => {}, reconfigure: () => {} };
const opens = (o: Partial<OpensEvent>): OpensEvent => ({ time: T0, pid: 4242, tid: 4242, uid: 0, comm: 'cat', fd: 3, err: 0, flags: 0, mode: 0, path: '/etc/hostname', pathTruncated: false, syscall: 'openat', ...o });

describe('pane models (no terminal)', () => {
  it('one pane per registry line, with its key, title and tracer', () => {
    const panes = createPanes(ui);
    expect(panes.map((p) => [p.key, p.title, p.tracer])).toEqual(REGISTRY.map((e) => [e.key, e.title, e.tracer.name]));
  });

  it('the opens stream: the header and one line per event in `ostop trace opens` columns, a failed open styled warn', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'opens')!;
    pane.add([opens({}), opens({ fd: -1, err: 2, path: '/nope' })] as never[]);
    const lines = pane.draw(80, 10);
    expect(lines.map(lineText)[0]).toMatch(/^TIME\s+PID COMM\s+FD ERR\s+PATH/);
    expect(lineText(lines[1])).toMatch(new RegExp(`^${clockTime(T0).replace(/\./g, '\\.')}\\s+4242 cat\\s+3 0\\s+/etc/hostname`));
    expect(lineText(lines[2])).toMatch(/-1 ENOENT\s+\/nope/);
    expect(lines.map((l) => l[0].style)).toEqual(['header', undefined, 'warn']);
    for (const l of lines) expect(lineText(l).length).toBeLessThanOrEqual(80);
  });

  it('control characters in a path never reach the lines', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'opens')!;
    pane.add([opens({ path: '/tmp/\x1b]0;pwned\x07x' })] as never[]);
    const text = pane.draw(100, 5).map(lineText).join('\n');
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).toMatch(/\/tmp\/\?\S*x/); // the sequence shown as ?
  });

  it('the exit pane counts per command through the exit aggregator (s), signal deaths styled error', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'exit')!;
    const ev = (o: Partial<Extract<ExitEvent, { kind: 'exit' }>>): ExitEvent => ({ kind: 'exit', time: T0, pid: 500, tid: 500, ppid: 1, uid: 0, comm: 'worker', ageMs: 12.5, rawStatus: 0, exitCode: 0, signal: 0, coreDumped: false, oomKilled: false, sender: null, ...o });
    pane.add([ev({}), ev({ signal: 11, coreDumped: true }), ev({ comm: 'other' })] as never[]);
    expect(pane.handleKey('s', 's', 's')).toBe(true);
    const lines = pane.draw(80, 6);
    expect(lineText(lines[0])).toMatch(/EXITS\s+SIGNALED\s+CORES\s+OOM\s+MAX AGE\s+COMM/);
    expect(lineText(lines[1])).toMatch(/^\s+2\s+1\s+1\s+0\s+\S+\s+worker/);
    expect(lines[1][0].style).toBe('error');
    expect(lineText(lines[2])).toMatch(/^\s+1\s+0\s+0\s+0\s+\S+\s+other/);
  });
});

// ---- every pane table is made of its tracer's Columns (the ids are trace's JSON keys) ----

const esc = (v: unknown) => String(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A line of cells, in order, separated by spaces (right-aligned numbers, left-aligned text). */
const row = (...cellsOf: unknown[]) => new RegExp(cellsOf.map(esc).join('\\s+'));

const tableOf = (tables: SummaryTable[], id: string) => tables.find((t) => t.id === id)!;
const json = (t: SummaryTable) => t.rows.map((r) => toObject(r, t.columns as Column<unknown>[]));

describe('pane tables are their tracer\'s columns', () => {
  it('paneColumns: ids and values stay the tracer\'s; compact forms change the text only; an unknown id throws', () => {
    type R = { n: number; ms: number | null };
    const from: Column<R>[] = [{ id: 'n', title: 'NUMBER', value: (r) => r.n }, { id: 'ms', title: 'TOTAL(ms)', value: (r) => r.ms }];
    const cols = paneColumns(from, [['n', 6, asCount], ['ms', 7, titled('TOT(ms)', fixedDigits(1))]]);
    expect(cols.map((c) => [c.id, c.title, c.width])).toEqual([['n', 'NUMBER', 6], ['ms', 'TOT(ms)', 7]]);
    const r = { n: 12345, ms: 2.25 };
    expect(cols.map((c) => [c.value(r), c.text!(r)])).toEqual([[12345, '12k'], [2.25, '2.3']]);
    expect(cols[1].text!({ n: 0, ms: null })).toBe('-');
    expect(() => paneColumns(from, [['nope', 3]])).toThrow(/no column 'nope'/);
  });

  it('tcp: the stream and the `s` table show the events and the retransmits that `trace tcp --summary` prints', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'tcp')!;
    const ev = (o: Partial<TcpEvent>): TcpEvent => ({ tsNs: 2e9, time: T0, startNs: 1e9, sock: 'ab', type: 'RETRANS', dir: 'active', pid: 33, comm: 'curl', family: 4, laddr: '10.0.0.1', lport: 5555, raddr: '1.2.3.4', rport: 443, txBytes: 0, rxBytes: 0, retrans: 0, srttUs: 0, oldstate: 'ESTABLISHED', newstate: 'ESTABLISHED', durMs: null, err: 0, ...o });
    const events = [ev({}), ev({}), ev({ sock: 'cd', pid: 0, comm: '', lport: 6000, raddr: '::1', rport: 80, family: 6 }), ev({ type: 'CLOSE', newstate: 'CLOSE', txBytes: 4096, rxBytes: 10, retrans: 2, durMs: 12.5 })];
    pane.add(events as never[]);
    const stream = pane.draw(160, 10).map(lineText);
    expect(stream[0]).toMatch(row('TIME', 'EVENT', 'PID', 'COMM', 'LOCAL', 'REMOTE', 'TX_B', 'RX_B', 'MS', 'RETR', 'NOTE'));
    expect(stream[4]).toMatch(row('CLOSE', 33, 'curl', '10.0.0.1:5555', '1.2.3.4:443', '4.00K', '10B', '12.50', 2));
    expect(stream[3]).toMatch(row('RETRANS', '-', '-', '10.0.0.1:6000', '[::1]:80'));
    pane.handleKey('s', 's', 's');
    const shown = pane.draw(160, 10).map(lineText);
    expect(shown[0]).toMatch(row('RETR', 'PID', 'COMM', 'LOCAL', 'REMOTE', 'STATE'));
    const agg = new TcpAggregator();
    agg.add(events);
    const rows = json(tableOf(agg.tables(), 'retransmits'));
    expect(rows).toHaveLength(2);
    const ep = (a: unknown, p: unknown) => (String(a).includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
    rows.forEach((r, i) => expect(shown[i + 1]).toMatch(row(r.retrans, r.pid ?? '-', r.comm ?? '-', ep(r.laddr, r.lport), ep(r.raddr, r.rport), r.state)));
    expect(rows[0]).toMatchObject({ retrans: 2, comm: 'curl', state: 'CLOSE' });
  });

  it('syscalls: the counts beside the stream are `trace syscalls --summary`\'s syscalls rows', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'syscalls')!;
    pane.pidFilter = 77;
    pane.started();
    const sc = (o: Partial<SyscallEvent>): SyscallEvent => ({ tsNs: 1, time: T0, durNs: 2500, nr: 0, name: 'read', args: [3, 0x1000, 100, 0, 0, 0], ret: 100, pid: 77, tid: 78, comm: 'x', flags: 0, blobKind: 0, ...o });
    const events = [sc({}), sc({ durNs: 1_500_000 }), sc({ nr: 257, name: 'openat', args: [-100, 0x2000, 0, 0, 0, 0], ret: -2, durNs: 4000 })];
    pane.add(events as never[]);
    const lines = pane.draw(200, 8).map(lineText);
    const right = lines.map((l) => l.slice(l.indexOf('│') + 1));
    const left = lines.map((l) => l.slice(0, l.indexOf('│')));
    expect(right[0]).toMatch(row('SYSCALL', 'COUNT', 'ERR', 'TOT(ms)', 'AVG(us)', 'MAX(us)'));
    const agg = new SyscallAggregator({ pid: 77 });
    agg.add(events);
    const rows = json(tableOf(agg.tables(), 'syscalls'));
    expect(rows.map((r) => r.syscall)).toEqual(['read', 'openat']);
    const f = (v: unknown, d: number) => Number(v).toFixed(d);
    rows.forEach((r, i) => expect(right[i + 1]).toMatch(row(r.syscall, r.count, r.errors, f(r.total_ms, 2), f(r.avg_us, 1), f(r.max_us, 0))));
    expect(left[0]).toMatch(row('TIME', 'TID', 'DUR(us)', 'CALL = RESULT'));
    expect(left[1]).toMatch(row(clockTime(T0), 78, '2.5', 'read(3,'));
    expect(left[3]).toMatch(/openat\(AT_FDCWD, .*\) = -1 ENOENT/);
  });

  it('runqlat: the processes beside the histogram are `trace runqlat --summary`\'s processes rows', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'runqlat')!;
    const L = RUNQLAT_LAYOUTS.runqlat_hist;
    const procs: Array<[number, string, number, number, number]> = [[4242, 'busy', 1500, 30_000_000, 900_000], [99, 'idle', 3, 30_000, 20_000]];
    const data = new Uint8Array(procs.length * (4 + L.size));
    const v = new DataView(data.buffer);
    procs.forEach(([pid, comm, count, totalNs, maxNs], i) => {
      const at = i * (4 + L.size);
      v.setUint32(at, pid, true);
      v.setBigUint64(at + 4 + L.fields.slots + 8 * 4, BigInt(count), true);
      v.setBigUint64(at + 4 + L.fields.count, BigInt(count), true);
      v.setBigUint64(at + 4 + L.fields.total_ns, BigInt(totalNs), true);
      v.setBigUint64(at + 4 + L.fields.max_ns, BigInt(maxNs), true);
      new TextEncoder().encodeInto(comm, data.subarray(at + 4 + L.fields.comm, at + 4 + L.fields.comm + 16));
      v.setUint32(at + 4 + L.fields.tgid, pid, true);
    });
    const maps: Record<string, MapDump> = {
      rq_hist: { keySize: 4, valueSize: L.size, count: 0, data: new ArrayBuffer(0) },
      rq_phist: { keySize: 4, valueSize: L.size, count: procs.length, data: data.buffer },
    };
    const handle = { mapDump: (m: string) => maps[m] };
    pane.collect!(handle);
    (pane as unknown as { cumulative: boolean }).cumulative = true;
    const lines = pane.draw(160, 8).map(lineText);
    const right = lines.map((l) => l.slice(l.indexOf('│') + 1));
    expect(right[0]).toMatch(row('PID', 'COMM', 'WAITS', 'AVG(us)', 'MAX(us)'));
    const agg = new RunqlatAggregator();
    agg.collect(handle);
    const rows = json(tableOf(agg.tables(), 'processes'));
    expect(rows.map((r) => r.pid)).toEqual([4242, 99]);
    const waits = ['1.5k', '3']; // counts compact in the pane, exact in JSON
    rows.forEach((r, i) => expect(right[i + 1]).toMatch(row(r.pid, r.comm, waits[i], Number(r.avg_us).toFixed(1), Number(r.max_us).toFixed(0))));
  });
});
