import { describe, expect, it } from 'vitest';
import * as os from 'node:os';
import { DEFAULT_SIGNAL_INDEX, SIGNALS, sendSignal, signalMenuItems, signalNumber } from '../../src/actions/signal.js';
import { renice } from '../../src/actions/renice.js';
import { createActions } from '../../src/actions/index.js';
import { ostopCoreDir } from '../../src/util/private-dir.js';
import { parsePidFlag } from '../../src/views/process-dump.js';

const err = (code: string) => Object.assign(new Error(code), { code });

describe('actions: signal and renice', () => {
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

  it('an Actions object tells its own renice listeners, only of a change, until they unsubscribe', () => {
    const nice = new Map<number, number>([[10, 0]]);
    const deps = { getPriority: (p: number) => nice.get(p)!, setPriority: (p: number, v: number) => { nice.set(p, v); }, tasks: () => [10] };
    const a = createActions({ renice: deps });
    const b = createActions({ renice: deps });
    const told: Array<[number, number]> = [];
    const off = a.onRenice((pid, n) => told.push([pid, n]));
    b.onRenice(() => { throw new Error('another app'); });
    expect(a.renice(10, 2)).toMatchObject({ ok: true, nice: 2 });
    expect(told).toEqual([[10, 2]]);
    expect(a.renice(10, 0)).toMatchObject({ ok: true, nice: 2 }); // no change: nobody told
    expect(a.renice(0, 1)).toMatchObject({ ok: false, code: 'EINVAL' });
    expect(told).toEqual([[10, 2]]);
    off();
    expect(a.renice(10, 1)).toMatchObject({ ok: true, nice: 3 });
    expect(told).toEqual([[10, 2]]);
    // a listener that throws does not fail the renice
    expect(b.renice(10, 1)).toMatchObject({ ok: true, nice: 4 });
  });

  it('an Actions object sends through its kill and offers the same signal menu', () => {
    const sent: Array<[number, number]> = [];
    const a = createActions({ kill: (p, s) => { sent.push([p, s]); } });
    expect(a.sendSignal(77, 'TERM')).toMatchObject({ ok: true });
    expect(a.sendSignal(-1, 'TERM')).toMatchObject({ ok: false, code: 'EINVAL' });
    expect(sent).toEqual([[77, os.constants.signals.SIGTERM]]);
    expect(a.signals[a.defaultSignalIndex].name).toBe('SIGTERM');
    expect(a.signalMenuItems()).toEqual(signalMenuItems());
    expect(createActions({ coreDir: '/x/cores' }).coreDir()).toBe('/x/cores');
    expect(a.coreDir()).toBe(ostopCoreDir());
  });

  it('validates --pid', () => {
    expect(parsePidFlag(String(process.pid))).toBe(process.pid); // a PID must exist (src/util/args.ts)
    expect(() => parsePidFlag(undefined)).toThrow(/--pid/);
    expect(() => parsePidFlag('0')).toThrow();
    expect(() => parsePidFlag('-1')).toThrow();
    expect(() => parsePidFlag('abc')).toThrow();
  });
});
