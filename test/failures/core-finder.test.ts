// The core finder (src/failures/core-finder.ts): where a file core_pattern
// puts a process's core, which names match it, systemd-coredump's names,
// and the dumps listed from a store and a pattern directory.
import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCorePattern } from '../../src/collectors/procfs/core-pattern.js';
import { patternFileRegex, parseSystemdCoreName, expandCorePattern, listDumps, whereDumpsGo } from '../../src/failures/core-finder.js';

describe('core finder', () => {
  it('says where a dump of a process goes, and when it is not written', () => {
    const f = parseCorePattern('core');
    expect(whereDumpsGo(f, { soft: 0, hard: 'unlimited' }, { pid: 5, comm: 'x', cwd: '/srv' })).toMatch(/^not written: core limit is 0/);
    expect(whereDumpsGo(f, { soft: 'unlimited', hard: 'unlimited' }, { pid: 5, comm: 'x', cwd: '/srv' })).toBe('file /srv/core (relative to the process cwd)');
  });
  it('expands and matches file patterns', () => {
    const info = parseCorePattern('/var/cores/core.%e.%p.%t');
    expect(expandCorePattern(info, { pid: 42, comm: 'a/b' }, 1000)).toBe('/var/cores/core.a!b.42.1000');
    const rx = patternFileRegex(info)!;
    expect(rx.dir).toBe('/var/cores');
    const m = rx.re.exec('core.my prog.1234.1700000000')!;
    expect(m.groups).toMatchObject({ pid: '1234', comm: 'my prog' });
    const up = patternFileRegex(parseCorePattern('/c/core', true))!;
    expect(up.re.exec('core.77')!.groups!.pid).toBe('77');
    expect(up.re.test('core')).toBe(false);
  });
  it('parses systemd names', () => {
    expect(parseSystemdCoreName('core.my\\x2dprog.1000.0123456789abcdef0123456789abcdef.4242.1700000000123456.zst')).toEqual({ comm: 'my-prog', uid: 1000, pid: 4242, usec: 1700000000123456 });
  });
  it('lists dumps from a systemd store and a pattern dir', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-cd-'));
    fs.mkdirSync(path.join(d, 'sd'));
    fs.mkdirSync(path.join(d, 'cores'));
    fs.writeFileSync(path.join(d, 'sd', 'core.a.0.0123456789abcdef0123456789abcdef.11.1700000000000000.zst'), 'x');
    fs.writeFileSync(path.join(d, 'cores', 'core.b.22'), 'yy');
    fs.writeFileSync(path.join(d, 'cores', 'unrelated'), 'z');
    const dumps = listDumps(parseCorePattern(path.join(d, 'cores', 'core.%e.%p')), { systemdDir: path.join(d, 'sd') });
    expect(dumps.map((x) => [x.source, x.pid, x.comm, x.sizeBytes]).sort()).toEqual([['pattern', 22, 'b', 2], ['systemd-coredump', 11, 'a', 1]]);
    fs.rmSync(d, { recursive: true });
  });
});
