// A garbage collector for tests that check what a store still references:
// --expose-gc turned on at run time, gc() taken from a fresh context.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** True once nothing keeps the object `ref` points at (after a turn of the event loop and a full GC). */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}
