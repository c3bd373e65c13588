import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEnviron } from '../../../src/collectors/procfs/pid-environ.js';
import { sanitize } from '../../../src/util/text.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/environ', () => {
  it('parses a hostile environ: escapes, newlines, CJK, long, invalid UTF-8, no "="', () => {
    const env = parseEnviron(file('4242/environ'));
    const by = Object.fromEntries(env.map((e) => [e.name, e.value]));
    expect(env.map((e) => e.name)).toEqual(['PATH', 'EVIL', 'MULTI', 'LANG', 'LONG', 'NOEQUALS', 'BAD', 'EMPTY', 'A']);
    expect(by.EVIL).toBe('\x1b]0;pwned\x07\x1b[2J');
    expect(by.MULTI).toBe('line1\nline2');
    expect(by.LANG).toBe('日本語_JP.UTF-8');
    expect(by.LONG.length).toBe(10000);
    expect(by.BAD).toBe('\ufffd\ufffd');
    expect(by.A).toBe('b=c');
    for (const e of env) expect(sanitize(e.value)).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

});
