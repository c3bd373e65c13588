// SPDX-License-Identifier: MIT
/* exec: every new program. Successful execs are reported at
 * sched:sched_process_exec, when the new image is in place: comm, filename
 * and argv (read from the new mm's argument area, which exec itself has just
 * written, so even a process that lives for a millisecond is complete).
 * Failed execs are reported at sys_exit_execve/execveat with -errno and the
 * filename remembered at syscall entry. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
/* Exec records carry up to 1 KiB of argv; 1 MiB holds ~700 of them between drains. */
#define OSTOP_RING_BYTES (1 << 20)
#include "ostop.bpf.h"
#include "exec.h"

struct start {
	u64 filename;
};

OSTOP_MAP(starts, BPF_MAP_TYPE_LRU_HASH, 10240, u32, struct start);

static __always_inline bool exec_filtered(u32 tgid, u32 ppid)
{
	return ostop_filtered(tgid) && ostop_filtered(ppid);
}

static __always_inline u32 parent_tgid(struct task_struct *t)
{
	return BPF_CORE_READ(t, real_parent, tgid);
}

/* A ring record for the current thread, header filled and argv empty; NULL
 * when the PID filter skips it (neither it nor its parent is the target) or
 * the ring is full. */
static __always_inline struct exec_event *new_event(struct task_struct *task, s32 ret)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 ppid = parent_tgid(task);
	if (exec_filtered(id >> 32, ppid))
		return NULL;
	struct exec_event *e = ostop_reserve(sizeof(*e));
	if (!e)
		return NULL;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (u32)id;
	e->ppid = ppid;
	e->uid = (u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->args_len = 0;
	e->args_size = 0;
	e->_pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

SEC("tp/sched/sched_process_exec")
int ostop_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_event *e = new_event(task, 0);
	if (!e)
		return 0;
	u32 loc = BPF_CORE_READ(ctx, __data_loc_filename);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + (loc & 0xffff));

	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	u64 start = BPF_CORE_READ(mm, arg_start);
	u64 end = BPF_CORE_READ(mm, arg_end);
	u64 size = end > start ? end - start : 0;
	u32 n = size > EXEC_ARGS_MAX ? EXEC_ARGS_MAX : (u32)size;
	e->args_size = (u32)size;
	if (n && bpf_probe_read_user(e->args, n, (void *)start) == 0)
		e->args_len = n;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_enter(u64 filename)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct start s = { .filename = filename };
	bpf_map_update_elem(&starts, &tid, &s, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(long ret)
{
	struct start s;
	if (!ostop_take_thread(starts, &s))
		return 0;
	if (ret >= 0)
		return 0; /* reported by sched_process_exec */
	struct exec_event *e = new_event((struct task_struct *)bpf_get_current_task(), (s32)ret);
	if (!e)
		return 0;
	if (bpf_probe_read_user_str(e->filename, sizeof(e->filename), (void *)s.filename) <= 0)
		e->filename[0] = 0;
	e->args[0] = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

OSTOP_SYSCALL_ENTER(ostop_exec_enter, execve, on_enter(ctx->args[0]))
OSTOP_SYSCALL_EXIT(ostop_exec_exit, execve, on_exit(ctx->ret))
OSTOP_SYSCALL_ENTER(ostop_exec_at_enter, execveat, on_enter(ctx->args[1]))
OSTOP_SYSCALL_EXIT(ostop_exec_at_exit, execveat, on_exit(ctx->ret))

char LICENSE[] SEC("license") = "Dual MIT/GPL";
