import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCgroup, primaryCgroup } from '../../../src/collectors/procfs/pid-cgroup.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/cgroup', () => {
  it('the cgroup shown prefers the v2 line', () => {
    const shown = (t: string) => primaryCgroup(parseCgroup(t)) ?? '';
    expect(shown('12:cpu:/a\n0::/user.slice/x.scope\n')).toBe('/user.slice/x.scope');
    expect(shown('12:cpu:/a\n')).toBe('/a');
    expect(shown('garbage')).toBe('');
  });
  it('parses cgroup v1 and v2', () => {
    const v2 = parseCgroup(file('4242/cgroup').toString());
    expect(primaryCgroup(v2)).toBe('/user.slice/user-1000.slice/app 服务.scope');
    const v1 = parseCgroup('4:memory:/docker/abc\n1:cpu,cpuacct:/\n0::/\n');
    expect(v1[1].controllers).toEqual(['cpu', 'cpuacct']);
    expect(primaryCgroup(v1)).toBe('/docker/abc');
  });

});
