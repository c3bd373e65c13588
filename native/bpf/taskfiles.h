/* Wire format of the socket-owner iterator (taskfiles.bpf.c,
 * SEC("iter/task_file")): one struct taskfiles_rec per open socket file of
 * every process (threads that share their leader's file table are skipped by
 * the kernel), preceded by one marker record per process with open files,
 * written with bpf_seq_write and read by the addon's
 * taskFilesRead() in one pass. Decoded by src/collectors/socket-owners-bpf.ts,
 * whose offsets are checked against TASKFILES_LAYOUTS (the addon's
 * taskFilesLayout()) in test/collectors/socket-owners-bpf.test.ts.
 * Invariants: fixed-width types only, sizeof a multiple of 8; append fields
 * at the end. */
#ifndef OSTOP_TASKFILES_H
#define OSTOP_TASKFILES_H

#define TASKFILES_COMM_LEN 16
/* fd of the marker record written once per process (ino 0): the processes
 * the iterator saw, sockets or not. */
#define TASKFILES_MARKER_FD 0xffffffffu

struct taskfiles_rec {
	__u64 ino;    /* the socket's inode number (what /proc/PID/fd/N shows as socket:[ino]) */
	__u32 tgid;   /* owning process (init pid namespace) */
	__u32 fd;
	char comm[TASKFILES_COMM_LEN]; /* the task's comm */
};

#define TASKFILES_REC_FIELDS(X, T) X(T, ino) X(T, tgid) X(T, fd) X(T, comm)
#define TASKFILES_LAYOUTS(L) L(taskfiles_rec, TASKFILES_REC_FIELDS)

#endif
