#!/usr/bin/env -S node --max-semi-space-size=1
// Entry point of the `ostop` bin: the compiled CLI lives in dist/.
// --max-semi-space-size=1: ostop allocates a little every tick and keeps it
// for one tick; V8's default young generation then grows to 32 MB, a third of
// ostop's RSS, for no speed gain (measured: same CPU, 30 MB less RSS).
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; should some handle still hold the event
    // loop (a stray timer, a library's socket), do not linger as an orphan.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err) => { process.stderr.write(`ostop: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
