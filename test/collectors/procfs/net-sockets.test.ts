// /proc/net/{tcp,tcp6,udp,udp6,unix} (src/collectors/procfs/net-sockets.ts).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatIPv6, parseInetSockets, parseUnixSockets } from '../../../src/collectors/procfs/net-sockets.js';

const root = fileURLToPath(new URL('../../fixtures/net-basic/proc', import.meta.url));

describe('parseInetSockets', () => {
  it('decodes IPv4 tcp, states, queues, skips junk', () => {
    const s = parseInetSockets(fs.readFileSync(`${root}/net/tcp`, 'latin1'), 'tcp');
    expect(s).toHaveLength(4);
    expect(s[0]).toMatchObject({ state: 'LISTEN', local: '0.0.0.0:2024', remote: '0.0.0.0:0', rxQueue: 3, txQueue: 0, inode: 1071, uid: 0 });
    expect(s[1]).toMatchObject({ state: 'ESTABLISHED', local: '127.0.0.1:41652', remote: '127.0.0.1:2024', txQueue: 16, uid: 1000 });
    expect(s[3]).toMatchObject({ state: 'TIME_WAIT', local: '15.2.0.10:22', remote: '192.168.2.1:54321', inode: 0 });
  });
  it('decodes IPv6 including v4-mapped and zero compression', () => {
    const s = parseInetSockets(fs.readFileSync(`${root}/net/tcp6`, 'latin1'), 'tcp6');
    expect(s.map((x) => x.local)).toEqual(['[::]:80', '[::1]:8080', '[::ffff:127.0.0.1]:8080', '[2001:db8::1]:22']);
    expect(s[3].remote).toBe('[2001:db8::2]:57344');
  });
  it('udp states', () => {
    const s = parseInetSockets(fs.readFileSync(`${root}/net/udp`, 'latin1'), 'udp');
    expect(s.map((x) => x.state)).toEqual(['UNCONN', 'ESTABLISHED']);
    expect(s[0].local).toBe('127.0.0.53:53');
  });
  it('formatIPv6 picks the longest zero run', () => {
    expect(formatIPv6([0x20, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])).toBe('2001:0:0:1::1');
    expect(formatIPv6(new Array(16).fill(0))).toBe('::');
  });
  it('header only or empty input', () => {
    expect(parseInetSockets('', 'tcp')).toEqual([]);
    expect(parseInetSockets(fs.readFileSync(`${root}/net/udp6`, 'latin1'), 'udp6')).toEqual([]);
  });
});

describe('parseUnixSockets', () => {
  it('types, listen flag, paths with spaces, escapes and CJK', () => {
    const s = parseUnixSockets(fs.readFileSync(`${root}/net/unix`, 'utf8'));
    expect(s.map((x) => [x.state, x.type, x.inode])).toEqual([['LISTEN', 'stream', 5001], ['CONNECTED', 'stream', 5002], ['UNCONN', 'dgram', 5003], ['UNCONN', 'seqpacket', 5004]]);
    expect(s[0].path).toBe('/run/ostop test.sock');
    expect(s[1].path).toBe('');
    expect(s[2].path).not.toMatch(/\x1b/);
    expect(s[3].path).toBe('/tmp/中文.sock');
  });
});
