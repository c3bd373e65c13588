// The arithmetic of the side-by-side process-table bench (bench/top-bench.ts),
// kept apart from the ptys so it can be checked on written samples
// (test/bench/side-by-side.test.ts).
//
// All tools run at once; the harness samples every tool's CPU ticks, the
// bytes it wrote and its RSS at the same instants (one /proc scan serves
// every tool). From those common samples come the figures of each tool and
// the ratios between tools, each ratio computed over the same seconds.

/** One sampling instant, common to every tool of the window. */
export interface WindowSample {
  /** Seconds since the tools were started. */
  t: number;
  /** Per tool: CPU ticks (USER_HZ) used by the tool and its descendants so far; undefined once it has exited. */
  ticks: Record<string, number | undefined>;
  /** Per tool: bytes written to its pty so far. */
  bytes: Record<string, number>;
  /** Per tool: RSS in MB at that instant (undefined: gone or unreadable). */
  rssMb: Record<string, number | undefined>;
}

export interface ToolFigures {
  name: string;
  /** % of one core from start to the end of the window (start-up included). */
  cpuAllPct?: number;
  /** % of one core over the first `warmup` seconds (start-up). */
  cpuStartPct?: number;
  /** % of one core from `warmup` to the end. */
  cpuSteadyPct?: number;
  /** Bytes per second written to the pty from `warmup` to the end. */
  bytesPerSec?: number;
  /** RSS at the end of the window, MB. */
  rssMb?: number;
  /** Highest RSS seen at a sampling instant, MB. */
  rssMaxMb?: number;
  /** Steady CPU % of each sub-window (between consecutive samples after warm-up). */
  steadySlices: number[];
}

export const USER_HZ = 100;

const pct = (ticks: number, seconds: number): number => (seconds > 0 ? (ticks / USER_HZ / seconds) * 100 : NaN);

/** The sample nearest to time t (samples are in time order). */
function at(samples: WindowSample[], t: number): WindowSample | undefined {
  let best: WindowSample | undefined;
  for (const s of samples) if (!best || Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  return best;
}

/**
 * Figures of one tool from the common samples. The first sample is the
 * start (t = 0, nothing used yet); `warmup` splits start-up from steady state.
 */
export function toolFigures(name: string, samples: WindowSample[], warmup: number): ToolFigures {
  const out: ToolFigures = { name, steadySlices: [] };
  if (samples.length < 2) return out;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const warm = at(samples, warmup)!;
  const t0 = first.ticks[name], tw = warm.ticks[name], te = last.ticks[name];
  if (t0 !== undefined && te !== undefined) out.cpuAllPct = pct(te - t0, last.t - first.t);
  if (t0 !== undefined && tw !== undefined && warm.t > first.t) out.cpuStartPct = pct(tw - t0, warm.t - first.t);
  if (tw !== undefined && te !== undefined && last.t > warm.t) {
    out.cpuSteadyPct = pct(te - tw, last.t - warm.t);
    out.bytesPerSec = (last.bytes[name] - warm.bytes[name]) / (last.t - warm.t);
  }
  out.rssMb = last.rssMb[name];
  for (const s of samples) {
    const r = s.rssMb[name];
    if (r !== undefined && (out.rssMaxMb === undefined || r > out.rssMaxMb)) out.rssMaxMb = r;
  }
  const steady = samples.filter((s) => s.t >= warm.t);
  for (let i = 1; i < steady.length; i++) {
    const a = steady[i - 1].ticks[name], b = steady[i].ticks[name];
    if (a !== undefined && b !== undefined) out.steadySlices.push(pct(b - a, steady[i].t - steady[i - 1].t));
  }
  return out;
}

/** a / b, or undefined when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : undefined;
}

/**
 * The ratio a/b in each steady sub-window, as [min, max]: how much the
 * ratio moves within one run when both tools see the same seconds.
 * Sub-windows where b used nothing are left out.
 */
export function sliceRatioRange(a: ToolFigures, b: ToolFigures): [number, number] | undefined {
  const rs: number[] = [];
  const n = Math.min(a.steadySlices.length, b.steadySlices.length);
  for (let i = 0; i < n; i++) {
    const r = ratio(a.steadySlices[i], b.steadySlices[i]);
    if (r !== undefined) rs.push(r);
  }
  return rs.length ? [Math.min(...rs), Math.max(...rs)] : undefined;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

/** Round-robin orders for n rounds: round r starts at tool r (mod n), so no tool always starts first. */
export function rotations<T>(items: T[], rounds: number): T[][] {
  const out: T[][] = [];
  for (let r = 0; r < rounds; r++) out.push(items.map((_, i) => items[(i + r) % items.length]));
  return out;
}
