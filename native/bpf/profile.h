/* Wire format of the CPU profiler (profile) and, through offcpu.h, of the
 * off-CPU profiler: both count in the kernel by (process, thread, kernel
 * stack, user stack) and keep the stacks in a BPF stack-trace map; user
 * space reads the counts (mapDump) and the stacks (stackTraces), never a
 * stream of samples. Shared by profile.bpf.c, offcpu.bpf.c, the addon's
 * layout export and the TypeScript decoder (offsets checked by a test). */
#ifndef __OSTOP_PROFILE_H__
#define __OSTOP_PROFILE_H__

/* Frames kept per stack (the kernel's sysctl perf_event_max_stack defaults
 * to 127); a stack-map value is PROFILE_STACK_DEPTH u64 instruction
 * pointers, the unused tail zero. */
#define PROFILE_STACK_DEPTH 127
#define PROFILE_COMM_LEN 16
/* profile's `known_pids` (LRU) and `new_pids` (pids seen since the last
 * drain) entries. */
#define PROFILE_KNOWN_PIDS 16384
#define PROFILE_NEW_PIDS 4096

/* Key of the `counts` hash (value: __u64 samples). kstack/ustack are ids in
 * the `stacks` map, or a negative errno when there is no such stack:
 *   -EFAULT (-14)  no stack: a sample in user mode has no kernel stack, a
 *                  kernel thread no user stack (counted as a loss only when
 *                  one was expected, see struct profile_stats)
 *   -EEXIST (-17)  hash collision in the stack map (the stack is lost)
 *   -ENOMEM (-12)  the stack map is full
 *   -ENOENT (-2)   not collected (targ_user_only / targ_kernel_only) */
struct profile_key {
	__u32 pid;  /* tgid; 0 = the idle task (counted only with targ_idle) */
	__u32 tid;
	__s32 kstack;
	__s32 ustack;
	char comm[PROFILE_COMM_LEN];
};

/* The `stats` map: a per-CPU array of one struct profile_stats (sum the
 * CPUs). Every field counts samples (profile) or blocked intervals (offcpu). */
struct profile_stats {
	__u64 samples;     /* counted in `counts` or lost below (after the PID and idle filters) */
	__u64 no_ustack;   /* a user task's user stack could not be taken (-EFAULT) */
	__u64 no_kstack;   /* a kernel stack was expected but could not be taken */
	__u64 collisions;  /* a stack lost to a hash collision in `stacks` (-EEXIST) */
	__u64 stacks_full; /* a stack lost because `stacks` is full (-ENOMEM) */
	__u64 counts_full; /* not counted: `counts` is full (also drops().map) */
	__u64 start_lost;  /* offcpu only: the switch-out could not be recorded */
	__u64 idle;        /* profile only: samples of the idle task, not counted (targ_idle false, no PID filter) */
};

#define PROFILE_KEY_FIELDS(X, T) X(T, pid) X(T, tid) X(T, kstack) X(T, ustack) X(T, comm)
#define PROFILE_STATS_FIELDS(X, T) X(T, samples) X(T, no_ustack) X(T, no_kstack) X(T, collisions) \
	X(T, stacks_full) X(T, counts_full) X(T, start_lost) X(T, idle)
#define PROFILE_LAYOUTS(L) \
	L(profile_key, PROFILE_KEY_FIELDS) \
	L(profile_stats, PROFILE_STATS_FIELDS)

#endif
