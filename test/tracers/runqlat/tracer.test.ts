// runqlat tracer: histogram map decoders on canned bytes, layout against the
// addon, and (privileged) live: the system-wide histogram grows under CPU
// contention, and with a PID filter only the targeted process shows up.
import { liveTracerSkipReason } from '../../helpers/native.js';
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { TracerManager } from '../../../src/tracers/manager.js';
import { RUNQLAT_LAYOUTS, RunqlatAggregator, decodeGlobalHist, decodeProcHists, decodeRunqEvent, runqlatTracer, type RunqSlowEvent } from '../../../src/tracers/runqlat/tracer.js';

function histBytes(slots: Record<number, number>, count: number, total: number, max: number, comm = '', tgid = 0): Uint8Array {
  const L = RUNQLAT_LAYOUTS.runqlat_hist;
  const v = new DataView(new ArrayBuffer(L.size));
  for (const [i, c] of Object.entries(slots)) v.setBigUint64(L.fields.slots + 8 * Number(i), BigInt(c), true);
  v.setBigUint64(L.fields.count, BigInt(count), true);
  v.setBigUint64(L.fields.total_ns, BigInt(total), true);
  v.setBigUint64(L.fields.max_ns, BigInt(max), true);
  new Uint8Array(v.buffer, L.fields.comm, 16).set(Buffer.from(comm));
  v.setUint32(L.fields.tgid, tgid, true);
  return new Uint8Array(v.buffer);
}

describe('runqlat decoders (canned bytes)', () => {
  it('sums the per-CPU global histogram', () => {
    const size = RUNQLAT_LAYOUTS.runqlat_hist.size;
    const data = new Uint8Array(4 + 2 * size);
    data.set(histBytes({ 0: 3, 4: 1 }, 4, 40_000, 20_000), 4);
    data.set(histBytes({ 4: 2 }, 2, 60_000, 31_000), 4 + size);
    const h = decodeGlobalHist({ keySize: 4, valueSize: 2 * size, count: 1, data: data.buffer });
    expect(h.slots.slice(0, 5)).toEqual([3, 0, 0, 0, 3]);
    expect(h).toMatchObject({ count: 6, totalNs: 100_000, maxNs: 31_000 });
  });
  it('decodes per-process histograms and diffs intervals', () => {
    const size = RUNQLAT_LAYOUTS.runqlat_hist.size;
    const mk = (n: number) => {
      const data = new Uint8Array(4 + size);
      new DataView(data.buffer).setUint32(0, 1234, true);
      data.set(histBytes({ 2: n }, n, n * 5000, 9000, 'worker', 1234), 4);
      return { keySize: 4, valueSize: size, count: 1, data: data.buffer };
    };
    expect(decodeProcHists(mk(3))).toMatchObject([{ pid: 1234, comm: 'worker', count: 3, totalNs: 15000 }]);
    const agg = new RunqlatAggregator();
    let n = 3;
    const handle = { mapDump: (m: string) => (m === 'rq_phist' ? mk(n) : { keySize: 4, valueSize: 0, count: 0, data: new ArrayBuffer(0) }) };
    agg.collect(handle);
    n = 10;
    agg.collect(handle);
    expect(agg.intervalProcesses()).toMatchObject([{ pid: 1234, count: 7 }]);
    expect(agg.processes()[0].count).toBe(10);
  });
  it('decodes runqslower events', () => {
    const L = RUNQLAT_LAYOUTS.runqlat_event;
    const v = new DataView(new ArrayBuffer(L.size));
    v.setBigUint64(L.fields.lat_ns, 12_345_000n, true);
    v.setUint32(L.fields.pid, 10, true);
    v.setUint32(L.fields.tid, 11, true);
    v.setUint32(L.fields.prev_tid, 12, true);
    v.setUint32(L.fields.cpu, 1, true);
    new Uint8Array(v.buffer, L.fields.comm, 16).set(Buffer.from('a'));
    new Uint8Array(v.buffer, L.fields.prev_comm, 16).set(Buffer.from('b'));
    expect(decodeRunqEvent(v, { wallMs: () => 0 })).toMatchObject({ latNs: 12_345_000, pid: 10, tid: 11, prevTid: 12, cpu: 1, comm: 'a', prevComm: 'b' });
  });
});


function liveSkipReason(): string | null {
  return liveTracerSkipReason('runqlat');
}
const skipLive = liveSkipReason();

/** More busy shells than CPUs, so each of them waits on a run queue. */
function spinners(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!!skipLive)('runqlat live (privileged)', () => {
  it('the system-wide histogram grows and a filtered PID is the only process counted', async () => {
    const m = new TracerManager({ lookup: (n) => (n === 'runqlat' ? runqlatTracer : undefined) });
    const slow: RunqSlowEvent[] = [];
    m.onEvents<RunqSlowEvent>('runqlat', (b) => slow.push(...b));
    const kids = spinners(3);
    try {
      // system-wide, with runqslower events above 1 ms
      m.start('runqlat', { flags: { 'min-us': '1000' } });
      const agg = new RunqlatAggregator();
      agg.collect(m.handle('runqlat'));
      const before = agg.histogram().count;
      await sleep(300);
      agg.collect(m.handle('runqlat'));
      const after = agg.histogram().count;
      expect(after).toBeGreaterThan(before);
      expect(agg.interval().count).toBe(after - before);
      expect(agg.histogram().slots.reduce((a, b) => a + b, 0)).toBe(after);
      const pids = new Set(agg.processes().map((p) => p.pid));
      for (const k of kids) expect(pids.has(k.pid!)).toBe(true);
      m.poll();
      // 3 spinners on <= 2 CPUs with ~ms slices: someone waited >= 1 ms
      expect(slow.length).toBeGreaterThan(0);
      expect(slow.every((e) => e.latNs >= 1e6)).toBe(true);
      m.stop('runqlat');

      // one PID
      const target = kids[1].pid!;
      m.start('runqlat', { pid: target });
      const one = new RunqlatAggregator();
      await sleep(300);
      // The global and per-process maps are read one after the other: stop the
      // target first so no wake-up lands between the two reads.
      process.kill(target, 'SIGSTOP');
      await sleep(50);
      one.collect(m.handle('runqlat'));
      const rows = one.processes();
      expect(rows.map((r) => r.pid)).toEqual([target]);
      expect(rows[0].comm).toBe('sh');
      expect(rows[0].count).toBeGreaterThan(0);
      expect(one.histogram().count).toBe(rows[0].count);
      expect(m.drops('runqlat')).toMatchObject({ ring: 0, map: 0 });
    } finally {
      m.stop('runqlat');
      for (const k of kids) k.kill('SIGKILL');
    }
  });
});
