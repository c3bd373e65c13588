// htop's "Tasks:" counts of a /proc tree, computed the way htop 3.3+
// (linux/LinuxProcessTable.c, TasksMeter.c) does: every /proc/PID is read,
// its task/ entries other than the main one are userland threads unless it
// is a kernel thread (PF_KTHREAD), and "running" is procs_running from
// /proc/stat, shown at most as the number of online CPUs. Independent of
// ostop's collector (which uses stat's num_threads or the BPF iterator).
import * as fs from 'node:fs';

const PF_KTHREAD = 0x00200000;

export interface HtopCounts { total: number; threads: number; kernelThreads: number; running: number }

/** htop's counts of a /proc tree: per /proc/PID, its task/ entries; stat fields split after the last ')'. */
export function htopCounts(root: string): HtopCounts {
  const c = { total: 0, threads: 0, kernelThreads: 0, running: 0 };
  for (const name of fs.readdirSync(root)) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    let tids: string[];
    try {
      stat = fs.readFileSync(`${root}/${name}/stat`, 'utf8');
      tids = fs.readdirSync(`${root}/${name}/task`).filter((t) => /^\d+$/.test(t));
    } catch { continue; } // exited meanwhile
    const close = stat.lastIndexOf(')');
    const open = stat.indexOf('(');
    const f = stat.slice(close + 2).trim().split(/\s+/);
    if (open < 0 || close < open || f.length < 20) continue; // htop drops what it cannot parse too
    const flags = Number(f[6]);
    if (flags & PF_KTHREAD) { c.kernelThreads++; continue; }
    c.total++;
    c.threads += tids.filter((t) => t !== name).length;
  }
  const st = fs.readFileSync(`${root}/stat`, 'utf8');
  const online = (st.match(/^cpu\d+\s/gm) ?? []).length;
  c.running = Math.min(Number(/^procs_running\s+(\d+)/m.exec(st)?.[1] ?? 0), Math.max(1, online));
  return c;
}
