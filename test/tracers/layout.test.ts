// The TS decoders read the wire structs at fixed offsets; the C structs in
// native/bpf/<tracer>.h are the source of truth. The addon exports offsetof/
// sizeof of every field (native/addon/registry.c), and this test makes the
// two agree, so neither side can drift. Needs the built addon, not root:
// without it the test is skipped with the reason, and fails in CI and as
// root (test/helpers/native.ts).
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/native.js';
import { TRACERS } from '../../src/tracers/registry.js';
import { addonSkipReason } from '../helpers/native.js';

const skip = addonSkipReason('tracer wire layout');

describe.skipIf(skip !== null)('wire layouts: TypeScript offsets == C offsetof', () => {
  const native = loadNative();
  const layouts = native.ok ? native.addon.layouts() : {};
  for (const t of TRACERS) {
    it(`${t.name}`, () => {
      const c = layouts[t.native ?? t.name];
      expect(c, `tracer ${t.name} missing from native/addon/tracers.def`).toBeDefined();
      expect(Object.keys(t.layouts).length, `tracer ${t.name} lists no layouts`).toBeGreaterThan(0);
      for (const [struct, ts] of Object.entries(t.layouts)) {
        const cs = c[struct];
        expect(cs, `struct ${struct} not exported by ${t.name.toUpperCase()}_LAYOUTS`).toBeDefined();
        expect(ts.size, `sizeof(struct ${struct})`).toBe(cs.size);
        const cOffsets = Object.fromEntries(Object.entries(cs.fields).map(([k, f]) => [k, f.offset]));
        expect(ts.fields, `offsets of struct ${struct}`).toEqual(cOffsets);
      }
    });
  }
});
