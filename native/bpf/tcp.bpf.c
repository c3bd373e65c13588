// SPDX-License-Identifier: MIT
/* TCP tracer: connection lifecycle (like tcplife), connect/accept events and
 * retransmits, from sock:inet_sock_set_state and tcp:tcp_retransmit_skb
 * (tp_btf; no kprobes).
 *
 * The owner pid is only taken in transitions that run in the owner's
 * process context: SYN_SENT (connect), FIN_WAIT1 (close/shutdown by us),
 * LAST_ACK (close after the peer's FIN). Other transitions run in softirq,
 * where "current" is whoever was interrupted (on loopback: the peer), so
 * an accepted socket's owner is known only from its close.
 * The PID filter is applied to records whose owner is known. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#define OSTOP_RING_BYTES (1 << 20)
#include "ostop.bpf.h"
#include "tcp.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

enum {
	S_ESTABLISHED = 1, S_SYN_SENT, S_SYN_RECV, S_FIN_WAIT1, S_FIN_WAIT2, S_TIME_WAIT,
	S_CLOSE, S_CLOSE_WAIT, S_LAST_ACK, S_LISTEN, S_CLOSING, S_NEW_SYN_RECV,
};

struct in6_addr___ostop {
	union {
		u8 u6_addr8[16];
	} in6_u;
} __attribute__((preserve_access_index));

struct sock_common___ostop {
	unsigned short skc_family;
	volatile unsigned char skc_state;
	u16 skc_num;
	__be16 skc_dport;
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	struct in6_addr___ostop skc_v6_daddr;
	struct in6_addr___ostop skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock___ostop {
	struct sock_common___ostop __sk_common;
	u16 sk_protocol;
	int sk_err;
} __attribute__((preserve_access_index));

struct inet_sock___ostop {
	__be16 inet_sport;
} __attribute__((preserve_access_index));

struct tcp_sock___ostop {
	u64 bytes_acked;
	u64 bytes_received;
	u32 total_retrans;
	u32 srtt_us;
	u32 snd_una;
	u32 write_seq;
} __attribute__((preserve_access_index));

struct tcp_conn {
	u64 start_ns;
	u32 pid;
	u32 retrans;
	u8 dir;
	u8 _pad[7];
	char comm[TCP_COMM_LEN];
};

OSTOP_MAP(tcp_conns, BPF_MAP_TYPE_LRU_HASH, 16384, u64, struct tcp_conn);

static __always_inline void fill_addrs(struct tcp_event *e, struct sock___ostop *sk)
{
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	e->family = family;
	/* inet_sport, not skc_num: the latter is already 0 when a socket that
	 * handed over to a timewait socket reaches CLOSE. */
	e->sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock___ostop *)sk, inet_sport));
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	__builtin_memset(e->daddr, 0, sizeof(e->daddr));
	if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&e->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&e->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	} else {
		BPF_CORE_READ_INTO((u32 *)e->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((u32 *)e->daddr, sk, __sk_common.skc_daddr);
	}
}

static __always_inline bool owner_filtered(u32 pid)
{
	u32 zero = 0;
	struct ostop_filter *f = bpf_map_lookup_elem(&filter, &zero);
	return f && f->tgid && f->tgid != pid;
}

/* bytes_acked and bytes_received count sequence space, not payload: an
 * active open's SYN is in bytes_acked (tcp_ack() acknowledges it; a passive
 * open's SYN-ACK is not), our FIN once acknowledged, and the peer's FIN in
 * bytes_received. Take them out so the record carries payload bytes.
 * Left uncorrected: the SYN of a connection opened before attach (its
 * direction is unknown), and a FIN_WAIT2 timeout (counted as if the peer's
 * FIN had arrived). */
static __always_inline void payload(struct tcp_event *e, struct tcp_sock___ostop *tp, struct tcp_conn *c,
				    int oldstate, u8 type)
{
	u64 tx = BPF_CORE_READ(tp, bytes_acked);
	u64 rx = BPF_CORE_READ(tp, bytes_received);

	if (c && c->dir == TCP_DIR_ACTIVE && tx)
		tx--;
	if (type == TCP_EV_CLOSE) {
		bool fin_sent = oldstate == S_FIN_WAIT1 || oldstate == S_FIN_WAIT2 || oldstate == S_CLOSING ||
				oldstate == S_LAST_ACK || oldstate == S_TIME_WAIT;
		bool peer_fin = oldstate == S_CLOSE_WAIT || oldstate == S_LAST_ACK || oldstate == S_CLOSING ||
				oldstate == S_TIME_WAIT || oldstate == S_FIN_WAIT2;

		if (fin_sent && tx && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq))
			tx--;
		if (peer_fin && rx)
			rx--;
	}
	e->tx_bytes = tx;
	e->rx_bytes = rx;
}

