// Delta encoding of plain data (the recorded ticks of src/store/disk-store.ts):
// diff(prev, cur) is a patch that turns prev into cur; apply(prev, patch)
// gives cur back, equal to it as JSON would see it. What does not change
// costs nothing: an idle process (the same fields as at the last tick) is not
// in the patch at all, and a counter that moved is stored as its difference
// (small numbers, which deflate packs well).
//
// Patch forms (JSON, decided by the type of the previous value):
//  - a number n where prev and cur are both safe integers: cur = prev + n;
//  - a one-element array [v]: cur = v (a replacement: anything else);
//  - an object where prev and cur are both plain objects: per changed key its
//    patch; the keys deleted are listed under DELETED;
//  - an object where prev and cur are both arrays of the same length: per
//    changed index (as a string key) its patch.
// An unchanged value has no patch (diff returns NO_CHANGE; parents leave
// the key out). Pure and total: values must be plain data (see
// plainDataProblems in sample-store.ts); undefined object members are
// treated as absent, as JSON does.

/** The key of an object patch that lists the keys removed. Never a key of a recorded sample (they are identifiers, pids, kernel names). */
export const DELETED = '~del';

/** diff()'s answer when nothing changed. */
export const NO_CHANGE: unique symbol = Symbol('no change');

type Plain = null | boolean | number | string | Plain[] | { [k: string]: Plain };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The patch that turns `prev` into `cur`, or NO_CHANGE. */
export function diff(prev: unknown, cur: unknown): unknown {
  if (prev === cur) return NO_CHANGE;
  if (typeof cur === 'number' && typeof prev === 'number') {
    if (Number.isSafeInteger(prev) && Number.isSafeInteger(cur) && Number.isSafeInteger(cur - prev)) return cur - prev;
    return Object.is(prev, cur) ? NO_CHANGE : [cur];
  }
  if (Array.isArray(prev) && Array.isArray(cur)) {
    if (prev.length !== cur.length) return [cur];
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < cur.length; i++) {
      const p = diff(prev[i], cur[i]);
      if (p === NO_CHANGE) continue;
      (out ??= {})[i] = p;
    }
    return out ?? NO_CHANGE;
  }
  if (isObj(prev) && isObj(cur)) {
    let out: Record<string, unknown> | undefined;
    for (const k in cur) {
      const c = cur[k];
      if (c === undefined) continue;
      const p = k in prev && prev[k] !== undefined ? diff(prev[k], c) : [c];
      if (p === NO_CHANGE) continue;
      (out ??= {})[k] = p;
    }
    let gone: string[] | undefined;
    for (const k in prev) if (prev[k] !== undefined && (!(k in cur) || cur[k] === undefined)) (gone ??= []).push(k);
    if (gone) (out ??= {})[DELETED] = gone;
    return out ?? NO_CHANGE;
  }
  return [cur];
}

/**
 * `prev` with `patch` applied. Objects and arrays of `prev` are changed in
 * place (the caller owns them: the store's reader keeps its own copy); the
 * result is returned (a new value where the patch replaces it).
 */
export function apply(prev: unknown, patch: unknown): unknown {
  if (typeof patch === 'number') {
    if (typeof prev !== 'number') throw new Error('delta: a number patch on a non-number');
    return prev + patch;
  }
  if (Array.isArray(patch)) {
    if (patch.length !== 1) throw new Error('delta: a replacement must have one element');
    return patch[0];
  }
  if (!isObj(patch)) throw new Error('delta: malformed patch');
  if (Array.isArray(prev)) {
    for (const k in patch) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= prev.length) throw new Error(`delta: index ${k} out of range`);
      prev[i] = apply(prev[i], patch[k]);
    }
    return prev;
  }
  if (!isObj(prev)) throw new Error('delta: an object patch on a non-object');
  for (const k in patch) {
    if (k === DELETED) continue;
    // A hostile store (a snapshot from elsewhere) must not set a prototype through a patch.
    if (k === '__proto__') throw new Error('delta: a __proto__ key');
    prev[k] = k in prev ? apply(prev[k], patch[k]) : apply(undefined, patch[k]);
  }
  const gone = patch[DELETED];
  if (gone !== undefined) {
    if (!Array.isArray(gone)) throw new Error('delta: malformed deleted keys');
    for (const k of gone) delete prev[String(k)];
  }
  return prev;
}

export type { Plain };
