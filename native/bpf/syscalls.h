/* Wire format of the syscalls tracer (strace-like stream, syscount summary,
 * top syscalls by process). Shared by syscalls.bpf.c, the addon and
 * src/tracers/syscalls.ts (offsets checked by test/tracers/syscalls-layout.test.ts).
 * Invariants: fixed-width types, explicit padding, sizes multiples of 8.
 * A stream record is a struct syscall_event followed by blob_len bytes of
 * blob (path without NUL, data, or a sockaddr); the ring record may be
 * longer than SYSCALL_EVENT_SIZE + blob_len (fixed reservation sizes). */
#ifndef OSTOP_SYSCALLS_H
#define OSTOP_SYSCALLS_H

#define SC_COMM_LEN 16
#define SC_PATH_MAX 256  /* path blob capacity (longer paths: SC_F_TRUNC) */
#define SC_DATA_MAX 32   /* data blob capacity for read/write-like calls */
#define SC_NR_MAX 512    /* syscall numbers counted in summary mode: [0, 512) */

/* targ_mode (rodata, fixed at load) */
#define SC_MODE_STREAM 0 /* one event per syscall of the filtered process */
#define SC_MODE_COUNT  1 /* in-kernel per-syscall stats (syscount), no events */
#define SC_MODE_PROC   2 /* in-kernel per (process, syscall) stats, system-wide */

/* blob_kind */
#define SC_BLOB_NONE     0
#define SC_BLOB_PATH     1 /* NUL-free path string */
#define SC_BLOB_DATA     2 /* first bytes of a read/write buffer */
#define SC_BLOB_SOCKADDR 3 /* struct sockaddr as passed to connect/bind */

/* flags */
#define SC_F_NORETURN 1 /* exit/exit_group: emitted at entry, ret/dur meaningless */
#define SC_F_TRUNC    2 /* blob shorter than the real argument */
#define SC_F_BLOBERR  4 /* user memory could not be read (not resident) */

struct syscall_event {
	__u64 ts_ns;      /* entry, bpf_ktime_get_ns */
	__u64 dur_ns;     /* entry -> exit */
	__u64 args[6];
	__s64 ret;
	__u32 pid;        /* tgid */
	__u32 tid;
	__s32 nr;
	__u16 flags;      /* SC_F_* */
	__u8  blob_kind;  /* SC_BLOB_* */
	__u8  _pad0;
	__u16 blob_len;   /* valid blob bytes after the struct */
	__u16 _pad1[3];
	char  comm[SC_COMM_LEN];
	/* __u8 blob[] follows */
};

/* Per-syscall stats (SC_MODE_COUNT: per-CPU array indexed by nr;
 * SC_MODE_PROC: per-CPU hash keyed by struct syscall_pkey). Cumulative:
 * userspace sums CPUs and subtracts the previous read for rates. */
struct syscall_stat {
	__u64 count;
	__u64 errors;   /* ret in [-4095, -1] */
	__u64 total_ns;
	__u64 max_ns;   /* per CPU; userspace takes the max */
};

struct syscall_pkey {
	__u32 tgid;
	__s32 nr;
};

#define SYSCALL_EVENT_FIELDS(X, T) \
	X(T, ts_ns) X(T, dur_ns) X(T, args) X(T, ret) X(T, pid) X(T, tid) X(T, nr) \
	X(T, flags) X(T, blob_kind) X(T, blob_len) X(T, comm)
#define SYSCALL_STAT_FIELDS(X, T) X(T, count) X(T, errors) X(T, total_ns) X(T, max_ns)
#define SYSCALL_PKEY_FIELDS(X, T) X(T, tgid) X(T, nr)
#define SYSCALLS_LAYOUTS(L) \
	L(syscall_event, SYSCALL_EVENT_FIELDS) \
	L(syscall_stat, SYSCALL_STAT_FIELDS) \
	L(syscall_pkey, SYSCALL_PKEY_FIELDS)

#endif
