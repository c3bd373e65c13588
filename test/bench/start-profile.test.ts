// bench/start-profile.ts's reading of perf output and of the bin's shebang,
// on written text: no perf run needed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { breakdown, kindOf, parsePerfScript, shebang } from '../../bench/start-profile.js';

const SCRIPT = `
  100  10.000000: 
	          c8ac25 v8::internal::compiler::GraphReducer::ReduceTop (/usr/bin/node)
	          ae8efd v8::internal::compiler::Pipeline::Run (/usr/bin/node)

  101  10.001000: 
	ffffffff8110 do_readlinkat ([kernel.kallsyms])
	ffffffff8111 __x64_sys_readlink ([kernel.kallsyms])
	    7f0000000001 readlink (/usr/lib/x86_64-linux-gnu/libc.so.6)
	    7f0000000002 JS:*readCwd file:///repo/dist/ostop.cjs:35:10709 (/tmp/perf-101.map)
	    7f0000000003 JS:~scanProc file:///repo/dist/ostop.cjs:35:12984 (/tmp/perf-101.map)

  101  10.002000: 
	    7f0000000002 JS:*readCwd file:///repo/dist/ostop.cjs:35:10709 (/tmp/perf-101.map)
	    7f0000000003 JS:~scanProc file:///repo/dist/ostop.cjs:35:12984 (/tmp/perf-101.map)

  101  30.000000: 
	          c8ac25 v8::internal::Heap::Scavenge (/usr/bin/node)
`;

describe('start-profile', () => {
  it('reads perf script samples, leaf frame first', () => {
    const s = parsePerfScript(SCRIPT);
    expect(s.map((x) => x.tid)).toEqual([100, 101, 101, 101]);
    expect(s[1].frames[0]).toEqual(['do_readlinkat', '[kernel.kallsyms]']);
    expect(s[1].frames).toHaveLength(5);
  });

  it('sorts work by kind, system call and nearest JavaScript caller, within the seconds asked', () => {
    const b = breakdown(parsePerfScript(SCRIPT), 15, '/repo');
    const ms = 1000 / 997;
    // the sample at t0 + 20 s is left out
    expect(b.ms).toBeCloseTo(3 * ms);
    expect(b.byKind.get('V8 optimizing compiler')).toBeCloseTo(ms);
    expect(b.byKind.get('kernel')).toBeCloseTo(ms);
    expect(b.byKind.get('JavaScript, compiled')).toBeCloseTo(ms);
    expect(b.bySyscall.get('readlink')).toBeCloseTo(ms);
    expect(b.byJs.get('readCwd dist/ostop.cjs:35:10709')).toBeCloseTo(2 * ms);
    expect(b.byJs.get('(no JavaScript caller: V8 optimizing compiler)')).toBeCloseTo(ms);
    expect(b.inclusive.get('scanProc dist/ostop.cjs:35:12984')).toBeCloseTo(2 * ms);
    expect(b.byKind.has('V8 GC')).toBe(false);
  });

  it('classifies leaf frames', () => {
    expect(kindOf('v8::internal::Scavenger::ScavengePage', '/usr/bin/node')).toBe('V8 GC');
    expect(kindOf('Builtins_LoadIC', '/usr/bin/node')).toBe('JavaScript, interpreter and builtins');
    expect(kindOf('bpf_prog_0dbef77309d71125_ostop_tasks', '[unknown]')).toBe('kernel');
    expect(kindOf('__memmove_avx512_unaligned_erms', '/usr/lib/x86_64-linux-gnu/libc.so.6')).toBe('libc, libstdc++ (malloc, memcpy)');
  });

  it("takes the bin's environment and node flags from its shebang", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-shebang-'));
    const bin = path.join(dir, 'ostop.js');
    fs.writeFileSync(bin, '#!/usr/bin/env -S -u NODE_OPTIONS MALLOC_ARENA_MAX=2 node --max-semi-space-size=1 --expose-gc\n');
    try {
      expect(shebang(bin)).toEqual({ env: { MALLOC_ARENA_MAX: '2' }, flags: ['--max-semi-space-size=1', '--expose-gc'] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
