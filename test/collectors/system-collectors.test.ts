import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMeminfo, parseStat, readVmstatSample } from '../../src/collectors/vmstat.js';
import { parsePsi, psiReason, readPsiSample } from '../../src/collectors/psi.js';
import { parseSnmp, readSnmpSample } from '../../src/collectors/snmp.js';
import { parseNetDev } from '../../src/collectors/netdev.js';
import { looksLikePartition, parseDiskstats } from '../../src/collectors/diskstats.js';
import { parseMountinfo, fsStatFrom, selectFilesystems } from '../../src/collectors/fs.js';
import { readPidIoSample } from '../../src/collectors/pid-io.js';

const fx = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');

describe('/proc/stat', () => {
  it('old 8-column cpu line reads missing guest fields as 0', () => {
    const s = parseStat(read('sys-k3.10/proc/stat'));
    expect(s.cpu).toMatchObject({ user: 1000, nice: 20, system: 300, idle: 50000, iowait: 40, irq: 5, softirq: 6, steal: 0, guest: 0, guestNice: 0 });
    expect(s).toMatchObject({ intr: 123456, ctxt: 654321, processes: 4242, procsRunning: 3, procsBlocked: 1 });
  });
  it('current kernel layout', () => {
    const s = parseStat(read('sys-k6.18/proc/stat'));
    expect(s.cpu.idle).toBeGreaterThan(0);
    expect(s.intr).toBeGreaterThan(0);
    expect(s.procsRunning).toBeGreaterThanOrEqual(1);
  });
});

describe('meminfo and vmstat', () => {
  it('parses kB values; MemAvailable may be absent (pre-3.14)', () => {
    const m = parseMeminfo(read('sys-k3.10/proc/meminfo'));
    expect(m.MemTotal).toBe(2048000);
    expect(m.SReclaimable).toBe(30000);
    expect(m.MemAvailable).toBeUndefined();
  });
  it('reads a whole fixture tree', () => {
    const s = readVmstatSample(fx('sys-k6.18/proc'));
    expect(s.mem.MemAvailable).toBeGreaterThan(0);
    expect(s.vm.pgpgin).toBeGreaterThanOrEqual(0);
  });
});

describe('PSI', () => {
  it('present with cpu full (5.13+)', () => {
    const p = readPsiSample(fx('sys-k6.18/proc'));
    expect(p.available).toBe(true);
    expect(p.res.cpu?.some).toBeDefined();
    expect(p.res.io?.full).toBeDefined();
  });
  it('present without cpu full (older kernels)', () => {
    const p = readPsiSample(fx('sys-k5.4/proc'));
    expect(p.res.cpu?.full).toBeUndefined();
    expect(p.res.io).toEqual({ some: { avg10: 12, avg60: 8, avg300: 2, total: 5555 }, full: { avg10: 10, avg60: 6, avg300: 1.5, total: 4444 } });
  });
  it('absent: says why', () => {
    const p = readPsiSample(fx('sys-k3.10/proc'));
    expect(p.available).toBe(false);
    expect(p.reason).toMatch(/CONFIG_PSI/);
  });
  it('disabled (EOPNOTSUPP) reason names psi=1', () => {
    expect(psiReason('EOPNOTSUPP')).toMatch(/psi=1/);
  });
  it('ignores junk lines', () => {
    expect(parsePsi('junk\nsome avg10=x\n')).toEqual({});
  });
});

describe('snmp layouts', () => {
  it('old layout without InCsumErrors, keyed by name', () => {
    const c = parseSnmp(read('sys-k3.10/proc/net/snmp'));
    expect(c['Tcp.RetransSegs']).toBe(12);
    expect(c['Tcp.MaxConn']).toBe(-1);
    expect(c['Tcp.InCsumErrors']).toBeUndefined();
    expect(c['Udp.InErrors']).toBe(1);
  });
  it('new layout and netstat extensions', () => {
    const s = readSnmpSample(fx('sys-k6.18/proc'));
    expect(s.counters['Ip.OutTransmits']).toBeDefined();
    expect(s.counters['Tcp.InCsumErrors']).toBeDefined();
    expect(s.counters['TcpExt.ListenDrops']).toBeDefined();
    expect(s.counters['MPTcpExt.MPCapableSYNRX']).toBeDefined();
    const old = readSnmpSample(fx('sys-k3.10/proc'));
    expect(old.counters['TcpExt.ListenDrops']).toBe(3);
  });
});

