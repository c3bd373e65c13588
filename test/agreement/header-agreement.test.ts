// E2E: the top view's header in a real pty, started with `-p PID,PID`
// (show only those two rows), against what the classic tools say in the
// same second:
//   Tasks: N, M thr, K kthr; R running  -- htop's counts of the whole system
//     (test/helpers/htop-counts.ts walks /proc as htop does), not of the two
//     rows shown;
//   Mem[... used/total]                 -- free(1)'s used (procps-ng 4: total - available).
// The system keeps changing (other processes start and end), so each value
// must lie between readings taken right before and right after the frame
// it is read from, with a small slack for the milliseconds in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnOstop, type PtyApp } from '../helpers/pty.js';
import { startNamed, killAll, uniqueTag, type Kid } from '../helpers/pty-procs.js';
import { htopCounts, type HtopCounts } from '../helpers/htop-counts.js';
import { hasTool, run } from './load.js';

let app: PtyApp;
let a: Kid;
let b: Kid;

function tasksLine(): { total: number; threads: number; kernelThreads: number; running: number } | undefined {
  const m = /Tasks: (\d+), (\d+) thr, (\d+) kthr; (\d+) running/.exec(app.screenText());
  return m ? { total: Number(m[1]), threads: Number(m[2]), kernelThreads: Number(m[3]), running: Number(m[4]) } : undefined;
}

/** Mem meter label "USED/TOTAL" in kB, with the rounding of its printed form. */
function memLabel(): { usedKb: number; roundKb: number } | undefined {
  const m = /Mem\[[^\]]*?([\d.]+)([MGT]?)\/([\d.]+)([MGT]?)\]/.exec(app.screenText());
  if (!m) return undefined;
  const unit = { '': 1, M: 1024, G: 1024 ** 2, T: 1024 ** 3 }[m[2] as '' | 'M' | 'G' | 'T'];
  const decimals = m[1].includes('.') ? m[1].split('.')[1].length : 0;
  return { usedKb: Number(m[1]) * unit, roundKb: (unit * 10 ** -decimals) / 2 };
}

async function freeUsedKb(): Promise<number> {
  const r = await run('free', ['-k']);
  return Number(r.stdout.split('\n').find((l) => l.startsWith('Mem:'))!.trim().split(/\s+/)[2]);
}

/** The next frame's screen (the header's uptime/load change every tick; wait for any change). */
async function nextFrame(): Promise<void> {
  const before = app.screenText();
  await app.waitFor(() => app.screenText() !== before, 'a new frame', 5000);
}

describe.skipIf(process.platform !== 'linux')('top header agrees with htop and free(1), started with -p', () => {
  beforeAll(async () => {
    a = await startNamed(uniqueTag('oha'));
    b = await startNamed(uniqueTag('ohb'));
    app = spawnOstop(['-d', '0.5', '-p', `${a.pid},${b.pid}`], { cols: 140, rows: 30 });
    await app.waitForText(/Tasks: \d+/, 20000);
  }, 30000);

  afterAll(async () => {
    await app?.dispose();
    await killAll();
  });

  it('shows only the two rows, and the Tasks: line counts the whole system as htop does', async () => {
    await app.waitFor(() => app.screenText().includes(a.comm) && app.screenText().includes(b.comm), 'both -p rows', 8000);
    const misses: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const before: HtopCounts = htopCounts('/proc');
      await nextFrame();
      const after: HtopCounts = htopCounts('/proc');
      const shown = tasksLine();
      expect(shown, app.screenText()).toBeDefined();
      const ok = (k: keyof HtopCounts, slack: number) => shown![k] >= Math.min(before[k], after[k]) - slack && shown![k] <= Math.max(before[k], after[k]) + slack;
      // slack: tasks that came or went in the ms between a walk and ostop's read (threads churn most: thread pools)
      if (ok('total', 3) && ok('threads', 20) && ok('kernelThreads', 2) && shown!.running >= 1 && shown!.running <= before.running + after.running + 2) {
        expect(shown!.total).toBeGreaterThan(2); // not the two rows' own count
        return;
      }
      misses.push(`ostop ${JSON.stringify(shown)} vs htop-style ${JSON.stringify(before)} .. ${JSON.stringify(after)}`);
    }
    throw new Error(`Tasks: line never within the htop-style counts of the same second:\n${misses.join('\n')}`);
  }, 30000);

  it.skipIf(!hasTool('free'))('Mem meter shows free(1)\'s used', async () => {
    const misses: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const f1 = await freeUsedKb();
      await nextFrame();
      const f2 = await freeUsedKb();
      const shown = memLabel();
      expect(shown, app.screenText()).toBeDefined();
      const slack = 4096 + shown!.roundKb;
      if (shown!.usedKb >= Math.min(f1, f2) - slack && shown!.usedKb <= Math.max(f1, f2) + slack) return;
      misses.push(`ostop ${shown!.usedKb} kB (±${shown!.roundKb} printed) vs free ${f1} .. ${f2} kB`);
    }
    throw new Error(`Mem meter never within free's used of the same second:\n${misses.join('\n')}`);
  }, 30000);
});
