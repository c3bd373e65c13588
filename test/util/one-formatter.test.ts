// One formatter module (src/util/format.ts): no other file of src/ or
// screens/ defines a size, rate, count, percent or TIME+ formatter, nor an
// alias of one, so the same number prints the same way in the table, the
// drill-in, the dumps and the trace panes.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../helpers/pty.js';

describe('one formatter module', () => {
  // One formatter module: no other file of src/ or screens/ defines a size,
  // rate, percent or TIME+ formatter, nor an alias of one (humanBytes = formatBytes).
  const FORMATTER = /\b(?:function\s+|const\s+)(format(?:Bytes|Kb|Kib|Rate|Count|Mem|CpuTime|Percent\w*|Elapsed|Timestamp|Age|Duration)|human\w*|fmt\w*)\b/;
  const ALIAS = /export\s+const\s+\w+\s*=\s*format\w+\s*;/;
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(path.join(REPO, d), { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk('src');
  walk('screens');
  it('src/util/format.ts is the only module that formats sizes, rates, percents and TIME+', () => {
    const offenders = files.filter((f) => f !== 'src/util/format.ts').filter((f) => {
      const t = fs.readFileSync(path.join(REPO, f), 'utf8');
      return FORMATTER.test(t) || ALIAS.test(t);
    });
    expect(offenders).toEqual([]);
  });
});
