// What the addon's files share (namespace ostop; nothing here is exported to
// JS except through init.cc). One file per concern:
//   errors.cc     libbpf's messages kept off the terminal; errors with hints
//   probes.cc     feature probes: kernel BTF, fentry, a program section's needs
//   tracefs.cc    mounts tracefs where a minimal system boots without it
//   ring.cc       the one ring_buffer on Node's uv loop, batches to JS
//   lifecycle.cc  tracer instances: start (open/rodata/probe/load/attach), stop
//   maps.cc       a running tracer's maps: PID filter, drop counters, dumps
//   stacks.cc     the profilers' stack-trace maps, read by stack id
//   symbols.cc    ELF symbolisation of user addresses (elfutils libdwfl)
//   layouts.cc    wire layouts (offsetof/sizeof) for the TypeScript decoders
//   iterators.cc  the BPF task and socket-owner iterators (not tracers)
//   init.cc       the module: exports and env cleanup hooks
//   termguard.cc  the terminal guard for fatal signals (termguard.h)
#pragma once
#include <napi.h>
#include <bpf/libbpf.h>

#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include <pthread.h>

#include "registry.h"

namespace ostop {

// A function exported to JS; declared below per concern as `JsFn A, B;`.
using JsFn = Napi::Value(const Napi::CallbackInfo &info);
using NativeFn = JsFn *;

// ---- errors.cc ----
// libbpf's print callback: keeps the last lines (never prints).
int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
// Forgets the kept lines (a new load's errors should show its own).
void log_clear();
// Throws a JS Error "<what>: <strerror>< hint>< last libbpf lines>" with .errno.
[[noreturn]] void fail(Napi::Env env, const std::string &what, int err);

// ---- probes.cc ----
bool path_exists(const std::string &p);
// "" when a program in this ELF section can work on this kernel, else why not.
std::string probe_section(const std::string &sec);
JsFn Probe, Features;

// ---- tracefs.cc ----
// "" when tracefs is (now) mounted, else why not and how to fix it.
std::string ensure_tracefs();

// The verifier gives up with EAGAIN when a signal is pending (libbpf retries
// only a few times): a profiler's SIGPROF, a burst of SIGWINCH or SIGCHLD
// can make a load fail. Signals stay blocked on this thread while it loads
// and are delivered right after.
struct SignalsBlocked {
	sigset_t old;
	SignalsBlocked()
	{
		sigset_t all;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
	}
	~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old, nullptr); }
};

// For threads of our own: every signal stays the main thread's.
inline void block_all_signals()
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

// ---- lifecycle.cc ----
struct Instance {
	uint16_t id = 0;
	const ostop_tracer_desc *desc = nullptr;
	void *skel = nullptr;
	bpf_object *obj = nullptr;
	std::vector<bpf_link *> links;
	int ring_fd = -1;
	int drops_fd = -1;
	int filter_fd = -1;
};
// The running tracer instances by id (main thread only).
extern std::map<uint16_t, Instance *> g_instances;
// The instance whose id is info[0], or a JS Error.
Instance *get_instance(const Napi::CallbackInfo &info);
JsFn Start, Stop, StopAll, Stopping, Programs, MallocTrim;
void lifecycle_cleanup(void *);

// ---- maps.cc ----
// Writes the PID filter of a tracer (its "filter" map); false with errno set.
bool write_filter(int filter_fd, uint32_t pid);
JsFn SetFilter, Drops, MapDump, MapClear;

// ---- stacks.cc ----
JsFn StackDepth, StackTraces;

// ---- symbols.cc ----
// elfSymbolize(path, fileOffsets) -> Promise (runs on the libuv pool).
JsFn ElfSymbolize;

// ---- ring.cc ----
// Adds an instance's "events" ring to the one ring manager (creating it and
// its uv handles on first use).
void ring_add(Napi::Env env, const Instance *in);
// Rebuilds the ring manager from g_instances (libbpf 1.1 has no remove).
void ring_rebuild(Napi::Env env);
// Drains every ring, at most `rounds` batches; returns the batches delivered.
int drain(Napi::Env env, int rounds);
void ring_init(Napi::Env env);
void ring_cleanup();
JsFn SetCallback, Poll, NativeDrops;

// ---- layouts.cc ----
JsFn Tracers, Layouts, TasksLayout, TaskFilesLayout;

// ---- iterators.cc ----
JsFn TasksPrepare, TasksOpen, TasksRead, TasksClose, TaskFilesRead, TaskFilesClose, TaskFilesRecordSize;
void iterators_cleanup(void *);

} // namespace ostop
