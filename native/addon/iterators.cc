// The BPF iterators: not ring-buffer tracers, and not in tracers.def (the
// Makefile always builds them). Each one loads its iter/ program and
// attaches it once (a link; nothing pinned); every read creates an iterator
// fd from the link, reads it to EOF into one ArrayBuffer and closes it.
// close() or the env cleanup hook destroys the link and the object.
//   tasks (bpf/tasks.bpf.c, struct tasks_rec): the process table's
//     counters, one record per task; loaded ahead on a thread (prepare).
//   taskfiles (bpf/taskfiles.bpf.c, struct taskfiles_rec): socket owners,
//     one record per socket fd plus one marker per process.
#include <cerrno>
#include <cstring>
#include <thread>
#include <malloc.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "internal.h"
#include "tasks.h"
#include "tasks.skel.h"
#include "taskfiles.h"
#include "taskfiles.skel.h"

namespace ostop {
namespace {

// What differs between two iterators: names and the skeleton's functions.
struct IterDesc {
	const char *what; // in error messages: "task iterator"
	const char *prog; // the iter/ program's name
	void *(*open)(bpf_object **obj);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
	bool keep_buffer; // keep the read buffer between reads (read every tick)
};

// A loaded and attached iterator, or why not.
struct Loaded {
	void *skel = nullptr;
	bpf_link *link = nullptr;
	int err = 0;
	const char *why = nullptr; // what failed: "open failed", "cannot load"...
};

class Iterator {
public:
	explicit Iterator(const IterDesc &d) : d_(d) {}
	// The env cleanup hook joins the loader; at exit without one, never abort.
	~Iterator()
	{
		if (loader_.joinable())
			loader_.detach();
	}

	// Loading (parse the kernel's BTF, verify, attach) takes ~50 ms; prepare()
	// starts it on a thread (no-op when loaded or loading); open() then only
	// collects the result. Errors surface from open().
	void prepare()
	{
		if (!loaded_.link && !loader_.joinable() && !prepared_.skel)
			loader_ = std::thread([this] {
				block_all_signals();
				prepared_ = load();
			});
	}

	// Loads and attaches once; throws (with .errno) when it cannot be here:
	// no privilege, no BTF, old kernel.
	void open(Napi::Env env)
	{
		if (loaded_.link)
			return;
		Loaded r;
		if (loader_.joinable() || prepared_.skel || prepared_.err) {
			join();
			r = prepared_;
			prepared_ = Loaded();
		} else {
			log_clear();
			r = load();
		}
		if (r.err == ENOENT && !r.skel && !strcmp(r.why, kNoBtf))
			throw Napi::Error::New(env, std::string(d_.what) + ": " + kNoBtf);
		if (r.err)
			fail(env, std::string(d_.what) + ": " + r.why, r.err);
		loaded_ = r;
		malloc_trim(0); // as after a tracer's load: the parsed kernel BTF is freed
	}

	bool is_open() const { return loaded_.link != nullptr; }

	// One pass over a fresh iterator fd: everything it writes, in a new
	// ArrayBuffer, or copied into `into` when given and large enough (then
	// the byte count is returned: a caller that reads every second reuses one
	// buffer instead of a new 240 KB one per read, which lived until V8's
	// next major GC).
	Napi::Value read(Napi::Env env, Napi::ArrayBuffer *into = nullptr)
	{
		if (!loaded_.link)
			throw Napi::Error::New(env, std::string(d_.what) + ": not open");
		std::vector<uint8_t> local;
		std::vector<uint8_t> &buf = d_.keep_buffer ? buf_ : local;
		int fd = bpf_iter_create(bpf_link__fd(loaded_.link));
		if (fd < 0)
			fail(env, std::string(d_.what) + ": bpf_iter_create", errno);
		if (buf.size() < (64u << 10))
			buf.resize(64u << 10);
		size_t len = 0;
		for (;;) {
			if (buf.size() - len < (32u << 10))
				buf.resize(buf.size() * 2);
			ssize_t n = ::read(fd, buf.data() + len, buf.size() - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				int err = errno;
				close(fd);
				fail(env, std::string(d_.what) + ": read", err);
			}
			if (n == 0)
				break;
			len += (size_t)n;
		}
		close(fd);
		if (into && len <= into->ByteLength()) {
			if (len)
				memcpy(into->Data(), buf.data(), len);
			return Napi::Number::New(env, (double)len);
		}
		Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, len);
		if (len)
			memcpy(ab.Data(), buf.data(), len);
		return ab;
	}

