/* opens tracer wire format (opensnoop). One source of truth for the BPF
 * program, the addon's layout export and src/tracers/opens.ts (checked by
 * test/tracers/layout.test.ts). Fixed-width types, explicit padding, little
 * endian; changing a field means changing the TS decoder in the same commit. */
#ifndef __OSTOP_OPENS_H__
#define __OSTOP_OPENS_H__

#define OPENS_PATH_MAX 256

enum opens_syscall { OPENS_SYS_OPENAT = 0, OPENS_SYS_OPENAT2 = 1, OPENS_SYS_OPEN = 2 };

/* One open() call, streamed through the ring (stream mode). */
struct opens_event {
	__u64 ts_ns;   /* CLOCK_MONOTONIC at syscall exit */
	__u32 pid;     /* tgid */
	__u32 tid;
	__u32 uid;
	__s32 ret;     /* fd, or -errno */
	__s32 flags;   /* open flags (openat2: how->flags low 32 bits) */
	__u32 mode;
	__u16 path_len; /* bytes in path before the NUL */
	__u8 syscall;  /* enum opens_syscall */
	__u8 _pad[5];
	char comm[16];
	char path[OPENS_PATH_MAX];
};

/* Summary mode: counted in the kernel, read from the "summary" hash map. */
struct opens_key {
	__u32 pid;
	__u32 _pad;
	char comm[16];
	char path[OPENS_PATH_MAX];
};

struct opens_count {
	__u64 count;
	__u64 errors;
};

#define OPENS_EVENT_FIELDS(X, T) X(T, ts_ns) X(T, pid) X(T, tid) X(T, uid) X(T, ret) X(T, flags) \
	X(T, mode) X(T, path_len) X(T, syscall) X(T, comm) X(T, path)
#define OPENS_KEY_FIELDS(X, T) X(T, pid) X(T, comm) X(T, path)
#define OPENS_COUNT_FIELDS(X, T) X(T, count) X(T, errors)
#define OPENS_LAYOUTS(L) L(opens_event, OPENS_EVENT_FIELDS) L(opens_key, OPENS_KEY_FIELDS) \
	L(opens_count, OPENS_COUNT_FIELDS)

#endif
