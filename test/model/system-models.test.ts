import { describe, expect, it } from 'vitest';
import type { VmstatSample } from '../../src/collectors/vmstat.js';
import { parseProcStat } from '../../src/collectors/procfs/stat.js';
import { parseMeminfo } from '../../src/collectors/procfs/meminfo.js';
import { parseDiskstats } from '../../src/collectors/procfs/diskstats.js';
import { buildVmstatModel } from '../../src/model/vmstat.js';
import { buildIostatModel, buildPidIoModel, selectDevices } from '../../src/model/iostat.js';
import { buildIfaceModels, buildProtoModels } from '../../src/model/net.js';
import { buildSocketsModel, parseSocketFilter } from '../../src/model/sockets.js';
import type { SocketSample } from '../../src/collectors/sockets.js';

function vmSample(mono: number, stat: string, mem: string, vm: Record<string, number>): VmstatSample {
  return { time: mono * 1000, mono, stat: parseProcStat(stat), mem: parseMeminfo(mem), vm, pageSize: 4096 };
}

describe('vmstat model (procps definitions)', () => {
  const mem = 'MemTotal: 1000000 kB\nMemFree: 400000 kB\nBuffers: 10000 kB\nCached: 200000 kB\nSReclaimable: 5000 kB\nSwapTotal: 100000 kB\nSwapFree: 90000 kB\nMemAvailable: 600000 kB\n';
  const a = vmSample(10, 'cpu 100 0 100 1000 0 0 0 0 0 0\nintr 1000 1\nctxt 5000\nprocesses 100\nprocs_running 2\nprocs_blocked 0\n', mem,
    { pgpgin: 1000, pgpgout: 2000, pswpin: 0, pswpout: 0, pgfault: 10000, pgmajfault: 10 });
  const b = vmSample(12, 'cpu 150 10 130 1180 20 5 5 0 30 0\nintr 1600 1\nctxt 6000\nprocesses 110\nprocs_running 3\nprocs_blocked 1\n', mem,
    { pgpgin: 1400, pgpgout: 3000, pswpin: 5, pswpout: 10, pgfault: 12010, pgmajfault: 30 });
  const m = buildVmstatModel(a, b);
  it('rates over the monotonic interval', () => {
    expect(m.interval).toBe(2);
    expect(m).toMatchObject({ in: 300, cs: 500, bi: 200, bo: 500, si: 10, so: 20, forks: 5, majflt: 10, minflt: 995 });
  });
  it('cpu split: us=user+nice, sy=sys+irq+softirq, guest not double counted', () => {
    // deltas: user 50 nice 10 sys 30 idle 180 iowait 20 irq 5 softirq 5 => total 300
    expect(m.us).toBeCloseTo(20);
    expect(m.sy).toBeCloseTo(40 / 3);
    expect(m.id).toBeCloseTo(60);
    expect(m.wa).toBeCloseTo(20 / 3);
    expect(m.us + m.sy + m.id + m.wa + m.st).toBeCloseTo(100);
  });
  it('memory columns', () => {
    expect(m).toMatchObject({ r: 3, b: 1, swpd: 10000, free: 400000, buff: 10000, cache: 205000, avail: 600000 });
  });
  it('counter going backwards gives 0, not negative', () => {
    const z = buildVmstatModel(b, a);
    expect(z.in).toBe(0);
    expect(z.cs).toBe(0);
  });
});

