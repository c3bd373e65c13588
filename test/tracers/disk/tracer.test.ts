// disk tracer: decoder and aggregator on canned bytes, layout against the
// addon, and (privileged) O_DIRECT writes and reads on a loop device set up
// over a file in /tmp (detached afterwards), asserted with exact sizes,
// sectors, direction, submitter and a sane latency.
import { STRICT, liveTracerSkipReason } from '../../helpers/native.js';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TracerManager } from '../../../src/tracers/manager.js';
import { DISK_LAYOUTS, DiskAggregator, decodeDisk, diskTracer, opLetter, type DiskEvent } from '../../../src/tracers/disk/tracer.js';
import { formatRecords, toObject } from '../../../src/model/output.js';
import { clockTime } from '../../../src/tracers/types.js';
import { TRACERS } from '../../../src/tracers/registry.js';

/** Kernel timestamps map to wall time at a fixed offset (as monotonicToWall does). */
const WALL0 = Date.UTC(2025, 0, 2, 3, 4, 5, 0);
const ctx = { wallMs: (ns: number) => WALL0 + ns / 1e6 };
const textCols = (diskTracer.textColumns ?? diskTracer.columns.map((c) => c.id)).map((id) => diskTracer.columns.find((c) => c.id === id)!);
import { displayRows, formatLog2Hist, log2Slot, histQuantile, emptyHist, histAddNs } from '../../../src/tracers/log2-hist.js';

function canned(o: Partial<{ ts: bigint; lat: bigint; q: bigint; sector: bigint; major: number; minor: number; bytes: number; pid: number; op: number; flags: number; error: number; comm: string }>): DataView {
  const L = DISK_LAYOUTS.disk_event;
  const v = new DataView(new ArrayBuffer(L.size));
  v.setBigUint64(L.fields.ts_ns, o.ts ?? 1946345850000n, true);
  v.setBigUint64(L.fields.lat_ns, o.lat ?? 960000n, true);
  v.setBigUint64(L.fields.queue_ns, o.q ?? 1000n, true);
  v.setBigUint64(L.fields.sector, o.sector ?? 2048n, true);
  v.setUint32(L.fields.dev, ((o.major ?? 8) << 20) | (o.minor ?? 0), true);
  v.setUint32(L.fields.bytes, o.bytes ?? 8192, true);
  v.setUint32(L.fields.pid, o.pid ?? 100, true);
  v.setUint32(L.fields.tid, o.pid ?? 100, true);
  v.setUint8(L.fields.op, o.op ?? 1);
  v.setUint16(L.fields.flags, o.flags ?? 0, true);
  v.setInt32(L.fields.error, o.error ?? 0, true);
  new Uint8Array(v.buffer, L.fields.comm, 16).set(Buffer.from(o.comm ?? 'postgres'));
  return v;
}

describe('log2 histograms', () => {
  it('slots like the kernel side', () => {
    expect([0, 1, 2, 3, 4, 7, 8, 1023, 1024].map(log2Slot)).toEqual([0, 0, 1, 1, 2, 2, 3, 9, 10]);
    expect(log2Slot(2 ** 40)).toBe(31);
  });
  it('prints in print_log2_hist layout', () => {
    const h = emptyHist();
    for (const us of [0.5, 3, 3, 5, 900]) histAddNs(h, us * 1000);
    expect(formatLog2Hist(h, 'usecs').split('\n').slice(0, 4)).toEqual([
      '     usecs               : count     distribution',
      '         0 -> 1          : 1        |********************                    |',
      '         2 -> 3          : 2        |****************************************|',
      '         4 -> 7          : 1        |********************                    |',
    ]);
    expect(histQuantile(h, 0.5)).toBe(3);
  });
  it('display rows: first to last non-empty bucket, empty runs on one line, merged buckets keep every count', () => {
    const h = emptyHist();
    const slots: Record<number, number> = { 3: 5, 4: 9, 6: 1, 10: 2, 11: 7 };
    for (const [slot, n] of Object.entries(slots)) for (let i = 0; i < n; i++) histAddNs(h, 2 ** Number(slot) * 1000 + 500);
    expect(displayRows(h).map((r) => [r.lo, r.hi, r.count, r.emptyRun])).toEqual([
      [8, 15, 5, 0], [16, 31, 9, 0], [32, 63, 0, 0], [64, 127, 1, 0], [128, 1023, 0, 3], [1024, 2047, 2, 0], [2048, 4095, 7, 0],
    ]);
    for (const m of [2, 4, 8]) {
      const rows = displayRows(h, m);
      expect(rows.reduce((a, r) => a + r.count, 0)).toBe(h.count);
      rows.forEach((r) => {
        expect(Math.log2(r.hi + 1) % m).toBe(0); // rows end on a power of 2^m
        expect(r.lo === 0 || Math.log2(r.lo) % m === 0).toBe(true);
      });
    }
    expect(displayRows(h, 4).map((r) => [r.lo, r.hi, r.count])).toEqual([[0, 15, 5], [16, 255, 10], [256, 4095, 9]]);
    expect(displayRows(emptyHist())).toEqual([]);
  });
});

