// The one gate for tests that need the native addon, root or real BPF.
// Outside CI and without root they skip with the reason shown; in CI
// (CI=true) or as root a missing addon, tracer or privilege is a failure,
// never a skip: privileged tests must run where they can.
import { execFileSync } from 'node:child_process';
import { loadNative, tracingUnsupportedReason } from '../../src/native.js';

export const STRICT = process.env.CI === 'true' || process.getuid?.() === 0;

/**
 * The gate itself: `why` the tests of `what` cannot run here, or null when
 * they can. Throws when STRICT; otherwise warns and returns `why`, for
 * describe.skipIf(reason !== null).
 */
export function gate(what: string, why: string | null): string | null {
  if (why && STRICT) throw new Error(`${what} tests cannot run (${why}); as root or in CI they must`);
  if (why) console.warn(`${what} tests skipped: ${why}`);
  return why;
}

/** The first of `programs` not on PATH, as a reason to skip (not gated: pass it to gate()). */
export function missingProgram(...programs: string[]): string | null {
  for (const p of programs) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', p], { stdio: 'ignore' });
    } catch {
      return `${p} not installed (bash scripts/setup.sh --test installs it)`;
    }
  }
  return null;
}

/** Why tests of `what` that need the built addon (not root) cannot run (null: they can). Throws when STRICT. */
export function addonSkipReason(what: string): string | null {
  const n = loadNative();
  return gate(what, n.ok ? null : n.error.message);
}

/** Why tests of `what` that need root cannot run (null: they can). Throws when STRICT. */
export function rootSkipReason(what: string): string | null {
  return gate(what, process.geteuid?.() === 0 ? null : 'needs root (CI runs as root)');
}

/** Why live tests of `tracer` cannot run here (null: they can). Throws when STRICT. */
export function liveTracerSkipReason(tracer: string): string | null {
  let why = tracingUnsupportedReason();
  if (!why) {
    const n = loadNative();
    if (!n.ok) why = n.error.message;
    else if (!n.addon.tracers().includes(tracer)) why = `${tracer} is not compiled into the addon`;
  }
  return gate(`${tracer} live`, why);
}
