// The one /dev/kmsg record parser (src/collectors/kmsg-record.ts) on
// captured and synthetic records, hostile ones included: anything that is not
// a record is null (never an exception), escapes are undone into raw bytes
// that sanitize() makes safe for a terminal.
import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { facilityName, levelName, parseKmsgRecord, unescapeKmsg, parseLevel, parseFacility } from '../../src/collectors/kmsg-record.js';
import { sanitize } from '../../src/util/text.js';

const here = path.dirname(fileURLToPath(import.meta.url));
function loadRecords(name: string): string[] {
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

describe('parseKmsgRecord on hostile records (kmsg-synthetic/hostile.jsonl)', () => {
  const h = loadRecords('kmsg-synthetic/hostile.jsonl');
  it('a malformed header is not a record: too few fields, signs, fractions, spaces, no ";", empty', () => {
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7]) expect(parseKmsgRecord(h[i]), JSON.stringify(h[i])).toBeNull();
  });
  it('a priority beyond the known facilities keeps its numbers', () => {
    const r = parseKmsgRecord(h[8])!;
    expect(r).toMatchObject({ level: 7, facility: 124, seq: 3, usec: 4 });
    expect(facilityName(r.facility)).toBe('124');
    expect(levelName(r.level)).toBe('debug');
  });
  it('prefix fields: key=value kept (value may hold "="), the rest skipped; ";" inside the message kept', () => {
    expect(parseKmsgRecord(h[9])!.prefix).toEqual({ caller: 'T1', a: 'b=c' });
    expect(parseKmsgRecord(h[10])!.message).toBe('semicolon; in the message; kept');
  });
  it('escaped terminal controls, bidi, NUL and a lone C1 byte come back raw, and sanitize() leaves none of them', () => {
    const m = parseKmsgRecord(h[11])!.message;
    expect(m).toBe('\x1b]0;title\x07\x1b[2J\u202e\x00nul and \ufffdcsi');
    expect(sanitize(m)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });
  it('a broken escape stays as typed', () => {
    expect(parseKmsgRecord(h[12])!.message).toBe('truncated escape \\x4 and \\xZZ and \\x');
  });
  it('dictionary: only " KEY=value" lines; values unescaped (raw, sanitized where shown)', () => {
    const r = parseKmsgRecord(h[13])!;
    expect(r.message).toBe('dictionary junk');
    expect(r.dict).toEqual({ ' A': 'spaces', SUBSYSTEM: 'evil\x1b[31m' });
  });
  it('an empty message and a record as long as the kernel allows', () => {
    expect(parseKmsgRecord(h[14])).toMatchObject({ seq: 15, message: '' });
    expect(parseKmsgRecord(h[15])!.message).toHaveLength(8000);
  });
});
