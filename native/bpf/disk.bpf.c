// SPDX-License-Identifier: MIT
/* Disk I/O tracer: one event per completed block request with its size,
 * device latency (issue -> complete) and queue time, attributed to the
 * process that submitted it.
 *
 * Only tp_btf tracepoints are used (no kprobes, no tracefs needed), keyed by
 * the struct request pointer:
 *   block_io_start (>= 6.5) or block_rq_insert (older): submitter pid/comm,
 *   block_rq_issue: start of device time,
 *   block_rq_complete: emit.
 * Userspace autoloads exactly one of ostop_dk_start / ostop_dk_insert.
 * The PID filter applies to the submitter; requests whose submitter was not
 * seen are still reported (pid 0) unless a PID filter is set.
 * Requests that never complete age out of the LRU map. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#define OSTOP_RING_BYTES (1 << 20)
#include "ostop.bpf.h"
#include "disk.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Kernel types, flavored (___ostop) so they never clash with vmlinux.h;
 * CO-RE strips the suffix when matching against the running kernel. */
struct gendisk___ostop {
	int major;
	int first_minor;
} __attribute__((preserve_access_index));

struct request_queue___ostop {
	struct gendisk___ostop *disk;
} __attribute__((preserve_access_index));

struct request___ostop {
	struct request_queue___ostop *q;
	unsigned int cmd_flags;
	unsigned int __data_len;
	u64 __sector;
} __attribute__((preserve_access_index));

enum req_flag_bits___ostop {
	__REQ_SYNC___ostop = 11,
	__REQ_META___ostop = 12,
	__REQ_FUA___ostop = 17,
	__REQ_PREFLUSH___ostop = 18,
	__REQ_RAHEAD___ostop = 19,
};

struct disk_start {
	u64 start_ns;
	u64 issue_ns;
	u32 pid;
	u32 tid;
	char comm[DISK_COMM_LEN];
};

OSTOP_MAP(disk_starts, BPF_MAP_TYPE_LRU_HASH, 16384, u64, struct disk_start);

static __always_inline int on_start(void *rq)
{
	u64 key = (u64)rq;
	u64 id = bpf_get_current_pid_tgid();
	struct disk_start s = {};

	if (ostop_filtered(id >> 32))
		return 0;
	s.start_ns = bpf_ktime_get_ns();
	s.pid = id >> 32;
	s.tid = (u32)id;
	bpf_get_current_comm(s.comm, sizeof(s.comm));
	bpf_map_update_elem(&disk_starts, &key, &s, BPF_ANY);
	return 0;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(ostop_dk_start, struct request___ostop *rq)
{
	return on_start(rq);
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(ostop_dk_insert, struct request___ostop *rq)
{
	return on_start(rq);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(ostop_dk_issue, struct request___ostop *rq)
{
	u64 key = (u64)rq;
	u64 now = bpf_ktime_get_ns();
	struct disk_start *s = bpf_map_lookup_elem(&disk_starts, &key);
	u32 zero = 0;
	struct ostop_filter *f;

	if (s) {
		s->issue_ns = now;
		return 0;
	}
	/* Submitter unknown: only kept when no PID filter is set. */
	f = bpf_map_lookup_elem(&filter, &zero);
	if (f && f->tgid)
		return 0;
	struct disk_start n = {};
	n.issue_ns = now;
	bpf_map_update_elem(&disk_starts, &key, &n, BPF_ANY);
	return 0;
}

#define REQ_BIT(cf, name, out) \
	((bpf_core_enum_value_exists(enum req_flag_bits___ostop, name##___ostop) && \
	  ((cf) >> bpf_core_enum_value(enum req_flag_bits___ostop, name##___ostop)) & 1) ? (out) : 0)

SEC("tp_btf/block_rq_complete")
int BPF_PROG(ostop_dk_done, struct request___ostop *rq, int error, unsigned int nr_bytes)
{
	u64 key = (u64)rq;
	u64 now = bpf_ktime_get_ns();
	struct disk_start *s = bpf_map_lookup_elem(&disk_starts, &key);
	struct disk_event *e;
	struct gendisk___ostop *disk;
	u32 cf;

	/* Not issued while we were attached: no latency to report. */
	if (!s)
		return 0;
	if (!s->issue_ns)
		goto out;
	e = ostop_reserve(sizeof(*e));
	if (!e)
		goto out;
	e->ts_ns = now;
	e->lat_ns = now - s->issue_ns;
	e->queue_ns = s->start_ns && s->issue_ns > s->start_ns ? s->issue_ns - s->start_ns : 0;
	e->sector = BPF_CORE_READ(rq, __sector);
	disk = BPF_CORE_READ(rq, q, disk);
	e->dev = disk ? ((u32)BPF_CORE_READ(disk, major) << 20) | (u32)BPF_CORE_READ(disk, first_minor) : 0;
	e->bytes = nr_bytes;
	e->pid = s->pid;
	e->tid = s->tid;
	cf = BPF_CORE_READ(rq, cmd_flags);
	e->op = cf & 0xff;
	e->_pad0 = 0;
	e->flags = REQ_BIT(cf, __REQ_SYNC, DISK_F_SYNC) | REQ_BIT(cf, __REQ_META, DISK_F_META) |
		   REQ_BIT(cf, __REQ_FUA, DISK_F_FUA) | REQ_BIT(cf, __REQ_PREFLUSH, DISK_F_PREFLUSH) |
		   REQ_BIT(cf, __REQ_RAHEAD, DISK_F_RAHEAD) | (s->start_ns ? 0 : DISK_F_NOSTART);
	e->error = error;
	__builtin_memcpy(e->comm, s->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&disk_starts, &key);
	return 0;
}
