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

#ifndef OSTOP_RING_BYTES
#define OSTOP_RING_BYTES (1 << 22)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, OSTOP_RING_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OSTOP_DROP_MAX);
	__type(key, u32);
	__type(value, u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct ostop_filter);
} filter SEC(".maps");

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

/* Reserve a ring record; counts the drop when the ring is full. */
static __always_inline void *ostop_reserve(u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		ostop_count_drop(OSTOP_DROP_RING);
	return e;
}

#endif
