import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNsLink } from '../../../src/collectors/procfs/pid-ns.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/ns links', () => {
  it('parses type and inode', () => {
    expect(parseNsLink('net:[4026531840]')).toEqual({ type: 'net', inode: 4026531840 });
    expect(parseNsLink('garbage')).toBeUndefined();
  });
});
