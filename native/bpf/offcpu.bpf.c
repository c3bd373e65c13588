// SPDX-License-Identifier: MIT
/* offcpu: time blocked, by stack (offcputime). On sched_switch (tp_btf), a
 * task switched out because it blocked (by default: not preempted and its
 * state not TASK_RUNNING; see targ_state) has its switch-out time and its
 * kernel and user stack ids kept in task storage; when it is switched in
 * again, the interval, if >= targ_min_ns, is added to `counts` by (tgid,
 * tid, comm, kernel stack, user stack). Stacks live in `stacks`, losses in
 * `stats` (struct offcpu_stats). PID filter: the shared `filter` map. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
/* No records go through the ring: the smallest one. */
#define OSTOP_RING_BYTES 4096
#include "ostop.bpf.h"
#include "offcpu.h"
#include "stack-queue.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define MAP_TYPE_TASK_STORAGE 29 /* UAPI BPF_MAP_TYPE_TASK_STORAGE */
#define LOCAL_STORAGE_GET_F_CREATE 1
#define MAP_F_NO_PREALLOC 1
#define TASK_RUNNING 0
#define BPF_F_USER_STACK (1ULL << 8)
#define PF_KTHREAD 0x00200000

/* Minimum blocked time counted, ns. */
const volatile __u64 targ_min_ns = 1000;
/* Which switch-outs start an interval: 0 = the task blocked (not preempted,
 * state not TASK_RUNNING); -1 = every switch-out (also preemption, i.e.
 * run-queue time); N > 0 = blocked with (state & N), e.g. 2 = only
 * uninterruptible sleep (D), 1 = only interruptible sleep (S). */
const volatile int targ_state = 0;
const volatile bool targ_user_only = false;   /* no kernel stacks (kstack = -ENOENT) */
const volatile bool targ_kernel_only = false; /* no user stacks (ustack = -ENOENT) */

struct task_struct___off {
	int pid;
	int tgid;
	unsigned int flags;
	char comm[16];
} __attribute__((preserve_access_index));

struct offcpu_start {
	u64 ts; /* 0 = not blocked */
	struct offcpu_key key;
};

struct {
	__uint(type, MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, MAP_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct offcpu_start);
} start SEC(".maps");


OSTOP_MAP(counts, BPF_MAP_TYPE_HASH, 16384, struct offcpu_key, struct offcpu_val);

OSTOP_MAP(stats, BPF_MAP_TYPE_PERCPU_ARRAY, 1, u32, struct offcpu_stats);




static __always_inline bool starts_interval(bool preempt, unsigned int state)
{
	if (targ_state == -1)
		return true;
	if (preempt || state == TASK_RUNNING)
		return false;
	return targ_state == 0 || (state & (unsigned int)targ_state);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ostop_offcpu_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct task_struct___off *p = (void *)prev, *n = (void *)next;
	struct offcpu_start *s;
	struct offcpu_stats *st;
	struct offcpu_val *v, init;
	u32 zero = 0;
	u64 now, delta;

	/* prev is `current` here: its stacks are the ones bpf_get_stackid takes. */
	if (p->pid && starts_interval(preempt, prev_state) && !ostop_filtered(p->tgid)) {
		s = bpf_task_storage_get(&start, prev, 0, LOCAL_STORAGE_GET_F_CREATE);
		if (!s) {
			st = bpf_map_lookup_elem(&stats, &zero);
			if (st)
				st->start_lost++;
		} else {
			s->key.pid = p->tgid;
			s->key.tid = p->pid;
			bpf_probe_read_kernel(s->key.comm, sizeof(s->key.comm), p->comm);
			s->key.kstack = targ_user_only ? -ENOENT : bpf_get_stackid(ctx, &stacks, 0);
			if (targ_kernel_only)
				s->key.ustack = -ENOENT;
			else if (p->flags & PF_KTHREAD)
				s->key.ustack = -EFAULT;
			else
				s->key.ustack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
			s->ts = bpf_ktime_get_ns();
		}
	}

	if (!n->pid)
		return 0;
	s = bpf_task_storage_get(&start, next, 0, 0);
	if (!s || !s->ts)
		return 0;
	now = bpf_ktime_get_ns();
	delta = now - s->ts;
	s->ts = 0;
	if (delta < targ_min_ns || ostop_filtered(n->tgid))
		return 0;
	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return 0;
	st->samples++;
	COUNT_STACK_LOSS(st, s->key.kstack, false);
	if (!(n->flags & PF_KTHREAD))
		COUNT_STACK_LOSS(st, s->key.ustack, true);

	v = bpf_map_lookup_elem(&counts, &s->key);
	if (!v) {
		init.total_ns = 0;
		init.count = 0;
		if (bpf_map_update_elem(&counts, &s->key, &init, BPF_NOEXIST) == 0) {
			u64 *n = bpf_map_lookup_elem(&inserts, &zero);
			if (n)
				__sync_fetch_and_add(n, 1);
		}
		v = bpf_map_lookup_elem(&counts, &s->key);
	}
	if (!v) {
		st->counts_full++;
		ostop_count_drop(OSTOP_DROP_MAP);
		return 0;
	}
	__sync_fetch_and_add(&v->total_ns, delta);
	__sync_fetch_and_add(&v->count, 1);
	if (s->key.ustack >= 0)
		note_pid(s->key.pid);
	return 0;
}
