// SPDX-License-Identifier: MIT
/* Socket owners: for every open file of every process, the (tgid, fd, inode)
 * of those that are sockets, in one read() of an iterator fd. Replaces a
 * readdir of /proc/PID/fd and a readlink per fd for every process (about
 * 30 ms per 1,000 processes, 300 ms at 10,000, all on the UI thread) when
 * the netstat view and `ostop dump sockets` name each socket's owner.
 *
 * What must stay true:
 * - Only reads. ctx->task and ctx->file are BTF pointers: plain
 *   CO-RE-relocated loads (fault-safe), as in tasks.bpf.c.
 * - A socket is a file whose inode is S_IFSOCK: exactly the fds /proc shows
 *   as "socket:[ino]" (sockfs), with the same inode number.
 * - pids are the init namespace's: userspace uses the iterator only when it
 *   runs there.
 * Kernel types are declared here with ___ostop flavours (CO-RE strips the
 * suffix), so the shared vmlinux.h is untouched. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "taskfiles.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define S_IFMT___ostop 00170000
#define S_IFSOCK___ostop 0140000

struct seq_file;
struct bpf_iter_meta___ostop {
	struct seq_file *seq;
	u64 session_id;
	u64 seq_num;
} __attribute__((preserve_access_index));

struct inode___ostop {
	unsigned short i_mode;
	unsigned long i_ino;
} __attribute__((preserve_access_index));

struct file___ostop {
	struct inode___ostop *f_inode;
} __attribute__((preserve_access_index));

struct task_struct___ostop {
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct bpf_iter__task_file___ostop {
	struct bpf_iter_meta___ostop *meta;
	struct task_struct___ostop *task;
	u32 fd;
	struct file___ostop *file;
} __attribute__((preserve_access_index));

/* The thread group of the last marker written in this iteration. */
__u32 last_tgid = 0;

SEC("iter/task_file")
int ostop_task_files(struct bpf_iter__task_file___ostop *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct___ostop *task = ctx->task;
	struct file___ostop *file = ctx->file;
	if (!task || !file)
		return 0;
	if (ctx->meta->seq_num == 0)
		last_tgid = 0;
	/* When the read buffer overflows (-EOVERFLOW), everything written for
	 * this file is dropped and the program runs again for the same file
	 * in the next read(): last_tgid is only kept for what stays written,
	 * or that process's marker would be lost at every buffer boundary. */
	u32 prev_tgid = last_tgid;
	if ((u32)task->tgid != last_tgid) {
		/* One marker per process with open files: userspace then knows
		 * which processes the iterator saw (and reads the others, if
		 * any, from /proc). */
		struct taskfiles_rec m = {};
		m.tgid = task->tgid;
		m.fd = TASKFILES_MARKER_FD;
		__builtin_memcpy(m.comm, task->comm, sizeof(m.comm));
		if (bpf_seq_write(seq, &m, sizeof(m)))
			return 0;
		last_tgid = task->tgid;
	}
	struct inode___ostop *inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT___ostop) != S_IFSOCK___ostop)
		return 0;
	struct taskfiles_rec r = {};
	r.ino = inode->i_ino;
	r.tgid = task->tgid;
	r.fd = ctx->fd;
	__builtin_memcpy(r.comm, task->comm, sizeof(r.comm));
	if (bpf_seq_write(seq, &r, sizeof(r)))
		last_tgid = prev_tgid;
	return 0;
}
