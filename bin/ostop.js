#!/usr/bin/env -S -u NODE_OPTIONS MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=1 --single-threaded-gc --expose-gc --no-turbo-inlining
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
// --no-turbo-inlining: V8's optimizing compiler (TurboFan, on worker
// threads, counted in ostop's CPU) was a third of the first 15 s; without
// inlining each function it optimizes is a smaller graph. Side by side with
// the same build without it (bench/README-figures.md): the first 15 s
// -9 to -21 %, the compiler threads 70-100 ms instead of 140-190 in 15 s,
// steady state unchanged within the noise (-6 to +5 %).
// Start-up: dist/ostop.cjs (scripts/bundle.mjs: the CLI and blessed in one
// script) loads in a fraction of the time of ~150 separate modules; it is
// used unless tsc has rebuilt dist/src since. It is compiled with a V8 code
// cache (dist/.code-cache/, see loadBundle below). As root, the BPF task
// iterator starts loading on a native thread before any of it (tasksPrepare).
// This file is CommonJS (bin/package.json): as an ES module it started Node's
// ESM loader and built an ES facade per builtin, ~15 ms of the first frame.
// Security (docs/security.md): `env -u NODE_OPTIONS` above, because under
// `sudo -E` another user's NODE_OPTIONS (--require, --inspect) would run
// their code in a root process; and the two lines below, because Node opens
// its inspector (JavaScript as root for any local user, on 127.0.0.1:9229)
// when it gets SIGUSR1, unless a listener is installed.
'use strict';
process.on('SIGUSR1', () => { /* no inspector on a signal */ });
refuseInspector();
const { accessSync, constants, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const args = process.argv.slice(2);
const tableView = args.length === 0 || args[0] === 'dump' || (args[0].startsWith('-') && !/^(-h|--help|-V|--version)$/.test(args[0]));
// OSTOP_NATIVE_PATH is checked (as root: root's file only) by src/native.ts before it is loaded.
if (tableView && process.geteuid?.() === 0 && process.env.OSTOP_NO_BPF_TASKS !== '1' && !process.env.OSTOP_NATIVE_PATH) {
  try {
    require('../native/build/Release/ostop_native.node').tasksPrepare?.();
  } catch {
    // no addon: the process collector says why and reads /proc
  }
}

const mtime = (rel) => {
  try { return statSync(join(__dirname, rel)).mtimeMs; } catch { return -1; }
};
const bundled = mtime('../dist/ostop.cjs') >= mtime('../dist/src/cli.js');
const cli = bundled ? new Promise((resolve) => resolve(loadBundle(join(__dirname, '../dist/ostop.cjs')))) : import('../dist/src/cli.js');

cli.then(({ main }) => main(args)).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; should some handle still hold the event
    // loop (a stray timer, a library's socket), do not linger as an orphan.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err) => {
    // The message may quote a process name or a path: no control character reaches the terminal.
    const msg = String(err && err.message ? err.message : err).replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '?');
    process.stderr.write(`ostop: ${msg}\n`);
    process.exitCode = 1;
  },
);

/**
 * Run the bundle as a CommonJS module compiled through vm.Script with a V8
 * code cache: parsing and compiling the 640 KB script, and compiling the
 * functions the first frame runs, is then read back instead of redone
 * (measured: compiling the bundle 18 -> 6 ms, and its first run faster too). The cache is valid for
 * one bundle build, one node binary and one set of V8 flags (V8 rejects a
 * mismatch itself; the file name keys them so two flag sets do not keep
 * overwriting each other). It is written when missing or rejected: by the
 * TUI once its first frames are drawn (".tui": it then holds the screen's
 * functions too), by other commands at exit (".cli"). A dist/ that is not
 * writable just means no cache.
 */
function loadBundle(file) {
  const st = statSync(file);
  const fnv = (text) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  // <this build>-<this node and its flags>: a new build replaces every cache of
  // the old one; node with other flags (tests, profiling) keeps its own.
  const build = fnv(`${st.size} ${st.mtimeMs}`);
  const key = `${build}-${fnv(`${process.version} ${process.arch} ${process.execArgv.join(' ')}`)}`;
  const dir = join(dirname(file), '.code-cache');
  let cached;
  let kind;
  for (const k of ['tui', 'cli']) {
    try {
      cached = readFileSync(join(dir, `${key}.${k}`));
      kind = k;
      break;
    } catch {
      /* none of this kind */
    }
  }
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(source, { filename: file, cachedData: cached });
  const usable = cached !== undefined && !script.cachedDataRejected;
  if (process.env.OSTOP_CODE_CACHE_DEBUG === '1') process.stderr.write(`code cache: ${usable ? `used ${kind}` : cached ? 'rejected' : 'none'} ${key}\n`);
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, require('node:module').createRequire(file), mod, file, dirname(file));
  let saved = false;
  const save = (k) => {
    if (saved) return;
    saved = true;
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK); // a read-only install stops here, before any work
      for (const f of readdirSync(dir)) if (!f.startsWith(build)) rmSync(join(dir, f), { force: true });
      const tmp = join(dir, `${key}.${k}.${process.pid}`);
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, join(dir, `${key}.${k}`));
    } catch {
      /* read-only install: run without a cache */
    }
  };
  if (!usable || kind !== 'tui') mod.exports.whenStarted?.(() => setTimeout(() => save('tui'), 100).unref());
  if (!usable) process.once('exit', () => save('cli'));
  return mod.exports;
}

/**
 * A root ostop never runs with Node's inspector: opened by --inspect* on the
 * command line or in NODE_OPTIONS (when run as `node bin/ostop.js`, which
 * skips the shebang), it lets any local user run code as root. It is closed
 * at once and ostop refuses to start.
 */
function refuseInspector() {
  if (process.geteuid?.() !== 0) return;
  const flag = /(^|\s)--(inspect|debug)/;
  const inspector = require('node:inspector');
  const open = inspector.url() !== undefined;
  if (!open && !process.execArgv.some((a) => flag.test(a)) && !flag.test(process.env.NODE_OPTIONS ?? '')) return;
  try { inspector.close(); } catch { /* not open */ }
  process.stderr.write('ostop: refusing to run as root with the Node inspector enabled (--inspect in the command line or NODE_OPTIONS): any local user could run code as root through it\n');
  process.exit(2);
}
