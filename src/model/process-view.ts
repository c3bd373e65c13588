// Turns a ProcessTableModel's rows into what the table shows: filtered
// (user, text filter, hidden thread kinds, pid set), sorted by a column
// and optionally arranged as a tree with collapsed subtrees. Pure: the
// same ViewState and model always give the same rows.
import { columnById, compareRows, DEFAULT_SORT } from './columns.js';
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

export interface ViewRow {
  row: ProcRow;
  /** Tree prefix like "│  ├─ " ('' when not in tree view). */
  prefix: string;
  depth: number;
  hasChildren: boolean;
  collapsed: boolean;
}

export function matchesFilter(r: ProcRow, f: string): boolean {
  if (!f) return true;
  const q = f.toLowerCase();
  return r.command.toLowerCase().includes(q) || r.comm.toLowerCase().includes(q) || String(r.pid) === f;
}

export function arrangeRows(rows: readonly ProcRow[], st: ViewState): ViewRow[] {
  const col = columnById(st.sort) ?? columnById(DEFAULT_SORT)!;
  const cmp = compareRows(col, st.descending);
  const visible = rows.filter(
    (r) =>
      !(st.hideUserThreads && r.isThread) &&
      !(st.hideKernelThreads && r.isKernelThread) &&
      (st.uid === undefined || r.uid === st.uid) &&
      (!st.pids || st.pids.has(r.pid) || st.pids.has(r.tgid)) &&
      matchesFilter(r, st.filter),
  );
  if (!st.tree) return visible.sort(cmp).map((row) => ({ row, prefix: '', depth: 0, hasChildren: false, collapsed: false }));

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
