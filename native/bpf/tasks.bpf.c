// SPDX-License-Identifier: MIT
/* Task iterator: the process table's /proc/PID/stat counters for every task
 * (all threads) in one read() of an iterator fd, instead of one pread per
 * task. One struct tasks_rec (tasks.h) per task, written with bpf_seq_write;
 * userspace (src/collectors/bpf-tasks.ts) sums threads per thread group and
 * applies the kernel's cputime_adjust, so the result is what
 * fs/proc/array.c:do_task_stat prints.
 *
 * What must stay true:
 * - Only reads; nothing is written anywhere. ctx->task is a BTF pointer, so
 *   fields are plain CO-RE-relocated loads (the verifier turns pointer
 *   chasing into fault-safe PROBE_MEM loads: a NULL reads as 0), about 5x
 *   cheaper than one bpf_probe_read_kernel() per field. Old-kernel flavours
 *   keep BPF_CORE_READ (dead code on current kernels).
 * - Values are the kernel's own, unconverted (ns, pages, raw counters);
 *   every /proc formatting rule lives in one place, the TS decoder.
 * - The state letter follows task_state_index(): (state|exit_state) &
 *   TASK_REPORT, TASK_IDLE -> 'I', RTLOCK_WAIT/FROZEN -> 'D'.
 * - Group-wide values (signal->*: dead threads' times and faults,
 *   prev_cputime) are read once per group, on the leader (tid == tgid).
 * - pids are the init namespace's: userspace refuses the iterator when it
 *   runs in another pid namespace.
 * Kernel types are declared here with ___ostop flavours (CO-RE strips the
 * suffix), so the shared vmlinux.h is untouched. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tasks.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct seq_file;
struct bpf_iter_meta___ostop {
	struct seq_file *seq;
	u64 session_id;
	u64 seq_num;
};
struct bpf_iter__task___ostop {
	struct bpf_iter_meta___ostop *meta;
	void *task;
};

typedef struct {
	unsigned int val;
} kuid_t___ostop;

struct cred___ostop {
	kuid_t___ostop euid;
} __attribute__((preserve_access_index));

struct upid___ostop {
	int nr;
} __attribute__((preserve_access_index));

struct pid___ostop {
	struct upid___ostop numbers[1];
} __attribute__((preserve_access_index));

struct tty_driver___ostop {
	int major;
	int minor_start;
} __attribute__((preserve_access_index));

struct tty_struct___ostop {
	int index;
	struct tty_driver___ostop *driver;
} __attribute__((preserve_access_index));

struct prev_cputime___ostop {
	u64 utime;
	u64 stime;
} __attribute__((preserve_access_index));

struct signal_struct___ostop {
	int nr_threads;
	struct pid___ostop *pids[4];
	struct tty_struct___ostop *tty;
	u64 utime;
	u64 stime;
	struct prev_cputime___ostop prev_cputime;
	unsigned long min_flt;
	unsigned long maj_flt;
	unsigned long long sum_sched_runtime;
} __attribute__((preserve_access_index));

/* >= 6.2: rss_stat[] is an array of percpu_counter; get_mm_counter() (and
 * so /proc/PID/stat's RSS) reads .count. statm's exact sums over CPUs would
 * need __per_cpu_offset or __percpu BTF tags, which lockdown-style kernels
 * (no KALLSYMS_ALL, old pahole) do not give: not attempted. */
struct percpu_counter___ostop {
	s64 count;
} __attribute__((preserve_access_index));

struct mm_struct___ostop {
	unsigned long total_vm;
	struct percpu_counter___ostop rss_stat[4];
} __attribute__((preserve_access_index));

/* < 6.2: struct mm_rss_stat { atomic_long_t count[NR_MM_COUNTERS]; } */
struct atomic_long___ostop {
	s64 counter;
};
struct mm_rss_stat___ostop {
	struct atomic_long___ostop count[4];
} __attribute__((preserve_access_index));

struct mm_struct___ostop_old {
	struct mm_rss_stat___ostop rss_stat;
} __attribute__((preserve_access_index));

struct sched_entity___ostop {
	u64 sum_exec_runtime;
} __attribute__((preserve_access_index));

struct thread_info___ostop {
	u32 cpu;
} __attribute__((preserve_access_index));

struct task_struct___ostop {
	struct thread_info___ostop thread_info;
	unsigned int __state;
	unsigned int flags;
	int prio;
	int static_prio;
	struct sched_entity___ostop se;
	struct mm_struct___ostop *mm;
	int exit_state;
	int pid;
	int tgid;
	struct task_struct___ostop *real_parent;
	u64 utime;
	u64 stime;
	struct prev_cputime___ostop prev_cputime;
	u64 start_boottime;
	unsigned long min_flt;
	unsigned long maj_flt;
	const struct cred___ostop *cred;
	char comm[16];
	struct signal_struct___ostop *signal;
	void *sighand;
} __attribute__((preserve_access_index));

/* Kernels before 5.14 / without THREAD_INFO_IN_TASK's cpu. */
struct task_struct___ostop_old {
	long state;
	unsigned int cpu;
} __attribute__((preserve_access_index));

