// Shared gate for tests that need the native addon or real BPF. Outside CI
// and without root they skip with the reason shown; in CI (CI=true) or as
// root a missing addon, tracer or privilege is a failure, never a skip:
// privileged tests must run where they can.
import { loadNative, tracingUnsupportedReason } from '../../src/native.js';

export const STRICT = process.env.CI === 'true' || process.getuid?.() === 0;

/** Why live tests of `tracer` cannot run here (null: they can). Throws when STRICT. */
export function liveTracerSkipReason(tracer: string): string | null {
  let why = tracingUnsupportedReason();
  if (!why) {
    const n = loadNative();
    if (!n.ok) why = n.error.message;
    else if (!n.addon.tracers().includes(tracer)) why = `${tracer} is not compiled into the addon`;
  }
  if (why && STRICT) throw new Error(`${tracer} live tests cannot run (${why}); as root or in CI they must`);
  if (why) console.warn(`${tracer} live tests skipped: ${why}`);
  return why;
}
