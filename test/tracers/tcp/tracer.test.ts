// tcp tracer: decoder/aggregator on canned bytes, layout against the addon,
// and (privileged) a loopback connection to our own listener moving known
// byte counts, asserted as connect/accept events and tcplife close records
// with ports, owner pid and exact byte counts on both ends.
import { liveTracerSkipReason } from '../../helpers/native.js';
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { TracerManager } from '../../../src/tracers/manager.js';
import { TCP_COLUMNS, TCP_LAYOUTS, TcpAggregator, closeProblem, decodeTcp, formatIp, tcpTracer, type TcpEvent } from '../../../src/tracers/tcp/tracer.js';
import { formatRecords, toObject } from '../../../src/model/output.js';

const ctx = { wallMs: (ns: number) => ns / 1e6 };

function canned(o: Partial<{ type: number; dir: number; pid: number; comm: string; family: number; saddr: number[]; daddr: number[]; sport: number; dport: number; tx: bigint; rx: bigint; retrans: number; start: bigint; ts: bigint; old: number; nw: number; err: number }>): DataView {
  const L = TCP_LAYOUTS.tcp_event;
  const v = new DataView(new ArrayBuffer(L.size));
  v.setBigUint64(L.fields.ts_ns, o.ts ?? 3_000_000_000n, true);
  v.setBigUint64(L.fields.start_ns, o.start ?? 1_000_000_000n, true);
  v.setBigUint64(L.fields.sock, 0xffff888012345678n, true);
  v.setBigUint64(L.fields.tx_bytes, o.tx ?? 100n, true);
  v.setBigUint64(L.fields.rx_bytes, o.rx ?? 200n, true);
  v.setUint32(L.fields.pid, o.pid ?? 77, true);
  v.setUint32(L.fields.retrans, o.retrans ?? 0, true);
  new Uint8Array(v.buffer, L.fields.saddr, 16).set(o.saddr ?? [10, 0, 0, 1]);
  new Uint8Array(v.buffer, L.fields.daddr, 16).set(o.daddr ?? [93, 184, 216, 34]);
  v.setUint16(L.fields.sport, o.sport ?? 40000, true);
  v.setUint16(L.fields.dport, o.dport ?? 443, true);
  v.setUint16(L.fields.family, o.family ?? 2, true);
  v.setUint8(L.fields.type, o.type ?? 3);
  v.setUint8(L.fields.dir, o.dir ?? 1);
  v.setUint8(L.fields.oldstate, o.old ?? 9);
  v.setUint8(L.fields.newstate, o.nw ?? 7);
  v.setUint16(L.fields.err, o.err ?? 0, true);
  v.setUint32(L.fields.srtt_us, 120, true);
  new Uint8Array(v.buffer, L.fields.comm, 16).set(Buffer.from(o.comm ?? 'curl'));
  return v;
}

