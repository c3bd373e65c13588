import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseStat, parseStatTail, ttyName } from '../../../src/collectors/procfs/pid-stat.js';
import { sanitize } from '../../../src/util/text.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

// /proc/PID/stat (src/collectors/procfs/pid-stat.ts): one parser for the table, the drill-in and the failures view.
describe('parseStat', () => {
  it('takes comm between the first ( and the last ), whatever it contains', () => {
    const s = parseStat('42 (a) (b c)) R 1 42 42 34816 42 4194304 10 0 0 0 150 50 0 0 20 0 1 0 500 10000000 1000 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0')!;
    expect(s.pid).toBe(42);
    expect(s.comm).toBe('a) (b c)');
    expect(s.state).toBe('R');
    expect(s.ppid).toBe(1);
    expect(s.utime).toBe(150);
    expect(s.stime).toBe(50);
    expect(s.starttime).toBe(500);
    expect(s.vsize).toBe(10000000);
    expect(s.rssPages).toBe(1000);
  });
  it('keeps a newline inside comm', () => {
    const s = parseStat('5 (x\ny) S 1 5 5 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 100 2')!;
    expect(s.comm).toBe('x\ny');
    expect(s.nice).toBe(0);
    expect(s.numThreads).toBe(1);
  });
  it('rejects malformed lines instead of throwing', () => {
    expect(parseStat('99 (broken S 1 2 3')).toBeUndefined();
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('x (y) S 1')).toBeUndefined();
    expect(parseStat('7 (short) S 1 2 3')).toBeUndefined();
  });
});

describe('parseStat on the drill-in fixture', () => {
  it('parses stat with a comm holding parens, spaces and an escape', () => {
    const st = parseStat(file('4242/stat').toString())!;
    expect(st.comm).toBe('a) S 1 (\x1b[31mb');
    expect(st).toMatchObject({ pid: 4242, state: 'S', ppid: 1, utime: 250, stime: 50, numThreads: 2, starttime: 500000, processor: 1, nice: 0 });
    expect(sanitize(st.comm)).not.toContain('\x1b');
  });

  it('parses a thread stat whose comm has a newline and CJK', () => {
    const st = parseStat(file('4242/task/4243/stat').toString())!;
    expect(st.comm).toBe('worker\n日本');
    expect(st.state).toBe('R');
  });

  it('returns undefined for garbage stat', () => {
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('12 (x) S 1')).toBeUndefined();
  });

});

describe('tty names', () => {
  it('tty names', () => {
    expect(ttyName(0)).toBe('?');
    expect(ttyName(34816)).toBe('pts/0');
    expect(ttyName((136 << 8) | 5)).toBe('pts/5');
    expect(ttyName((4 << 8) | 1)).toBe('tty1');
    expect(ttyName((4 << 8) | 65)).toBe('ttyS1');
  });
});

describe('parseStatTail', () => {
  it("reads a zombie's exit_code and the waited-for children's CPU ticks", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i));
    fields[0] = 'Z';
    fields[13] = '700'; // cutime
    fields[14] = '80'; // cstime
    fields[49] = String((1 << 8) | 0x80 | 11);
    expect(parseStatTail(`9 (a) b) ${fields.join(' ')}`)).toEqual({ exitCode: 0x18b, cutime: 700, cstime: 80 });
  });
  it('leaves out what is missing or not a number', () => {
    expect(parseStatTail('9 (x) S 1 2')).toEqual({});
    expect(parseStatTail('no parens')).toEqual({});
    expect(parseStatTail('9 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 -3 x')).toEqual({});
  });
});