enum {
	MM_FILEPAGES = 0,
	MM_ANONPAGES = 1,
	MM_SHMEMPAGES = 3,
};

/* include/linux/sched.h (stable since 5.14/6.1) */
#define S_TASK_REPORT 0x7f
#define S_TASK_IDLE (0x0002 | 0x0400) /* UNINTERRUPTIBLE | NOLOAD */
#define S_TASK_REPORT_IDLE 0x80
#define S_TASK_RTLOCK_WAIT 0x1000
#define S_TASK_FROZEN 0x8000

static __always_inline u8 state_letter(u32 st, u32 ex)
{
	u32 s = (st | ex) & S_TASK_REPORT;
	if ((st & S_TASK_IDLE) == S_TASK_IDLE)
		s = S_TASK_REPORT_IDLE;
	if (st & (S_TASK_RTLOCK_WAIT | S_TASK_FROZEN))
		s = 0x2;
	/* task_state_array[fls(s)] */
	if (s & 0x80) return 'I';
	if (s & 0x40) return 'P';
	if (s & 0x20) return 'Z';
	if (s & 0x10) return 'X';
	if (s & 0x08) return 't';
	if (s & 0x04) return 'T';
	if (s & 0x02) return 'D';
	if (s & 0x01) return 'S';
	return 'R';
}

SEC("iter/task")
int ostop_tasks(struct bpf_iter__task___ostop *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct___ostop *t = ctx->task;
	struct tasks_rec r;
	struct signal_struct___ostop *sig;
	struct mm_struct___ostop *mm;
	struct tty_struct___ostop *tty;
	u32 st, ex;

	if (!t)
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	r.tid = t->pid;
	r.tgid = t->tgid;
	r.ppid = t->real_parent->tgid;
	r.flags = t->flags;
	r.prio = t->prio - 100;
	r.nice = t->static_prio - 120;
	r.start_boottime = t->start_boottime;
	r.sum_exec = t->se.sum_exec_runtime;
	r.utime = t->utime;
	r.stime = t->stime;
	if (bpf_core_field_exists(t->prev_cputime)) {
		r.prev_utime = t->prev_cputime.utime;
		r.prev_stime = t->prev_cputime.stime;
	}
	r.min_flt = t->min_flt;
	r.maj_flt = t->maj_flt;
	r.euid = t->cred->euid.val;
	__builtin_memcpy(r.comm, t->comm, sizeof(r.comm));

	if (bpf_core_field_exists(t->thread_info.cpu)) {
		r.cpu = t->thread_info.cpu;
	} else {
		struct task_struct___ostop_old *o = (void *)t;
		r.cpu = BPF_CORE_READ(o, cpu);
	}
	if (bpf_core_field_exists(t->__state)) {
		st = t->__state;
	} else {
		struct task_struct___ostop_old *o = (void *)t;
		st = (u32)BPF_CORE_READ(o, state);
	}
	ex = t->exit_state;
	r.state = state_letter(st, ex);
	if (t->sighand)
		r.rec_flags |= TASKS_R_SIGHAND;

	sig = t->signal;
	if (sig) {
		r.nr_threads = sig->nr_threads;
		r.pgid = sig->pids[2]->numbers[0].nr; /* PIDTYPE_PGID */
		r.sid = sig->pids[3]->numbers[0].nr;  /* PIDTYPE_SID */
		tty = sig->tty;
		if (tty) {
			u32 major = tty->driver->major;
			u32 minor = tty->driver->minor_start + tty->index;
			/* new_encode_dev(MKDEV(major, minor)) */
			r.tty_nr = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
		}
		if (r.tid == r.tgid) {
			r.rec_flags |= TASKS_R_LEADER;
			r.g_utime = sig->utime;
			r.g_stime = sig->stime;
			r.g_sum_exec = sig->sum_sched_runtime;
			r.g_prev_utime = sig->prev_cputime.utime;
			r.g_prev_stime = sig->prev_cputime.stime;
			r.g_min_flt = sig->min_flt;
			r.g_maj_flt = sig->maj_flt;
		}
	}

	/* get_task_mm(): kernel threads report no mm even when borrowing one */
	mm = t->mm;
	if (mm && !(r.flags & 0x00200000 /* PF_KTHREAD */)) {
		r.rec_flags |= TASKS_R_MM;
		r.total_vm = mm->total_vm;
		if (bpf_core_field_exists(mm->rss_stat)) {
			r.rss_file = mm->rss_stat[MM_FILEPAGES].count;
			r.rss_anon = mm->rss_stat[MM_ANONPAGES].count;
			r.rss_shmem = mm->rss_stat[MM_SHMEMPAGES].count;
		} else {
			struct mm_struct___ostop_old *om = (void *)mm;
			r.rss_file = BPF_CORE_READ(om, rss_stat.count[MM_FILEPAGES].counter);
			r.rss_anon = BPF_CORE_READ(om, rss_stat.count[MM_ANONPAGES].counter);
			r.rss_shmem = BPF_CORE_READ(om, rss_stat.count[MM_SHMEMPAGES].counter);
		}
	}

	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
