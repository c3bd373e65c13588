// Classic tracepoints are attached by id, which libbpf reads from tracefs.
// Minimal systems (containers, microVMs, some CI images) boot without it
// mounted; as root it is mounted at its standard place once, as systemd
// would. The answer is cached for the process.
#include <cerrno>
#include <cstring>
#include <sys/mount.h>

#include "internal.h"

namespace ostop {

std::string ensure_tracefs()
{
	static std::string result = "unset";
	if (result != "unset")
		return result;
	if (path_exists("/sys/kernel/tracing/events") || path_exists("/sys/kernel/debug/tracing/events"))
		return result = "";
	if (path_exists("/sys/kernel/tracing") && mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0 &&
	    path_exists("/sys/kernel/tracing/events"))
		return result = "";
	return result = std::string("tracefs is not mounted and could not be mounted (") + strerror(errno) +
			"): run `mount -t tracefs nodev /sys/kernel/tracing` as root";
}

} // namespace ostop
