/* exec tracer wire format (execsnoop). Shared by exec.bpf.c, the addon's
 * layout export and src/tracers/exec.ts (offsets checked by a test).
 * Fixed-width types, explicit padding, little endian. */
#ifndef __OSTOP_EXEC_H__
#define __OSTOP_EXEC_H__

#define EXEC_FILENAME_MAX 256
#define EXEC_ARGS_MAX 1024 /* power of two */

struct exec_event {
	__u64 ts_ns;     /* CLOCK_MONOTONIC */
	__u32 pid;       /* tgid after exec */
	__u32 tid;
	__u32 ppid;      /* real parent's tgid */
	__u32 uid;
	__s32 ret;       /* 0 = exec succeeded, else -errno (execve failed) */
	__u32 args_len;  /* valid bytes in args: NUL-separated argv */
	__u32 args_size; /* size of the whole argv area; > args_len = truncated */
	__u32 _pad;
	char comm[16];   /* comm after exec (failed: the caller's comm) */
	char filename[EXEC_FILENAME_MAX];
	char args[EXEC_ARGS_MAX];
};

#define EXEC_EVENT_FIELDS(X, T) X(T, ts_ns) X(T, pid) X(T, tid) X(T, ppid) X(T, uid) X(T, ret) \
	X(T, args_len) X(T, args_size) X(T, comm) X(T, filename) X(T, args)
#define EXEC_LAYOUTS(L) L(exec_event, EXEC_EVENT_FIELDS)

#endif
