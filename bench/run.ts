// `npm run bench` entry (compiled to dist/bench/run.js): runs every benchmark
// module that is present, one after the other (they would disturb each
// other's timings if run together), and prints one report. Each module
// exports an async bench function returning its report text with ratios
// against the classic tools. A module that is missing (not written or not
// built yet) is skipped with a note; one that fails is reported and the rest
// still run. Benchmarks are not tests: nothing here passes or fails.
import * as os from 'node:os';
import * as fs from 'node:fs';

interface BenchModule {
  file: string;
  fn: string;
  title: string;
}

const MODULES: BenchModule[] = [
  { file: './top-bench.js', fn: 'benchTop', title: 'process table: ostop vs top, htop, btop' },
  { file: './views-bench.js', fn: 'benchViews', title: 'view switching' },
  { file: './system-bench.js', fn: 'benchSystem', title: 'system counters' },
  { file: './syscalls-bench.js', fn: 'benchSyscalls', title: 'syscall tracing' },
  { file: './tracers-bench.js', fn: 'benchTracers', title: 'eBPF tracers' },
  { file: './storm-ui-bench.js', fn: 'benchStormUi', title: 'the UI under an event storm' },
  { file: './profile-bench.js', fn: 'benchProfile', title: 'CPU profiler: ostop vs perf record' },
  { file: './record-bench.js', fn: 'benchRecord', title: 'recording: ostop record vs atop -w' },
  { file: './graph-bench.js', fn: 'benchGraphs', title: 'history graphs: blessed-contrib vs painted' },
  { file: './replay-bench.js', fn: 'benchReplay', title: 'ostop replay on a day-long store' },
];

function machine(): string {
  const kernel = (() => {
    try {
      return fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    } catch {
      return os.release();
    }
  })();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${kernel}, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const started = Date.now();
  const parts: string[] = [`ostop benchmarks — ${new Date().toISOString()}`, machine(), ''];
  for (const m of MODULES) {
    if (only.length && !only.some((o) => m.file.includes(o) || m.fn.toLowerCase().includes(o.toLowerCase()))) continue;
    const head = `== ${m.title} (${m.fn}) `.padEnd(78, '=');
    let mod: Record<string, unknown>;
    try {
      const spec = m.file; // a variable: tsc must not require the module to exist
      mod = (await import(spec)) as Record<string, unknown>;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const missing = err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(m.file.slice(2));
      parts.push(head, missing ? `skipped: ${m.file} is not built (no bench/${m.file.slice(2).replace(/\.js$/, '.ts')} yet)` : `skipped: cannot load ${m.file}: ${err.message}`, '');
      continue;
    }
    const fn = mod[m.fn];
    if (typeof fn !== 'function') {
      parts.push(head, `skipped: ${m.file} does not export ${m.fn}()`, '');
      continue;
    }
    process.stderr.write(`bench: running ${m.fn}...\n`);
    const t0 = Date.now();
    try {
      const r = await (fn as () => Promise<unknown>)();
      const text = typeof r === 'string' ? r : JSON.stringify(r, null, 2);
      parts.push(head, text.trimEnd(), `(${((Date.now() - t0) / 1000).toFixed(1)} s)`, '');
    } catch (e) {
      parts.push(head, `FAILED: ${(e as Error).stack ?? e}`, '');
    }
    // Print as we go too, so a long run shows progress.
    process.stdout.write(parts.splice(0).join('\n') + '\n');
  }
  if (parts.length) process.stdout.write(parts.join('\n') + '\n');
  process.stdout.write(`all benchmarks: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
