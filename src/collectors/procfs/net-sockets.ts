// /proc/net/{tcp,tcp6,udp,udp6,unix} (and /proc/PID/net/*): the socket
// tables. Parsing is one pass over the text with no syscalls per socket, so
// 10,000+ sockets refresh in milliseconds. Addresses in /proc/net/tcp* are
// the kernel's in-memory (network order) bytes printed as native-endian
// 32-bit words; we undo that with the host's endianness. Unix socket paths
// are untrusted (any process can bind one) and are sanitized here.
import * as os from 'node:os';
import { sanitize } from '../../util/text.js';
import type { SocketSample } from '../socket-types.js';

const TCP_STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'];

export function tcpStateName(code: number): string {
  return TCP_STATES[code] || `STATE_${code}`;
}

function udpStateName(code: number): string {
  if (code === 7) return 'UNCONN';
  if (code === 1) return 'ESTABLISHED';
  return tcpStateName(code);
}

const LITTLE = os.endianness() === 'LE';

function hexByte(s: string, i: number): number {
  return parseInt(s.substr(i, 2), 16);
}

/** Decode one 8-hex-digit word printed by the kernel with %08X into 4 network-order bytes. */
function wordBytes(h: string, off: number, out: number[]): void {
  if (LITTLE) out.push(hexByte(h, off + 6), hexByte(h, off + 4), hexByte(h, off + 2), hexByte(h, off));
  else out.push(hexByte(h, off), hexByte(h, off + 2), hexByte(h, off + 4), hexByte(h, off + 6));
}

const v4cache = new Map<string, string>();
const v6cache = new Map<string, string>();

export function decodeIPv4Hex(h: string): string {
  let s = v4cache.get(h);
  if (s !== undefined) return s;
  const b: number[] = [];
  wordBytes(h, 0, b);
  s = b.join('.');
  if (v4cache.size > 50000) v4cache.clear();
  v4cache.set(h, s);
  return s;
}

export function decodeIPv6Hex(h: string): string {
  let s = v6cache.get(h);
  if (s !== undefined) return s;
  const b: number[] = [];
  for (let i = 0; i < 32; i += 8) wordBytes(h, i, b);
  s = formatIPv6(b);
  if (v6cache.size > 50000) v6cache.clear();
  v6cache.set(h, s);
  return s;
}

/** RFC 5952 text: lowercase, longest zero run (>= 2 groups) as '::', IPv4-mapped as ::ffff:a.b.c.d. */
export function formatIPv6(b: number[]): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestLen < 2) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

function joinAddr(addr: string, port: number, v6: boolean): string {
  return v6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/**
 * Call fn(start, end) for every line after the header line of a /proc/net
 * table (end is the index of its '\n', or the text's length for a last line
 * without one). The one line scanner of the tcp/udp and unix parsers.
 */
function eachBodyLine(text: string, fn: (start: number, end: number) => void): void {
  let pos = text.indexOf('\n');
  if (pos < 0) return;
  pos++;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    fn(pos, end);
    pos = end + 1;
  }
}

/**
 * Parse /proc/net/{tcp,tcp6,udp,udp6} (also udplite) text. Lines that do not
 * have the expected shape are skipped, never thrown on.
 */
export function parseInetSockets(text: string, proto: 'tcp' | 'tcp6' | 'udp' | 'udp6', out: SocketSample[] = []): SocketSample[] {
  const v6 = proto === 'tcp6' || proto === 'udp6';
  const isTcp = proto === 'tcp' || proto === 'tcp6';
  const alen = v6 ? 32 : 8;
  // Hand-rolled scanning (no split/regex per line): this runs over 10,000+
  // lines every tick. Fields: "sl: local rem st tx:rx tr:when retrnsmt uid timeout inode ...".
  eachBodyLine(text, (start, end) => {
    let i = text.indexOf(':', start);
    if (i < 0 || i >= end) return;
    i++;
    while (i < end && text.charCodeAt(i) === 32) i++;
    const locStart = i;
    const remStart = locStart + alen + 6;
    const stStart = remStart + alen + 6;
    const qStart = stStart + 3;
    if (qStart + 17 > end || text.charCodeAt(locStart + alen) !== 58 || text.charCodeAt(remStart + alen) !== 58 || text.charCodeAt(qStart + 8) !== 58) return;
    const locHex = text.slice(locStart, locStart + alen);
    const remHex = text.slice(remStart, remStart + alen);
    const localPort = parseInt(text.slice(locStart + alen + 1, locStart + alen + 5), 16);
    const remotePort = parseInt(text.slice(remStart + alen + 1, remStart + alen + 5), 16);
    const st = parseInt(text.slice(stStart, stStart + 2), 16);
    const txQueue = parseInt(text.slice(qStart, qStart + 8), 16);
    const rxQueue = parseInt(text.slice(qStart + 9, qStart + 17), 16);
    // Skip tr:when and retrnsmt, then read uid, timeout, inode.
    let j = qStart + 17;
    const tok: number[] = [];
    for (let k = 0; k < 5 && j < end; k++) {
      while (j < end && text.charCodeAt(j) === 32) j++;
      const t0 = j;
      while (j < end && text.charCodeAt(j) !== 32) j++;
      if (k >= 2) tok.push(Number(text.slice(t0, j)));
    }
    if (tok.length < 3) return;
    const uid = tok[0], inode = tok[2];
    if (!Number.isFinite(inode) || !Number.isFinite(st) || !Number.isFinite(localPort) || !Number.isFinite(remotePort)) return;
    const localAddr = v6 ? decodeIPv6Hex(locHex) : decodeIPv4Hex(locHex);
    const remoteAddr = v6 ? decodeIPv6Hex(remHex) : decodeIPv4Hex(remHex);
    out.push({
      proto,
      state: isTcp ? tcpStateName(st) : udpStateName(st),
      localAddr, localPort, remoteAddr, remotePort,
      local: joinAddr(localAddr, localPort, v6),
      remote: joinAddr(remoteAddr, remotePort, v6),
      txQueue, rxQueue, inode, uid,
      type: undefined, path: undefined,
    });
  });
  return out;
}

const UNIX_TYPES: Record<number, string> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };
const UNIX_STATES: Record<number, string> = { 0: 'FREE', 1: 'UNCONN', 2: 'CONNECTING', 3: 'CONNECTED', 4: 'DISCONNECTING' };
const SO_ACCEPTCON = 0x10000;

/** Parse /proc/net/unix: "Num RefCount Protocol Flags Type St Inode [Path]". */
export function parseUnixSockets(text: string, out: SocketSample[] = []): SocketSample[] {
  eachBodyLine(text, (start, end) => {
    const line = text.slice(start, end);
    const m = /^\s*[0-9a-fA-F]+:\s+[0-9a-fA-F]+\s+[0-9a-fA-F]+\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s+(\d+)(?: (.*))?$/.exec(line);
    if (!m) return;
    const flags = parseInt(m[1], 16);
    const type = UNIX_TYPES[parseInt(m[2], 16)] ?? `type${parseInt(m[2], 16)}`;
    const stc = parseInt(m[3], 16);
    const path = m[5] !== undefined ? sanitize(m[5]) : '';
    const state = flags & SO_ACCEPTCON ? 'LISTEN' : (UNIX_STATES[stc] ?? `STATE_${stc}`);
    out.push({
      proto: 'unix', state,
      localAddr: path, localPort: 0, remoteAddr: '', remotePort: 0,
      local: path, remote: '',
      txQueue: 0, rxQueue: 0,
      inode: Number(m[4]), uid: -1, type, path,
    });
  });
  return out;
}
