/* Wire format of the disk tracer (disksnoop/biosnoop + biolatency).
 * Shared by disk.bpf.c and src/tracers/disk.ts (the TS decoder's offsets are
 * checked against this layout by test/tracers/disk-layout.test.ts).
 * Invariants: fixed-width types only, every pad explicit, sizeof a multiple
 * of 8; append fields at the end and bump nothing else. */
#ifndef OSTOP_DISK_H
#define OSTOP_DISK_H

#define DISK_COMM_LEN 16

/* Normalized request flags (the kernel's __REQ_* bit numbers move between
 * versions; the BPF side maps them through CO-RE enum relocations). */
#define DISK_F_SYNC     (1u << 0)
#define DISK_F_META     (1u << 1)
#define DISK_F_FUA      (1u << 2)
#define DISK_F_PREFLUSH (1u << 3)
#define DISK_F_RAHEAD   (1u << 4)
/* No block_io_start/insert was seen for this request: pid/comm unknown. */
#define DISK_F_NOSTART  (1u << 8)

/* One completed request. Emitted at block_rq_complete. */
struct disk_event {
	__u64 ts_ns;     /* completion, bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 lat_ns;    /* issue -> complete (device time) */
	__u64 queue_ns;  /* io_start/insert -> issue (0 if unknown) */
	__u64 sector;
	__u32 dev;       /* kernel dev_t: major << 20 | minor */
	__u32 bytes;     /* bytes completed */
	__u32 pid;       /* tgid of the submitter, 0 if unknown */
	__u32 tid;
	__u8  op;        /* REQ_OP_*: 0 read, 1 write, 2 flush, 3 discard, 5 secure erase, 9 write zeroes */
	__u8  _pad0;
	__u16 flags;     /* DISK_F_* */
	__s32 error;     /* blk_status_t, 0 = ok */
	char  comm[DISK_COMM_LEN];
};

#define DISK_EVENT_FIELDS(X, T) \
	X(T, ts_ns) X(T, lat_ns) X(T, queue_ns) X(T, sector) X(T, dev) X(T, bytes) \
	X(T, pid) X(T, tid) X(T, op) X(T, flags) X(T, error) X(T, comm)
#define DISK_LAYOUTS(L) L(disk_event, DISK_EVENT_FIELDS)

#endif
