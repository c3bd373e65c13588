// The samples the Sources take are plain data today, so a SampleStore of
// them persists and reads back equal (what record and replay will rely on):
// a collector that starts returning a Map, a class instance or NaN fails here.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { SampleStore, plainDataProblems } from '../../src/store/sample-store.js';
import { MachineSampler } from '../../src/collectors/machine.js';
import { readPsiSample } from '../../src/collectors/psi.js';
import { readVmstatSample } from '../../src/collectors/vmstat.js';

const FIX = fileURLToPath(new URL('../fixtures', import.meta.url));

function roundTrip<S>(samples: S[]): S[] {
  const st = new SampleStore<S>(samples.length);
  samples.forEach((s, i) => st.push(1000 * (i + 1), s));
  return SampleStore.fromJSON<S>(JSON.parse(JSON.stringify(st))).samples().map((x) => x.sample);
}

describe('plainDataProblems', () => {
  it('names what JSON would not give back', () => {
    expect(plainDataProblems({ a: 1, b: [1, 'x', null, { c: true }], d: undefined })).toEqual([]);
    expect(plainDataProblems({ m: new Map(), s: new Set([1]), n: NaN, f: () => 0, arr: [1, undefined], d: new Date(0), big: 1n })).toEqual([
      '$.m: Map', '$.s: Set', '$.n: NaN (JSON writes null)', '$.f: function', '$.arr[1]: hole or undefined (JSON writes null)', '$.d: Date', '$.big: bigint',
    ]);
    expect(plainDataProblems(new Float64Array(2))).toEqual(['$: Float64Array']);
  });
});

describe('collector samples persist through a SampleStore', () => {
  for (const k of ['sys-k6.18', 'sys-k5.4', 'sys-k3.10']) {
    it(`MachineSample, VmstatSample and PsiSample of ${k}`, () => {
      const procRoot = `${FIX}/${k}/proc`;
      const machine = new MachineSampler({ procRoot, isPartition: () => false }).sample(1);
      const vm = readVmstatSample(procRoot, 4096);
      const psi = readPsiSample(procRoot);
      for (const s of [machine, vm, psi]) expect(plainDataProblems(s)).toEqual([]);
      expect(roundTrip([machine, machine])).toEqual([machine, machine]);
      expect(roundTrip([vm])).toEqual([vm]);
      expect(roundTrip([psi])).toEqual([psi]);
    });
  }
});

describe('the drill-in sample persists through a SampleStore', () => {
  it('ProcDetailSample of the fixture process (identity, memory, io, threads, fds, sockets, limits, environ)', async () => {
    const { readProcDetail, realProcFs } = await import('../../src/collectors/proc-detail-read.js');
    const s = readProcDetail(4242, { fs: realProcFs(`${FIX}/proc-detail/tree`), now: 1000 });
    expect(s.gone).toBe(false);
    expect(plainDataProblems(s)).toEqual([]);
    expect(roundTrip([s])).toEqual([s]);
  });
});

describe('the process table sample persists through a SampleStore', () => {
  it('ProcessCollector sample of the htop fixture (threads, every per-process file)', async () => {
    const { ProcessCollector } = await import('../../src/collectors/processes.js');
    const c = new ProcessCollector({ procRoot: `${FIX}/tasks-htop/proc`, threads: true, needs: ['cmdline', 'status', 'statm', 'io', 'oom', 'cgroup'] });
    const s = c.collect(1000);
    expect(plainDataProblems(s)).toEqual([]);
    expect(roundTrip([s])).toEqual([s]);
  });
});

describe('what ostop record stores is plain data', () => {
  it('a RecordedTick and its RecordedEvents of this machine (src/app/recorder.ts TickTaker)', async () => {
    const { TickTaker } = await import('../../src/app/recorder.js');
    const { FailuresHub } = await import('../../src/failures/hub.js');
    const taker = new TickTaker(() => {}, new FailuresHub({ ebpfFeed: null }));
    try {
      await taker.take();
      const { tick, events } = await taker.take();
      expect(Object.keys(tick.procs.tasks).length).toBeGreaterThan(1);
      expect(plainDataProblems(tick)).toEqual([]);
      expect(plainDataProblems(events)).toEqual([]);
      expect(JSON.parse(JSON.stringify(tick))).toEqual(tick);
    } finally {
      taker.close();
    }
  });
});