describe('tcp decoder and aggregator (canned bytes)', () => {
  it('formats addresses', () => {
    expect(formatIp(new Uint8Array([127, 0, 0, 1]), 4)).toBe('127.0.0.1');
    expect(formatIp(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 6)).toBe('::1');
    expect(formatIp(new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10]), 6)).toBe('2001:db8::10');
    expect(formatIp(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]), 6)).toBe('::ffff:10.1.2.3');
  });
  it('decodes a close record', () => {
    const e = decodeTcp(canned({}), ctx)!;
    expect(e).toMatchObject({
      type: 'CLOSE', dir: 'active', pid: 77, comm: 'curl', family: 4, laddr: '10.0.0.1', lport: 40000, raddr: '93.184.216.34', rport: 443,
      txBytes: 100, rxBytes: 200, retrans: 0, srttUs: 120, oldstate: 'LAST_ACK', newstate: 'CLOSE', durMs: 2000, sock: 'ffff888012345678',
    });
    expect(decodeTcp(canned({ start: 0n }), ctx)!.durMs).toBeNull();
    expect(decodeTcp(new DataView(new ArrayBuffer(8)), ctx)).toBeNull();
  });
  it('a connect that ends in SYN_SENT carries its error (refused), in JSON and text, and says so', () => {
    const refused = decodeTcp(canned({ old: 2, nw: 7, tx: 0n, rx: 0n, err: 111 }), ctx)!;
    expect(refused).toMatchObject({ type: 'CLOSE', oldstate: 'SYN_SENT', err: 111 });
    expect(toObject(refused, TCP_COLUMNS)).toMatchObject({ event: 'CLOSE', state: 'SYN_SENT>CLOSE', error: 'ECONNREFUSED' });
    expect(formatRecords([refused], TCP_COLUMNS, 'text').split('\n')[1]).toMatch(/SYN_SENT>CLOSE\s+ECONNREFUSED$/);
    expect(closeProblem(refused)).toBe('connect failed: ECONNREFUSED');
    const abandoned = decodeTcp(canned({ old: 2, nw: 7, tx: 0n, rx: 0n }), ctx)!;
    expect(toObject(abandoned, TCP_COLUMNS).error).toBeNull();
    expect(closeProblem(abandoned)).toMatch(/^connect failed/);
    const reset = decodeTcp(canned({ old: 1, nw: 7, err: 104 }), ctx)!;
    expect(toObject(reset, TCP_COLUMNS).error).toBe('ECONNRESET');
    expect(closeProblem(reset)).toMatch(/ECONNRESET/);
    const normal = decodeTcp(canned({}), ctx)!;
    expect(toObject(normal, TCP_COLUMNS).error).toBeNull();
    expect(closeProblem(normal)).toBe('');
  });
  it('aggregates closed connections, remotes and retransmits', () => {
    const agg = new TcpAggregator();
    agg.add([
      decodeTcp(canned({ type: 4, nw: 1, old: 1 }), ctx)!,
      decodeTcp(canned({ type: 4, nw: 1, old: 1 }), ctx)!,
      decodeTcp(canned({ retrans: 2 }), ctx)!,
      decodeTcp(canned({ tx: 5n, rx: 6n, dport: 80 }), ctx)!,
    ]);
    const t = Object.fromEntries(agg.tables().map((x) => [x.id, x.rows]));
    expect(t.connections).toHaveLength(2);
    expect((t.remotes as { rport: number; txBytes: number; retrans: number }[]).map((r) => [r.rport, r.txBytes, r.retrans])).toEqual([[443, 100, 2], [80, 5, 0]]);
    expect(t.retransmits).toMatchObject([{ retrans: 2, state: 'CLOSE', rport: 443 }]);
  });
});


function liveSkipReason(): string | null {
  return liveTracerSkipReason('tcp');
}
const skipLive = liveSkipReason();

const C2S = 100_000; // client -> server payload bytes
const S2C = 5_000;

