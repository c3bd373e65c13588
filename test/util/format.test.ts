// One unit convention for every number ostop prints (src/util/format.ts):
// sizes binary with K M G T, rates as sizes per second, counts decimal.
import { describe, expect, it } from 'vitest';
import {
  formatAge, formatBytes, formatCount, formatCpuTime, formatElapsed, formatKib, formatMem, formatPercent, formatPercentSign, formatRate,
} from '../../src/util/format.js';
import { formatSystemStrip } from '../../screens/widgets/system-strip.js';

const SIZE = /^-?(\d+B|\d\.\d\d[KMGTP]|\d\d\.\d[KMGTP]|\d{3,4}[KMGTP])$/;

describe('sizes', () => {
  it.each([
    [0, '0B'], [512, '512B'], [1023, '1023B'], [1024, '1.00K'], [1536, '1.50K'], [10 * 1024, '10.0K'], [300 * 1024, '300K'],
    [1023.99 * 1024, '1.00M'], [9.9 * 1048576, '9.90M'], [33 * 1048576, '33.0M'], [1.2 * 1073741824, '1.20G'], [5 * 2 ** 40, '5.00T'], [-1536, '-1.50K'],
  ])('%d bytes is %s', (b, s) => {
    expect(formatBytes(b)).toBe(s);
  });
  it('every size form matches one pattern, whatever the magnitude', () => {
    for (let e = 0; e < 52; e += 0.37) expect(formatBytes(2 ** e)).toMatch(SIZE);
  });
  it('KiB from /proc are sizes too, never "kB" or a lowercase k', () => {
    expect(formatKib(512)).toBe('512K');
    expect(formatKib(10240)).toBe('10.0M');
    expect(formatKib(null)).toBe('-');
  });
  it('the table keeps plain KiB below 100000 (htop), then the same size form', () => {
    expect(formatMem(1024 * 5000)).toBe('5000');
    expect(formatMem(1024 * 1024 * 200)).toBe(formatBytes(1024 * 1024 * 200));
    expect(formatMem(1.5 * 2 ** 30)).toBe('1.50G');
  });
});

describe('rates and counts', () => {
  it('a byte rate is a size per second', () => {
    expect(formatRate(33 * 1048576)).toBe('33.0M/s');
    expect(formatRate(0)).toBe('0B/s');
    expect(formatRate(0.2)).toBe('0B/s');
    expect(formatRate(undefined)).toBe('-');
  });
  it('counts are decimal with k/M/G, never a size', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(3400)).toBe('3.4k');
    expect(formatCount(300000)).toBe('300k');
    expect(formatCount(1.2e6)).toBe('1.2M');
    expect(formatCount(2.5)).toBe('2.5');
    expect(formatCount(0)).toBe('0');
  });
});

describe('TIME+ (htop), at its boundaries', () => {
  it.each([
    [0, '0:00.00'], [0.01, '0:00.01'], [0.999, '0:00.99'], [59.99, '0:59.99'], [59.999, '0:59.99'], [60, '1:00.00'], [62.35, '1:02.35'],
    [599.5, '9:59.50'], [3599.99, '59:59.99'], [3600, '1h00:00'], [3725.5, '1h02:05'], [86399.99, '23h59:59'],
    [86400, '1d+00h'], [93723, '1d+02h'], [26 * 3600 + 2 * 60 + 3, '1d+02h'], [100 * 86400 + 5 * 3600, '100d+05h'],
  ])('%d s is %s', (sec, text) => {
    expect(formatCpuTime(sec)).toBe(text);
  });
  it('a cpu time from clock ticks is exact (ticks / 100)', () => {
    for (let ticks = 0; ticks < 720000; ticks += 997) {
      const t = formatCpuTime(ticks / 100);
      if (ticks < 360000) expect(t).toBe(`${Math.floor(ticks / 6000)}:${String(Math.floor(ticks / 100) % 60).padStart(2, '0')}.${String(ticks % 100).padStart(2, '0')}`);
      else expect(t).toMatch(/^\d+h\d\d:\d\d$/);
    }
  });
  it('unknown is a dash', () => {
    expect(formatCpuTime(null)).toBe('-');
    expect(formatCpuTime(undefined)).toBe('-');
    expect(formatCpuTime(-1)).toBe('-');
    expect(formatCpuTime(NaN)).toBe('-');
  });
});

describe('percents and spans', () => {
  it('a percent has one decimal below 1000, none from there, and a sign only in prose', () => {
    expect(formatPercent(12.34)).toBe('12.3');
    expect(formatPercent(999.94)).toBe('999.9');
    expect(formatPercent(1234.5)).toBe('1235');
    expect(formatPercent(5, 0)).toBe('5');
    expect(formatPercent(null)).toBe('-');
    expect(formatPercentSign(12.34)).toBe('12.3%');
    expect(formatPercentSign(undefined)).toBe('-');
  });
  it.each([[0, '0s'], [59.9, '59s'], [60, '1m00s'], [3599, '59m59s'], [3600, '1h00m'], [3725, '1h02m'], [86399, '23h59m'], [86400, '1d00h'], [5 * 86400 + 2 * 3600, '5d02h']])(
    'a span of %d s is %s', (sec, text) => {
      expect(formatElapsed(sec)).toBe(text);
    },
  );
});

describe('ages (the failures view, trace exit)', () => {
  it.each([[0.25, '0.3ms'], [9.94, '9.9ms'], [10, '10ms'], [999, '999ms'], [1000, '1.0s'], [59_940, '59.9s'], [60_000, '1m00s'], [3_725_000, '1h02m'], [5 * 86_400_000 + 7_200_000, '5d02h']])(
    '%d ms is %s', (ms, text) => {
      expect(formatAge(ms)).toBe(text);
    },
  );
  it('unknown is a dash', () => {
    expect(formatAge(null)).toBe('-');
    expect(formatAge(-1)).toBe('-');
  });
});

describe('every view uses the same forms', () => {
  it('the top view strip: swap and block I/O (kB/s in vmstat) and network as byte rates', () => {
    const vm = { r: 1, b: 0, us: 1, sy: 1, wa: 0, st: 0, free: 1024 * 1024, avail: 2 * 1024 * 1024, si: 33000, so: 0, bi: 1536, bo: 0, in: 250, cs: 300000 };
    const iface = { name: 'eth0', rxBytesPs: 9.9 * 1048576, txBytesPs: 300 * 1024, rxErrsPs: 0, txErrsPs: 0, rxDropPs: 0, txDropPs: 0 };
    const line = formatSystemStrip({ vm: vm as never, ifaces: [iface as never] }, 400);
    expect(line).toContain('free 1.00G avail 2.00G');
    expect(line).toContain(`si ${formatRate(33000 * 1024)} so 0B/s`); // 32.2M/s, not "33k"
    expect(line).toContain('bi 1.50M/s bo 0B/s');
    expect(line).toContain('in 250 cs 300k');
    expect(line).toContain('net ↓9.90M/s ↑300K/s');
  });
});
