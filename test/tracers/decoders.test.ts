// Decoders on canned byte buffers (no kernel needed), the batch framing of
// the manager through a fake addon, and the aggregators.
import { describe, expect, it } from 'vitest';
import { decodeOpensEvent, decodeOpensSummary, OPENS_LAYOUTS, OpensAggregator, opensTracer, type OpensEvent } from '../../src/tracers/opens/tracer.js';
import { decodeExecEvent, EXEC_LAYOUTS, argsLine } from '../../src/tracers/exec/tracer.js';
import { decodeExitEvent, EXIT_LAYOUTS, ExitAggregator, isAbnormalExit, type ExitEvent } from '../../src/tracers/exit/tracer.js';
import { TracerManager } from '../../src/tracers/manager.js';
import type { NativeAddon } from '../../src/native.js';

const ctx = { wallMs: (ns: number) => ns / 1e6 };

function writer(size: number) {
  const buf = new ArrayBuffer(size);
  const v = new DataView(buf);
  const bytes = new Uint8Array(buf);
  return {
    buf, v,
    u64: (off: number, n: number) => v.setBigUint64(off, BigInt(n), true),
    u32: (off: number, n: number) => v.setUint32(off, n >>> 0, true),
    i32: (off: number, n: number) => v.setInt32(off, n, true),
    u16: (off: number, n: number) => v.setUint16(off, n, true),
    i16: (off: number, n: number) => v.setInt16(off, n, true),
    u8: (off: number, n: number) => v.setUint8(off, n),
    str: (off: number, s: string | Uint8Array) => bytes.set(typeof s === 'string' ? new TextEncoder().encode(s) : s, off),
  };
}

function opensRecord(o: { ts?: number; pid: number; tid?: number; ret: number; path: string | Uint8Array; comm?: string; flags?: number; syscall?: number }) {
  const F = OPENS_LAYOUTS.opens_event.fields;
  const w = writer(OPENS_LAYOUTS.opens_event.size);
  w.u64(F.ts_ns, o.ts ?? 5_000_000);
  w.u32(F.pid, o.pid); w.u32(F.tid, o.tid ?? o.pid); w.u32(F.uid, 1000);
  w.i32(F.ret, o.ret); w.i32(F.flags, o.flags ?? 0o2000000); w.u32(F.mode, 0o644);
  const p = typeof o.path === 'string' ? new TextEncoder().encode(o.path) : o.path;
  w.u16(F.path_len, Math.min(p.length, 255)); w.u8(F.syscall, o.syscall ?? 0);
  w.str(F.comm, o.comm ?? 'cat'); w.str(F.path, p.subarray(0, 255));
  return w.buf;
}

