/* Wire format of the TCP tracer (tcplife + connect/accept + retransmits).
 * Shared by tcp.bpf.c, the addon and src/tracers/tcp.ts (offsets checked by
 * test/tracers/tcp-layout.test.ts).
 * Invariants: fixed-width types, explicit padding, size a multiple of 8;
 * addresses in network byte order (IPv4 in the first 4 bytes), ports in
 * host order. */
#ifndef OSTOP_TCP_H
#define OSTOP_TCP_H

#define TCP_COMM_LEN 16

/* type */
#define TCP_EV_CONNECT 1 /* active open reached ESTABLISHED (SYN_SENT -> ESTABLISHED) */
#define TCP_EV_ACCEPT  2 /* passive open reached ESTABLISHED (SYN_RECV -> ESTABLISHED) */
#define TCP_EV_CLOSE   3 /* lifecycle record: socket reached CLOSE */
#define TCP_EV_RETRANS 4 /* tcp_retransmit_skb */

/* dir */
#define TCP_DIR_UNKNOWN 0 /* opened before the tracer was attached */
#define TCP_DIR_ACTIVE  1 /* connect() */
#define TCP_DIR_PASSIVE 2 /* accept() */

struct tcp_event {
	__u64 ts_ns;     /* bpf_ktime_get_ns */
	__u64 start_ns;  /* first state change seen (SYN_SENT / SYN_RECV), 0 unknown */
	__u64 sock;      /* opaque connection id (kernel socket address) */
	__u64 tx_bytes;  /* payload bytes the peer acknowledged (bytes_acked less SYN/FIN) */
	__u64 rx_bytes;  /* payload bytes received in order (bytes_received less FIN) */
	__u32 pid;       /* owner: connect() caller, or close() caller for accepted sockets; 0 unknown */
	__u32 retrans;   /* CLOSE: tcp_sock.total_retrans; RETRANS: retransmits seen so far */
	__u8  saddr[16];
	__u8  daddr[16];
	__u16 sport;
	__u16 dport;
	__u16 family;    /* AF_INET 2, AF_INET6 10 */
	__u8  type;      /* TCP_EV_* */
	__u8  dir;       /* TCP_DIR_* */
	__u8  oldstate;  /* TCP_* states as in the kernel (1 ESTABLISHED ... 12 NEW_SYN_RECV) */
	__u8  newstate;  /* for RETRANS: the socket state */
	__u16 err;       /* CLOSE: the socket's pending error (sk_err: ECONNREFUSED for a refused connect,
			  * ETIMEDOUT, EHOSTUNREACH, ECONNRESET...), 0 none; else 0 */
	__u32 srtt_us;   /* smoothed RTT in microseconds */
	char  comm[TCP_COMM_LEN];
};

#define TCP_EVENT_FIELDS(X, T) \
	X(T, ts_ns) X(T, start_ns) X(T, sock) X(T, tx_bytes) X(T, rx_bytes) X(T, pid) \
	X(T, retrans) X(T, saddr) X(T, daddr) X(T, sport) X(T, dport) X(T, family) \
	X(T, type) X(T, dir) X(T, oldstate) X(T, newstate) X(T, err) X(T, srtt_us) X(T, comm)
#define TCP_LAYOUTS(L) L(tcp_event, TCP_EVENT_FIELDS)

#endif
