import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKmsgRecord, unescapeKmsg, KmsgReader, parseLevel, parseFacility, type KmsgIo } from '../../src/collectors/kmsg.js';
import { sanitize } from '../../src/util/text.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export function loadRecords(name: string): string[] {
  return fs.readFileSync(path.join(here, '..', 'fixtures', name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string);
}

describe('parseKmsgRecord', () => {
  const recs = loadRecords('kmsg-synthetic/records.jsonl');
  it('reads the prefix and dictionary lines', () => {
    const r = parseKmsgRecord(recs[0])!;
    expect(r).toMatchObject({ level: 6, facility: 0, seq: 187, usec: 388236, flags: '-' });
    expect(r.message).toBe('acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig]');
    expect(r.dict).toEqual({ SUBSYSTEM: 'acpi', DEVICE: '+acpi:PNP0A08:00' });
  });
  it('unescapes \\xNN bytes as UTF-8 and keeps extra prefix fields', () => {
    const r = parseKmsgRecord(recs[1])!;
    expect(r.prefix).toEqual({ caller: 'T42' });
    expect(r.level).toBe(4);
    expect(r.message).toBe('evil\x1b[31mred\x1b[0m back\\slash line\nnext 中文 bad\ufffd');
    // What reaches a terminal: no escape sequence survives.
    expect(sanitize(r.message)).toBe('evil?red? back\\slash line next 中文 bad\ufffd');
  });
  it('handles continuation flags, user facility and non-records', () => {
    expect(parseKmsgRecord(recs[2])).toMatchObject({ flags: 'c', message: '  continued text' });
    expect(parseKmsgRecord(recs[10])).toBeNull();
    expect(parseKmsgRecord(recs[11])).toMatchObject({ facility: 1, level: 5, message: 'hello from userspace' });
    expect(parseKmsgRecord('x,1,2,-;m')).toBeNull();
  });
  it('parses bytes the same as text', () => {
    expect(parseKmsgRecord(Buffer.from(recs[1], 'latin1'))).toEqual(parseKmsgRecord(recs[1]));
  });
  it('parses every real captured record', () => {
    for (const raw of loadRecords('kmsg-real/crashes.jsonl')) expect(parseKmsgRecord(raw)).not.toBeNull();
  });
  it('unescape leaves plain text alone', () => {
    expect(unescapeKmsg('a\\b')).toBe('a\\b');
    expect(unescapeKmsg('\\x41\\x42')).toBe('AB');
  });
  it('levels and facilities by name or number', () => {
    expect(parseLevel('warn')).toBe(4);
    expect(parseLevel('ERR')).toBe(3);
    expect(parseLevel('7')).toBe(7);
    expect(parseLevel('loud')).toBeUndefined();
    expect(parseFacility('user')).toBe(1);
    expect(parseFacility('kern')).toBe(0);
  });
});

/** Replays a script of read() outcomes: a record string, or an errno code. */
function fakeIo(script: Array<string | 'EAGAIN' | 'EPIPE'>): KmsgIo {
  let i = 0;
  return {
    open: () => 3,
    close: () => {},
    read: async (_fd, buf) => {
      const step = i < script.length ? script[i++] : 'EAGAIN';
      if (step === 'EAGAIN' || step === 'EPIPE') throw Object.assign(new Error(step), { code: step });
      return buf.write(step, 'latin1');
    },
  };
}

describe('KmsgReader', () => {
  it('stops at EAGAIN and resumes on the next drain', async () => {
    const r = new KmsgReader('/dev/null', fakeIo(['6,1,10,-;a\n', '6,2,11,-;b\n', 'EAGAIN', '6,3,12,-;c\n', 'EAGAIN']));
    const first = await r.drain();
    expect(first.records.map((x) => x.message)).toEqual(['a', 'b']);
    const second = await r.drain();
    expect(second.records.map((x) => x.message)).toEqual(['c']);
    expect(second.lost).toBe(0);
  });
  it('survives EPIPE (overwritten records) without losing its place, counting the gap', async () => {
    const r = new KmsgReader('/dev/null', fakeIo(['6,1,10,-;a\n', 'EPIPE', '6,50,20,-;after wrap\n', '6,51,21,-;next\n', 'EAGAIN']));
    const res = await r.drain();
    expect(res.records.map((x) => x.seq)).toEqual([1, 50, 51]);
    expect(res.overwritten).toBe(1);
    expect(res.lost).toBe(48);
    expect(r.totalOverwritten).toBe(1);
  });
  it('respects max and shares concurrent drains', async () => {
    const r = new KmsgReader('/dev/null', fakeIo(['6,1,10,-;a\n', '6,2,10,-;b\n', '6,3,10,-;c\n']));
    const [x, y] = await Promise.all([r.drain(2), r.drain(2)]);
    expect(x).toBe(y);
    expect(x.records.length).toBe(2);
  });
  it.skipIf(process.getuid?.() !== 0)('reads the real /dev/kmsg backlog without blocking (root)', async () => {
    const r = new KmsgReader();
    const t0 = Date.now();
    const res = await r.drain();
    r.close();
    expect(res.records.length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
