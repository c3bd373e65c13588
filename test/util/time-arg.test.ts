import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseSizeArg, parseTimeArg } from '../../src/util/time-arg.js';

const NOW = new Date(2024, 4, 10, 12, 0, 0).getTime(); // local 2024-05-10 12:00

describe('parseTimeArg', () => {
  it('relative', () => {
    expect(parseTimeArg('-2h', '--begin', NOW)).toBe(NOW - 7_200_000);
    expect(parseTimeArg('-1h30m', '--begin', NOW)).toBe(NOW - 5_400_000);
    expect(parseTimeArg('now', '--end', NOW)).toBe(NOW);
  });
  it('clock times today, or yesterday when still to come', () => {
    expect(parseTimeArg('03:12', '--at', NOW)).toBe(new Date(2024, 4, 10, 3, 12).getTime());
    expect(parseTimeArg('13:00:05', '--at', NOW)).toBe(new Date(2024, 4, 9, 13, 0, 5).getTime());
  });
  it('dates, ISO, epoch', () => {
    expect(parseTimeArg('2024-05-01 03:12', '--at', NOW)).toBe(new Date(2024, 4, 1, 3, 12).getTime());
    expect(parseTimeArg('2024-05-01', '--at', NOW)).toBe(new Date(2024, 4, 1).getTime());
    expect(parseTimeArg('2024-05-01T03:12:00Z', '--at', NOW)).toBe(Date.UTC(2024, 4, 1, 3, 12));
    expect(parseTimeArg('@1714533120', '--at', NOW)).toBe(1714533120000);
  });
  it('refuses what is not a time, naming the flag', () => {
    for (const bad of ['', 'yesterday', '25:00', '2024-02-31', '-2x', '12:60', '2024-05-01 3']) {
      expect(() => parseTimeArg(bad, '--begin', NOW)).toThrow(/--begin: .* is not a time/);
    }
  });
});

describe('durations and sizes', () => {
  it('parses', () => {
    expect(parseDurationMs('7d')).toBe(7 * 86_400_000);
    expect(parseDurationMs('10m')).toBe(600_000);
    expect(parseDurationMs('10')).toBeUndefined();
    expect(parseDurationMs('1h 2m')).toBeUndefined();
    expect(parseSizeArg('2G', '--max-size')).toBe(2 * 1024 ** 3);
    expect(parseSizeArg('500MiB', '--max-size')).toBe(500 * 1024 ** 2);
    expect(parseSizeArg('4096', '--max-size')).toBe(4096);
    expect(() => parseSizeArg('2X', '--max-size')).toThrow(/--max-size/);
    expect(() => parseSizeArg('0', '--max-size')).toThrow(/--max-size/);
  });
});
