import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readVmstatSample } from '../../src/collectors/vmstat.js';
import { readPsiSample } from '../../src/collectors/psi.js';
import { readSnmpSample } from '../../src/collectors/snmp.js';
import { fsStatFrom, selectFilesystems } from '../../src/collectors/fs.js';
import { readPidIoSample } from '../../src/collectors/pid-io.js';

const fx = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');

describe('vmstat sample', () => {
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
});

describe('snmp layouts', () => {
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

describe('filesystems', () => {
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