describe('opens decoder', () => {
  it('decodes a successful open', () => {
    const e = decodeOpensEvent(new DataView(opensRecord({ pid: 42, tid: 43, ret: 3, path: '/etc/passwd', syscall: 1 })), ctx)!;
    expect(e).toEqual({ time: 5, pid: 42, tid: 43, uid: 1000, comm: 'cat', fd: 3, err: 0, flags: 0o2000000, mode: 0o644, path: '/etc/passwd', pathTruncated: false, syscall: 'openat2' });
  });
  it('decodes a failed open as fd -1 and errno', () => {
    const e = decodeOpensEvent(new DataView(opensRecord({ pid: 1, ret: -2, path: '/nope' })), ctx)!;
    expect([e.fd, e.err]).toEqual([-1, 2]);
  });
  it('keeps ugly paths intact (spaces, newline, escape, CJK, invalid UTF-8) and marks truncation', () => {
    const ugly = '/tmp/a b\n\x1b[31m漢字';
    expect(decodeOpensEvent(new DataView(opensRecord({ pid: 1, ret: 3, path: ugly })), ctx)!.path).toBe(ugly);
    const bad = decodeOpensEvent(new DataView(opensRecord({ pid: 1, ret: 3, path: new Uint8Array([0x2f, 0xff, 0x41]) })), ctx)!;
    expect(bad.path).toBe('/\ufffdA');
    const long = decodeOpensEvent(new DataView(opensRecord({ pid: 1, ret: 3, path: '/' + 'x'.repeat(400) })), ctx)!;
    expect(long.path.length).toBe(255);
    expect(long.pathTruncated).toBe(true);
  });
  it('rejects short records', () => {
    expect(decodeOpensEvent(new DataView(new ArrayBuffer(10)), ctx)).toBeNull();
  });
  it('decodes the in-kernel summary map and aggregates per path and per process', () => {
    const K = OPENS_LAYOUTS.opens_key, C = OPENS_LAYOUTS.opens_count;
    const rows = [
      { pid: 10, comm: 'a', path: '/x', count: 5, errors: 0 },
      { pid: 11, comm: 'b', path: '/x', count: 2, errors: 2 },
      { pid: 10, comm: 'a', path: '/y', count: 1, errors: 0 },
    ];
    const rec = K.size + C.size;
    const w = writer(rec * rows.length);
    rows.forEach((r, i) => {
      w.u32(i * rec + K.fields.pid, r.pid); w.str(i * rec + K.fields.comm, r.comm); w.str(i * rec + K.fields.path, r.path);
      w.u64(i * rec + K.size + C.fields.count, r.count); w.u64(i * rec + K.size + C.fields.errors, r.errors);
    });
    const dump = { keySize: K.size, valueSize: C.size, count: rows.length, data: w.buf };
    expect(decodeOpensSummary(dump)).toEqual(rows);
    const agg = new OpensAggregator();
    agg.collect({ mapDump: () => dump });
    expect(agg.byPath()).toEqual([
      { path: '/x', count: 7, errors: 2, processes: 2 },
      { path: '/y', count: 1, errors: 0, processes: 1 },
    ]);
    expect(agg.byProcess()).toEqual([
      { pid: 10, comm: 'a', count: 6, errors: 0, paths: 2 },
      { pid: 11, comm: 'b', count: 2, errors: 2, paths: 1 },
    ]);
    const filtered = new OpensAggregator({ flags: { path: 'y' } });
    filtered.collect({ mapDump: () => dump });
    expect(filtered.total()).toEqual({ count: 1, errors: 0 });
  });
  it('folds streamed events too', () => {
    const agg = new OpensAggregator();
    const e = decodeOpensEvent(new DataView(opensRecord({ pid: 1, ret: -13, path: '/p' })), ctx)!;
    agg.add([e, e]);
    expect(agg.byPath()).toEqual([{ path: '/p', count: 2, errors: 2, processes: 1 }]);
  });
});

describe('exec decoder', () => {
  const F = EXEC_LAYOUTS.exec_event.fields;
  function execRecord(args: string, size: number, ret = 0) {
    const w = writer(EXEC_LAYOUTS.exec_event.size);
    w.u64(F.ts_ns, 1_000_000); w.u32(F.pid, 7); w.u32(F.tid, 7); w.u32(F.ppid, 1); w.u32(F.uid, 0); w.i32(F.ret, ret);
    const a = new TextEncoder().encode(args);
    w.u32(F.args_len, Math.min(a.length, 1024)); w.u32(F.args_size, size);
    w.str(F.comm, 'ls'); w.str(F.filename, '/usr/bin/ls'); w.str(F.args, a.subarray(0, 1024));
    return new DataView(w.buf);
  }
  it('splits NUL-separated argv', () => {
    const e = decodeExecEvent(execRecord('ls\0-l\0a b\0', 10), ctx)!;
    expect(e).toMatchObject({ pid: 7, ppid: 1, comm: 'ls', ret: 0, filename: '/usr/bin/ls', args: ['ls', '-l', 'a b'], argsTruncated: false });
    expect(argsLine(e)).toBe('ls -l "a b"');
  });
  it('marks truncated argv', () => {
    const long = 'x'.repeat(1500);
    const e = decodeExecEvent(execRecord(long + '\0', 1501), ctx)!;
    expect(e.argsTruncated).toBe(true);
    expect(e.args[0].length).toBe(1024);
  });
  it('decodes a failed exec', () => {
    const e = decodeExecEvent(execRecord('', 0, -2), ctx)!;
    expect([e.ret, e.args, argsLine(e)]).toEqual([-2, [], '/usr/bin/ls']);
  });
});

