// SPDX-License-Identifier: MIT
/* The least a syscall tracer can cost: programs on raw_syscalls sys_enter
 * and sys_exit (tp_btf, as ostop's tracer) that only check the PID, and the
 * same plus one bpf_ktime_get_ns() per hook (what latency needs). Loaded by
 * floor.c for bench/syscalls-bench.ts: the ratio to untraced these give is
 * the floor under any in-kernel syscall counting on this machine. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

const volatile __u32 targ_pid = 0;
__u64 sink = 0;

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit)
{
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter_ts)
{
	if ((bpf_get_current_pid_tgid() >> 32) == targ_pid)
		sink += bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit_ts)
{
	if ((bpf_get_current_pid_tgid() >> 32) == targ_pid)
		sink += bpf_ktime_get_ns();
	return 0;
}
