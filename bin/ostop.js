#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=1 --single-threaded-gc --expose-gc
// Entry point of the `ostop` bin: the compiled CLI lives in dist/.
// Memory (measured with 1,000 processes): --max-semi-space-size=1 keeps V8's
// young generation at 2 MB instead of growing to 32 MB; the malloc settings
// (two arenas, a fixed mmap threshold, trimming) make glibc give back the
// buffers a tick frees (the BPF task iterator's 240 KB, file reads) instead
// of keeping them: 98 MB -> 82-86 MB RSS at the same CPU. --expose-gc lets
// the app compact the heap every 15 s (src/app/app.ts compactHeap: 83 -> 77
// MB). --single-threaded-gc: with a 2 MB young generation, parallel
// scavenges on V8's helper threads cost more than they save: 3.3 -> 2.4-2.7 %
// of a core with 1,000 processes. (--single-threaded, which also stops
// concurrent compilation, measured the same within noise in two A/B rounds
// of 3 and delays the first frame by ~20 ms.)
// Start-up: dist/ostop.mjs (scripts/bundle.mjs: the CLI and blessed in one
// module) loads in a fraction of the time of ~150 separate modules; it is
// used unless tsc has rebuilt dist/src since. As root, the BPF task iterator
// starts loading on a native thread before any of it (tasksPrepare).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const tableView = args.length === 0 || args[0] === 'dump' || (args[0].startsWith('-') && !/^(-h|--help|-V|--version)$/.test(args[0]));
if (tableView && process.geteuid?.() === 0 && process.env.OSTOP_NO_BPF_TASKS !== '1') {
  try {
    createRequire(import.meta.url)(process.env.OSTOP_NATIVE_PATH || '../native/build/Release/ostop_native.node').tasksPrepare?.();
  } catch {
    // no addon: the process collector says why and reads /proc
  }
}

const mtime = (rel) => {
  try { return statSync(new URL(rel, import.meta.url)).mtimeMs; } catch { return -1; }
};
const bundled = mtime('../dist/ostop.mjs') >= mtime('../dist/src/cli.js');
const { main } = await import(bundled ? '../dist/ostop.mjs' : '../dist/src/cli.js');

main(args).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; should some handle still hold the event
    // loop (a stray timer, a library's socket), do not linger as an orphan.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err) => { process.stderr.write(`ostop: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
