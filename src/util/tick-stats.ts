// Per-phase wall time of the UI loop, for tuning: OSTOP_TICK_STATS=FILE makes
// ostop time each phase of every tick (collect, view render, blessed render
// and draw) and write the mean per tick and the share of the total to FILE
// when it exits, leaving out the first WARM ticks (JIT warm-up). Off (one
// branch per phase) otherwise.
// As root the file must be root's (src/util/trust.ts) and is never written
// through a link planted at its name.
import { envPath, writeFileNoFollow } from './trust.js';

const file = envPath('OSTOP_TICK_STATS', { forWrite: true, warn: (m) => process.stderr.write(`ostop: ${m}\n`) });
const totals = new Map<string, { ms: number; n: number }>();
let ticks = 0;
const WARM = 10;


export function timed<T>(name: string, f: () => T): T {
  if (!file || ticks <= WARM) return f();
  const t0 = performance.now();
  try {
    return f();
  } finally {
    const e = totals.get(name) ?? { ms: 0, n: 0 };
    e.ms += performance.now() - t0;
    e.n++;
    totals.set(name, e);
  }
}

export function countTick(): void {
  if (file) ticks++;
}

if (file) {
  process.once('exit', () => {
    const all = [...totals.values()].reduce((a, e) => a + e.ms, 0);
    const lines = [...totals].sort((a, b) => b[1].ms - a[1].ms).map(([k, e]) =>
      `${k.padEnd(16)} ${(e.ms / Math.max(1, ticks - WARM)).toFixed(3).padStart(8)} ms/tick  ${((100 * e.ms) / (all || 1)).toFixed(1).padStart(5)} %  (${e.n} calls)`);
    writeFileNoFollow(file!, `${ticks - WARM} ticks after ${WARM} of warm-up\n${lines.join('\n')}\n`);
  });
}