describe.skipIf(!!skipLive)('tcp live over loopback (privileged)', () => {
  it('records connect, accept and both lifecycles with exact bytes and ports', async () => {
    const m = new TracerManager({ lookup: (n) => (n === 'tcp' ? tcpTracer : undefined) });
    const events: TcpEvent[] = [];
    m.onEvents<TcpEvent>('tcp', (b) => events.push(...b));
    m.start('tcp', {});
    let sport = 0, cport = 0;
    try {
      const server = net.createServer((s) => {
        let got = 0;
        s.on('data', (d) => {
          got += d.length;
          if (got === C2S) s.end(Buffer.alloc(S2C, 0x62)); // reply, then FIN (server closes first)
        });
      });
      await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
      sport = (server.address() as net.AddressInfo).port;
      await new Promise<void>((res, rej) => {
        const c = net.connect(sport, '127.0.0.1', () => {
          cport = c.localPort!;
          c.write(Buffer.alloc(C2S, 0x61));
        });
        let got = 0;
        c.on('data', (d) => (got += d.length));
        c.on('end', () => {
          expect(got).toBe(S2C);
          c.end();
        });
        c.on('close', () => res());
        c.on('error', rej);
      });
      await new Promise<void>((res) => server.close(() => res()));
      // both full sockets reach CLOSE once the last ACK is processed
      for (let i = 0; i < 50 && events.filter((e) => e.type === 'CLOSE' && (e.lport === sport || e.lport === cport)).length < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
        m.poll();
      }
      expect(m.drops('tcp').ring).toBe(0);
    } finally {
      m.stop('tcp');
    }
    const conn = events.filter((e) => (e.lport === cport && e.rport === sport) || (e.lport === sport && e.rport === cport));
    // Loopback can retransmit under load (a tail-loss probe on a busy CI
    // machine): such events must name this connection, and its close record
    // must count them; the lifecycle itself is exact.
    const retrans = conn.filter((e) => e.type === 'RETRANS');
    const client = conn.filter((e) => e.lport === cport && e.type !== 'RETRANS');
    const srv = conn.filter((e) => e.lport === sport && e.type !== 'RETRANS');
    expect(client.map((e) => e.type)).toEqual(['CONNECT', 'CLOSE']);
    expect(srv.map((e) => e.type)).toEqual(['ACCEPT', 'CLOSE']);
    const retransOf = (lport: number) => retrans.filter((e) => e.lport === lport).length;
    const me = process.pid;
    expect(client[0]).toMatchObject({ dir: 'active', pid: me, laddr: '127.0.0.1', raddr: '127.0.0.1', family: 4 });
    expect(client[1]).toMatchObject({ dir: 'active', pid: me, txBytes: C2S, rxBytes: S2C });
    expect(client[1].retrans).toBeGreaterThanOrEqual(retransOf(cport));
    expect(srv[0]).toMatchObject({ dir: 'passive', pid: 0 });
    expect(srv[1]).toMatchObject({ dir: 'passive', pid: me, txBytes: S2C, rxBytes: C2S });
    expect(srv[1].retrans).toBeGreaterThanOrEqual(retransOf(sport));
    for (const e of [client[1], srv[1]]) {
      expect(e.durMs).not.toBeNull();
      expect(e.durMs!).toBeGreaterThan(0);
      expect(e.durMs!).toBeLessThan(10_000);
    }
    const agg = new TcpAggregator();
    agg.add(conn);
    expect(agg.connections()).toHaveLength(2);
  });
});

describe.skipIf(!!skipLive)('tcp live: a refused connect (privileged)', () => {
  it('is a CLOSE from SYN_SENT with ECONNREFUSED and the caller as owner', async () => {
    // A port nobody listens on: listen on an ephemeral port, then close it.
    const probe = net.createServer();
    await new Promise<void>((res) => probe.listen(0, '127.0.0.1', () => res()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((res) => probe.close(() => res()));
    const m = new TracerManager({ lookup: (n) => (n === 'tcp' ? tcpTracer : undefined) });
    const events: TcpEvent[] = [];
    m.onEvents<TcpEvent>('tcp', (b) => events.push(...b));
    m.start('tcp', {});
    try {
      const code = await new Promise<string>((res) => {
        const c = net.connect(port, '127.0.0.1');
        c.on('connect', () => res('connected'));
        c.on('error', (e: NodeJS.ErrnoException) => res(e.code ?? 'error'));
      });
      expect(code).toBe('ECONNREFUSED');
      for (let i = 0; i < 50 && !events.some((e) => e.rport === port && e.type === 'CLOSE'); i++) {
        await new Promise((r) => setTimeout(r, 20));
        m.poll();
      }
    } finally {
      m.stop('tcp');
    }
    const mine = events.filter((e) => e.rport === port && e.raddr === '127.0.0.1');
    expect(mine.map((e) => e.type)).toEqual(['CLOSE']);
    expect(mine[0]).toMatchObject({ oldstate: 'SYN_SENT', newstate: 'CLOSE', dir: 'active', pid: process.pid, err: 111 });
    expect(toObject(mine[0], TCP_COLUMNS)).toMatchObject({ error: 'ECONNREFUSED', tx_bytes: 0, rx_bytes: 0 });
  });
});
