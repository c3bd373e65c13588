// The addon's JS API is typed in src/native.ts (NativeAddon; NATIVE_FUNCTIONS
// lists its members, checked at compile time). This holds the built addon to
// that list, so a function exported by native/addon/init.cc but not typed (as
// the iterators once were) or typed but not exported fails here. Needs the
// built addon, not root (test/helpers/native.ts).
import { describe, expect, it } from 'vitest';
import { loadNative, NATIVE_FUNCTIONS } from '../../src/native.js';
import { addonSkipReason } from '../helpers/native.js';

const skip = addonSkipReason('native exports');

describe.skipIf(skip !== null)('native addon exports == NativeAddon', () => {
  it('exports exactly the typed functions', () => {
    const n = loadNative();
    if (!n.ok) throw n.error;
    expect(Object.keys(n.addon).sort()).toEqual([...NATIVE_FUNCTIONS].sort());
    for (const k of NATIVE_FUNCTIONS) expect(typeof n.addon[k], k).toBe('function');
  });
});
