// SPDX-License-Identifier: MIT
/* Syscalls tracer on raw_syscalls sys_enter/sys_exit (tp_btf: no tracefs,
 * no kprobes). Three modes, chosen at load by rodata targ_mode:
 *  STREAM: per syscall of the filtered process one event at exit with args,
 *          return value, duration and a blob (path, first data bytes or
 *          sockaddr) read from user memory;
 *  COUNT:  per-syscall count/errors/total/max in a per-CPU array, nothing
 *          sent through the ring (cheap: the syscount of one PID or all);
 *  PROC:   the same keyed by (tgid, nr), system-wide top syscalls by process.
 * The PID filter (map `filter`, 0 = all) can change at runtime; ostop's own
 * process (targ_self) is always skipped so tracing never feeds itself.
 * Entry state lives in task storage (one slot per thread, freed with it).
 * Syscall numbers and argument kinds are x86_64's (the only table shipped). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "ostop.bpf.h"
#include "syscalls.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define MAP_TYPE_TASK_STORAGE 29 /* UAPI BPF_MAP_TYPE_TASK_STORAGE */
#define LOCAL_STORAGE_GET_F_CREATE 1
#define MAP_F_NO_PREALLOC 1

const volatile __u32 targ_mode = SC_MODE_STREAM;
const volatile __u32 targ_self = 0;
/* COUNT/PROC modes: 0 = counts and errors only, from sys_exit alone (the
 * syscall number from orig_ax): no entry hook, about half the cost; userspace
 * then leaves ostop_sc_enter unloaded. */
const volatile __u32 targ_lat = 1;
/* STREAM: copy the first bytes of read/write buffers (K_READ/K_WRITE). Off
 * by default: bpf_probe_read_user costs ~165 ns here, more than the rest of
 * the event; paths and sockaddrs are always read. */
const volatile __u32 targ_data = 0;

struct pt_regs___ostop {
	unsigned long di, si, dx, r10, r8, r9, orig_ax;
} __attribute__((preserve_access_index));

/* What to read from user memory, by syscall number: low 4 bits the kind,
 * high 4 bits the argument index of the pointer. */
#define K_NONE 0
#define K_PATH 1 /* path at exit (the kernel has faulted it in) */
#define K_EXEC 2 /* path at entry: the old mm is gone after a successful exec */
#define K_WRITE 3 /* data, pointer arg1, length arg2, at exit */
#define K_READ 4  /* data, pointer arg1, length ret, at exit */
#define K_SOCK 5  /* sockaddr, pointer arg1, length arg2 */
#define K_NORET 6 /* never returns: emit at entry */
#define A(k, i) ((k) | ((i) << 4))

static const u8 sc_kind[SC_NR_MAX] = {
	[0] = K_READ, [1] = K_WRITE, [2] = A(K_PATH, 0), [4] = A(K_PATH, 0), [6] = A(K_PATH, 0),
	[17] = K_READ, [18] = K_WRITE, [21] = A(K_PATH, 0), [42] = K_SOCK, [44] = K_WRITE,
	[45] = K_READ, [49] = K_SOCK, [59] = A(K_EXEC, 0), [60] = K_NORET,
	[76] = A(K_PATH, 0), [80] = A(K_PATH, 0), [82] = A(K_PATH, 0), [83] = A(K_PATH, 0),
	[84] = A(K_PATH, 0), [85] = A(K_PATH, 0), [86] = A(K_PATH, 0), [87] = A(K_PATH, 0),
	[88] = A(K_PATH, 0), [89] = A(K_PATH, 0), [90] = A(K_PATH, 0), [92] = A(K_PATH, 0),
	[94] = A(K_PATH, 0), [133] = A(K_PATH, 0), [137] = A(K_PATH, 0), [161] = A(K_PATH, 0),
	[165] = A(K_PATH, 1), [166] = A(K_PATH, 0), [167] = A(K_PATH, 0), [231] = K_NORET,
	[254] = A(K_PATH, 1), [257] = A(K_PATH, 1), [258] = A(K_PATH, 1), [259] = A(K_PATH, 1),
	[260] = A(K_PATH, 1), [261] = A(K_PATH, 1), [262] = A(K_PATH, 1), [263] = A(K_PATH, 1),
	[264] = A(K_PATH, 1), [265] = A(K_PATH, 1), [266] = A(K_PATH, 0), [267] = A(K_PATH, 1),
	[268] = A(K_PATH, 1), [269] = A(K_PATH, 1), [280] = A(K_PATH, 1), [316] = A(K_PATH, 1),
	[322] = A(K_EXEC, 1), [332] = A(K_PATH, 1), [428] = A(K_PATH, 1), [437] = A(K_PATH, 1),
	[439] = A(K_PATH, 1), [452] = A(K_PATH, 1),
};

