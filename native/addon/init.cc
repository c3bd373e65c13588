// ostop_native: loads ostop's eBPF tracers and iterators and runs the one
// shared ring-buffer loop on Node's own event loop. This file is the module:
// libbpf set-up, the exported functions, the env cleanup hooks. What each
// concern does and where it lives: internal.h.
#include "internal.h"
#include "termguard.h"

extern "C" void ostop_libbpf_static_init(void);

namespace ostop {
namespace {

struct Export {
	const char *name;
	NativeFn fn;
};

// The JS API (typed in src/native.ts, NativeAddon).
const Export kExports[] = {
	// registry and probes
	{ "tracers", Tracers }, { "layouts", Layouts }, { "probe", Probe }, { "features", Features },
	// tracer lifecycle
	{ "start", Start }, { "stop", Stop }, { "stopAll", StopAll }, { "stopping", Stopping },
	{ "programs", Programs }, { "mallocTrim", MallocTrim },
	// a tracer's maps
	{ "setFilter", SetFilter }, { "drops", Drops }, { "mapDump", MapDump }, { "mapClear", MapClear },
	// the profilers' stacks and symbols
	{ "stackDepth", StackDepth }, { "stackTraces", StackTraces }, { "elfSymbolize", ElfSymbolize },
	// the ring loop
	{ "setCallback", SetCallback }, { "poll", Poll }, { "nativeDrops", NativeDrops },
	// the task iterator
	{ "tasksPrepare", TasksPrepare }, { "tasksOpen", TasksOpen }, { "tasksRead", TasksRead },
	{ "tasksClose", TasksClose }, { "tasksLayout", TasksLayout },
	// the socket-owner iterator
	{ "taskFilesRead", TaskFilesRead }, { "taskFilesClose", TaskFilesClose },
	{ "taskFilesRecordSize", TaskFilesRecordSize }, { "taskFilesLayout", TaskFilesLayout },
};

} // namespace

Napi::Object init(Napi::Env env, Napi::Object exports)
{
	ostop_libbpf_static_init();
	libbpf_set_print(libbpf_print);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	ring_init(env);
	napi_add_env_cleanup_hook(env, lifecycle_cleanup, nullptr);
	napi_add_env_cleanup_hook(env, iterators_cleanup, nullptr);
	for (const Export &e : kExports)
		exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
	termguard_init(env, exports);
	return exports;
}

} // namespace ostop

static Napi::Object InitModule(Napi::Env env, Napi::Object exports)
{
	return ostop::init(env, exports);
}

NODE_API_MODULE(ostop_native, InitModule)