	// Unloads (also what a prepare() loaded and nobody opened).
	void close_all()
	{
		join();
		destroy(prepared_);
		destroy(loaded_);
		std::vector<uint8_t>().swap(buf_);
	}

private:
	static constexpr const char *kNoBtf = "kernel BTF (/sys/kernel/btf/vmlinux) is missing";

	Loaded load()
	{
		Loaded r;
		bpf_object *obj = nullptr;
		if (!path_exists("/sys/kernel/btf/vmlinux")) {
			r.err = ENOENT;
			r.why = kNoBtf;
			return r;
		}
		r.skel = d_.open(&obj);
		if (!r.skel) {
			r.err = errno;
			r.why = "open failed";
			return r;
		}
		int load_err;
		{
			SignalsBlocked quiet;
			load_err = d_.load(r.skel);
		}
		if (load_err) {
			r.err = load_err;
			r.why = "cannot load";
		} else if (!(r.link = bpf_program__attach_iter(bpf_object__find_program_by_name(obj, d_.prog), nullptr))) {
			r.err = errno;
			r.why = "cannot attach";
		}
		if (r.err) {
			d_.destroy(r.skel);
			r.skel = nullptr;
		}
		return r;
	}

	void join()
	{
		if (loader_.joinable())
			loader_.join();
	}

	void destroy(Loaded &l)
	{
		if (l.link)
			bpf_link__destroy(l.link);
		if (l.skel)
			d_.destroy(l.skel);
		l = Loaded();
	}

	const IterDesc &d_;
	Loaded loaded_;
	Loaded prepared_;
	std::thread loader_;
	std::vector<uint8_t> buf_;
};

#define OSTOP_ITER_SKEL(name) \
	[](bpf_object **obj) -> void * { name##_bpf *s = name##_bpf__open(); if (s) *obj = s->obj; return s; }, \
	[](void *s) { return name##_bpf__load((name##_bpf *)s); }, \
	[](void *s) { name##_bpf__destroy((name##_bpf *)s); }

const IterDesc kTasks = { "task iterator", "ostop_tasks", OSTOP_ITER_SKEL(tasks), true };
const IterDesc kTaskFiles = { "socket-owner iterator", "ostop_task_files", OSTOP_ITER_SKEL(taskfiles), false };
#undef OSTOP_ITER_SKEL

Iterator g_tasks(kTasks);
Iterator g_taskfiles(kTaskFiles);

} // namespace

// tasksPrepare(): start loading the task iterator on a thread.
Napi::Value TasksPrepare(const Napi::CallbackInfo &info)
{
	g_tasks.prepare();
	return info.Env().Undefined();
}

// tasksOpen() -> { recordSize, ncpus }; throws (with .errno) when the
// iterator cannot be loaded here.
Napi::Value TasksOpen(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	g_tasks.open(env);
	Napi::Object o = Napi::Object::New(env);
	o.Set("recordSize", (double)sizeof(tasks_rec));
	o.Set("ncpus", (double)libbpf_num_possible_cpus());
	return o;
}

// tasksRead([into]) -> ArrayBuffer of n x struct tasks_rec (one per task);
// with `into` (an ArrayBuffer) large enough, the records are copied there
// and their byte count is returned instead.
Napi::Value TasksRead(const Napi::CallbackInfo &info)
{
	if (!g_tasks.is_open())
		throw Napi::Error::New(info.Env(), "task iterator: not open (call tasksOpen first)");
	if (info.Length() > 0 && info[0].IsArrayBuffer()) {
		Napi::ArrayBuffer into = info[0].As<Napi::ArrayBuffer>();
		return g_tasks.read(info.Env(), &into);
	}
	return g_tasks.read(info.Env());
}

Napi::Value TasksClose(const Napi::CallbackInfo &info)
{
	g_tasks.close_all();
	return info.Env().Undefined();
}

// taskFilesRead() -> ArrayBuffer of n x struct taskfiles_rec; loads the
// iterator on first use.
Napi::Value TaskFilesRead(const Napi::CallbackInfo &info)
{
	g_taskfiles.open(info.Env());
	return g_taskfiles.read(info.Env());
}

Napi::Value TaskFilesClose(const Napi::CallbackInfo &info)
{
	g_taskfiles.close_all();
	return info.Env().Undefined();
}

// taskFilesRecordSize() -> sizeof(struct taskfiles_rec), for the decoder's check.
Napi::Value TaskFilesRecordSize(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), (double)sizeof(struct taskfiles_rec));
}

void iterators_cleanup(void *)
{
	g_tasks.close_all();
	g_taskfiles.close_all();
}

} // namespace ostop