describe('disk_event decoder and aggregator (canned bytes)', () => {
  it('decodes a write and prints disksnoop columns', () => {
    const e = decodeDisk(canned({}), ctx)!;
    expect(e).toMatchObject({ tsNs: 1946345850000, latNs: 960000, major: 8, minor: 0, bytes: 8192, pid: 100, op: 1, comm: 'postgres', sector: 2048 });
    const text = formatRecords([e], textCols.filter((c) => c.id !== 'dev'), 'text');
    expect(text.split('\n')).toEqual([
      'TIME         T       BYTES   LAT(ms)     PID COMM',
      `${clockTime(WALL0 + 1946345.85)} W        8192      0.96     100 postgres`,
    ]);
    expect(opLetter(0)).toBe('R');
    expect(opLetter(2)).toBe('F');
  });
  it('aggregates per device and direction with latency histograms', () => {
    const agg = new DiskAggregator((ma, mi) => `d${ma}:${mi}`);
    agg.add([decodeDisk(canned({ lat: 1_000_000n }), ctx)!, decodeDisk(canned({ lat: 3_000_000n, bytes: 4096 }), ctx)!, decodeDisk(canned({ op: 0, lat: 100_000n }), ctx)!]);
    const devs = agg.devices();
    expect(devs.map((d) => [d.dev, d.dir, d.ios, d.bytes])).toEqual([['d8:0', 'W', 2, 12288], ['d8:0', 'R', 1, 8192]]);
    expect(devs[0].avgMs).toBeCloseTo(2);
    expect(devs[0].maxMs).toBeCloseTo(3);
    const tables = agg.tables();
    expect(tables.map((t) => t.id)).toEqual(['devices', 'latency.d8:0.W', 'latency.d8:0.R']);
    const w = tables[1].rows as { lo: number; count: number }[];
    expect(w.filter((r) => r.count).map((r) => [r.lo, r.count])).toEqual([[512, 1], [2048, 1]]);
  });
  it('rejects short records', () => {
    expect(decodeDisk(new DataView(new ArrayBuffer(16)), ctx)).toBeNull();
  });
  it('JSON time is wall-clock ISO 8601 like every other tracer; monotonic seconds only as an extra, named field', () => {
    const o = toObject(decodeDisk(canned({}), ctx)!, diskTracer.columns);
    expect(o.time).toBe(new Date(WALL0 + 1946345.85).toISOString());
    expect(o.monotonic_s).toBeCloseTo(1946.34585, 9);
    expect(o).not.toHaveProperty('time_s');
    // one time field everywhere: every tracer's events have `time`, an ISO string
    // (the profilers stream no events: their rows are stacks counted over the run)
    const isoRe = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    expect(TRACERS.filter((t) => t.streams === false).map((t) => t.name).sort()).toEqual(['offcpu', 'profile']);
    for (const t of TRACERS.filter((x) => x.streams !== false)) {
      const c = t.columns.find((x) => x.id === 'time');
      expect(c, `${t.name} has a time column`).toBeDefined();
      expect(t.columns.filter((x) => /^time_|_s$/.test(x.id) && x.id !== 'monotonic_s').map((x) => x.id), `${t.name}: other time fields`).toEqual([]);
    }
    expect(String(o.time)).toMatch(isoRe);
  });
});


