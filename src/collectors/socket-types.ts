// The socket types shared by the /proc socket reader (sockets.ts, which
// re-exports them) and the BPF socket-owner iterator (socket-owners-bpf.ts):
// one file both import, so neither imports the other's module for a type.
export type SocketProto = 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix';

export interface SocketSample {
  proto: SocketProto;
  /** TCP: kernel state names (ESTABLISHED, LISTEN, TIME_WAIT...); UDP: UNCONN or ESTABLISHED; unix: LISTEN, UNCONN, CONNECTED, CONNECTING, DISCONNECTING. */
  state: string;
  localAddr: string;
  localPort: number;
  remoteAddr: string;
  remotePort: number;
  /** "addr:port" ("[v6]:port" for IPv6); unix: the path ('@name' abstract, '' unnamed). */
  local: string;
  remote: string;
  /** Bytes queued for sending (unix: 0). */
  txQueue: number;
  /** Bytes received not yet read; for a TCP listener: connections waiting in accept(). */
  rxQueue: number;
  inode: number;
  uid: number;
  /** unix only: 'stream' | 'dgram' | 'seqpacket'. */
  type?: string;
  /** unix only: bound path, sanitized. */
  path?: string;
}

export interface SocketOwner {
  pid: number;
  comm: string;
  fd: number;
  /** Number of processes holding this socket (after fork); the owner shown is the lowest pid. */
  sharedBy: number;
}

export interface PidSocket extends SocketSample {
  fd: number;
}
