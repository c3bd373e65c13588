import { describe, expect, it } from 'vitest';
import { apply, diff, NO_CHANGE, DELETED } from '../../src/store/delta.js';

const rt = (a: unknown, b: unknown) => {
  const p = diff(a, b);
  if (p === NO_CHANGE) return structuredClone(a);
  // The patch goes through JSON as the store writes it.
  return apply(structuredClone(a), JSON.parse(JSON.stringify(p)));
};

describe('delta', () => {
  it('nothing changed costs nothing', () => {
    const t = { a: 1, b: [1, 2, { c: 'x' }], d: { '1': { pid: 1, utime: 5 } } };
    expect(diff(t, structuredClone(t))).toBe(NO_CHANGE);
  });
  it('counters become differences, strings and other types replacements', () => {
    expect(diff({ u: 100, s: 'a', f: 0.5 }, { u: 103, s: 'b', f: 0.25 })).toEqual({ u: 3, s: ['b'], f: [0.25] });
  });
  it('keys added and removed, arrays of another length, type changes', () => {
    const cases: Array<[unknown, unknown]> = [
      [{ a: 1, b: 2 }, { a: 1, c: 3 }],
      [{ tasks: { '1': { x: 1 }, '2': { x: 2 } } }, { tasks: { '2': { x: 5 }, '3': { x: 1, y: 'n' } } }],
      [[1, 2, 3], [1, 2]],
      [[{ a: 1 }, { a: 2 }], [{ a: 1 }, { a: 3, b: null }]],
      [{ a: { b: 1 } }, { a: [1] }],
      [{ a: null }, { a: 0 }],
      [{ a: 1 }, { a: 2 ** 60 }],
      [{ a: 1, u: undefined }, { a: 1, u: 2 }],
      [{ a: true }, { a: false }],
    ];
    for (const [a, b] of cases) expect(rt(a, b)).toEqual(JSON.parse(JSON.stringify(b)));
  });
  it('lists removed keys under DELETED', () => {
    expect(diff({ a: 1, b: 2 }, { a: 1 })).toEqual({ [DELETED]: ['b'] });
  });
  it('refuses malformed patches', () => {
    expect(() => apply(1, { a: 1 })).toThrow();
    expect(() => apply({}, [1, 2])).toThrow();
    expect(() => apply([1], { 5: 1 })).toThrow();
    const victim = { a: 1 };
    expect(() => apply(victim, JSON.parse('{"__proto__":[{"polluted":true}]}'))).toThrow(/__proto__/);
    expect(Object.getPrototypeOf(victim)).toBe(Object.prototype);
  });
});
