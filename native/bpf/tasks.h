/* Wire format of the task iterator (tasks.bpf.c, SEC("iter/task")): one
 * struct tasks_rec per task (every thread), written with bpf_seq_write and
 * read by the addon's tasksRead() in one pass over an iterator fd.
 * Decoded by src/collectors/bpf-tasks.ts, whose offsets are checked against
 * TASKS_LAYOUTS (exported by the addon's tasksLayout()) in
 * test/collectors/bpf-tasks-layout.test.ts.
 * Invariants: fixed-width types only, every pad explicit, sizeof a multiple
 * of 8; append fields at the end. All times in ns, memory in pages. */
#ifndef OSTOP_TASKS_H
#define OSTOP_TASKS_H

#define TASKS_COMM_LEN 16

/* rec_flags */
#define TASKS_R_LEADER  (1u << 0) /* tid == tgid: the g_* fields are valid */
#define TASKS_R_MM      (1u << 1) /* had an mm: total_vm / rss_* are valid */
#define TASKS_R_SIGHAND (1u << 2) /* sighand still attached (not yet released) */

struct tasks_rec {
	/* this thread */
	__u64 start_boottime;   /* task->start_boottime */
	__u64 sum_exec;         /* se.sum_exec_runtime */
	__u64 utime;            /* raw tick-sampled utime/stime */
	__u64 stime;
	__u64 prev_utime;       /* task->prev_cputime (cputime_adjust state) */
	__u64 prev_stime;
	__u64 min_flt;
	__u64 maj_flt;
	/* thread group: dead threads' totals and group state (leader only) */
	__u64 g_utime;          /* signal->utime/stime/sum_sched_runtime */
	__u64 g_stime;
	__u64 g_sum_exec;
	__u64 g_prev_utime;     /* signal->prev_cputime */
	__u64 g_prev_stime;
	__u64 g_min_flt;
	__u64 g_maj_flt;
	/* mm (pages); rss_* as get_mm_counter() reads them: percpu_counter .count,
	 * which may lag the exact sum by up to batch x CPUs and be < 0 (clamp).
	 * /proc/PID/stat's RSS reads the same; statm (6.16+) sums every CPU,
	 * which BPF cannot do on kernels whose BTF lacks __percpu tags. */
	__u64 total_vm;
	__s64 rss_file;
	__s64 rss_anon;
	__s64 rss_shmem;
	__u32 tid;
	__u32 tgid;
	__u32 ppid;             /* real_parent->tgid */
	__u32 pgid;
	__u32 sid;
	__u32 flags;            /* task->flags (PF_*) */
	__u32 euid;
	__u32 tty_nr;           /* new_encode_dev(tty_devnum(signal->tty)) */
	__u32 nr_threads;       /* signal->nr_threads */
	__u32 cpu;              /* task_cpu() */
	__s32 prio;             /* task->prio - MAX_RT_PRIO, as /proc shows */
	__s32 nice;             /* static_prio - 120 */
	__u8  state;            /* /proc's letter: R S D T t X Z P I */
	__u8  rec_flags;        /* TASKS_R_* */
	__u16 _pad0;
	__u32 _pad1;
	char  comm[TASKS_COMM_LEN];
};

#define TASKS_REC_FIELDS(X, T) \
	X(T, start_boottime) X(T, sum_exec) X(T, utime) X(T, stime) X(T, prev_utime) X(T, prev_stime) \
	X(T, min_flt) X(T, maj_flt) X(T, g_utime) X(T, g_stime) X(T, g_sum_exec) X(T, g_prev_utime) \
	X(T, g_prev_stime) X(T, g_min_flt) X(T, g_maj_flt) X(T, total_vm) X(T, rss_file) X(T, rss_anon) \
	X(T, rss_shmem) X(T, tid) X(T, tgid) X(T, ppid) X(T, pgid) X(T, sid) X(T, flags) \
	X(T, euid) X(T, tty_nr) X(T, nr_threads) X(T, cpu) X(T, prio) X(T, nice) X(T, state) \
	X(T, rec_flags) X(T, comm)
#define TASKS_LAYOUTS(L) L(tasks_rec, TASKS_REC_FIELDS)

#endif
