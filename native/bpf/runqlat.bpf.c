// SPDX-License-Identifier: MIT
/* Run-queue latency (runqlat/runqslower): time from a task becoming
 * runnable (sched_wakeup, sched_wakeup_new, or preempted while runnable in
 * sched_switch) to running (sched_switch next), as log2 histograms counted
 * in kernel: one system-wide (per-CPU, summed by userspace) and one per
 * process (tgid). With the PID filter set, only that process is timed.
 * Waits >= targ_min_us also go out as events (runqslower).
 * tp_btf only; the enqueue timestamp lives in task storage. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#define OSTOP_RING_BYTES (1 << 18)
#include "ostop.bpf.h"
#include "runqlat.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define MAP_TYPE_TASK_STORAGE 29 /* UAPI BPF_MAP_TYPE_TASK_STORAGE */
#define LOCAL_STORAGE_GET_F_CREATE 1
#define MAP_F_NO_PREALLOC 1
#define TASK_RUNNING 0

const volatile __u64 targ_min_us = 0;

struct task_struct___rq {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct {
	__uint(type, MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, MAP_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} rq_start SEC(".maps");

OSTOP_MAP(rq_hist, BPF_MAP_TYPE_PERCPU_ARRAY, 1, u32, struct runqlat_hist);

OSTOP_MAP(rq_phist, BPF_MAP_TYPE_LRU_HASH, 4096, u32, struct runqlat_hist);

static __always_inline u32 log2_slot(u64 v)
{
	u32 r = 0, s;

	s = (v > 0xFFFFFFFF) << 5; v >>= s; r |= s;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (v >> 1);
	return r >= RQ_SLOTS ? RQ_SLOTS - 1 : r;
}

static __always_inline void enqueue(struct task_struct *p)
{
	struct task_struct___rq *t = (void *)p;
	u64 *ts;

	if (!t->pid || ostop_filtered(t->tgid))
		return;
	ts = bpf_task_storage_get(&rq_start, p, 0, LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(ostop_rq_wakeup, struct task_struct *p)
{
	enqueue(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(ostop_rq_wnew, struct task_struct *p)
{
	enqueue(p);
	return 0;
}

static __always_inline void add(struct runqlat_hist *h, u32 slot, u64 d, bool atomic)
{
	if (atomic) {
		__sync_fetch_and_add(&h->slots[slot & (RQ_SLOTS - 1)], 1);
		__sync_fetch_and_add(&h->count, 1);
		__sync_fetch_and_add(&h->total_ns, d);
	} else {
		h->slots[slot & (RQ_SLOTS - 1)]++;
		h->count++;
		h->total_ns += d;
	}
	if (d > h->max_ns)
		h->max_ns = d;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ostop_rq_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct task_struct___rq *n = (void *)next;
	struct task_struct___rq *pv = (void *)prev;
	u64 *ts, now, d;
	u32 zero = 0, slot, tgid;
	struct runqlat_hist *h;

	/* Preempted while runnable: it waits on the run queue from now. */
	if (prev_state == TASK_RUNNING)
		enqueue(prev);

	if (!n->pid)
		return 0;
	ts = bpf_task_storage_get(&rq_start, next, 0, 0);
	if (!ts || !*ts)
		return 0;
	now = bpf_ktime_get_ns();
	d = now - *ts;
	*ts = 0;
	/* Checked again here: the filter may have changed since the enqueue. */
	if (ostop_filtered(n->tgid))
		return 0;
	slot = log2_slot(d / 1000);

	h = bpf_map_lookup_elem(&rq_hist, &zero);
	if (h)
		add(h, slot, d, false);

	tgid = n->tgid;
	h = bpf_map_lookup_elem(&rq_phist, &tgid);
	if (!h) {
		struct runqlat_hist init = {};

		init.tgid = tgid;
		bpf_map_update_elem(&rq_phist, &tgid, &init, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&rq_phist, &tgid);
	}
	if (h) {
		add(h, slot, d, true);
		bpf_probe_read_kernel(h->comm, sizeof(h->comm), n->comm);
	} else {
		ostop_count_drop(OSTOP_DROP_MAP);
	}

	if (targ_min_us && d >= targ_min_us * 1000) {
		struct runqlat_event *e = ostop_reserve(sizeof(*e));

		if (!e)
			return 0;
		e->ts_ns = now;
		e->lat_ns = d;
		e->pid = tgid;
		e->tid = n->pid;
		e->prev_tid = pv->pid;
		e->cpu = bpf_get_smp_processor_id();
		bpf_probe_read_kernel(e->comm, sizeof(e->comm), n->comm);
		bpf_probe_read_kernel(e->prev_comm, sizeof(e->prev_comm), pv->comm);
		bpf_ringbuf_submit(e, 0);
	}
	return 0;
}
