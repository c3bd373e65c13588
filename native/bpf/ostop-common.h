/* Definitions shared by the BPF programs and the addon (C and C++).
 * Fixed-width types only; layouts are part of the wire format. */
#ifndef __OSTOP_COMMON_H__
#define __OSTOP_COMMON_H__

#ifndef __OSTOP_VMLINUX_H__
#include <linux/types.h>
#endif

enum {
	OSTOP_DROP_RING = 0, /* bpf_ringbuf_reserve failed */
	OSTOP_DROP_MAP = 1,  /* aggregation map full: event not counted */
	OSTOP_DROP_MAX = 2,
};

struct ostop_filter {
	__u32 tgid; /* 0 = every process */
	__u32 _pad;
};

/* Layout export: each <tracer>.h defines <TRACER>_LAYOUTS(L) as
 *   L(struct_name, FIELDS_MACRO) ...
 * and FIELDS_MACRO(X, T) as X(T, field) ... so the addon can export
 * offsetof/sizeof of every field and a test can compare them with the
 * offsets the TypeScript decoder uses. */

#endif
