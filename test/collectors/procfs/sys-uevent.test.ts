import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseUevent, ueventDevName } from '../../../src/collectors/procfs/sys-uevent.js';
import { readBlockDevName, readPidComm } from '../../../src/collectors/names.js';
import { CountingReader } from '../../../src/collectors/procfs/read.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const SYS = fx('sys-block');
const uevent = (dev: string) => fs.readFileSync(`${SYS}/dev/block/${dev}/uevent`, 'utf8');

describe('/sys/dev/block/MAJ:MIN/uevent', () => {
  it('KEY=value lines; DEVNAME is the name under /dev', () => {
    const m = parseUevent(uevent('259:0'));
    expect(m.get('MAJOR')).toBe('259');
    expect(m.get('DEVTYPE')).toBe('disk');
    expect(ueventDevName(uevent('259:0'))).toBe('nvme0n1');
  });
  it('no DEVNAME, an empty one or an empty file: undefined', () => {
    expect(ueventDevName(uevent('8:0'))).toBeUndefined();
    expect(ueventDevName('DEVNAME=\n')).toBeUndefined();
    expect(ueventDevName('')).toBeUndefined();
  });
  it('hostile lines: no key or no "=" skipped; a value keeps its "=" and its raw bytes (sanitized where shown); no final newline', () => {
    const m = parseUevent(uevent('8:16'));
    expect([...m.keys()]).toEqual(['MAJOR', 'DEVNAME', 'DEVTYPE']);
    expect(m.get('DEVNAME')).toBe('sd\x1b[31ma=b \u202e');
    expect(m.get('DEVTYPE')).toBe('disk');
  });
});

describe('names by number (src/collectors/names.ts)', () => {
  it('a block device by major:minor through the one reader; gone: undefined', () => {
    const r = new CountingReader();
    expect(readBlockDevName(259, 0, SYS, r)).toBe('nvme0n1');
    expect(readBlockDevName(8, 0, SYS, r)).toBeUndefined();
    expect(readBlockDevName(7, 7, SYS, r)).toBeUndefined();
    expect(r.of(`${SYS}/dev/block/259:0/uevent`)).toBe(1);
  });
  it('a comm by pid (raw, hostile kept for the caller to sanitize); a vanished pid: undefined', () => {
    const root = fx('proc-detail/tree');
    expect(readPidComm(4242, root)).toBe('a) S 1 (\x1b[31mb');
    expect(readPidComm(2 ** 22 + 1, root)).toBeUndefined();
    expect(readPidComm(process.pid)).toBe(fs.readFileSync('/proc/self/comm', 'utf8').trimEnd());
  });
});
