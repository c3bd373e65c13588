// The failures model code does no I/O and reads no clock: the timeline, the
// kernel-log classifier, the exit correlator, the Model builder and the
// Model types take everything they use as arguments, so the same input gives
// the same Model (the Source, the dump and a replay share them).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/pty.js';

const PURE = [
  'src/model/failures.ts',
  'src/failures/timeline.ts',
  'src/failures/kmsg-classifier.ts',
  'src/failures/exit-correlator.ts',
  'src/failures/model.ts',
];

/** Value imports (type-only ones are erased) and re-exports of a module's text. */
function valueImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?'([^']+)'/g)) if (!m[2]) out.push(m[3]);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]);
  return out;
}

describe('failures model code is pure', () => {
  for (const f of PURE) {
    it(f, () => {
      const text = fs.readFileSync(path.join(REPO, f), 'utf8');
      const io = valueImports(text).filter((s) => /^(node:)?(fs|child_process|net|dgram|os|fs\/promises)$/.test(s) || /native\.js$|\/tracers\//.test(s));
      expect(io, 'I/O modules imported').toEqual([]);
      const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      expect(code.match(/\b(Date\.now|performance\.now|process\.hrtime|monotonicUsec|readFileSync|readdirSync|readlinkSync|statSync|lstatSync|openSync)\s*\(/g) ?? [], 'clock or I/O calls').toEqual([]);
    });
  }
  it('the check sees value imports and skips type-only ones', () => {
    expect(valueImports("import * as fs from 'node:fs';\nimport type { X } from './x.js';\nexport { a } from '../collectors/kmsg.js';")).toEqual(['node:fs', '../collectors/kmsg.js']);
  });
});