struct sc_stash {
	u64 ts;          /* 0 = no syscall pending */
	u64 args[6];
	s32 nr;
	s32 path_len;    /* K_EXEC: bytes read at entry incl. NUL, < 0 error */
	char path[SC_PATH_MAX];
};

struct {
	__uint(type, MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, MAP_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sc_stash);
} sc_stash SEC(".maps");

OSTOP_MAP(sc_stats, BPF_MAP_TYPE_PERCPU_ARRAY, SC_NR_MAX, u32, struct syscall_stat);

OSTOP_MAP(sc_pstats, BPF_MAP_TYPE_PERCPU_HASH, 16384, struct syscall_pkey, struct syscall_stat);

struct sc_event_path {
	struct syscall_event h;
	char blob[SC_PATH_MAX];
};
struct sc_event_data {
	struct syscall_event h;
	char blob[SC_DATA_MAX];
};

static __always_inline bool skip(u32 tgid)
{
	return tgid == targ_self || ostop_filtered(tgid);
}

static __always_inline void fill_head(struct syscall_event *e, struct sc_stash *st, u64 id, u64 now, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();

	e->ts_ns = st->ts;
	e->dur_ns = now - st->ts;
	e->args[0] = st->args[0];
	e->args[1] = st->args[1];
	e->args[2] = st->args[2];
	e->args[3] = st->args[3];
	e->args[4] = st->args[4];
	e->args[5] = st->args[5];
	e->ret = ret;
	e->pid = id >> 32;
	e->tid = (u32)id;
	e->nr = st->nr;
	e->flags = 0;
	e->blob_kind = SC_BLOB_NONE;
	e->_pad0 = 0;
	e->blob_len = 0;
	e->_pad1[0] = e->_pad1[1] = e->_pad1[2] = 0;
	/* Two loads from the trusted task pointer instead of the
	 * bpf_get_current_comm helper (~120 ns per event here). */
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
}

