// Command-line value checks shared by the UI flags, dump and trace
// (src/util/args.ts: pure syntax; the system checks are
// test/collectors/validate.test.ts).
import { describe, expect, it } from 'vitest';
import { UsageError, parseCount, parseDecimal, parsePidSyntax, splitPidList } from '../../src/util/args.js';

describe('numbers', () => {
  it.each(['2', '0.5', '.5', '10.', '3600'])('takes plain decimal %j', (v) => {
    expect(parseDecimal(v, '-d', 'x')).toBe(Number(v));
  });
  it.each(['', ' 2', '2 ', '0x10', '1e1', '+2', '-1', 'Infinity', 'NaN', '1_000', '٣', '1.2.3'])('refuses %j, naming the value', (v) => {
    expect(() => parseDecimal(v, '-d', 'a delay')).toThrow(UsageError);
    if (v !== '') expect(() => parseDecimal(v, '-d', 'a delay')).toThrow(`-d: '${v}' is not a delay`);
  });
  it('counts are whole, positive and decimal', () => {
    expect(parseCount('3', '-n')).toBe(3);
    for (const v of ['0', '0x2', '1.5', ' 1', '', '99999999999999999999']) expect(() => parseCount(v, '-n')).toThrow(UsageError);
  });
});

describe('PID syntax', () => {
  it('a PID is a whole decimal number from 1 to pid_max - 1', () => {
    expect(parsePidSyntax('42', '-p', 100)).toBe(42);
    expect(parsePidSyntax('042', '-p', 100)).toBe(42);
    expect(parsePidSyntax('99', '-p', 100)).toBe(99);
    expect(() => parsePidSyntax('100', '-p', 100)).toThrow("-p: '100' is not a PID (a whole number from 1 to 99, the kernel's pid_max)");
    for (const v of ['0', ' 42', '4294967338', '-1', '0x2a', '4.2']) expect(() => parsePidSyntax(v, '-p', 100)).toThrow('is not a PID');
    expect(() => parsePidSyntax('', '-p', 100)).toThrow('-p needs a PID');
  });
  it('a list has no empty item', () => {
    expect(splitPidList('43,42,43', '-p')).toEqual(['43', '42', '43']);
    expect(() => splitPidList('42,,43', '-p')).toThrow("-p: '42,,43' has an empty item");
    expect(() => splitPidList(',', '-p')).toThrow('has an empty item');
    expect(() => splitPidList('', '-p')).toThrow('-p needs a PID or a comma-separated list of PIDs');
  });
});
