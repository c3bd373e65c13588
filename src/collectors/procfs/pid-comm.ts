// /proc/PID/comm (and task/TID/comm): the task name, up to 15 bytes for
// user tasks, longer for kernel threads (kworker descriptions). Raw here;
// sanitized where it is displayed.

/** The name without the newline the kernel ends it with. */
export function parseComm(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
