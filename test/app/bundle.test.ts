// scripts/bundle.mjs leaves some blessed widgets out of dist/ostop.cjs
// (scripts/blessed-unused.json): no source may create one, or it would work
// from dist/src and be undefined in the bundle users run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

describe('code cache (bin/ostop.js)', () => {
  // A V8 flag no other run uses gives this test its own cache file.
  const flags = ['--stack-size=2001'];
  const run = () => {
    const r = spawnSync(process.execPath, [...flags, join(root, 'bin', 'ostop.js'), '--version'], { encoding: 'utf8', env: { ...process.env, OSTOP_CODE_CACHE_DEBUG: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ostop \d/);
    const m = /^code cache: (\S+(?: \S+)?) (\S+)$/m.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    return { state: m![1], file: join(root, 'dist', '.code-cache', `${m![2]}.cli`) };
  };

  // Only when bin/ostop.js runs the bundle (set-up builds it; after a bare tsc it runs dist/src).
  const bundleInUse = existsSync(join(root, 'dist', 'ostop.cjs')) && statSync(join(root, 'dist', 'ostop.cjs')).mtimeMs >= statSync(join(root, 'dist', 'src', 'cli.js')).mtimeMs;
  it.skipIf(!bundleInUse)('is written by a first run, used by the next, and replaced when corrupt', () => {
    const first = run();
    rmSync(first.file, { force: true });
    expect(run().state).toBe('none');
    expect(statSync(first.file).size).toBeGreaterThan(100_000);
    expect(run().state).toBe('used cli');
    writeFileSync(first.file, Buffer.alloc(5000, 7)); // garbage: V8 must reject it, and the run must still work
    expect(run().state).toBe('rejected');
    expect(run().state).toBe('used cli');
    rmSync(first.file, { force: true });
  });
});
