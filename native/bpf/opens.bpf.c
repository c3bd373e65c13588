// SPDX-License-Identifier: MIT
/* opens: every open/openat/openat2 with its result.
 * enter: remember the user path pointer per thread; exit: read the path and
 * either stream an opens_event (targ_summary = 0) or count it in the
 * "summary" hash keyed by (pid, comm, path) (targ_summary = 1), so an open
 * storm costs a map update rather than a ring record plus a JS decode.
 *
 * Two variants, chosen at start by src/tracers/opens.ts through the addon's
 * probe (the other one is not loaded):
 *  - fast: one tp_btf/sys_exit program reads the arguments from the saved
 *    user registers when open/openat/openat2 returns: no enter program, no
 *    per-thread map. x86-64 syscall numbers.
 *  - portable: syscalls:sys_enter_* remembers the path pointer per thread,
 *    syscalls:sys_exit_* reports. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "ostop.bpf.h"
#include "opens.h"

const volatile bool targ_failed = false;  /* only report failed opens */
const volatile bool targ_summary = false; /* count in-kernel, no ring records */

struct start {
	u64 path;
	s32 flags;
	u32 mode;
	u8 syscall;
};

OSTOP_MAP(starts, BPF_MAP_TYPE_LRU_HASH, 10240, u32, struct start);

OSTOP_MAP(summary, BPF_MAP_TYPE_HASH, 16384, struct opens_key, struct opens_count);

/* Scratch key: too big to build on the stack next to everything else. */
OSTOP_MAP(scratch, BPF_MAP_TYPE_PERCPU_ARRAY, 1, u32, struct opens_key);

static __always_inline int on_enter(u64 path, s32 flags, u32 mode, u8 sc)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	if (ostop_filtered(id >> 32))
		return 0;
	struct start s = { .path = path, .flags = flags, .mode = mode, .syscall = sc };
	bpf_map_update_elem(&starts, &tid, &s, BPF_ANY);
	return 0;
}

static __always_inline int report(u64 id, const struct start *sp, long ret)
{
	struct start st = *sp;
	u32 tid = (u32)id;
	if (targ_failed && ret >= 0)
		return 0;

	if (targ_summary) {
		u32 zero = 0;
		struct opens_key *k = bpf_map_lookup_elem(&scratch, &zero);
		if (!k)
			return 0;
		/* The whole key is hashed: bytes after the NUL must be zero. */
		__builtin_memset(k, 0, sizeof(*k));
		k->pid = id >> 32;
		bpf_get_current_comm(k->comm, sizeof(k->comm));
		bpf_probe_read_user_str(k->path, sizeof(k->path), (const void *)st.path);
		struct opens_count *c = bpf_map_lookup_elem(&summary, k);
		if (!c) {
			struct opens_count init = {};
			/* NOEXIST: a racing CPU may have inserted it; then lookup finds it. */
			bpf_map_update_elem(&summary, k, &init, BPF_NOEXIST);
			c = bpf_map_lookup_elem(&summary, k);
			if (!c) {
				ostop_count_drop(OSTOP_DROP_MAP);
				return 0;
			}
		}
		__sync_fetch_and_add(&c->count, 1);
		if (ret < 0)
			__sync_fetch_and_add(&c->errors, 1);
		return 0;
	}

	struct opens_event *e = ostop_reserve(sizeof(*e));
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = tid;
	e->uid = (u32)bpf_get_current_uid_gid();
	e->ret = (s32)ret;
	e->flags = st.flags;
	e->mode = st.mode;
	e->syscall = st.syscall;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	long n = bpf_probe_read_user_str(e->path, sizeof(e->path), (const void *)st.path);
	e->path_len = n > 0 ? (u16)(n - 1) : 0;
	if (n <= 0)
		e->path[0] = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int on_exit(long ret)
{
	struct start st;
	if (!ostop_take_thread(starts, &st))
		return 0;
	return report(bpf_get_current_pid_tgid(), &st, ret);
}

#define NR_open 2
#define NR_openat 257
#define NR_openat2 437

SEC("tp_btf/sys_exit")
int BPF_PROG(ostop_opens_fast, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	struct start st;
	if (nr == NR_openat) {
		st.path = regs->si;
		st.flags = (s32)regs->dx;
		st.mode = (u32)regs->r10;
		st.syscall = OPENS_SYS_OPENAT;
	} else if (nr == NR_open) {
		st.path = regs->di;
		st.flags = (s32)regs->si;
		st.mode = (u32)regs->dx;
		st.syscall = OPENS_SYS_OPEN;
	} else if (nr == NR_openat2) {
		u64 flags = 0;
		bpf_probe_read_user(&flags, sizeof(flags), (const void *)regs->dx);
		st.path = regs->si;
		st.flags = (s32)flags;
		st.mode = 0;
		st.syscall = OPENS_SYS_OPENAT2;
	} else {
		return 0;
	}
	u64 id = bpf_get_current_pid_tgid();
	if (ostop_filtered(id >> 32))
		return 0;
	return report(id, &st, ret);
}

OSTOP_SYSCALL_ENTER(ostop_opens_openat, openat, on_enter(ctx->args[1], (s32)ctx->args[2], (u32)ctx->args[3], OPENS_SYS_OPENAT))
OSTOP_SYSCALL_EXIT(ostop_opens_openat_x, openat, on_exit(ctx->ret))

SEC("tp/syscalls/sys_enter_openat2")
int ostop_opens_openat2(struct trace_event_raw_sys_enter *ctx)
{
	/* args: dfd, filename, struct open_how *how, usize; how->flags is the first u64 */
	u64 flags = 0;
	bpf_probe_read_user(&flags, sizeof(flags), (const void *)ctx->args[2]);
	return on_enter(ctx->args[1], (s32)flags, 0, OPENS_SYS_OPENAT2);
}
OSTOP_SYSCALL_EXIT(ostop_opens_openat2_x, openat2, on_exit(ctx->ret))

/* Absent on architectures without open(2) (arm64): the addon's feature probe
 * disables these two when the tracepoint does not exist. */
OSTOP_SYSCALL_ENTER(ostop_opens_open, open, on_enter(ctx->args[0], (s32)ctx->args[1], (u32)ctx->args[2], OPENS_SYS_OPEN))
OSTOP_SYSCALL_EXIT(ostop_opens_open_x, open, on_exit(ctx->ret))

char LICENSE[] SEC("license") = "Dual MIT/GPL";
