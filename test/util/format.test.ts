// One unit convention for every number ostop prints (src/util/format.ts):
// sizes binary with K M G T, rates as sizes per second, counts decimal.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatKib, formatMem, formatRate } from '../../src/util/format.js';
import { formatKb as detailKb, formatRate as detailRate, formatBytes as detailBytes } from '../../src/model/process-detail-format.js';
import { formatKb as failuresKb } from '../../src/views/failures-dump.js';
import { humanBytes, humanRate } from '../../src/views/vmstat-util.js';
import { formatSystemStrip } from '../../src/views/vmstat-strip.js';

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

describe('every view uses the same forms', () => {
  it('the drill-in, the failures view and the system views agree with src/util/format.ts', () => {
    for (const kib of [0, 1, 512, 1000, 1024, 10240, 99999, 123456, 5e6, 3e9]) {
      expect(detailKb(kib)).toBe(formatKib(kib));
      expect(failuresKb(kib)).toBe(formatKib(kib));
      expect(humanBytes(kib * 1024)).toBe(formatBytes(kib * 1024));
      expect(detailBytes(kib * 1024)).toBe(formatBytes(kib * 1024));
      expect(detailRate(kib * 1024)).toBe(formatRate(kib * 1024));
    }
    expect(humanRate(12345)).toBe(formatCount(12345));
  });
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
