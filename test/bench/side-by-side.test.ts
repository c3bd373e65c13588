// The side-by-side bench's arithmetic (bench/side-by-side.ts) on written
// samples: start-up and steady CPU split at the warm-up, bytes/s over the
// steady part only, per-slice ratios over the same seconds, tools that exit.
import { describe, expect, it } from 'vitest';
import { ratio, rotations, sliceRatioRange, toolFigures, type WindowSample } from '../../bench/side-by-side.js';

// Two tools sampled at 0, 15, 30, 45 s. "a" uses 300 ticks (3 s of CPU) in
// its first 15 s, then 15 and 30 ticks per 15 s; "b" 30 ticks per 15 s.
const samples: WindowSample[] = [
  { t: 0, ticks: { a: 0, b: 0 }, bytes: { a: 0, b: 0 }, rssMb: { a: undefined, b: undefined } },
  { t: 15, ticks: { a: 300, b: 30 }, bytes: { a: 50_000, b: 1_000 }, rssMb: { a: 80, b: 5 } },
  { t: 30, ticks: { a: 315, b: 60 }, bytes: { a: 51_500, b: 4_000 }, rssMb: { a: 72, b: 5 } },
  { t: 45, ticks: { a: 345, b: 90 }, bytes: { a: 53_000, b: 7_000 }, rssMb: { a: 70, b: 6 } },
];

describe('toolFigures', () => {
  it('splits start-up from steady state at the warm-up and counts bytes after it only', () => {
    const a = toolFigures('a', samples, 15);
    expect(a.cpuStartPct).toBeCloseTo(20); // 3 s of CPU in 15 s
    expect(a.cpuSteadyPct).toBeCloseTo(1.5); // 0.45 s in 30 s
    expect(a.cpuAllPct).toBeCloseTo((3.45 / 45) * 100);
    expect(a.bytesPerSec).toBeCloseTo(3_000 / 30);
    expect(a.rssMb).toBe(70);
    expect(a.rssMaxMb).toBe(80);
    expect(a.steadySlices.map((x) => Number(x.toFixed(3)))).toEqual([1, 2]);
  });

  it('gives per-slice ratios over the same seconds', () => {
    const a = toolFigures('a', samples, 15);
    const b = toolFigures('b', samples, 15);
    expect(b.cpuSteadyPct).toBeCloseTo(2);
    expect(ratio(a.cpuSteadyPct, b.cpuSteadyPct)).toBeCloseTo(0.75);
    const [lo, hi] = sliceRatioRange(a, b)!;
    expect(lo).toBeCloseTo(0.5);
    expect(hi).toBeCloseTo(1);
  });

  it('leaves out what cannot be known once a tool has exited', () => {
    const gone = samples.map((s, i) => ({ ...s, ticks: { ...s.ticks, a: i >= 2 ? undefined : s.ticks.a } }));
    const a = toolFigures('a', gone, 15);
    expect(a.cpuStartPct).toBeCloseTo(20);
    expect(a.cpuSteadyPct).toBeUndefined();
    expect(a.cpuAllPct).toBeUndefined();
    expect(a.steadySlices).toEqual([]);
  });
});

describe('ratio and rotations', () => {
  it('has no ratio against nothing', () => {
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(1, 4)).toBe(0.25);
  });

  it('starts each round with another tool', () => {
    expect(rotations(['x', 'y', 'z'], 3)).toEqual([['x', 'y', 'z'], ['y', 'z', 'x'], ['z', 'x', 'y']]);
  });
});
