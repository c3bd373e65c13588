import { describe, expect, it } from 'vitest';
import { SAMPLE_STORE_VERSION, SampleStore } from '../../src/store/sample-store.js';

interface S { cpu: number; name: string; per: Record<string, number[]>; note: string | null }
const s = (cpu: number): S => ({ cpu, name: `t${cpu}`, per: { sda: [cpu, cpu * 2] }, note: cpu % 2 ? null : 'even' });
const isS = (x: unknown): x is S => !!x && typeof x === 'object' && typeof (x as S).cpu === 'number' && typeof (x as S).name === 'string';

describe('SampleStore', () => {
  it('latest and previous', () => {
    const st = new SampleStore<S>(3);
    expect(st.latest()).toBeUndefined();
    expect(st.previous()).toBeUndefined();
    st.push(1000, s(1));
    expect(st.latest()).toEqual({ time: 1000, sample: s(1) });
    expect(st.previous()).toBeUndefined();
    st.push(2000, s(2));
    expect(st.previous()?.sample.cpu).toBe(1);
    expect(st.latest()?.sample.cpu).toBe(2);
  });

  it('wraps around: keeps the last N, oldest first', () => {
    const st = new SampleStore<S>(3);
    const evicted: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const e = st.push(i * 1000, s(i));
      if (e) evicted.push(e.sample.cpu);
    }
    expect(st.size).toBe(3);
    expect(st.samples().map((x) => x.time)).toEqual([5000, 6000, 7000]);
    expect([...st].map((x) => x.sample.cpu)).toEqual([5, 6, 7]);
    expect(st.oldest()?.time).toBe(5000);
    expect(st.lastValues(2).map((x) => x.cpu)).toEqual([6, 7]);
    expect(evicted).toEqual([1, 2, 3, 4]);
  });

  it('at(t): the newest sample taken at or before t', () => {
    const st = new SampleStore<S>(10);
    for (const t of [100, 200, 300, 300, 500]) st.push(t, s(t));
    expect(st.at(50)).toBeUndefined();
    expect(st.at(100)?.time).toBe(100);
    expect(st.at(250)?.time).toBe(200);
    expect(st.at(300)).toBe(st.samples()[3]); // equal times: the later push
    expect(st.at(499)?.time).toBe(300);
    expect(st.at(10_000)?.time).toBe(500);
  });

  it('range(t0, t1): both ends included, oldest first, after wrapping too', () => {
    const st = new SampleStore<S>(5);
    for (let t = 1; t <= 12; t++) st.push(t * 10, s(t)); // keeps 80..120
    expect(st.range(0, 1000).map((x) => x.time)).toEqual([80, 90, 100, 110, 120]);
    expect(st.range(90, 110).map((x) => x.time)).toEqual([90, 100, 110]);
    expect(st.range(91, 109).map((x) => x.time)).toEqual([100]);
    expect(st.range(10, 70)).toEqual([]);
    expect(st.range(130, 200)).toEqual([]);
    expect(st.range(110, 90)).toEqual([]);
  });

  it('a push back in time (the wall clock stepped back) is kept at the newest time: nothing lost, times in order', () => {
    const st = new SampleStore<S>(10);
    for (const t of [100, 200, 300, 400]) st.push(t, s(t));
    st.push(250, s(250));
    st.push(260, s(260));
    st.push(500, s(500));
    expect(st.samples().map((x) => [x.time, x.sample.cpu])).toEqual([[100, 100], [200, 200], [300, 300], [400, 400], [400, 250], [400, 260], [500, 500]]);
    expect(st.at(450)?.sample.cpu).toBe(260);
    expect(st.range(400, 400).map((x) => x.sample.cpu)).toEqual([400, 250, 260]);
    expect(() => st.push(NaN, s(0))).toThrow(RangeError);
    expect(() => st.push(Infinity, s(0))).toThrow(RangeError);
  });

  it('memory is bounded: a day of samples keeps capacity', () => {
    const st = new SampleStore<number>(120);
    for (let i = 0; i < 86_400; i++) st.push(i * 1000, i);
    expect(st.size).toBe(120);
    expect(st.oldest()?.sample).toBe(86_280);
    st.clear();
    expect(st.size).toBe(0);
    expect(st.latest()).toBeUndefined();
  });

  it('persists as versioned JSON and reads back equal', () => {
    const st = new SampleStore<S>(4);
    for (let i = 1; i <= 6; i++) st.push(i * 1000, s(i));
    const text = JSON.stringify(st);
    const o = JSON.parse(text);
    expect(o.format).toBe('ostop-samples');
    expect(o.version).toBe(SAMPLE_STORE_VERSION);
    expect(o.capacity).toBe(4);
    const back = SampleStore.fromJSON(o, isS);
    expect(back.capacity).toBe(4);
    expect(back.samples()).toEqual(st.samples());
    expect(back.range(4000, 5000).map((x) => x.sample.name)).toEqual(['t4', 't5']);
    expect(JSON.stringify(back)).toBe(text);
  });

  it('reads JSON Lines: the header line, then one sample per line', () => {
    const lines = ['{"format":"ostop-samples","version":1,"capacity":2}', '{"time":1,"sample":1}', '{"time":2,"sample":2}', '{"time":3,"sample":3}'];
    const [head, ...rest] = lines.map((l) => JSON.parse(l));
    const st = SampleStore.fromJSON<number>({ ...head, samples: rest });
    expect(st.samples()).toEqual([{ time: 2, sample: 2 }, { time: 3, sample: 3 }]);
  });

  it('refuses another format, version, bad times or shapes', () => {
    const ok = { format: 'ostop-samples', version: 1, capacity: 3, samples: [{ time: 1, sample: s(1) }] };
    expect(() => SampleStore.fromJSON(null)).toThrow(/not an object/);
    expect(() => SampleStore.fromJSON({ ...ok, format: 'other' })).toThrow(/format/);
    expect(() => SampleStore.fromJSON({ ...ok, version: 2 })).toThrow(/version 2/);
    expect(() => SampleStore.fromJSON({ ...ok, capacity: 0 })).toThrow(/capacity/);
    expect(() => SampleStore.fromJSON({ ...ok, samples: {} })).toThrow(/array/);
    expect(() => SampleStore.fromJSON({ ...ok, samples: [{ sample: s(1) }] })).toThrow(/no time/);
    expect(() => SampleStore.fromJSON({ ...ok, samples: [{ time: 2, sample: s(1) }, { time: 1, sample: s(1) }] })).toThrow(/back in time/);
    expect(() => SampleStore.fromJSON({ ...ok, samples: [{ time: 1, sample: { cpu: 'x' } }] }, isS)).toThrow(/shape/);
    expect(SampleStore.fromJSON(ok, isS).latest()?.sample).toEqual(s(1));
  });
});

describe('SampleStore header keys', () => {
  it('keys a recorder adds to the header (source, sampleVersion) are ignored when read back', () => {
    const st = SampleStore.fromJSON<number>({ format: 'ostop-samples', version: 1, capacity: 2, source: 'vmstat', sampleVersion: 3, samples: [{ time: 1, sample: 7 }] });
    expect(st.latest()).toEqual({ time: 1, sample: 7 });
  });
});