static __always_inline void emit(struct sock___ostop *sk, struct tcp_conn *c, u8 type, int oldstate, int newstate)
{
	struct tcp_sock___ostop *tp = (void *)sk;
	struct tcp_event *e;
	u32 pid = c ? c->pid : 0;

	if (owner_filtered(pid))
		return;
	e = ostop_reserve(sizeof(*e));
	if (!e)
		return;
	e->ts_ns = bpf_ktime_get_ns();
	e->start_ns = c ? c->start_ns : 0;
	e->sock = (u64)sk;
	payload(e, tp, c, oldstate, type);
	e->pid = pid;
	e->retrans = type == TCP_EV_RETRANS ? (c ? c->retrans : 0) : BPF_CORE_READ(tp, total_retrans);
	fill_addrs(e, sk);
	e->type = type;
	e->dir = c ? c->dir : TCP_DIR_UNKNOWN;
	e->oldstate = oldstate;
	e->newstate = newstate;
	/* Set before the move to CLOSE by the path that ends the connection:
	 * tcp_reset() (ECONNREFUSED in SYN_SENT, else ECONNRESET/EPIPE),
	 * tcp_write_err() (ETIMEDOUT), tcp_v4/v6_err() (EHOSTUNREACH... in
	 * SYN_SENT), tcp_abort() (ECONNABORTED). 0 after a normal close. */
	e->err = type == TCP_EV_CLOSE ? (u16)BPF_CORE_READ(sk, sk_err) : 0;
	e->srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	if (c)
		__builtin_memcpy(e->comm, c->comm, sizeof(e->comm));
	else
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void take_owner(struct tcp_conn *c)
{
	c->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(c->comm, sizeof(c->comm));
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ostop_tcp_state, struct sock___ostop *sk, int oldstate, int newstate)
{
	u64 key = (u64)sk;
	struct tcp_conn *c;

	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (oldstate == S_LISTEN && newstate == S_CLOSE)
		return 0; /* a listener going away: not a connection */

	if (newstate == S_SYN_SENT || newstate == S_SYN_RECV) {
		struct tcp_conn n = {};

		n.start_ns = bpf_ktime_get_ns();
		if (newstate == S_SYN_SENT) {
			n.dir = TCP_DIR_ACTIVE;
			take_owner(&n);
		} else {
			n.dir = TCP_DIR_PASSIVE;
		}
		bpf_map_update_elem(&tcp_conns, &key, &n, BPF_ANY);
		return 0;
	}

	c = bpf_map_lookup_elem(&tcp_conns, &key);
	if (newstate == S_ESTABLISHED) {
		if (c && (oldstate == S_SYN_SENT || oldstate == S_SYN_RECV))
			emit(sk, c, oldstate == S_SYN_SENT ? TCP_EV_CONNECT : TCP_EV_ACCEPT, oldstate, newstate);
		return 0;
	}
	if (newstate == S_FIN_WAIT1 || newstate == S_LAST_ACK) {
		if (!c) {
			struct tcp_conn n = {};

			bpf_map_update_elem(&tcp_conns, &key, &n, BPF_NOEXIST);
			c = bpf_map_lookup_elem(&tcp_conns, &key);
			if (!c)
				return 0;
		}
		if (!c->pid)
			take_owner(c);
		return 0;
	}
	if (newstate == S_CLOSE) {
		emit(sk, c, TCP_EV_CLOSE, oldstate, newstate);
		if (c)
			bpf_map_delete_elem(&tcp_conns, &key);
	}
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(ostop_tcp_retx, struct sock___ostop *sk)
{
	u64 key = (u64)sk;
	struct tcp_conn *c = bpf_map_lookup_elem(&tcp_conns, &key);
	u8 state = BPF_CORE_READ(sk, __sk_common.skc_state);

	if (c)
		__sync_fetch_and_add(&c->retrans, 1);
	emit(sk, c, TCP_EV_RETRANS, state, state);
	return 0;
}
