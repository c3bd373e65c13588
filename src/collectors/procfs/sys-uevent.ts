// /sys/.../uevent (e.g. /sys/dev/block/MAJ:MIN/uevent): KEY=value lines the
// kernel writes for a device (MAJOR, MINOR, DEVNAME, DEVTYPE...). Values are
// raw (a device name is chosen by a driver or udev rule): sanitize where it
// is displayed.

/** Every KEY=value line; lines without '=' or with an empty key are skipped. */
export function parseUevent(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** The device's name under /dev (DEVNAME), or undefined when the file names none. */
export function ueventDevName(text: string): string | undefined {
  const n = parseUevent(text).get('DEVNAME');
  return n ? n : undefined;
}
