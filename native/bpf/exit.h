/* exit tracer wire format (exitsnoop + who sent the fatal signal + OOM
 * kills). One struct for the three kinds so consumers (the exit pane, the
 * failures view) decode one layout. Shared by exit.bpf.c, the addon's layout
 * export and src/tracers/exit.ts (offsets checked by a test). */
#ifndef __OSTOP_EXIT_H__
#define __OSTOP_EXIT_H__

enum exit_kind {
	EXIT_KIND_EXIT = 1,   /* sched_process_exit of the last thread */
	EXIT_KIND_SIGNAL = 2, /* signal_generate of a signal whose default action kills */
	EXIT_KIND_OOM = 3,    /* oom:mark_victim */
};

#define EXIT_F_CORE 0x1        /* core dumped (exit_code & 0x80) */
#define EXIT_F_SENDER 0x2      /* sender_pid/sender_comm are known */
#define EXIT_F_OOM 0x4         /* the process was chosen by the OOM killer */

struct exit_event {
	__u64 ts_ns;        /* CLOCK_MONOTONIC */
	__u64 age_ns;       /* EXIT: lifetime of the process */
	__u64 total_vm_kb;  /* OOM */
	__u64 rss_kb;       /* OOM: anon + file + shmem */
	__u32 kind;         /* enum exit_kind */
	__u32 pid;          /* EXIT: exiting tgid; SIGNAL: target; OOM: victim */
	__u32 tid;          /* EXIT: last thread; SIGNAL: target thread */
	__u32 ppid;         /* EXIT: parent tgid */
	__s32 exit_code;    /* EXIT: raw wait status: (status << 8) | core | signal */
	__u32 sig;          /* EXIT: killing signal (exit_code & 0x7f); SIGNAL: the signal */
	__u32 sender_pid;   /* EXIT (if EXIT_F_SENDER) / SIGNAL: who generated it */
	__s32 sig_code;     /* si_code: <= 0 from a process (SI_USER=0, SI_TKILL=-6), > 0 from the kernel */
	__u32 uid;          /* EXIT: uid of the process; OOM: victim uid */
	__s16 oom_score_adj;
	__u16 flags;        /* EXIT_F_* */
	__u64 cpu_ns;       /* EXIT: CPU time of the whole process (its threads' sum_exec_runtime) */
	char comm[16];      /* the exiting / target / victim process */
	char sender_comm[16];
};

#define EXIT_EVENT_FIELDS(X, T) X(T, ts_ns) X(T, age_ns) X(T, total_vm_kb) X(T, rss_kb) X(T, kind) \
	X(T, pid) X(T, tid) X(T, ppid) X(T, exit_code) X(T, sig) X(T, sender_pid) X(T, sig_code) \
	X(T, uid) X(T, oom_score_adj) X(T, flags) X(T, cpu_ns) X(T, comm) X(T, sender_comm)
#define EXIT_LAYOUTS(L) L(exit_event, EXIT_EVENT_FIELDS)

#endif
