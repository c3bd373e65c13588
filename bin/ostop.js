#!/usr/bin/env node
// Entry point of the `ostop` bin: the compiled CLI lives in dist/.
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`ostop: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