static __always_inline void emit_stream(struct sc_stash *st, u64 id, u64 now, long ret, bool noret)
{
	u32 nr = st->nr;
	u8 k = nr < SC_NR_MAX ? sc_kind[nr & (SC_NR_MAX - 1)] : K_NONE;
	u8 kind = k & 15;
	u64 ptr = (k >> 4) == 1 ? st->args[1] : st->args[0]; /* only arg 0 or 1 hold paths */

	if (kind == K_PATH || kind == K_EXEC) {
		struct sc_event_path *e = ostop_reserve(sizeof(*e));
		long n;

		if (!e)
			return;
		fill_head(&e->h, st, id, now, ret);
		e->h.blob_kind = SC_BLOB_PATH;
		if (kind == K_EXEC) {
			n = st->path_len;
			if (n > 0)
				bpf_probe_read_kernel(e->blob, sizeof(e->blob), st->path);
		} else {
			n = bpf_probe_read_user_str(e->blob, sizeof(e->blob), (void *)ptr);
		}
		if (n > 0) {
			e->h.blob_len = n - 1;
			if (n == SC_PATH_MAX)
				e->h.flags |= SC_F_TRUNC;
		} else if (ptr) {
			e->h.flags |= SC_F_BLOBERR;
		}
		if (noret)
			e->h.flags |= SC_F_NORETURN;
		bpf_ringbuf_submit(e, 0);
		return;
	}
	if (kind == K_SOCK || (targ_data && (kind == K_WRITE || kind == K_READ))) {
		struct sc_event_data *e = ostop_reserve(sizeof(*e));
		u64 want = kind == K_READ ? (ret > 0 ? (u64)ret : 0) : st->args[2];
		u32 len = want > SC_DATA_MAX ? SC_DATA_MAX : (u32)want;

		if (!e)
			return;
		fill_head(&e->h, st, id, now, ret);
		e->h.blob_kind = kind == K_SOCK ? SC_BLOB_SOCKADDR : SC_BLOB_DATA;
		if (len > 0 && len <= SC_DATA_MAX) {
			if (bpf_probe_read_user(e->blob, len, (void *)st->args[1]) == 0) {
				e->h.blob_len = len;
				if (want > len)
					e->h.flags |= SC_F_TRUNC;
			} else {
				e->h.flags |= SC_F_BLOBERR;
			}
		}
		bpf_ringbuf_submit(e, 0);
		return;
	}
	struct syscall_event *e = ostop_reserve(sizeof(*e));
	if (!e)
		return;
	fill_head(e, st, id, now, ret);
	if (noret)
		e->flags |= SC_F_NORETURN;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void add_stat(struct syscall_stat *s, u64 dur, long ret)
{
	s->count++;
	if (ret < 0 && ret >= -4095)
		s->errors++;
	s->total_ns += dur;
	if (dur > s->max_ns)
		s->max_ns = dur;
}

static __always_inline struct syscall_stat *stat_slot(s32 nr, u64 pid_tgid)
{
	if (targ_mode == SC_MODE_COUNT) {
		u32 k = nr;

		return k < SC_NR_MAX ? bpf_map_lookup_elem(&sc_stats, &k) : NULL;
	}
	struct syscall_pkey key = { .tgid = pid_tgid >> 32, .nr = nr };
	struct syscall_stat *s = bpf_map_lookup_elem(&sc_pstats, &key);

	if (!s) {
		struct syscall_stat zero = {};

		/* EEXIST from a racing CPU is fine: look it up again. */
		bpf_map_update_elem(&sc_pstats, &key, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&sc_pstats, &key);
		if (!s)
			ostop_count_drop(OSTOP_DROP_MAP);
	}
	return s;
}

static __always_inline void count_only(struct sc_stash *st, u64 pid_tgid, long ret)
{
	struct syscall_stat *s = stat_slot(st->nr, pid_tgid);

	if (s) {
		s->count++;
		if (ret < 0 && ret >= -4095)
			s->errors++;
	}
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ostop_sc_enter, struct pt_regs___ostop *regs, long id)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	struct sc_stash *st;

	if (skip(pid_tgid >> 32))
		return 0;
	st = bpf_task_storage_get(&sc_stash, bpf_get_current_task_btf(), 0, LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	st->nr = id;
	if (targ_mode == SC_MODE_STREAM) {
		st->args[0] = regs->di;
		st->args[1] = regs->si;
		st->args[2] = regs->dx;
		st->args[3] = regs->r10;
		st->args[4] = regs->r8;
		st->args[5] = regs->r9;
		if ((u64)id < SC_NR_MAX) {
			u8 k = sc_kind[id & (SC_NR_MAX - 1)];
			if ((k & 15) == K_EXEC) {
				u64 ptr = (k >> 4) == 1 ? st->args[1] : st->args[0];
				st->path_len = bpf_probe_read_user_str(st->path, sizeof(st->path), (void *)ptr);
			} else if ((k & 15) == K_NORET) {
				st->ts = bpf_ktime_get_ns();
				emit_stream(st, pid_tgid, st->ts, 0, true);
				st->ts = 0;
				return 0;
			}
		}
	}
	st->ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ostop_sc_exit, struct pt_regs___ostop *regs, long ret)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	struct sc_stash *st;
	u64 now, dur;

	if (skip(pid_tgid >> 32))
		return 0;
	if (targ_mode != SC_MODE_STREAM && !targ_lat) {
		struct sc_stash tmp;

		tmp.nr = regs->orig_ax;
		count_only(&tmp, pid_tgid, ret);
		return 0;
	}
	st = bpf_task_storage_get(&sc_stash, bpf_get_current_task_btf(), 0, 0);
	if (!st || !st->ts)
		return 0;
	now = bpf_ktime_get_ns();
	dur = now - st->ts;
	if (targ_mode == SC_MODE_STREAM) {
		emit_stream(st, pid_tgid, now, ret, false);
	} else {
		struct syscall_stat *s = stat_slot(st->nr, pid_tgid);

		if (s)
			add_stat(s, dur, ret);
	}
	st->ts = 0;
	return 0;
}
