// The TS decoders read the wire structs at fixed offsets; the C structs in
// native/bpf/<tracer>.h are the source of truth. The addon exports offsetof/
// sizeof of every field (native/addon/registry.c), and this test makes the
// two agree, so neither side can drift. Needs the built addon, not root.
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/native.js';
import { TRACERS } from '../../src/tracers/registry.js';
import { STRICT } from '../helpers/native.js';

const native = loadNative();

describe.skipIf(!native.ok)('wire layouts: TypeScript offsets == C offsetof', () => {
  const layouts = native.ok ? native.addon.layouts() : {};
  for (const t of TRACERS) {
    it(`${t.name}`, () => {
      const c = layouts[t.native ?? t.name];
      expect(c, `tracer ${t.name} missing from native/addon/tracers.def`).toBeDefined();
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

if (!native.ok) {
  it('native addon is not built: layout test skipped (fails in CI and as root)', () => {
    if (STRICT) throw new Error(`the native addon must be built here: ${native.ok ? '' : native.error.message}`);
    console.warn(`layout test skipped: ${native.ok ? '' : native.error.message}`);
  });
}
