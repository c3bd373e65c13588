/* Wire format of the off-CPU profiler (offcpu): time blocked, by stack.
 * The stack ids, the stats and the depth are the CPU profiler's
 * (profile.h); the key has the layout of struct profile_key under its own
 * name (the layout tables are per tracer). Shared by offcpu.bpf.c, the
 * addon's layout export and the TypeScript decoder. */
#ifndef __OSTOP_OFFCPU_H__
#define __OSTOP_OFFCPU_H__

#include "profile.h"

/* Key of the `counts` hash: the thread that blocked, with its kernel and
 * user stacks when it was switched out (ids or negative errno, as in
 * struct profile_key). */
struct offcpu_key {
	__u32 pid;  /* tgid */
	__u32 tid;
	__s32 kstack;
	__s32 ustack;
	char comm[PROFILE_COMM_LEN];
};

/* Value of the `counts` hash. */
struct offcpu_val {
	__u64 total_ns; /* summed blocked time (each interval >= targ_min_ns) */
	__u64 count;    /* intervals */
};

#define OFFCPU_KEY_FIELDS(X, T) X(T, pid) X(T, tid) X(T, kstack) X(T, ustack) X(T, comm)
#define OFFCPU_VAL_FIELDS(X, T) X(T, total_ns) X(T, count)
#define OFFCPU_LAYOUTS(L) \
	L(offcpu_key, OFFCPU_KEY_FIELDS) \
	L(offcpu_val, OFFCPU_VAL_FIELDS) \
	L(offcpu_stats, PROFILE_STATS_FIELDS)

/* The stats struct under the offcpu tracer's own name (layout tables are per tracer). */
struct offcpu_stats {
	__u64 samples;     /* blocked intervals seen ending (>= targ_min_ns, after the PID filter) */
	__u64 no_ustack;
	__u64 no_kstack;
	__u64 collisions;
	__u64 stacks_full;
	__u64 counts_full;
	__u64 start_lost;  /* the switch-out could not be recorded (task storage) */
	__u64 idle;        /* always 0 (profile's field) */
};

#endif
