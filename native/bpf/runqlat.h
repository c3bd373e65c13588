/* Wire format of the run-queue latency tracer (runqlat, runqslower).
 * Shared by runqlat.bpf.c, the addon and src/tracers/runqlat.ts (offsets
 * checked by test/tracers/runqlat-layout.test.ts).
 * Histograms are cumulative in maps (never cleared by BPF); userspace diffs
 * two reads for an interval. Slot i counts latencies in [2^i, 2^(i+1)) us,
 * slot 0 also holds < 1 us; the last slot holds everything above. */
#ifndef OSTOP_RUNQLAT_H
#define OSTOP_RUNQLAT_H

#define RQ_SLOTS 32
#define RQ_COMM_LEN 16

/* Global histogram: per-CPU array[1]; per process: hash keyed by __u32 tgid. */
struct runqlat_hist {
	__u64 slots[RQ_SLOTS];
	__u64 count;
	__u64 total_ns;
	__u64 max_ns;
	char  comm[RQ_COMM_LEN]; /* per-process map only: last thread's comm */
	__u32 tgid;              /* per-process map only */
	__u32 _pad0;
};

/* runqslower: one event per wait >= targ_min_us (rodata, 0 = no events). */
struct runqlat_event {
	__u64 ts_ns;
	__u64 lat_ns;
	__u32 pid;       /* tgid of the task that waited */
	__u32 tid;
	__u32 prev_tid;  /* the task it waited behind */
	__u32 cpu;
	char  comm[RQ_COMM_LEN];
	char  prev_comm[RQ_COMM_LEN];
};

#define RUNQLAT_HIST_FIELDS(X, T) \
	X(T, slots) X(T, count) X(T, total_ns) X(T, max_ns) X(T, comm) X(T, tgid)
#define RUNQLAT_EVENT_FIELDS(X, T) \
	X(T, ts_ns) X(T, lat_ns) X(T, pid) X(T, tid) X(T, prev_tid) X(T, cpu) X(T, comm) X(T, prev_comm)
#define RUNQLAT_LAYOUTS(L) \
	L(runqlat_hist, RUNQLAT_HIST_FIELDS) \
	L(runqlat_event, RUNQLAT_EVENT_FIELDS)

#endif
