// `ostop trace` argument handling (no kernel needed), and (privileged) what
// `ostop trace runqlat` prints without flags.
import { describe, expect, it } from 'vitest';
import { runTrace } from '../../src/tracers/trace-cmd.js';
import { liveTracerSkipReason } from '../helpers/native.js';

async function run(args: string[]) {
  let out = '', err = '';
  const code = await runTrace(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('ostop trace arguments', () => {
  it('prints help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: ostop trace <tracer>/);
    expect(r.out).toMatch(/opens .*--failed/);
  });
  it('rejects an unknown tracer with exit 2', async () => {
    const r = await run(['nosuch']);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/unknown tracer 'nosuch'; known: opens, disk, exec, exit, syscalls, tcp, runqlat/);
  });
  it('rejects unknown flags and bad values with exit 2', async () => {
    expect((await run(['opens', '--bogus'])).err).toMatch(/unknown option '--bogus' for tracer 'opens'/);
    expect((await run(['opens', '--pid', 'abc'])).code).toBe(2);
    expect((await run(['opens', '--duration', '-1'])).code).toBe(2);
    expect((await run(['opens', '--format', 'xml'])).err).toMatch(/--format: 'xml'/);
    expect((await run(['exec', '--path', 'x'])).code).toBe(2); // --path is an opens flag
    expect((await run(['opens', '--pid'])).err).toMatch(/--pid needs a value/);
  });
});

const skipRunqlat = liveTracerSkipReason('runqlat');

/** `lo -> hi : count |***|` rows of BCC-layout histograms in text output, one array per histogram. */
function textHists(out: string): Array<Array<{ lo: number; hi: number; count: number }>> {
  const hists: Array<Array<{ lo: number; hi: number; count: number }>> = [];
  for (const line of out.split('\n')) {
    if (/^\s+usecs\s+: count\s+distribution$/.test(line)) hists.push([]);
    const m = /^\s*(\d+) -> (\d+)\s+: (\d+)\s+\|\**\s*\|$/.exec(line);
    if (m) hists.at(-1)!.push({ lo: Number(m[1]), hi: Number(m[2]), count: Number(m[3]) });
  }
  return hists;
}

describe.skipIf(!!skipRunqlat)('ostop trace runqlat without flags (privileged)', () => {
  it('prints the run-queue latency histogram at the end, as BCC runqlat does', async () => {
    const r = await run(['runqlat', '--duration', '0.4']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/Tracing run queue latency/);
    const hists = textHists(r.out);
    expect(hists).toHaveLength(1);
    const rows = hists[0];
    expect(rows.reduce((a, x) => a + x.count, 0)).toBeGreaterThan(0);
    // consecutive log2 buckets from 0 up to the last non-empty one
    rows.forEach((x, i) => expect(x.lo).toBe(i === 0 ? 0 : 2 ** i));
    expect(rows.at(-1)!.count).toBeGreaterThan(0);
    expect(r.err).not.toMatch(/\b0 events/);
  });

  it('--interval prints one histogram per interval and one at the end; JSON gives one object each', async () => {
    const t = await run(['runqlat', '--interval', '0.2', '--duration', '0.75']);
    expect(t.code, t.err).toBe(0);
    const hists = textHists(t.out);
    expect(hists.length).toBeGreaterThanOrEqual(3);
    expect(hists.length).toBeLessThanOrEqual(5);
    expect(t.out).toMatch(/^\d\d:\d\d:\d\d$/m); // each interval is stamped
    const j = await run(['runqlat', '--interval', '0.2', '--duration', '0.5', '--format', 'json']);
    expect(j.code, j.err).toBe(0);
    const objs = j.out.trim().split('\n').map((l) => JSON.parse(l) as { time: string; interval_s: number; waits: number; histogram: Array<{ lo: number; hi: number; count: number; distribution: number }> });
    expect(objs.length).toBeGreaterThanOrEqual(2);
    for (const o of objs) {
      expect(Date.parse(o.time)).toBeGreaterThan(Date.now() - 60_000);
      expect(o.interval_s).toBeGreaterThan(0);
      expect(o.histogram.reduce((a, x) => a + x.count, 0)).toBe(o.waits);
    }
    expect(objs.some((o) => o.waits > 0)).toBe(true);
  });

  it('rejects a bad --interval as a usage error', async () => {
    const r = await run(['runqlat', '--interval', 'soon']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--interval: 'soon' is not a positive number of seconds/);
  });
});
