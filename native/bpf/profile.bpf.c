// SPDX-License-Identifier: MIT
/* profile: on-CPU sampling. The addon attaches ostop_profile to a software
 * cpu-clock perf event on every online CPU (freq mode, start option
 * perfFreq; works in VMs without a PMU). Each sample counts one in `counts`
 * by (tgid, tid, comm, kernel stack id, user stack id); the stacks live in
 * `stacks`. Losses (missing stacks, collisions, full maps) go to `stats`. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
/* No records go through the ring: the smallest one. */
#define OSTOP_RING_BYTES 4096
#include "ostop.bpf.h"
#include "profile.h"
#include "stack-queue.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define BPF_F_USER_STACK (1ULL << 8)
#define PF_KTHREAD 0x00200000

const volatile bool targ_idle = false;        /* count samples of the idle task (pid 0) */
const volatile bool targ_user_only = false;   /* no kernel stacks (kstack = -ENOENT) */
const volatile bool targ_kernel_only = false; /* no user stacks (ustack = -ENOENT) */

/* The perf_event program's context: UAPI struct bpf_perf_event_data on
 * x86-64 (bpf_user_pt_regs_t = the UAPI struct pt_regs, 21 registers; ip is
 * the 17th). Stable ABI: no relocation. */
struct ostop_perf_event_data {
	unsigned long regs[21];
	__u64 sample_period;
	__u64 addr;
};
#define PT_REGS_IP_INDEX 16

struct task_struct___prof {
	unsigned int flags;
} __attribute__((preserve_access_index));


OSTOP_MAP(counts, BPF_MAP_TYPE_HASH, 16384, struct profile_key, u64);

OSTOP_MAP(stats, BPF_MAP_TYPE_PERCPU_ARRAY, 1, u32, struct profile_stats);





SEC("perf_event")
int ostop_profile(struct ostop_perf_event_data *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = (u32)id, zero = 0;
	struct profile_key key = {};
	struct profile_stats *st;
	bool in_kernel, kthread;
	u64 *val, one = 1;

	if (ostop_filtered(tgid))
		return 0;
	st = bpf_map_lookup_elem(&stats, &zero);
	if (!tid && !targ_idle) {
		if (st)
			st->idle++;
		return 0;
	}
	if (st)
		st->samples++;

	/* x86-64: kernel text is in the upper half (sign bit set). */
	in_kernel = (long)ctx->regs[PT_REGS_IP_INDEX] < 0;
	kthread = !tid || (BPF_CORE_READ((struct task_struct___prof *)bpf_get_current_task(), flags) & PF_KTHREAD);

	key.pid = tgid;
	key.tid = tid;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	if (targ_user_only) {
		key.kstack = -ENOENT;
	} else {
		key.kstack = bpf_get_stackid(ctx, &stacks, 0);
		if (in_kernel)
			COUNT_STACK_LOSS(st, key.kstack, false);
	}
	if (targ_kernel_only || kthread) {
		key.ustack = targ_kernel_only ? -ENOENT : -EFAULT;
	} else {
		key.ustack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		COUNT_STACK_LOSS(st, key.ustack, true);
		if (key.ustack >= 0)
			note_pid(tgid);
	}

	val = bpf_map_lookup_elem(&counts, &key);
	if (val) {
		__sync_fetch_and_add(val, 1);
		return 0;
	}
	if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST) == 0) {
		val = bpf_map_lookup_elem(&inserts, &zero);
		if (val)
			__sync_fetch_and_add(val, 1);
	} else {
		/* another CPU may have inserted it meanwhile */
		val = bpf_map_lookup_elem(&counts, &key);
		if (val) {
			__sync_fetch_and_add(val, 1);
		} else {
			if (st)
				st->counts_full++;
			ostop_count_drop(OSTOP_DROP_MAP);
		}
	}
	return 0;
}
