// scripts/bundle.mjs leaves some blessed widgets out of dist/ostop.mjs
// (scripts/blessed-unused.json): no source may create one, or it would work
// from dist/src and be undefined in the bundle users run.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('bundle', () => {
  it('leaves out only blessed widgets that ostop does not use', () => {
    const unused = new Set((JSON.parse(readFileSync(join(root, 'scripts', 'blessed-unused.json'), 'utf8')) as string[]).map((n) => n.toLowerCase()));
    expect(unused.size).toBeGreaterThan(0);
    const used = new Set<string>();
    for (const f of [...sources(join(root, 'src')), ...sources(join(root, 'screens'))]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/blessed\.([a-zA-Z]+)\s*\(/g)) used.add(m[1].toLowerCase());
    }
    expect(used.has('box')).toBe(true); // the scan sees real uses
    expect([...used].filter((u) => unused.has(u))).toEqual([]);
  });
});