describe('iostat model (sysstat -dx definitions)', () => {
  const p = { mono: 100, disks: parseDiskstats(' 8 0 sda 100 10 2000 50 200 20 4000 400 0 1000 2000 5 1 80 5 7 14\n') };
  const c = { mono: 102, disks: parseDiskstats(' 8 0 sda 300 60 6000 250 400 120 12000 1400 1 2600 5000 9 2 160 13 11 18\n') };
  const m = buildIostatModel(p, c);
  const d = m.devices[0];
  it('per-second columns', () => {
    expect(d.rs).toBe(100);
    expect(d.ws).toBe(100);
    expect(d.rkBs).toBe(1000);
    expect(d.wkBs).toBe(2000);
    expect(d.rrqms).toBe(25);
    expect(d.wrqms).toBe(50);
    expect(d.rrqmPct).toBeCloseTo(20);
    expect(d.wrqmPct).toBeCloseTo(100 / 3);
  });
  it('await, request size, queue and util', () => {
    expect(d.rAwait).toBe(1);
    expect(d.wAwait).toBe(5);
    expect(d.rareqSz).toBe(10);
    expect(d.wareqSz).toBe(20);
    expect(d.aquSz).toBe(1.5);
    expect(d.util).toBe(80);
  });
  it('discard and flush columns', () => {
    expect(d.ds).toBe(2);
    expect(d.dkBs).toBe(20);
    expect(d.dAwait).toBe(2);
    expect(d.fs).toBe(2);
    expect(d.fAwait).toBe(1);
    expect(m.hasDiscard && m.hasFlush).toBe(true);
  });
  it('14-field kernels: discard/flush null; util capped at 100', () => {
    const p4 = { mono: 0, disks: parseDiskstats(' 8 0 sda 0 0 0 0 0 0 0 0 0 0 0\n') };
    const c4 = { mono: 1, disks: parseDiskstats(' 8 0 sda 1 0 8 1 0 0 0 0 0 1500 1\n') };
    const m4 = buildIostatModel(p4, c4);
    expect(m4.devices[0].ds).toBeNull();
    expect(m4.devices[0].fs).toBeNull();
    expect(m4.devices[0].util).toBe(100);
    expect(m4.hasDiscard).toBe(false);
  });
  it('device selection hides partitions and never-used devices', () => {
    const s = { mono: 1, disks: parseDiskstats(' 8 0 sda 1 0 8 1 0 0 0 0 0 1 1\n 8 1 sda1 1 0 8 1 0 0 0 0 0 1 1\n 7 0 loop0 0 0 0 0 0 0 0 0 0 0 0\n') };
    const mm = buildIostatModel(s, s);
    expect(selectDevices(mm).map((x) => x.name)).toEqual(['sda']);
    expect(selectDevices(mm, { partitions: true, all: true }).map((x) => x.name)).toEqual(['sda', 'sda1', 'loop0']);
  });
});

describe('pid io model', () => {
  it('rates, reused pid gets no rate, sorting', () => {
    const p = { mono: 0, denied: 0, procs: [
      { pid: 1, comm: 'a', rchar: 0, wchar: 0, syscr: 0, syscw: 0, readBytes: 0, writeBytes: 0, cancelledWriteBytes: 0 },
      { pid: 2, comm: 'b', rchar: 0, wchar: 0, syscr: 0, syscw: 0, readBytes: 1000, writeBytes: 0, cancelledWriteBytes: 0 },
    ] };
    const c = { mono: 2, denied: 3, procs: [
      { pid: 1, comm: 'a', rchar: 100, wchar: 0, syscr: 0, syscw: 0, readBytes: 4096, writeBytes: 8192, cancelledWriteBytes: 0 },
      { pid: 2, comm: 'c', rchar: 0, wchar: 0, syscr: 0, syscw: 0, readBytes: 999999, writeBytes: 0, cancelledWriteBytes: 0 },
    ] };
    const m = buildPidIoModel(p, c, 'total');
    expect(m.rows[0]).toMatchObject({ pid: 1, readBps: 2048, writeBps: 4096, rcharBps: 50 });
    expect(m.rows[1]).toMatchObject({ pid: 2, readBps: 0 });
    expect(m.denied).toBe(3);
  });
});

