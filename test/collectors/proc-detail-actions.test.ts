import { describe, expect, it } from 'vitest';
import * as os from 'node:os';
import { DEFAULT_SIGNAL_INDEX, SIGNALS, renice, sendSignal, signalMenuItems, signalNumber } from '../../src/collectors/proc-actions.js';
import { parsePidFlag } from '../../src/views/process-dump.js';

const err = (code: string) => Object.assign(new Error(code), { code });

describe('proc-actions', () => {
  it('lists signals with SIGTERM as the default', () => {
    expect(SIGNALS[DEFAULT_SIGNAL_INDEX].name).toBe('SIGTERM');
    expect(SIGNALS.find((s) => s.name === 'SIGKILL')!.number).toBe(os.constants.signals.SIGKILL);
    expect(signalMenuItems()[DEFAULT_SIGNAL_INDEX]).toContain('SIGTERM');
    expect(signalNumber('term')).toBe(15);
    expect(signalNumber('9')).toBe(9);
    expect(signalNumber('NOPE')).toBeUndefined();
  });

  it('reports EPERM and ESRCH from kill(2) as messages, never throws', () => {
    const sent: Array<[number, number]> = [];
    expect(sendSignal(123, 'SIGHUP', (p, s) => sent.push([p, s]))).toMatchObject({ ok: true });
    expect(sent).toEqual([[123, os.constants.signals.SIGHUP]]);
    const eperm = sendSignal(1, 'SIGKILL', () => { throw err('EPERM'); });
    expect(eperm).toMatchObject({ ok: false, code: 'EPERM' });
    expect(eperm.message).toContain('permission denied');
    expect(sendSignal(5, 15, () => { throw err('ESRCH'); })).toMatchObject({ ok: false, code: 'ESRCH' });
    expect(sendSignal(NaN, 15, () => { throw new Error('must not be called'); })).toMatchObject({ ok: false, code: 'EINVAL' });
  });

  it('renices every thread, clamps to -20..19 and reports failures', () => {
    const set: Array<[number, number]> = [];
    const deps = { getPriority: () => 18, setPriority: (p: number, v: number) => { set.push([p, v]); }, tasks: () => [10, 11, 12] };
    expect(renice(10, 5, deps)).toMatchObject({ ok: true, nice: 19 });
    expect(set).toEqual([[10, 19], [11, 19], [12, 19]]);
    expect(renice(10, -1, { ...deps, setPriority: () => { throw err('EACCES'); } })).toMatchObject({ ok: false, code: 'EACCES' });
    expect(renice(10, 1, { ...deps, getPriority: () => { throw err('ESRCH'); } })).toMatchObject({ ok: false, code: 'ESRCH' });
    // a thread that exits meanwhile is not an error
    expect(renice(10, 1, { ...deps, getPriority: () => 0, setPriority: (p: number) => { if (p === 12) throw err('ESRCH'); } })).toMatchObject({ ok: true, nice: 1 });
  });

  it('validates --pid', () => {
    expect(parsePidFlag(String(process.pid))).toBe(process.pid); // a PID must exist (src/util/args.ts)
    expect(() => parsePidFlag(undefined)).toThrow(/--pid/);
    expect(() => parsePidFlag('0')).toThrow();
    expect(() => parsePidFlag('-1')).toThrow();
    expect(() => parsePidFlag('abc')).toThrow();
  });
});
