/* SPDX-License-Identifier: MIT */
/* What the two stack profilers (profile.bpf.c, offcpu.bpf.c) share: the
 * stack-trace map, the queue of new processes and the insert counter, and
 * how a missing stack id is counted. Include after ostop.bpf.h and the
 * tracer's own header (PROFILE_STACK_DEPTH, PROFILE_KNOWN_PIDS,
 * PROFILE_NEW_PIDS come from profile.h, which offcpu.h includes). */
#ifndef OSTOP_STACK_QUEUE_BPF_H
#define OSTOP_STACK_QUEUE_BPF_H

#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef ENOENT
#define ENOENT 2
#endif

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(u32));
	__uint(value_size, PROFILE_STACK_DEPTH * sizeof(u64));
} stacks SEC(".maps");

/* Processes seen with a user stack (LRU: an evicted pid only shows up as
 * new again), and those not yet told to user space: `new_pids` is drained
 * each second (mapDump with clear), so that reading the maps of new
 * processes costs O(new processes), not a read of all of `counts`. */
OSTOP_MAP(known_pids, BPF_MAP_TYPE_LRU_HASH, PROFILE_KNOWN_PIDS, u32, u8);
OSTOP_MAP(new_pids, BPF_MAP_TYPE_HASH, PROFILE_NEW_PIDS, u32, u8);

/* Entries ever inserted into `counts` (index 0): user space tells how full
 * `counts` is without reading it (inserted since its last clear). */
OSTOP_MAP(inserts, BPF_MAP_TYPE_ARRAY, 1, u32, u64);

/* First counted user stack of a process: queue its pid in new_pids. When
 * new_pids is full the pid is not marked known, so a later one retries. */
static __always_inline void note_pid(u32 tgid)
{
	u8 one = 1;

	if (bpf_map_lookup_elem(&known_pids, &tgid))
		return;
	if (bpf_map_update_elem(&new_pids, &tgid, &one, BPF_NOEXIST) && !bpf_map_lookup_elem(&new_pids, &tgid))
		return;
	bpf_map_update_elem(&known_pids, &tgid, &one, BPF_ANY);
}

/* Why a stack id that was asked for is missing, into the tracer's stats
 * struct (both have collisions, stacks_full, no_ustack, no_kstack).
 * -ENOENT: not asked for (user-only / kernel-only). */
#define COUNT_STACK_LOSS(st, id, user)                    \
	do {                                              \
		s32 id__ = (id);                          \
		if (!(st) || id__ >= 0 || id__ == -ENOENT) \
			break;                            \
		if (id__ == -EEXIST)                      \
			(st)->collisions++;               \
		else if (id__ == -ENOMEM)                 \
			(st)->stacks_full++;              \
		else if (user)                            \
			(st)->no_ustack++;                \
		else                                      \
			(st)->no_kstack++;                \
	} while (0)

#endif