describe('net model', () => {
  it('interface rates and counter reset', () => {
    const base = { rxBytes: 0, rxPackets: 0, rxErrs: 0, rxDrop: 0, rxFifo: 0, rxFrame: 0, rxCompressed: 0, rxMulticast: 0, txBytes: 0, txPackets: 0, txErrs: 0, txDrop: 0, txFifo: 0, txColls: 0, txCarrier: 0, txCompressed: 0 };
    const p = { mono: 0, devs: [{ ...base, name: 'eth0', rxBytes: 1000, txBytes: 5000 }] };
    const c = { mono: 0.5, devs: [{ ...base, name: 'eth0', rxBytes: 2000, txBytes: 100, rxErrs: 1 }, { ...base, name: 'new0', rxBytes: 10 }] };
    const m = buildIfaceModels(p, c);
    expect(m[0]).toMatchObject({ rxBytesPs: 2000, txBytesPs: 0, rxErrsPs: 2 });
    expect(m[1].rxBytesPs).toBe(0);
  });
  it('protocol counters; missing ones are null', () => {
    const m = buildProtoModels({ mono: 0, counters: { 'Tcp.RetransSegs': 10, 'Tcp.CurrEstab': 4 } }, { mono: 2, counters: { 'Tcp.RetransSegs': 30, 'Tcp.CurrEstab': 5 } });
    expect(m.find((x) => x.id === 'Tcp.RetransSegs')?.perSec).toBe(10);
    expect(m.find((x) => x.id === 'Tcp.CurrEstab')).toMatchObject({ perSec: null, total: 5, gauge: true });
    expect(m.find((x) => x.id === 'Udp.InErrors')?.total).toBeNull();
  });
});

describe('sockets model', () => {
  const mk = (proto: SocketSample['proto'], state: string, lp: number, rp: number, inode: number): SocketSample => ({
    proto, state, localAddr: '127.0.0.1', localPort: lp, remoteAddr: '127.0.0.1', remotePort: rp, local: `127.0.0.1:${lp}`, remote: `127.0.0.1:${rp}`, txQueue: 0, rxQueue: inode, inode, uid: 0,
  });
  const socks = [mk('tcp', 'LISTEN', 80, 0, 1), mk('tcp', 'ESTABLISHED', 80, 5000, 2), mk('tcp', 'ESTABLISHED', 5000, 80, 3), mk('udp', 'UNCONN', 53, 0, 4), mk('tcp', 'TIME_WAIT', 81, 6000, 0)];
  const owners = new Map([[1, { pid: 10, comm: 'nginx', fd: 3, sharedBy: 2 }], [2, { pid: 10, comm: 'nginx', fd: 4, sharedBy: 1 }], [3, { pid: 20, comm: 'curl', fd: 3, sharedBy: 1 }]]);
  it('counts per state and owners', () => {
    const m = buildSocketsModel(socks, owners);
    expect(m.counts).toEqual([{ state: 'tcp ESTABLISHED', count: 2 }, { state: 'tcp LISTEN', count: 1 }, { state: 'tcp TIME_WAIT', count: 1 }, { state: 'udp UNCONN', count: 1 }]);
    expect(m.rows.find((r) => r.inode === 3)?.comm).toBe('curl');
    expect(m.rows.find((r) => r.inode === 0)?.pid).toBeNull();
  });
  it('filters: listening, state prefix, port, process, proto', () => {
    const q = (t: string, base = {}) => buildSocketsModel(socks, owners, parseSocketFilter(t, base)).rows.map((r) => r.inode).sort();
    expect(q('', { listening: true })).toEqual([1, 4]);
    expect(q('estab')).toEqual([2, 3]);
    expect(q('state:time-wait')).toEqual([0]);
    expect(q('port:5000')).toEqual([2, 3]);
    expect(q(':53')).toEqual([4]);
    expect(q('proc:ngi')).toEqual([1, 2]);
    expect(q('pid:20')).toEqual([3]);
    expect(q('udp')).toEqual([4]);
    expect(q('estab 80 curl')).toEqual([3]);
  });
  it('sorts by queue', () => {
    const m = buildSocketsModel(socks, owners, {}, 'recvq');
    expect(m.rows[0].inode).toBe(4);
  });
  it('10,000+ sockets build quickly', () => {
    const many: SocketSample[] = [];
    for (let i = 0; i < 20000; i++) many.push(mk('tcp', i % 2 ? 'ESTABLISHED' : 'TIME_WAIT', 1024 + (i % 60000), 80, i + 1));
    const t0 = performance.now();
    const m = buildSocketsModel(many, new Map(), parseSocketFilter('estab'), 'local');
    expect(m.rows.length).toBe(10000);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
