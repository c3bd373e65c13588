// SPDX-License-Identifier: MIT
/* exit: every process exit (last thread, sched:sched_process_exit) with its
 * age, exit code, killing signal and core-dump flag; the generation of every
 * signal whose default action kills (signal:signal_generate), remembered per
 * target so the exit event can name who sent it; and OOM-killer victims
 * (oom:mark_victim). Tracepoints only. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
/* Exits are rare next to opens or syscalls: a small ring keeps the always-on failures recorder cheap in memory. */
#define OSTOP_RING_BYTES (1 << 18)
#include "ostop.bpf.h"
#include "exit.h"

/* Signals whose default action terminates (with or without core). */
#define FATAL_MASK ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | \
		    (1u << 8) | (1u << 9) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) | \
		    (1u << 15) | (1u << 16) | (1u << 24) | (1u << 25) | (1u << 26) | (1u << 27) | (1u << 29) | \
		    (1u << 30) | (1u << 31))

struct sender {
	u32 pid;
	u32 sig;
	char comm[16];
};

OSTOP_MAP(senders, BPF_MAP_TYPE_LRU_HASH, 4096, u32, struct sender);

OSTOP_MAP(oom_victims, BPF_MAP_TYPE_LRU_HASH, 1024, u32, u8);

/* The fields of the CPU time read at exit (CO-RE, as tasks.bpf.c reads them). */
struct signal_struct___exit {
	unsigned long long sum_sched_runtime;
} __attribute__((preserve_access_index));

struct sched_entity___exit {
	u64 sum_exec_runtime;
} __attribute__((preserve_access_index));

struct task_struct___exit {
	struct sched_entity___exit se;
	struct signal_struct___exit *signal;
} __attribute__((preserve_access_index));

/* A zeroed, timestamped ring record of `kind` for pid/tid; NULL when the ring is full. */
static __always_inline struct exit_event *new_event(u32 kind, u32 pid, u32 tid, u16 flags)
{
	struct exit_event *e = ostop_reserve(sizeof(*e));
	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->pid = pid;
	e->tid = tid;
	e->flags = flags;
	return e;
}

SEC("tp/sched/sched_process_exit")
int ostop_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = (u32)id;
	bool last;
	if (bpf_core_field_exists(ctx->group_dead))
		last = BPF_CORE_READ(ctx, group_dead);
	else
		last = tgid == tid;
	if (!last)
		return 0;
	struct sender *s = bpf_map_lookup_elem(&senders, &tgid);
	u8 *oom = bpf_map_lookup_elem(&oom_victims, &tgid);
	if (ostop_filtered(tgid))
		goto out;

	struct exit_event *e = new_event(EXIT_KIND_EXIT, tgid, tid, 0);
	if (!e)
		goto out;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	u64 start = BPF_CORE_READ(task, group_leader, start_time);
	int code = BPF_CORE_READ(task, exit_code);
	e->age_ns = start && e->ts_ns > start ? e->ts_ns - start : 0;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	/* The threads that ended before are in signal->sum_sched_runtime; this last one's own runtime is not yet. */
	struct task_struct___exit *t = (struct task_struct___exit *)task;
	e->cpu_ns = BPF_CORE_READ(t, signal, sum_sched_runtime) + BPF_CORE_READ(t, se.sum_exec_runtime);
	e->exit_code = code;
	e->sig = code & 0x7f;
	e->uid = (u32)bpf_get_current_uid_gid();
	if (code & 0x80)
		e->flags |= EXIT_F_CORE;
	if (oom)
		e->flags |= EXIT_F_OOM;
	if (s && e->sig && s->sig == e->sig) {
		e->flags |= EXIT_F_SENDER;
		e->sender_pid = s->pid;
		__builtin_memcpy(e->sender_comm, s->comm, sizeof(e->sender_comm));
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
out:
	if (s)
		bpf_map_delete_elem(&senders, &tgid);
	if (oom)
		bpf_map_delete_elem(&oom_victims, &tgid);
	return 0;
}

SEC("tp/signal/signal_generate")
int ostop_exit_signal(struct trace_event_raw_signal_generate *ctx)
{
	int sig = BPF_CORE_READ(ctx, sig);
	if (sig <= 0 || sig >= 32 || !((FATAL_MASK >> sig) & 1))
		return 0;
	if (BPF_CORE_READ(ctx, result) != 0) /* TRACE_SIGNAL_DELIVERED */
		return 0;
	u32 target = BPF_CORE_READ(ctx, pid);
	u64 id = bpf_get_current_pid_tgid();
	struct sender v = { .pid = id >> 32, .sig = (u32)sig };
	bpf_get_current_comm(v.comm, sizeof(v.comm));
	bpf_map_update_elem(&senders, &target, &v, BPF_ANY);
	if (ostop_filtered(target) && ostop_filtered(v.pid))
		return 0;

	struct exit_event *e = new_event(EXIT_KIND_SIGNAL, target, target, EXIT_F_SENDER);
	if (!e)
		return 0;
	e->sig = (u32)sig;
	e->sig_code = BPF_CORE_READ(ctx, code);
	e->sender_pid = v.pid;
	bpf_probe_read_kernel(e->comm, sizeof(e->comm), ctx->comm);
	__builtin_memcpy(e->sender_comm, v.comm, sizeof(e->sender_comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/oom/mark_victim")
int ostop_exit_oom(struct trace_event_raw_mark_victim *ctx)
{
	u32 pid = BPF_CORE_READ(ctx, pid);
	u8 one = 1;
	bpf_map_update_elem(&oom_victims, &pid, &one, BPF_ANY);
	if (ostop_filtered(pid))
		return 0;
	struct exit_event *e = new_event(EXIT_KIND_OOM, pid, pid, EXIT_F_OOM);
	if (!e)
		return 0;
	u64 id = bpf_get_current_pid_tgid();
	e->sender_pid = id >> 32;
	bpf_get_current_comm(e->sender_comm, sizeof(e->sender_comm));
	if (bpf_core_field_exists(ctx->total_vm)) {
		e->total_vm_kb = BPF_CORE_READ(ctx, total_vm);
		e->rss_kb = BPF_CORE_READ(ctx, anon_rss) + BPF_CORE_READ(ctx, file_rss) + BPF_CORE_READ(ctx, shmem_rss);
		e->uid = BPF_CORE_READ(ctx, uid);
		e->oom_score_adj = BPF_CORE_READ(ctx, oom_score_adj);
	}
	if (bpf_core_field_exists(ctx->__data_loc_comm)) {
		u32 loc = BPF_CORE_READ(ctx, __data_loc_comm);
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), (void *)ctx + (loc & 0xffff));
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
