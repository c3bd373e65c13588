// e2e: the history graphs move. ostop in a real pseudo-terminal under tmux's
// and screen's 256-colour terminfo (TERM=tmux-256color, screen-256color),
// vmstat view: the "cpu busy" braille graph is idle-flat, then a CPU burner
// starts and the graph's newest cells fill while older ones scroll left;
// netstat's rx graph of lo fills under a loopback transfer.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { spawnOstop, type PtyApp } from '../helpers/pty.js';

const BRAILLE = /[\u2801-\u28ff]/;
let app: PtyApp | undefined;
let burner: ChildProcess | undefined;
afterEach(async () => {
  burner?.kill('SIGKILL');
  burner = undefined;
  await app?.dispose();
  app = undefined;
});

/** The cpu busy block: from its label's line to the line before "mem used" (the next block), cut to the left `width` cells. */
function block(lines: string[], width: number): string[] {
  const at = lines.findIndex((l) => /^cpu busy/.test(l));
  const end = lines.findIndex((l) => /^mem used/.test(l));
  if (at < 0 || end <= at) return [];
  return lines.slice(at, end).map((l) => l.slice(0, width).padEnd(width));
}

/** Braille dots in the rightmost `cells` columns of a block (the newest samples). */
function newestDots(rows: string[], cells: number): number {
  let n = 0;
  for (const r of rows) {
    for (const ch of r.slice(r.length - cells)) if (BRAILLE.test(ch)) n += (ch.codePointAt(0)! - 0x2800).toString(2).replace(/0/g, '').length;
  }
  return n;
}

describe.each(['tmux-256color', 'screen-256color'])('graphs in a pty (TERM=%s)', (term) => {
  it('vmstat: the cpu busy graph fills at its newest cells under load and scrolls left', async () => {
    app = spawnOstop(['-d', '1'], { cols: 160, rows: 45, env: { TERM: term } });
    await app.waitForText(/PID\s+USER/, 15000);
    await app.press('v');
    await app.waitForText(/cpu busy/, 10000);
    const W = 79; // the left half of 160 columns: the cpu busy block
    burner = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    // One core of two busy: about half the graph's height at the newest cells.
    const busy = await app.waitFor((s) => newestDots(block(s.split('\n'), W), 2) >= 8, 'cpu busy graph filled at its newest cells', 15000);
    const first = block(busy.split('\n'), W);
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(first[1]).toMatch(/^\s+[\d.]+%/); // the current value under the label
    // The graph moves: a few refreshes later the filled area has grown to the left.
    const filledCells = (rows: string[]) => rows.at(-1)!.slice(12).split('').filter((c) => BRAILLE.test(c)).length;
    const before = filledCells(first);
    const later = await app.waitFor((s) => {
      const b = block(s.split('\n'), W);
      return b.length > 0 && filledCells(b) >= before + 1;
    }, 'the filled area grows as samples scroll left', 15000);
    expect(block(later.split('\n'), W)).not.toEqual(first);
    // Per-CPU graphs beside it, one labelled row per CPU.
    expect(later).toMatch(/cpu0 +\d+%/);
  });
});

describe('netstat graphs in a pty', () => {
  it('the rx graph of lo fills under a loopback transfer', async () => {
    const server = net.createServer((s) => s.on('data', () => {}));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const chunk = Buffer.alloc(256 * 1024, 7);
    const pump = setInterval(() => client.write(chunk), 20);
    try {
      app = spawnOstop(['-d', '1'], { cols: 160, rows: 45, env: { TERM: 'tmux-256color' } });
      await app.waitForText(/PID\s+USER/, 15000);
      await app.press('n');
      await app.waitForText(/IFACE\s+STATE/, 10000);
      await app.waitFor((s) => {
        const lines = s.split('\n');
        const lo = lines.findIndex((l) => /^lo\s/.test(l));
        if (lo < 0) return false;
        // The rows under lo's numbers: "  rx ..." then the graph rows; braille in the rx half.
        return lines.slice(lo + 1, lo + 4).some((l) => BRAILLE.test(l.slice(0, 80)));
      }, 'braille in lo\'s rx graph', 15000);
    } finally {
      clearInterval(pump);
      client.destroy();
      server.close();
    }
  });
});
