// The layers of docs/architecture.md, checked on every import in src/ and
// screens/ (type imports included, dynamic imports too): no import cycle,
// no import that goes up a layer, and screens never read the system.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/pty.js';

/** Bottom to top. The first rule that matches a file's path gives its layer. */
export const LAYERS: Array<{ name: string; match: RegExp }> = [
  { name: 'util', match: /^src\/util\// },
  { name: 'collectors', match: /^src\/(collectors\/|native\.ts$)/ },
  { name: 'store', match: /^src\/store\// },
  { name: 'model', match: /^src\/model\// },
  { name: 'features', match: /^src\/(views|tracers|failures|actions)\// },
  { name: 'app', match: /^src\/app\// },
  { name: 'screens', match: /^screens\// },
  { name: 'root', match: /^src\/(tui|cli)\.ts$/ },
];

function layerOf(file: string): number {
  const i = LAYERS.findIndex((l) => l.match.test(file));
  if (i < 0) throw new Error(`${file} belongs to no layer: add it to a layer's folder (docs/architecture.md)`);
  return i;
}

function sources(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(path.join(REPO, d), { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
    }
  };
  walk('src');
  walk('screens');
  return out.sort();
}

// import ... from '..', import type ... from '..', export ... from '..', import('..'), import '..'
const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

export function importsOf(file: string, text: string): string[] {
  const deps: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec) continue;
    if (spec.startsWith('.')) deps.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
    else deps.push(spec);
  }
  return deps;
}

const files = sources();
const graph = new Map<string, string[]>();
for (const f of files) graph.set(f, importsOf(f, fs.readFileSync(path.join(REPO, f), 'utf8')));

/** Strongly connected components with more than one file (or a file importing itself). */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('layers (docs/architecture.md)', () => {
  it('the import parser sees every kind of import', () => {
    const deps = importsOf('src/app/x.ts', [
      "import a from './a.js';",
      "import type { B } from '../model/b.js';",
      "export { c } from './c.js';",
      "export * from '../util/d.js';",
      "const e = await import('../views/e.js');",
      "import './f.js';",
      "import {\n  g,\n  h,\n} from '../store/g.js';",
    ].join('\n'));
    expect(deps).toEqual(['src/app/a.ts', 'src/model/b.ts', 'src/app/c.ts', 'src/util/d.ts', 'src/views/e.ts', 'src/app/f.ts', 'src/store/g.ts']);
  });

  it('every file belongs to a layer', () => {
    for (const f of files) expect(() => layerOf(f)).not.toThrow();
  });

  it('no import cycle in src/ and screens/', () => {
    expect(cycles()).toEqual([]);
  });

  it('no import goes up a layer (type imports included)', () => {
    const up: string[] = [];
    for (const [f, deps] of graph) {
      for (const d of deps) {
        if (!graph.has(d)) continue;
        if (layerOf(d) > layerOf(f)) up.push(`${f} (${LAYERS[layerOf(f)].name}) imports ${d} (${LAYERS[layerOf(d)].name})`);
      }
    }
    expect(up).toEqual([]);
  });

  it('screens never read or act on the system', () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      if (!f.startsWith('screens/')) continue;
      for (const d of deps) {
        if (/^src\/(collectors|actions)\//.test(d) || d === 'src/native.ts' || /^(node:)?(fs|child_process|net|dgram)(\/|$)/.test(d)) bad.push(`${f} imports ${d}`);
      }
      if (/process\.kill\(/.test(fs.readFileSync(path.join(REPO, f), 'utf8'))) bad.push(`${f} calls process.kill`);
    }
    expect(bad).toEqual([]);
  });

  it('tracers read the system only through src/collectors (no file system imports in src/tracers)', () => {
    // names-gen.ts is the build-time generator of names.ts (reads kernel headers, run by hand), not part of ostop at run time.
    const BUILD_TOOLS = new Set(['src/tracers/syscalls/names-gen.ts']);
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      if (!f.startsWith('src/tracers/') || BUILD_TOOLS.has(f)) continue;
      for (const d of deps) if (/^(node:)?fs(\/|$)/.test(d)) bad.push(`${f} imports ${d}`);
    }
    expect(graph.has('src/tracers/syscalls/tracer.ts')).toBe(true);
    expect(bad).toEqual([]);
  });
});
