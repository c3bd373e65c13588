// Names of what the kernel numbers: a process's comm by pid, a block
// device's name by major:minor. Readers over the procfs parsers and the one
// file reader (procfs/read.ts), for the layers above that get numbers from
// elsewhere (a tracer's kernel maps, a block I/O event) and must not read
// the system themselves. Names are raw (untrusted): sanitize before display.
import { directReader, type FileReader } from './procfs/read.js';
import { parseComm } from './procfs/pid-comm.js';
import { ueventDevName } from './procfs/sys-uevent.js';

/** /proc/PID/comm, or undefined when the process is gone (or not ours to read). */
export function readPidComm(pid: number, procRoot = '/proc', reader: FileReader = directReader): string | undefined {
  const t = reader.text(`${procRoot}/${pid}/comm`, 4096);
  return t === undefined ? undefined : parseComm(t);
}

/** DEVNAME of /sys/dev/block/MAJ:MIN/uevent (sda, nvme0n1), or undefined when the device is gone or names none. */
export function readBlockDevName(major: number, minor: number, sysRoot = '/sys', reader: FileReader = directReader): string | undefined {
  const t = reader.text(`${sysRoot}/dev/block/${major}:${minor}/uevent`, 16384);
  return t === undefined ? undefined : ueventDevName(t);
}
