// src/tracers/FIELDS.md documents the JSON fields of `ostop trace <tracer>`:
// one `## <name>` section per registered tracer, every output column id in a
// field table row ("| pid, tid, uid | ...") and no other ids there, every
// --summary table id in backticks (`by_path`, or a placeholder such as
// `latency.<dev>.<dir>`) and every row key in a `{a, b}` list or the field
// table. Aggregators run without collected data: no root, no BPF.
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { REGISTRY, TRACERS } from '../../src/tracers/registry.js';
import { PROC_COLUMNS } from '../../src/model/columns.js';
import { DiskAggregator, type DiskEvent } from '../../src/tracers/disk/tracer.js';
import type { SummaryTable, TraceOptions } from '../../src/tracers/types.js';

const DOC = readFileSync(new URL('../../src/tracers/FIELDS.md', import.meta.url), 'utf8');

/** `## opens (opensnoop)` -> "opens" -> section text up to the next `## `. */
function sections(md: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of md.split(/^## /m).slice(1)) out.set(part.split(/[\s(]/, 1)[0], part);
  return out;
}

/** Ids in the first cell of the section's table rows, comma-separated lists split. */
function tableFields(section: string): Set<string> {
  const ids = new Set<string>();
  for (const line of section.split('\n')) {
    const m = /^\s*\|([^|]*)\|/.exec(line);
    if (!m) continue;
    for (const id of m[1].split(',')) ids.add(id.trim().replace(/`/g, ''));
  }
  ids.delete('field');
  ids.delete('---');
  return ids;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A summary table id: named in backticks, or covered by a backticked placeholder like `latency.<dev>.<dir>`. */
function namesTable(section: string, id: string): boolean {
  if (section.includes('`' + id + '`')) return true;
  for (const m of section.matchAll(/`([\w.]*<\w+>[\w.<>]*)`/g)) {
    const re = new RegExp('^' + m[1].split(/<\w+>/).map(escapeRe).join('[^.]+') + '$');
    if (re.test(id)) return true;
  }
  return false;
}

/** Row keys documented in the section: `{a, b, c}` lists, plus the field table (rows that are events). */
function rowKeys(section: string): Set<string> {
  const keys = tableFields(section);
  for (const m of section.matchAll(/\{([\w\s,]+)\}/g)) for (const k of m[1].split(',')) keys.add(k.trim());
  return keys;
}

type AnyDescriptor = (typeof TRACERS)[number];

/** Summary tables without collected data: with --summary alone and with every boolean flag set (--by-process...). */
function summaryTables(desc: AnyDescriptor): SummaryTable[] {
  if (!desc.createAggregator) return [];
  const allFlags: Record<string, boolean> = {};
  for (const [f, kind] of Object.entries(desc.flags ?? {})) if (kind === 'boolean') allFlags[f] = true;
  const opts: TraceOptions[] = [{ summary: true }, { summary: true, flags: allFlags }];
  return opts.flatMap((o) => desc.createAggregator!(o).tables());
}

const SECTIONS = sections(DOC);

describe('FIELDS.md', () => {
  it('covers every registered tracer', () => {
    expect(TRACERS.length).toBeGreaterThan(0);
    expect([...SECTIONS.keys()]).toEqual(expect.arrayContaining(TRACERS.map((t) => t.name)));
  });

  describe.each(REGISTRY.map((e) => [e.tracer.name, e.tracer, e] as const))('## %s', (name, desc, entry) => {
    const section = SECTIONS.get(name) ?? '';

    it('has a section', () => {
      expect(SECTIONS.has(name), `FIELDS.md has no "## ${name}" section`).toBe(true);
    });

    it('names its pane key and title as the registry does, and the process columns it feeds', () => {
      expect(section).toContain(`Trace pane: key \`${entry.key}\`, "${entry.title}"`);
      for (const c of PROC_COLUMNS.filter((c) => c.tracer === name)) expect(section, `${name} feeds ${c.id}`).toContain(`\`${c.id}\``);
    });

    it('lists every output column id in the field table, and only those', () => {
      const documented = tableFields(section);
      const ids = desc.columns.map((c) => c.id);
      expect(ids.filter((id) => !documented.has(id)), `columns of ${name} missing from its field table`).toEqual([]);
      expect([...documented].filter((id) => !ids.includes(id)), `field table rows of ${name} that are no column`).toEqual([]);
    });

    it('mentions every --summary table id and row key', () => {
      const tables = summaryTables(desc);
      if (desc.createAggregator) expect(tables.length).toBeGreaterThan(0);
      const keys = rowKeys(section);
      for (const t of tables) {
        expect(t.rows, `${name}: ${t.id} has rows without data`).toEqual([]);
        expect(namesTable(section, t.id), `${name}: summary table '${t.id}' not in FIELDS.md`).toBe(true);
        expect(t.columns.map((c) => c.id).filter((k) => !keys.has(k)), `${name}: row keys of '${t.id}' missing from FIELDS.md`).toEqual([]);
      }
    });
  });

  it('covers tables named after the data (disk latency.<dev>.<dir>)', () => {
    const agg = new DiskAggregator(() => 'xvdq');
    const ev: DiskEvent = { tsNs: 1e9, time: 1e12, latNs: 150_000, queueNs: 0, sector: 0, major: 202, minor: 16, bytes: 4096, pid: 1, tid: 1, op: 0, flags: 0, error: 0, comm: 'x' };
    const ids = agg.tables().map((t) => t.id);
    expect(ids).toEqual(['devices']);
    agg.add([ev]);
    const tables = agg.tables();
    expect(tables.map((t) => t.id)).toEqual(['devices', 'latency.xvdq.R']);
    const section = SECTIONS.get('disk') ?? '';
    const keys = rowKeys(section);
    for (const t of tables) {
      expect(namesTable(section, t.id), `disk: summary table '${t.id}' not in FIELDS.md`).toBe(true);
      expect(t.columns.map((c) => c.id).filter((k) => !keys.has(k)), `disk: row keys of '${t.id}'`).toEqual([]);
    }
    expect(namesTable(section, 'latency.xvdq.R.extra')).toBe(false);
  });
});