describe('exit decoder', () => {
  const F = EXIT_LAYOUTS.exit_event.fields;
  function exitRecord(kind: number, f: (w: ReturnType<typeof writer>) => void) {
    const w = writer(EXIT_LAYOUTS.exit_event.size);
    w.u64(F.ts_ns, 2_000_000); w.u32(F.kind, kind); w.u32(F.pid, 100); w.u32(F.tid, 101); w.u32(F.ppid, 1);
    w.str(F.comm, 'victim');
    f(w);
    return new DataView(w.buf);
  }
  it('decodes a normal exit', () => {
    const e = decodeExitEvent(exitRecord(1, (w) => { w.i32(F.exit_code, 3 << 8); w.u64(F.age_ns, 1_500_000); w.u64(F.cpu_ns, 12_345_678); }), ctx)!;
    expect(e).toEqual({ kind: 'exit', time: 2, pid: 100, tid: 101, ppid: 1, uid: 0, comm: 'victim', ageMs: 1.5, cpuMs: 12.345678, rawStatus: 768, exitCode: 3, signal: 0, coreDumped: false, oomKilled: false, sender: null });
    expect(isAbnormalExit(e)).toBe(false);
  });
  it('decodes a death by SIGSEGV with core and sender', () => {
    const e = decodeExitEvent(exitRecord(1, (w) => { w.i32(F.exit_code, 0x80 | 11); w.u16(F.flags, 0x1 | 0x2); w.u32(F.sender_pid, 55); w.str(F.sender_comm, 'killer'); }), ctx) as ExitEvent & { kind: 'exit' };
    expect([e.signal, e.exitCode, e.coreDumped, e.sender]).toEqual([11, null, true, { pid: 55, comm: 'killer' }]);
    expect(isAbnormalExit(e)).toBe(true);
  });
  it('decodes signal and OOM events, ignores unknown kinds', () => {
    const s = decodeExitEvent(exitRecord(2, (w) => { w.u32(F.sig, 9); w.i32(F.sig_code, 0); w.u32(F.sender_pid, 9); w.str(F.sender_comm, 'kill'); }), ctx);
    expect(s).toEqual({ kind: 'signal', time: 2, pid: 100, comm: 'victim', signal: 9, code: 0, sender: { pid: 9, comm: 'kill' } });
    const o = decodeExitEvent(exitRecord(3, (w) => { w.u64(F.total_vm_kb, 1000); w.u64(F.rss_kb, 900); w.i16(F.oom_score_adj, -17); w.u32(F.sender_pid, 5); w.str(F.sender_comm, 'alloc'); w.u32(F.uid, 1000); }), ctx);
    expect(o).toEqual({ kind: 'oom', time: 2, pid: 100, comm: 'victim', uid: 1000, totalVmKb: 1000, rssKb: 900, oomScoreAdj: -17, trigger: { pid: 5, comm: 'alloc' } });
    expect(decodeExitEvent(exitRecord(9, () => {}), ctx)).toBeNull();
  });
  it('aggregates exits per command and keeps abnormal ones', () => {
    const agg = new ExitAggregator();
    const ok = decodeExitEvent(exitRecord(1, (w) => w.i32(F.exit_code, 0)), ctx)!;
    const bad = decodeExitEvent(exitRecord(1, (w) => w.i32(F.exit_code, 9)), ctx)!;
    agg.add([ok, bad, ok]);
    const [byComm, abnormal] = agg.tables();
    expect(byComm.rows).toEqual([{ comm: 'victim', exits: 3, signaled: 1, cores: 0, oom: 0, max_age_ms: 0 }]);
    expect(abnormal.rows).toEqual([bad]);
  });
});

