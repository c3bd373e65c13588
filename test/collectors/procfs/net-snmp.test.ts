import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSnmp } from '../../../src/collectors/procfs/net-snmp.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/net/snmp and netstat', () => {
  it('old layout without InCsumErrors, keyed by name', () => {
    const c = parseSnmp(read('sys-k3.10/proc/net/snmp'));
    expect(c['Tcp.RetransSegs']).toBe(12);
    expect(c['Tcp.MaxConn']).toBe(-1);
    expect(c['Tcp.InCsumErrors']).toBeUndefined();
    expect(c['Udp.InErrors']).toBe(1);
  });
  it('new layout and netstat extensions, into one set of counters', () => {
    const c = parseSnmp(read('sys-k6.18/proc/net/netstat'), parseSnmp(read('sys-k6.18/proc/net/snmp')));
    expect(c['Ip.OutTransmits']).toBeDefined();
    expect(c['TcpExt.ListenDrops']).toBeDefined();
  });
});
