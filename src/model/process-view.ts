// Turns a ProcessTableModel's rows into what the table shows: filtered
// (user, text filter, hidden thread kinds, pid set), sorted by a column
// and optionally arranged as a tree with collapsed subtrees. Pure: the
// same ViewState and model always give the same rows.
import { columnById, compareRows, DEFAULT_SORT, type ProcColumn } from './columns.js';
import type { ProcRow } from './process-model.js';

export interface ViewState {
  sort: string;
  descending: boolean;
  tree: boolean;
  /** pids whose children are hidden in tree view */
  collapsed: ReadonlySet<number>;
  /** case-insensitive substring of command/comm/pid (htop's F4 filter) */
  filter: string;
  uid?: number;
  pids?: ReadonlySet<number>;
  hideUserThreads: boolean;
  hideKernelThreads: boolean;
}

/** Read-only: the flat ones are shared from one arrangement to the next. */
export interface ViewRow {
  readonly row: ProcRow;
  /** Tree prefix like "│  ├─ " ('' when not in tree view). */
  readonly prefix: string;
  readonly depth: number;
  readonly hasChildren: boolean;
  readonly collapsed: boolean;
}

export function matchesFilter(r: ProcRow, f: string): boolean {
  if (!f) return true;
  const q = f.toLowerCase();
  return r.command.toLowerCase().includes(q) || r.comm.toLowerCase().includes(q) || String(r.pid) === f;
}

/**
 * The flat (not tree) ViewRow of a row: always the same values, so one
 * object per row, kept as long as the row (the top view reuses its rows
 * from tick to tick, see buildProcessModel's pool). ViewRows are read-only.
 */
const flatViews = new WeakMap<ProcRow, ViewRow>();
function flatView(row: ProcRow): ViewRow {
  let v = flatViews.get(row);
  if (v === undefined) {
    v = { row, prefix: '', depth: 0, hasChildren: false, collapsed: false };
    flatViews.set(row, v);
  }
  return v;
}

function shown(r: ProcRow, st: ViewState): boolean {
  return (
    !(st.hideUserThreads && r.isThread) &&
    !(st.hideKernelThreads && r.isKernelThread) &&
    (st.uid === undefined || r.uid === st.uid) &&
    (!st.pids || st.pids.has(r.pid) || st.pids.has(r.tgid)) &&
    matchesFilter(r, st.filter)
  );
}

/**
 * `rows` sorted as compareRows(col, descending) sorts them (same order, ties
 * by pid), with each row's sort key computed once instead of twice per
 * comparison: a CPU% sort of 1,000 rows made ~20,000 key calls per tick. The
 * comparators are module functions over module scratch (sorting is
 * synchronous), not closures made per call.
 */
export function sortRows(rows: readonly ProcRow[], col: ProcColumn, descending: boolean): ProcRow[] {
  const n = rows.length;
  if (numKeys.length < n) numKeys = new Float64Array(Math.max(n, numKeys.length * 2));
  let numeric = true;
  for (let i = 0; i < n; i++) {
    const k = col.sort(rows[i]);
    if (typeof k === 'number') numKeys[i] = k;
    else {
      numeric = false;
      break;
    }
  }
  if (!numeric) {
    anyKeys = new Array(n);
    for (let i = 0; i < n; i++) anyKeys[i] = col.sort(rows[i]);
  }
  const order: number[] = new Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  sortingRows = rows;
  sortDir = descending ? -1 : 1;
  try {
    order.sort(numeric ? byNumericKey : byAnyKey);
  } finally {
    sortingRows = EMPTY;
    anyKeys = [];
  }
  const out: ProcRow[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = rows[order[i]];
  return out;
}

const EMPTY: readonly ProcRow[] = [];
let numKeys = new Float64Array(1024);
let anyKeys: Array<number | string> = [];
let sortingRows: readonly ProcRow[] = EMPTY;
let sortDir = 1;

function byNumericKey(i: number, j: number): number {
  const c = numKeys[i] - numKeys[j];
  return c !== 0 ? c * sortDir : sortingRows[i].pid - sortingRows[j].pid;
}

function byAnyKey(i: number, j: number): number {
  const x = anyKeys[i];
  const y = anyKeys[j];
  const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
  return c !== 0 ? c * sortDir : sortingRows[i].pid - sortingRows[j].pid;
}

export function arrangeRows(rows: readonly ProcRow[], st: ViewState): ViewRow[] {
  const col = columnById(st.sort) ?? columnById(DEFAULT_SORT)!;
  // A loop, not filter() with a closure: this runs every tick over every
  // process, and a closure made per call is re-optimized by V8 each time it
  // gets hot (the optimized code of a dead closure is dropped at the next GC).
  const visible: ProcRow[] = [];
  for (const r of rows) if (shown(r, st)) visible.push(r);
  if (!st.tree) {
    const sorted = sortRows(visible, col, st.descending);
    const out: ViewRow[] = new Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) out[i] = flatView(sorted[i]);
    return out;
  }
  const cmp = compareRows(col, st.descending);

  // Tree: parents are the rows' ppid (threads hang under their process).
  // A row whose parent is filtered out becomes a root, as in htop.
  const present = new Map<number, ProcRow>();
  for (const r of visible) if (!r.isThread) present.set(r.pid, r);
  const children = new Map<number, ProcRow[]>();
  const roots: ProcRow[] = [];
  for (const r of visible) {
    const parent = r.isThread ? r.tgid : r.ppid;
    if (parent !== r.pid && present.has(parent)) {
      let l = children.get(parent);
      if (!l) children.set(parent, (l = []));
      l.push(r);
    } else roots.push(r);
  }
  const out: ViewRow[] = [];
  const walk = (list: ProcRow[], lead: string, depth: number) => {
    list.sort(cmp);
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const kids = r.isThread ? undefined : children.get(r.pid);
      const isCollapsed = st.collapsed.has(r.pid) && !!kids;
      const mark = kids ? (isCollapsed ? '+' : '─') : '─';
      out.push({ row: r, prefix: depth === 0 ? '' : lead + (last ? '└' : '├') + mark + ' ', depth, hasChildren: !!kids, collapsed: isCollapsed });
      if (kids && !isCollapsed) walk(kids, depth === 0 ? '' : lead + (last ? '   ' : '│  '), depth + 1);
    });
  };
  walk(roots, '', 0);
  return out;
}
