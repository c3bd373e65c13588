/* Shared BPF-side plumbing every ostop tracer includes (after vmlinux.h).
 *
 * Contract with the addon (native/addon/lifecycle.cc, maps.cc), which finds these maps by
 * name in every tracer object:
 *   events  ringbuf: one record per event, layout from <tracer>.h
 *   drops   per-CPU array, OSTOP_DROP_MAX slots: [0] ring reserve failures,
 *           [1] in-kernel aggregation map full (events not counted)
 *   filter  array[1] of struct ostop_filter: runtime filters (target PID),
 *           rewritten from JS without reloading
 * Program names must start with "ostop_" (15 chars max in the kernel) so a
 * leftover program is recognisable in `bpftool prog show`.
 */
#ifndef __OSTOP_BPF_H__
#define __OSTOP_BPF_H__

#include "ostop-common.h"

/* A map of the usual shape, in one line:
 *   OSTOP_MAP(name, BPF_MAP_TYPE_..., max_entries, key type, value type); */
#define OSTOP_MAP(name, map_type, entries, key_type, value_type) \
	struct {                                                  \
		__uint(type, map_type);                           \
		__uint(max_entries, entries);                     \
		__type(key, key_type);                            \
		__type(value, value_type);                        \
	} name SEC(".maps")

#ifndef OSTOP_RING_BYTES
#define OSTOP_RING_BYTES (1 << 22)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, OSTOP_RING_BYTES);
} events SEC(".maps");

OSTOP_MAP(drops, BPF_MAP_TYPE_PERCPU_ARRAY, OSTOP_DROP_MAX, u32, u64);

OSTOP_MAP(filter, BPF_MAP_TYPE_ARRAY, 1, u32, struct ostop_filter);

static __always_inline void ostop_count_drop(u32 slot)
{
	u64 *c = bpf_map_lookup_elem(&drops, &slot);
	if (c)
		(*c)++;
}

/* True when the event of process `tgid` must be skipped by the PID filter. */
static __always_inline bool ostop_filtered(u32 tgid)
{
	u32 zero = 0;
	struct ostop_filter *f = bpf_map_lookup_elem(&filter, &zero);
	return f && f->tgid && f->tgid != tgid;
}

/* Moves the calling thread's entry of `map` (key: tid, e.g. what a syscall's
 * enter program saved for its exit) into *out and deletes it; evaluates to
 * false when the thread has none. */
#define ostop_take_thread(map, out)                                     \
	({                                                              \
		u32 __tid = (u32)bpf_get_current_pid_tgid();            \
		typeof(out) __v = bpf_map_lookup_elem(&(map), &__tid);  \
		if (__v) {                                              \
			*(out) = *__v;                                  \
			bpf_map_delete_elem(&(map), &__tid);            \
		}                                                       \
		__v != 0;                                               \
	})

/* Programs on the syscalls:sys_enter_<sys> / sys_exit_<sys> tracepoints
 * whose whole body is `return <call>;` (ctx is the tracepoint's record):
 *   OSTOP_SYSCALL_ENTER(ostop_foo_open, open, on_enter(ctx->args[0]))
 *   OSTOP_SYSCALL_EXIT(ostop_foo_open_x, open, on_exit(ctx->ret)) */
#define OSTOP_SYSCALL_ENTER(prog, sys, call)                           \
	SEC("tp/syscalls/sys_enter_" #sys)                             \
	int prog(struct trace_event_raw_sys_enter *ctx) { return call; }
#define OSTOP_SYSCALL_EXIT(prog, sys, call)                            \
	SEC("tp/syscalls/sys_exit_" #sys)                              \
	int prog(struct trace_event_raw_sys_exit *ctx) { return call; }

/* Reserve a ring record; counts the drop when the ring is full. */
static __always_inline void *ostop_reserve(u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		ostop_count_drop(OSTOP_DROP_RING);
	return e;
}

#endif