describe('TracerManager with a fake addon', () => {
  function fakeAddon() {
    let cb: ((b: ArrayBuffer) => void) | null = null;
    const state = { started: [] as unknown[], stopped: [] as number[], filters: [] as [number, number][] };
    const addon: Partial<NativeAddon> = {
      tracers: () => ['opens'],
      probe: (sec) => (sec === 'tp_btf/sys_exit' ? 'not here' : ''),
      setCallback: (f) => { cb = f; },
      start: (name, opts) => { state.started.push({ name, opts }); return { id: 7, attached: ['ostop_opens_openat'], disabled: [] }; },
      stop: (id) => { state.stopped.push(id); },
      setFilter: (id, pid) => { state.filters.push([id, pid]); },
      drops: () => ({ ring: 1, map: 2 }),
      nativeDrops: () => 3,
      programs: () => [],
      poll: () => 0,
    };
    return { addon: addon as NativeAddon, state, emit: (b: ArrayBuffer) => cb!(b) };
  }
  function batch(records: ArrayBuffer[], id = 7): ArrayBuffer {
    const size = records.reduce((n, r) => n + 8 + ((r.byteLength + 7) & ~7), 0);
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    let off = 0;
    for (const r of records) {
      v.setUint16(off, id, true); v.setUint32(off + 4, r.byteLength, true);
      out.set(new Uint8Array(r), off + 8);
      off += 8 + ((r.byteLength + 7) & ~7);
    }
    return out.buffer;
  }
  it('passes rodata and pid, delivers one decoded array per batch, applies the path filter, reports drops', () => {
    const f = fakeAddon();
    const m = new TracerManager({ loader: () => ({ ok: true, addon: f.addon }), checkPrivilege: false, lookup: (n) => (n === 'opens' ? opensTracer : undefined) });
    const got: OpensEvent[][] = [];
    m.onEvents<OpensEvent>('opens', (evs) => got.push(evs));
    m.start('opens', { pid: 99, summary: false, flags: { failed: true, path: 'keep' } });
    expect(f.state.started).toEqual([{ name: 'opens', opts: { rodata: { targ_failed: true, targ_summary: false }, disable: ['ostop_opens_fast'], pid: 99 } }]);
    f.emit(batch([opensRecord({ pid: 1, ret: -2, path: '/keep/a' }), opensRecord({ pid: 1, ret: -2, path: '/drop' }), opensRecord({ pid: 2, ret: -2, path: '/keep/b' })]));
    f.emit(batch([opensRecord({ pid: 3, ret: -2, path: '/keep/c' })], 8)); // unknown id: ignored
    expect(got.map((b) => b.map((e) => e.path))).toEqual([['/keep/a', '/keep/b']]);
    expect(m.drops('opens')).toEqual({ ring: 1, map: 2, native: 3 });
    m.setPid('opens', 5);
    expect(f.state.filters).toEqual([[7, 5]]);
    expect(m.active()).toEqual(['opens']);
    m.stop('opens');
    expect(f.state.stopped).toEqual([7]);
    expect(m.active()).toEqual([]);
  });
  it('reports unknown and unavailable tracers with typed errors', () => {
    const m = new TracerManager({ loader: () => ({ ok: false, error: Object.assign(new Error('no addon'), { hint: 'build it', name: 'NativeUnavailableError' }) }), checkPrivilege: false });
    expect(() => m.start('nope')).toThrow(/unknown tracer 'nope'/);
    expect(() => m.start('opens')).toThrow(/no addon; build it/);
  });
});