describe('/proc/net/dev', () => {
  it('parses glued name:number and large counters', () => {
    const d = parseNetDev(read('sys-k3.10/proc/net/dev'));
    expect(d.map((x) => x.name)).toEqual(['lo', 'eth0']);
    expect(d[1]).toMatchObject({ rxBytes: 12345678901, rxPackets: 100000, rxErrs: 2, rxDrop: 3, rxMulticast: 5, txBytes: 987654321, txErrs: 1, txDrop: 4 });
  });
});

describe('diskstats across kernels', () => {
  it('14 fields (4.4): no discard or flush', () => {
    const d = parseDiskstats(read('disk-k4.4/proc/diskstats'));
    expect(d).toHaveLength(4);
    expect(d[0]).toMatchObject({ name: 'sda', rdIos: 48390, rdSectors: 3091232, wrTicks: 901234, ioTicks: 140120, timeInQueue: 961200, partition: false });
    expect(d[0].dcIos).toBeUndefined();
    expect(d[0].flIos).toBeUndefined();
    expect(d[1].partition).toBe(true);
    expect(d[2].partition).toBe(false);
  });
  it('18 fields (4.18+): discards', () => {
    const d = parseDiskstats(read('disk-k5.4/proc/diskstats'));
    expect(d[0]).toMatchObject({ name: 'nvme0n1', dcIos: 50, dcSectors: 409600, dcTicks: 10, partition: false });
    expect(d[0].flIos).toBeUndefined();
    expect(d[1].partition).toBe(true);
  });
  it('20 fields (5.5+): flushes', () => {
    const d = parseDiskstats(read('disk-k6.18/proc/diskstats'));
    expect(d.length).toBeGreaterThan(0);
    for (const x of d) { expect(x.flIos).toBeDefined(); expect(x.dcIos).toBeDefined(); }
  });
  it('partition heuristics', () => {
    expect(looksLikePartition('sda1')).toBe(true);
    expect(looksLikePartition('nvme0n1p2')).toBe(true);
    expect(looksLikePartition('nvme0n1')).toBe(false);
    expect(looksLikePartition('vda')).toBe(false);
    expect(looksLikePartition('mmcblk0p1')).toBe(true);
  });
});

describe('filesystems', () => {
  const mounts = parseMountinfo(read('sys-k6.18/proc/self/mountinfo'));
  it('decodes octal escapes, UTF-8 and sanitizes', () => {
    expect(mounts.some((m) => m.mountPoint === '/mnt/with space')).toBe(true);
    expect(mounts.some((m) => m.mountPoint === '/mnt/中文')).toBe(true);
    const evil = mounts.find((m) => m.mountPoint.startsWith('/evil'))!;
    expect(evil.mountPoint).not.toMatch(/\x1b/);
    expect(evil.rawMountPoint!.includes(0x1b)).toBe(true);
    expect(mounts.find((m) => m.mountPoint === '/mnt/with space')!.fsType).toBe('ext3');
  });
  it('df arithmetic and selection', () => {
    const m = { mountId: 1, dev: '8:1', mountPoint: '/', fsType: 'ext4', source: '/dev/sda1' };
    const s = fsStatFrom(m, { bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 100, ffree: 40 });
    expect(s).toMatchObject({ sizeBytes: 4096000, usedBytes: 700 * 4096, availBytes: 250 * 4096, usePct: Math.ceil(70000 / 950), inodesUsed: 60, inodeUsePct: 60 });
    const z = fsStatFrom({ ...m, mountPoint: '/proc', dev: '0:5' }, { bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0 });
    const bind = fsStatFrom({ ...m, mountPoint: '/srv/bind' }, { bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 100, ffree: 40 });
    expect(selectFilesystems([bind, z, s]).map((x) => x.mountPoint)).toEqual(['/']);
  });
});

describe('/proc/PID/io', () => {
  it('reads fixture processes and sanitizes comm', () => {
    const s = readPidIoSample(fx('sys-k6.18/proc'));
    expect(s.procs).toHaveLength(1);
    expect(s.procs[0]).toMatchObject({ pid: 4242, readBytes: 4096, writeBytes: 8192, rchar: 1000 });
    expect(s.procs[0].comm).not.toMatch(/[\x00-\x1f]/);
  });
});
