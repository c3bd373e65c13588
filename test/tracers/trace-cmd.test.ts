// `ostop trace` argument handling (no kernel needed).
import { describe, expect, it } from 'vitest';
import { runTrace } from '../../src/tracers/trace-cmd.js';

async function run(args: string[]) {
  let out = '', err = '';
  const code = await runTrace(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('ostop trace arguments', () => {
  it('prints help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: ostop trace <tracer>/);
    expect(r.out).toMatch(/opens .*--failed/);
  });
  it('rejects an unknown tracer with exit 2', async () => {
    const r = await run(['nosuch']);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/unknown tracer 'nosuch'; known: opens, disk, exec, exit, syscalls, tcp, runqlat/);
  });
  it('rejects unknown flags and bad values with exit 2', async () => {
    expect((await run(['opens', '--bogus'])).err).toMatch(/unknown option '--bogus' for tracer 'opens'/);
    expect((await run(['opens', '--pid', 'abc'])).code).toBe(2);
    expect((await run(['opens', '--duration', '-1'])).code).toBe(2);
    expect((await run(['opens', '--format', 'xml'])).err).toMatch(/--format: 'xml'/);
    expect((await run(['exec', '--path', 'x'])).code).toBe(2); // --path is an opens flag
    expect((await run(['opens', '--pid'])).err).toMatch(/--pid needs a value/);
  });
});