function liveSkipReason(): string | null {
  const base = liveTracerSkipReason('disk');
  if (base) return base;
  try {
    execFileSync('losetup', ['--version'], { stdio: 'ignore' });
  } catch {
    if (STRICT) throw new Error('losetup (util-linux) is missing; as root or in CI the disk tests must run');
    return 'losetup (util-linux) is missing';
  }
  return null;
}
const skipLive = liveSkipReason();

function run(cmd: string, args: string[]): Promise<{ pid: number; code: number | null }> {
  return new Promise((res, rej) => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    c.once('error', rej);
    c.once('exit', (code) => res({ pid: c.pid!, code }));
  });
}

describe.skipIf(!!skipLive)('disk live on a loop device (privileged)', () => {
  let dir: string;
  let loop = '';
  let minor = -1;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-disk-'));
    const img = path.join(dir, 'disk.img');
    fs.writeFileSync(img, Buffer.alloc(0));
    fs.truncateSync(img, 16 << 20);
    loop = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
    minor = Number(fs.readFileSync(`/sys/class/block/${path.basename(loop)}/dev`, 'utf8').trim().split(':')[1]);
  });
  afterAll(() => {
    if (loop) execFileSync('losetup', ['-d', loop]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sees an O_DIRECT write and read with exact size, sector, submitter and latency', async () => {
    const m = new TracerManager({ lookup: (n) => (n === 'disk' ? diskTracer : undefined) });
    const events: DiskEvent[] = [];
    m.onEvents<DiskEvent>('disk', (b) => events.push(...b));
    m.start('disk', {});
    let w: { pid: number; code: number | null }, r: { pid: number; code: number | null };
    const t0 = Date.now();
    try {
      w = await run('dd', ['if=/dev/zero', `of=${loop}`, 'bs=8192', 'count=1', 'seek=10', 'oflag=direct', 'status=none']);
      r = await run('dd', [`if=${loop}`, 'of=/dev/null', 'bs=4096', 'count=1', 'skip=3', 'iflag=direct', 'status=none']);
      expect(w.code).toBe(0);
      expect(r.code).toBe(0);
      await new Promise((res) => setTimeout(res, 50));
      m.poll();
      expect(m.drops('disk').ring).toBe(0);
    } finally {
      m.stop('disk');
    }
    const mine = events.filter((e) => e.major === 7 && e.minor === minor);
    const wr = mine.filter((e) => e.op === 1);
    const rd = mine.filter((e) => e.op === 0 && e.pid === r.pid);
    expect(wr).toHaveLength(1);
    expect(wr[0]).toMatchObject({ bytes: 8192, sector: 160, pid: w.pid, comm: 'dd', error: 0 });
    expect(rd).toHaveLength(1);
    expect(rd[0]).toMatchObject({ bytes: 4096, sector: 24, comm: 'dd', error: 0 });
    for (const e of [wr[0], rd[0]]) {
      expect(e.latNs).toBeGreaterThan(0);
      expect(e.latNs).toBeLessThan(5e9);
      // wall-clock completion time, as the other tracers' `time`
      expect(e.time).toBeGreaterThanOrEqual(t0 - 50);
      expect(e.time).toBeLessThanOrEqual(Date.now() + 50);
    }
    const agg = new DiskAggregator();
    agg.add(mine);
    const dev = path.basename(loop);
    expect(agg.devices().find((d) => d.dev === dev && d.dir === 'W')).toMatchObject({ ios: 1, bytes: 8192 });
    const cols = Object.fromEntries(diskTracer.columns.map((c) => [c.id, c.value(wr[0])]));
    expect(cols).toMatchObject({ type: 'W', bytes: 8192, dev, pid: w.pid, comm: 'dd' });
  });
});
