// ostop_native: loads ostop's eBPF tracers and runs the one shared ring
// buffer loop on Node's own event loop.
//
// Invariants:
// - One libbpf ring_buffer holds the "events" ring of every running tracer
//   instance; its epoll fd is watched by one uv_poll_t (unref'd, so tracing
//   never keeps the process alive). A wake-up does not drain at once: it
//   stops the poll and drains kCoalesceMs later (see there why). A drain
//   fills ONE ArrayBuffer:
//   records are [u16 instance id][u16 0][u32 len][len bytes][pad to 8],
//   little endian. No JS object is created per event here.
// - Lifecycle per tracer, always: open -> set rodata (targ_*) -> probe and
//   bpf_program__set_autoload(false) what cannot work -> load -> attach.
//   Stop = drain, rebuild the ring manager without it, destroy links, free
//   the object. Links are fd-based and nothing is pinned, so when the process
//   dies (even by SIGKILL) the kernel unloads everything.
// - Drops: BPF counts failed reserves in its per-CPU "drops" map; records we
//   drain while no JS callback is set are counted in g_native_drops.
// - libbpf never prints to the terminal (the TUI owns it); its messages are
//   kept and the last lines are appended to error messages.
#include <napi.h>
#include <uv.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <string>
#include <vector>
#include <malloc.h>
#include <csignal>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ostop-common.h"
#include "registry.h"
#include "tasks.h"
#include "tasks.skel.h"
#include "taskfiles.h"
#include "taskfiles.skel.h"
#include "termguard.h"

extern "C" void ostop_libbpf_static_init(void);

namespace {

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

std::map<uint16_t, Instance *> g_instances;
uint16_t g_next_id = 1;
ring_buffer *g_rb = nullptr;
uv_poll_t *g_poll = nullptr;
uv_timer_t *g_timer = nullptr;
bool g_more = false; // the last drain stopped at kBatchLimit
napi_env g_env = nullptr;
Napi::FunctionReference g_callback;
std::vector<uint8_t> g_batch;
uint64_t g_native_drops = 0;
bool g_draining = false;
std::deque<std::string> g_log;
std::mutex g_log_mu; // libbpf also logs from the reaper threads
std::atomic<int> g_reaping{0}; // instances being torn down off the main thread
btf *g_vmlinux_btf = nullptr;
bool g_vmlinux_btf_tried = false;
int g_fentry_ok = -1; // -1 unknown, 0 no, 1 yes

// A wake-up stops filling one ArrayBuffer at this size; the rest is
// delivered in the next wake-up (the ring's fd stays readable, so the loop
// comes straight back). Small slices keep a storm from holding the event
// loop: keys and ticks get their turn between two slices. 1 MiB is about
// 16k small records, a few ms of decoding.
constexpr size_t kBatchLimit = 1u << 20;
constexpr int kRoundsPerWake = 1;
constexpr int kBatchFull = -E2BIG;
// A BPF ring wakes its reader (an irq_work, a self-IPI: a VM exit under
// virtualisation) for every record committed while the reader is caught up.
// A reader that drains the moment it is woken is always caught up, so a
// storm paid one wake-up per event: a 1-byte dd under the syscalls stream
// ran 9.4x slower than untraced, against 3.3x when the reader lags. So a
// wake-up only arms a timer, and records committed in the next kCoalesceMs
// wake nobody. 10 ms is invisible on a pane and, at the 150 MB/s the storm
// produces, fills 1.5 MB of a 4 MiB ring.
constexpr uint64_t kCoalesceMs = 10;

int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	std::string s(buf);
	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	if (!s.empty()) {
		std::lock_guard<std::mutex> lock(g_log_mu);
		g_log.push_back(s);
		if (g_log.size() > 60)
			g_log.pop_front();
	}
	return 0;
}

std::string log_tail(size_t n)
{
	std::string out;
	std::lock_guard<std::mutex> lock(g_log_mu);
	size_t start = g_log.size() > n ? g_log.size() - n : 0;
	for (size_t i = start; i < g_log.size(); i++)
		out += "\n  libbpf: " + g_log[i];
	return out;
}

std::string hint_for(int err)
{
	if (err < 0)
		err = -err;
	if (err == EPERM || err == EACCES)
		return " (needs root, or CAP_BPF + CAP_PERFMON: run ostop with sudo)";
	if (err == ENOENT || err == ESRCH)
		return " (a kernel tracepoint or BTF type it needs is missing)";
	if (err == ENOMEM)
		return " (not enough locked memory or map space)";
	return "";
}

[[noreturn]] void fail(Napi::Env env, const std::string &what, int err)
{
	if (err < 0)
		err = -err;
	std::string msg = what + ": " + strerror(err) + hint_for(err) + log_tail(4);
	Napi::Error e = Napi::Error::New(env, msg);
	e.Set("errno", Napi::Number::New(env, err));
	throw e;
}

bool path_exists(const std::string &p)
{
	struct stat st;
	return stat(p.c_str(), &st) == 0;
}

btf *vmlinux_btf()
{
	if (!g_vmlinux_btf_tried) {
		g_vmlinux_btf_tried = true;
		g_vmlinux_btf = btf__load_vmlinux_btf();
		if (!g_vmlinux_btf)
			g_vmlinux_btf = nullptr;
	}
	return g_vmlinux_btf;
}

// Can a fentry program be loaded AND attached here? Many locked-down kernels
// refuse (EPERM) even for root, so it is tried once with a 2-instruction
// program and the answer cached.
bool fentry_works()
{
	if (g_fentry_ok >= 0)
		return g_fentry_ok == 1;
	g_fentry_ok = 0;
	btf *vb = vmlinux_btf();
	if (!vb)
		return false;
	int id = btf__find_by_name_kind(vb, "do_nanosleep", BTF_KIND_FUNC);
	if (id <= 0)
		id = btf__find_by_name_kind(vb, "__x64_sys_getpid", BTF_KIND_FUNC);
	if (id <= 0)
		return false;
	struct bpf_insn insns[2];
	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K; // r0 = 0
	insns[0].dst_reg = BPF_REG_0;
	insns[1].code = BPF_JMP | BPF_EXIT;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY, .attach_btf_id = (__u32)id);
	int pfd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ostop_probe", "GPL", insns, 2, &opts);
	if (pfd < 0)
		return false;
	int lfd = bpf_link_create(pfd, 0, BPF_TRACE_FENTRY, nullptr);
	if (lfd >= 0) {
		g_fentry_ok = 1;
		close(lfd);
	}
	close(pfd);
	return g_fentry_ok == 1;
}

bool starts_with(const std::string &s, const char *p)
{
	return s.rfind(p, 0) == 0;
}

// Classic tracepoints are attached by id, which libbpf reads from tracefs.
// Minimal systems (containers, microVMs, some CI images) boot without it
// mounted; as root we mount it at its standard place once, as systemd would.
// Returns "" when tracefs is (now) there, else why not.
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

// "" when a program in this ELF section can work on this kernel, else why not.
std::string probe_section(const std::string &sec)
{
	auto after = [&](const char *p) { return sec.substr(strlen(p)); };
	if (starts_with(sec, "tp/") || starts_with(sec, "tracepoint/")) {
		std::string ev = starts_with(sec, "tp/") ? after("tp/") : after("tracepoint/");
		std::string why = ensure_tracefs();
		if (!why.empty())
			return why;
		const char *roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
		for (const char *r : roots) {
			if (path_exists(std::string(r) + "/events"))
				return path_exists(std::string(r) + "/events/" + ev) ? "" : "tracepoint " + ev + " does not exist on this kernel";
		}
		return ""; // tracefs not mounted: cannot tell, let attach decide
	}
	if (starts_with(sec, "tp_btf/") || starts_with(sec, "raw_tp/") || starts_with(sec, "raw_tracepoint/")) {
		std::string ev = sec.substr(sec.find('/') + 1);
		btf *vb = vmlinux_btf();
		if (!vb)
			return "kernel BTF is missing (/sys/kernel/btf/vmlinux)";
		return btf__find_by_name_kind(vb, ("btf_trace_" + ev).c_str(), BTF_KIND_TYPEDEF) > 0 ? "" : "raw tracepoint " + ev + " does not exist on this kernel";
	}
	if (starts_with(sec, "fentry/") || starts_with(sec, "fexit/") || starts_with(sec, "fmod_ret/")) {
		if (!fentry_works())
			return "fentry/fexit programs cannot be attached on this kernel";
		btf *vb = vmlinux_btf();
		std::string fn = sec.substr(sec.find('/') + 1);
		return btf__find_by_name_kind(vb, fn.c_str(), BTF_KIND_FUNC) > 0 ? "" : "kernel function " + fn + " not found";
	}
	if (starts_with(sec, "kprobe/") || starts_with(sec, "kretprobe/")) {
		if (!path_exists("/sys/kernel/tracing/kprobe_events") && !path_exists("/sys/kernel/debug/tracing/kprobe_events"))
			return "kprobes are not available on this kernel";
		return "";
	}
	return "";
}

// Writes a JS number/boolean into a const volatile global of .rodata, found by
// name through the object's BTF (so the addon needs no per-tracer code).
void set_rodata(Napi::Env env, const Instance *in, const std::string &var, const Napi::Value &v)
{
	const btf *b = bpf_object__btf(in->obj);
	bpf_map *rodata = nullptr, *m;
	bpf_object__for_each_map(m, in->obj) {
		const char *n = bpf_map__name(m);
		if (bpf_map__is_internal(m) && strstr(n, ".rodata")) {
			rodata = m;
			break;
		}
	}
	if (!b || !rodata)
		throw Napi::Error::New(env, "tracer " + std::string(in->desc->name) + " has no rodata for " + var);
	int sec_id = btf__find_by_name_kind(b, ".rodata", BTF_KIND_DATASEC);
	if (sec_id <= 0)
		throw Napi::Error::New(env, "tracer " + std::string(in->desc->name) + ": no .rodata BTF");
	const btf_type *sec = btf__type_by_id(b, sec_id);
	const btf_var_secinfo *vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const btf_type *vt = btf__type_by_id(b, vsi->type);
		if (var != btf__name_by_offset(b, vt->name_off))
			continue;
		size_t sz = 0;
		uint8_t *data = (uint8_t *)bpf_map__initial_value(rodata, &sz);
		if (!data || vsi->offset + vsi->size > sz || vsi->size > 8)
			throw Napi::Error::New(env, "rodata " + var + " cannot be set");
		int64_t x = v.IsBoolean() ? (v.As<Napi::Boolean>().Value() ? 1 : 0) : v.ToNumber().Int64Value();
		memcpy(data + vsi->offset, &x, vsi->size); // little endian: low bytes first
		return;
	}
	throw Napi::Error::New(env, "tracer " + std::string(in->desc->name) + " has no setting " + var);
}

void count_batch_records(const std::vector<uint8_t> &b)
{
	size_t off = 0;
	while (off + 8 <= b.size()) {
		uint32_t len;
		memcpy(&len, b.data() + off + 4, 4);
		off += 8 + ((len + 7) & ~7u);
		g_native_drops++;
	}
}

int on_sample(void *ctx, void *data, size_t len)
{
	uint16_t id = (uint16_t)(uintptr_t)ctx;
	size_t padded = (len + 7) & ~(size_t)7;
	size_t off = g_batch.size();
	g_batch.resize(off + 8 + padded);
	uint8_t *p = g_batch.data() + off;
	uint16_t zero = 0;
	uint32_t l32 = (uint32_t)len;
	memcpy(p, &id, 2);
	memcpy(p + 2, &zero, 2);
	memcpy(p + 4, &l32, 4);
	memcpy(p + 8, data, len);
	if (padded > len)
		memset(p + 8 + len, 0, padded - len);
	return g_batch.size() >= kBatchLimit ? kBatchFull : 0;
}

void deliver(Napi::Env env)
{
	if (g_batch.empty())
		return;
	if (g_callback.IsEmpty()) {
		count_batch_records(g_batch);
		g_batch.clear();
		return;
	}
	Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, g_batch.size());
	memcpy(ab.Data(), g_batch.data(), g_batch.size());
	g_batch.clear();
	g_callback.MakeCallback(env.Global(), { ab });
}

// Drains every ring; returns the number of JS buffers delivered.
int drain(Napi::Env env, int rounds)
{
	if (g_draining || !g_rb)
		return 0;
	g_draining = true;
	int delivered = 0;
	try {
		for (int i = 0; i < rounds && g_rb; i++) {
			int n = ring_buffer__consume(g_rb);
			bool more = n == kBatchFull;
			g_more = more;
			if (!g_batch.empty())
				delivered++;
			deliver(env);
			if (!more)
				break;
		}
	} catch (...) {
		g_draining = false;
		throw;
	}
	g_draining = false;
	return delivered;
}

void on_poll(uv_poll_t *, int, int);

// kCoalesceMs after a wake-up: one slice; more left -> another slice on the
// next loop turn (keys and ticks in between), else back to waiting.
void on_timer(uv_timer_t *)
{
	Napi::Env env(g_env);
	Napi::HandleScope scope(env);
	g_more = false;
	try {
		drain(env, kRoundsPerWake);
	} catch (const Napi::Error &e) {
		napi_fatal_exception(g_env, e.Value());
	}
	if (!g_poll || !g_timer) // a callback stopped the last tracer
		return;
	if (g_more)
		uv_timer_start(g_timer, on_timer, 0, 0);
	else
		uv_poll_start(g_poll, UV_READABLE, on_poll);
}

void on_poll(uv_poll_t *, int, int)
{
	uv_poll_stop(g_poll);
	uv_timer_start(g_timer, on_timer, kCoalesceMs, 0);
}

void close_poll()
{
	if (g_poll) {
		uv_poll_stop(g_poll);
		uv_close((uv_handle_t *)g_poll, [](uv_handle_t *h) { delete (uv_poll_t *)h; });
		g_poll = nullptr;
	}
	if (g_timer) {
		uv_timer_stop(g_timer);
		uv_close((uv_handle_t *)g_timer, [](uv_handle_t *h) { delete (uv_timer_t *)h; });
		g_timer = nullptr;
	}
}

// libbpf 1.1 cannot remove a ring from a ring_buffer, so a stop rebuilds it
// from the remaining instances (their unread records stay in their rings).
void ring_rebuild(Napi::Env env)
{
	close_poll();
	if (g_rb) {
		ring_buffer__free(g_rb);
		g_rb = nullptr;
	}
	for (auto &kv : g_instances) {
		Instance *in = kv.second;
		if (in->ring_fd < 0)
			continue;
		void *ctx = (void *)(uintptr_t)in->id;
		if (!g_rb) {
			g_rb = ring_buffer__new(in->ring_fd, on_sample, ctx, nullptr);
			if (!g_rb)
				fail(env, "cannot create the ring buffer manager", errno);
		} else if (int err = ring_buffer__add(g_rb, in->ring_fd, on_sample, ctx)) {
			fail(env, "cannot add a ring to the ring buffer manager", err);
		}
	}
	if (g_rb) {
		uv_loop_t *loop = nullptr;
		napi_get_uv_event_loop(env, &loop);
		g_poll = new uv_poll_t;
		uv_poll_init(loop, g_poll, ring_buffer__epoll_fd(g_rb));
		uv_poll_start(g_poll, UV_READABLE, on_poll);
		uv_unref((uv_handle_t *)g_poll);
		g_timer = new uv_timer_t;
		uv_timer_init(loop, g_timer);
		uv_unref((uv_handle_t *)g_timer);
	}
}

void destroy_instance(Instance *in)
{
	for (bpf_link *l : in->links)
		bpf_link__destroy(l);
	in->links.clear();
	if (in->skel)
		in->desc->destroy(in->skel);
	delete in;
}

Instance *get_instance(const Napi::CallbackInfo &info)
{
	uint16_t id = (uint16_t)info[0].ToNumber().Uint32Value();
	auto it = g_instances.find(id);
	if (it == g_instances.end())
		throw Napi::Error::New(info.Env(), "no running tracer with id " + std::to_string(id));
	return it->second;
}

int map_fd(bpf_object *obj, const char *name)
{
	bpf_map *m = bpf_object__find_map_by_name(obj, name);
	return m ? bpf_map__fd(m) : -1;
}

// start(name, { rodata?: {targ_x: number|boolean}, pid?: number,
//               ringBytes?: number, disable?: string[] })
//   -> { id, attached: string[], disabled: {name, reason}[] }
Napi::Value Start(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	std::string name = info[0].ToString();
	Napi::Object opts = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
	const ostop_tracer_desc *desc = nullptr;
	for (size_t i = 0; i < ostop_tracer_count; i++)
		if (name == ostop_tracers[i].name)
			desc = &ostop_tracers[i];
	if (!desc)
		throw Napi::Error::New(env, "unknown native tracer '" + name + "'");
	if (!path_exists("/sys/kernel/btf/vmlinux"))
		throw Napi::Error::New(env, "tracer " + name + ": kernel BTF (/sys/kernel/btf/vmlinux) is missing: needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	if (g_instances.size() >= 0xfff0)
		throw Napi::Error::New(env, "too many tracers");

	{
		std::lock_guard<std::mutex> lock(g_log_mu);
		g_log.clear();
	}
	Instance *in = new Instance();
	in->desc = desc;
	Napi::Object result = Napi::Object::New(env);
	Napi::Array attached = Napi::Array::New(env);
	Napi::Array disabled = Napi::Array::New(env);
	try {
		// 1. open
		in->skel = desc->open(&in->obj);
		if (!in->skel)
			fail(env, "tracer " + name + ": open failed", errno);
		// 2. rodata
		if (opts.Has("rodata") && opts.Get("rodata").IsObject()) {
			Napi::Object ro = opts.Get("rodata").As<Napi::Object>();
			Napi::Array keys = ro.GetPropertyNames();
			for (uint32_t i = 0; i < keys.Length(); i++) {
				std::string k = keys.Get(i).ToString();
				set_rodata(env, in, k, ro.Get(k));
			}
		}
		if (opts.Has("ringBytes") && opts.Get("ringBytes").IsNumber()) {
			bpf_map *ring = bpf_object__find_map_by_name(in->obj, "events");
			if (ring)
				bpf_map__set_max_entries(ring, opts.Get("ringBytes").ToNumber().Uint32Value());
		}
		// 3. probe: disable what cannot work here, and what JS asked to disable
		std::vector<std::string> off;
		if (opts.Has("disable") && opts.Get("disable").IsArray()) {
			Napi::Array d = opts.Get("disable").As<Napi::Array>();
			for (uint32_t i = 0; i < d.Length(); i++)
				off.push_back(d.Get(i).ToString());
		}
		bpf_program *p;
		int enabled = 0;
		bpf_object__for_each_program(p, in->obj) {
			std::string pn = bpf_program__name(p);
			std::string why;
			for (auto &o : off)
				if (o == pn)
					why = "disabled by the tracer";
			if (why.empty())
				why = probe_section(bpf_program__section_name(p));
			if (!why.empty()) {
				bpf_program__set_autoload(p, false);
				Napi::Object d = Napi::Object::New(env);
				d.Set("name", pn);
				d.Set("reason", why);
				disabled.Set(disabled.Length(), d);
			} else {
				enabled++;
			}
		}
		if (!enabled)
			throw Napi::Error::New(env, "tracer " + name + ": none of its programs can run on this kernel");
		// 4. load
		int load_err;
		{
			SignalsBlocked quiet;
			load_err = bpf_object__load(in->obj);
		}
		if (int err = load_err)
			fail(env, "tracer " + name + ": cannot load the eBPF programs", err);
		// CO-RE relocation parsed the kernel's BTF (megabytes) and freed it;
		// give those pages back so a long-running ostop stays small.
		malloc_trim(0);
		// filters live in maps: set before attach so no foreign event slips in
		in->ring_fd = map_fd(in->obj, "events");
		in->drops_fd = map_fd(in->obj, "drops");
		in->filter_fd = map_fd(in->obj, "filter");
		if (opts.Has("pid") && opts.Get("pid").IsNumber() && in->filter_fd >= 0) {
			ostop_filter f = { opts.Get("pid").ToNumber().Uint32Value(), 0 };
			uint32_t zero = 0;
			bpf_map_update_elem(in->filter_fd, &zero, &f, BPF_ANY);
		}
		// 5. attach
		bpf_object__for_each_program(p, in->obj) {
			if (!bpf_program__autoload(p))
				continue;
			bpf_link *l = bpf_program__attach(p);
			if (!l)
				fail(env, "tracer " + name + ": cannot attach " + bpf_program__name(p), errno);
			in->links.push_back(l);
			attached.Set(attached.Length(), Napi::String::New(env, bpf_program__name(p)));
		}
		while (g_instances.count(g_next_id) || g_next_id == 0)
			g_next_id++;
		in->id = g_next_id++;
		g_instances[in->id] = in;
		if (in->ring_fd >= 0) {
			try {
				if (!g_rb) {
					ring_rebuild(env);
				} else if (int err = ring_buffer__add(g_rb, in->ring_fd, on_sample, (void *)(uintptr_t)in->id)) {
					fail(env, "cannot add the ring of " + name, err);
				}
			} catch (...) {
				g_instances.erase(in->id);
				throw;
			}
		}
	} catch (...) {
		destroy_instance(in);
		throw;
	}
	result.Set("id", Napi::Number::New(env, in->id));
	result.Set("attached", attached);
	result.Set("disabled", disabled);
	return result;
}

// Detaching a classic tracepoint program waits for RCU grace periods in the
// kernel: 70-150 ms per link here (the exec tracer's five links: 370 ms),
// which froze the UI when a pane closed. Once its ring is out of the ring
// manager nothing on the main thread touches the instance any more, so its
// links and object are destroyed on a thread of their own. If the process
// exits first, the kernel closes the fds and detaches all the same.
void destroy_async(Instance *in)
{
	g_reaping++;
	std::thread([in] {
		sigset_t all;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, nullptr); // signals stay the main thread's
		destroy_instance(in);
		g_reaping--;
	}).detach();
}

void stop_one(Napi::Env env, Instance *in, bool wait)
{
	auto finish = [&] {
		g_instances.erase(in->id);
		ring_rebuild(env);
		if (wait)
			destroy_instance(in);
		else
			destroy_async(in);
	};
	try {
		drain(env, 64); // deliver what it already produced
	} catch (...) {
		finish();
		throw;
	}
	finish();
}

// stop(id, wait = false): with wait, returns once the programs are detached.
Napi::Value Stop(const Napi::CallbackInfo &info)
{
	stop_one(info.Env(), get_instance(info), info.Length() > 1 && info[1].ToBoolean());
	return info.Env().Undefined();
}

Napi::Value StopAll(const Napi::CallbackInfo &info)
{
	bool wait = info.Length() > 0 && info[0].ToBoolean();
	while (!g_instances.empty())
		stop_one(info.Env(), g_instances.begin()->second, wait);
	return info.Env().Undefined();
}

// mallocTrim(): give free malloc pages back to the kernel (glibc keeps
// freed chunks in the middle of its heap otherwise); the app calls it with
// its periodic heap compaction.
Napi::Value MallocTrim(const Napi::CallbackInfo &info)
{
	return Napi::Boolean::New(info.Env(), malloc_trim(0) != 0);
}

// stopping() -> instances still being torn down by stop() (0 = all detached).
Napi::Value Stopping(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), g_reaping.load());
}

Napi::Value SetFilter(const Napi::CallbackInfo &info)
{
	Instance *in = get_instance(info);
	if (in->filter_fd < 0)
		throw Napi::Error::New(info.Env(), std::string("tracer ") + in->desc->name + " has no filter map");
	ostop_filter f = { info[1].ToNumber().Uint32Value(), 0 };
	uint32_t zero = 0;
	if (bpf_map_update_elem(in->filter_fd, &zero, &f, BPF_ANY))
		fail(info.Env(), "cannot update the filter", errno);
	return info.Env().Undefined();
}

// drops(id) -> { ring, map }: sums of the per-CPU BPF counters.
Napi::Value Drops(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Instance *in = get_instance(info);
	Napi::Object o = Napi::Object::New(env);
	double sums[OSTOP_DROP_MAX] = { 0 };
	if (in->drops_fd >= 0) {
		int ncpu = libbpf_num_possible_cpus();
		std::vector<uint64_t> vals(ncpu > 0 ? ncpu : 1);
		for (uint32_t slot = 0; slot < OSTOP_DROP_MAX; slot++) {
			if (bpf_map_lookup_elem(in->drops_fd, &slot, vals.data()))
				continue;
			for (uint64_t v : vals)
				sums[slot] += (double)v;
		}
	}
	o.Set("ring", sums[OSTOP_DROP_RING]);
	o.Set("map", sums[OSTOP_DROP_MAP]);
	return o;
}

Napi::Value NativeDrops(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), (double)g_native_drops);
}

// mapDump(id, mapName, clear?) -> { keySize, valueSize, count, data } with
// data = count x (key | value) back to back; per-CPU values are
// valueSize = round8(value) x possible CPUs. clear deletes what was read.
Napi::Value MapDump(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Instance *in = get_instance(info);
	std::string mname = info[1].ToString();
	bool clear = info.Length() > 2 && info[2].ToBoolean();
	bpf_map *m = bpf_object__find_map_by_name(in->obj, mname.c_str());
	if (!m)
		throw Napi::Error::New(env, "tracer " + std::string(in->desc->name) + " has no map " + mname);
	int fd = bpf_map__fd(m);
	size_t ks = bpf_map__key_size(m), vs = bpf_map__value_size(m);
	enum bpf_map_type t = bpf_map__type(m);
	if (t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		vs = ((vs + 7) & ~(size_t)7) * libbpf_num_possible_cpus();
	std::vector<uint8_t> out, key(ks), next(ks), val(vs);
	uint32_t count = 0;
	void *prev = nullptr;
	std::vector<std::vector<uint8_t>> keys;
	while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
		key = next;
		prev = key.data();
		if (bpf_map_lookup_elem(fd, key.data(), val.data()))
			continue;
		out.insert(out.end(), key.begin(), key.end());
		out.insert(out.end(), val.begin(), val.end());
		count++;
		if (clear)
			keys.push_back(key);
		if (count > 1000000)
			break;
	}
	for (auto &k : keys)
		bpf_map_delete_elem(fd, k.data());
	Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, out.size());
	if (!out.empty())
		memcpy(ab.Data(), out.data(), out.size());
	Napi::Object o = Napi::Object::New(env);
	o.Set("keySize", (double)ks);
	o.Set("valueSize", (double)vs);
	o.Set("count", (double)count);
	o.Set("data", ab);
	return o;
}

Napi::Value SetCallback(const Napi::CallbackInfo &info)
{
	if (info[0].IsFunction())
		g_callback = Napi::Persistent(info[0].As<Napi::Function>());
	else
		g_callback.Reset();
	return info.Env().Undefined();
}

// poll() -> number of buffers delivered: drains now (tests, final flush).
Napi::Value Poll(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), drain(info.Env(), 64));
}

// programs(id) -> [{ name, id }] of the attached programs (kernel prog ids).
Napi::Value Programs(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Instance *in = get_instance(info);
	Napi::Array a = Napi::Array::New(env);
	bpf_program *p;
	bpf_object__for_each_program(p, in->obj) {
		if (!bpf_program__autoload(p) || bpf_program__fd(p) < 0)
			continue;
		bpf_prog_info pi;
		memset(&pi, 0, sizeof(pi));
		uint32_t len = sizeof(pi);
		Napi::Object o = Napi::Object::New(env);
		o.Set("name", bpf_program__name(p));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &pi, &len) == 0)
			o.Set("id", (double)pi.id);
		a.Set(a.Length(), o);
	}
	return a;
}

Napi::Value Probe(const Napi::CallbackInfo &info)
{
	return Napi::String::New(info.Env(), probe_section(info[0].ToString()));
}

Napi::Value Features(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Napi::Object o = Napi::Object::New(env);
	o.Set("btf", path_exists("/sys/kernel/btf/vmlinux"));
	o.Set("fentry", fentry_works());
	o.Set("kprobes", probe_section("kprobe/x").empty());
	o.Set("libbpf", std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version()));
	return o;
}

Napi::Value Tracers(const Napi::CallbackInfo &info)
{
	Napi::Array a = Napi::Array::New(info.Env());
	for (size_t i = 0; i < ostop_tracer_count; i++)
		a.Set((uint32_t)i, ostop_tracers[i].name);
	return a;
}

// layouts() -> { tracer: { struct: { size, fields: { name: { offset, size } } } } }
Napi::Value Layouts(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Napi::Object all = Napi::Object::New(env);
	for (size_t i = 0; i < ostop_tracer_count; i++) {
		Napi::Object tr = Napi::Object::New(env);
		for (const ostop_layout *l = ostop_tracers[i].layouts; l && l->name; l++) {
			Napi::Object lo = Napi::Object::New(env), fields = Napi::Object::New(env);
			for (const ostop_field *f = l->fields; f && f->name; f++) {
				Napi::Object fo = Napi::Object::New(env);
				fo.Set("offset", (double)f->offset);
				fo.Set("size", (double)f->size);
				fields.Set(f->name, fo);
			}
			lo.Set("size", (double)l->size);
			lo.Set("fields", fields);
			tr.Set(l->name, lo);
		}
		all.Set(ostop_tracers[i].name, tr);
	}
	return all;
}

void cleanup(void *)
{
	// Process/env teardown: no JS any more, just release kernel objects.
	close_poll();
	if (g_rb) {
		ring_buffer__free(g_rb);
		g_rb = nullptr;
	}
	for (auto &kv : g_instances)
		destroy_instance(kv.second);
	g_instances.clear();
	g_callback.Reset();
}

// ---- Task iterator (bpf/tasks.bpf.c): the process table's counters -------
// Self-contained; not a ring-buffer tracer. tasksOpen() loads the iter/task
// program and attaches it once (a link; nothing pinned). Each tasksRead()
// creates an iterator fd from the link, reads it to EOF (one struct
// tasks_rec per task) into one ArrayBuffer and closes it. tasksClose() or
// env teardown destroys the link and the object.
tasks_bpf *g_tasks = nullptr;
bpf_link *g_tasks_link = nullptr;
std::vector<uint8_t> g_tasks_buf;

void tasks_destroy()
{
	if (g_tasks_link) {
		bpf_link__destroy(g_tasks_link);
		g_tasks_link = nullptr;
	}
	if (g_tasks) {
		tasks_bpf__destroy(g_tasks);
		g_tasks = nullptr;
	}
	std::vector<uint8_t>().swap(g_tasks_buf);
}

// Loading the iterator (parse the kernel's BTF, verify, attach) takes ~50 ms,
// on the first frame's critical path. tasksPrepare() starts it on a thread
// as the process starts, while the JS modules load on the main thread;
// tasksOpen() then only collects the result (or loads it there and then).
struct TasksLoad {
	tasks_bpf *skel = nullptr;
	bpf_link *link = nullptr;
	int err = 0;
	const char *what = nullptr;
};

TasksLoad tasks_load()
{
	TasksLoad r;
	if (!path_exists("/sys/kernel/btf/vmlinux")) {
		r.err = ENOENT;
		r.what = "task iterator: kernel BTF (/sys/kernel/btf/vmlinux) is missing";
		return r;
	}
	r.skel = tasks_bpf__open();
	if (!r.skel) {
		r.err = errno;
		r.what = "task iterator: open failed";
		return r;
	}
	int load_err;
	{
		SignalsBlocked quiet;
		load_err = tasks_bpf__load(r.skel);
	}
	if (load_err) {
		r.err = load_err;
		r.what = "task iterator: cannot load";
	} else if (!(r.link = bpf_program__attach_iter(r.skel->progs.ostop_tasks, nullptr))) {
		r.err = errno;
		r.what = "task iterator: cannot attach";
	}
	if (r.err) {
		tasks_bpf__destroy(r.skel);
		r.skel = nullptr;
	}
	return r;
}

std::thread g_tasks_thread;
TasksLoad g_tasks_prepared;

void tasks_join()
{
	if (g_tasks_thread.joinable())
		g_tasks_thread.join();
}

// tasksPrepare(): start loading the iterator on a thread (no-op when loaded
// or loading). Errors surface from tasksOpen().
Napi::Value TasksPrepare(const Napi::CallbackInfo &info)
{
	if (!g_tasks_link && !g_tasks_thread.joinable() && !g_tasks_prepared.skel)
		g_tasks_thread = std::thread([] {
			sigset_t all;
			sigfillset(&all);
			pthread_sigmask(SIG_BLOCK, &all, nullptr);
			g_tasks_prepared = tasks_load();
		});
	return info.Env().Undefined();
}

// tasksOpen() -> { recordSize, ncpus }. Throws (with .errno) when the
// iterator cannot be loaded here: no privilege, no BTF, old kernel.
Napi::Value TasksOpen(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	int ncpus = libbpf_num_possible_cpus();
	if (!g_tasks_link) {
		TasksLoad r;
		if (g_tasks_thread.joinable() || g_tasks_prepared.skel || g_tasks_prepared.err) {
			tasks_join();
			r = g_tasks_prepared;
			g_tasks_prepared = TasksLoad();
		} else {
			{
				std::lock_guard<std::mutex> lock(g_log_mu);
				g_log.clear();
			}
			r = tasks_load();
		}
		if (r.err) {
			if (r.err == ENOENT && strstr(r.what, "BTF"))
				throw Napi::Error::New(env, r.what);
			fail(env, r.what, r.err);
		}
		g_tasks = r.skel;
		g_tasks_link = r.link;
		malloc_trim(0); // as after a tracer's load: the parsed kernel BTF is freed
	}
	Napi::Object o = Napi::Object::New(env);
	o.Set("recordSize", (double)sizeof(tasks_rec));
	o.Set("ncpus", (double)ncpus);
	return o;
}

// One pass over a fresh iterator fd of `link`: everything it writes, as an
// ArrayBuffer. `buf` is the caller's scratch (grown as needed, kept).
Napi::ArrayBuffer read_iter(Napi::Env env, bpf_link *link, std::vector<uint8_t> &buf, const char *what)
{
	int fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		fail(env, std::string(what) + ": bpf_iter_create", errno);
	if (buf.size() < (64u << 10))
		buf.resize(64u << 10);
	size_t len = 0;
	for (;;) {
		if (buf.size() - len < (32u << 10))
			buf.resize(buf.size() * 2);
		ssize_t n = read(fd, buf.data() + len, buf.size() - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			fail(env, std::string(what) + ": read", err);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, len);
	if (len)
		memcpy(ab.Data(), buf.data(), len);
	return ab;
}

// tasksRead() -> ArrayBuffer of n x struct tasks_rec (one per task).
Napi::Value TasksRead(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (!g_tasks_link)
		throw Napi::Error::New(env, "task iterator: not open (call tasksOpen first)");
	return read_iter(env, g_tasks_link, g_tasks_buf, "task iterator");
}

void tasks_cleanup(void *);

Napi::Value TasksClose(const Napi::CallbackInfo &info)
{
	tasks_cleanup(nullptr);
	return info.Env().Undefined();
}

// tasksLayout() -> { tasks_rec: { size, fields: { name: { offset, size } } } }
Napi::Value TasksLayout(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Napi::Object all = Napi::Object::New(env);
#define OSTOP_TASKS_FIELD(T, f)                                              \
	{                                                                    \
		Napi::Object fo = Napi::Object::New(env);                    \
		fo.Set("offset", (double)offsetof(T, f));                   \
		fo.Set("size", (double)sizeof(((T *)0)->f));                 \
		fields.Set(#f, fo);                                          \
	}
#define OSTOP_TASKS_LAYOUT(type, FIELDS)                                     \
	{                                                                    \
		Napi::Object lo = Napi::Object::New(env), fields = Napi::Object::New(env); \
		FIELDS(OSTOP_TASKS_FIELD, struct type)                       \
		lo.Set("size", (double)sizeof(struct type));                 \
		lo.Set("fields", fields);                                    \
		all.Set(#type, lo);                                          \
	}
	TASKS_LAYOUTS(OSTOP_TASKS_LAYOUT)
#undef OSTOP_TASKS_LAYOUT
#undef OSTOP_TASKS_FIELD
	return all;
}

void tasks_cleanup(void *)
{
	tasks_join();
	if (g_tasks_prepared.skel) {
		bpf_link__destroy(g_tasks_prepared.link);
		tasks_bpf__destroy(g_tasks_prepared.skel);
		g_tasks_prepared = TasksLoad();
	}
	tasks_destroy();
}
// ---- end of the task iterator section -------------------------------------

// ---- Socket-owner iterator (bpf/taskfiles.bpf.c) --------------------------
// taskFilesRead() loads and attaches the iter/task_file program on first
// use (a link; nothing pinned), then reads one iterator fd to the end: an
// ArrayBuffer of n x struct taskfiles_rec, one per socket fd of every
// process. taskFilesClose() (or the env cleanup hook) unloads it.
taskfiles_bpf *g_tf = nullptr;
bpf_link *g_tf_link = nullptr;

void taskfiles_cleanup(void *)
{
	if (g_tf_link) {
		bpf_link__destroy(g_tf_link);
		g_tf_link = nullptr;
	}
	if (g_tf) {
		taskfiles_bpf__destroy(g_tf);
		g_tf = nullptr;
	}
}

Napi::Value TaskFilesRead(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (!g_tf_link) {
		{
			std::lock_guard<std::mutex> lock(g_log_mu);
			g_log.clear();
		}
		taskfiles_bpf *skel = taskfiles_bpf__open();
		if (!skel)
			fail(env, "socket-owner iterator: open", errno);
		int err = taskfiles_bpf__load(skel);
		if (err) {
			taskfiles_bpf__destroy(skel);
			fail(env, "socket-owner iterator: load", -err);
		}
		bpf_link *link = bpf_program__attach_iter(skel->progs.ostop_task_files, nullptr);
		if (!link) {
			int e = errno;
			taskfiles_bpf__destroy(skel);
			fail(env, "socket-owner iterator: attach", e);
		}
		g_tf = skel;
		g_tf_link = link;
		malloc_trim(0);
	}
	std::vector<uint8_t> buf;
	return read_iter(env, g_tf_link, buf, "socket-owner iterator");
}

Napi::Value TaskFilesClose(const Napi::CallbackInfo &info)
{
	taskfiles_cleanup(nullptr);
	return info.Env().Undefined();
}

// taskFilesRecordSize() -> sizeof(struct taskfiles_rec), for the decoder's check.
Napi::Value TaskFilesRecordSize(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), (double)sizeof(struct taskfiles_rec));
}
// ---- end of the socket-owner iterator section ------------------------------

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
	g_env = env;
	ostop_libbpf_static_init();
	libbpf_set_print(libbpf_print);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	napi_add_env_cleanup_hook(env, cleanup, nullptr);
	exports.Set("tracers", Napi::Function::New(env, Tracers));
	exports.Set("layouts", Napi::Function::New(env, Layouts));
	exports.Set("start", Napi::Function::New(env, Start));
	exports.Set("stop", Napi::Function::New(env, Stop));
	exports.Set("stopAll", Napi::Function::New(env, StopAll));
	exports.Set("stopping", Napi::Function::New(env, Stopping));
	exports.Set("mallocTrim", Napi::Function::New(env, MallocTrim));
	exports.Set("setFilter", Napi::Function::New(env, SetFilter));
	exports.Set("drops", Napi::Function::New(env, Drops));
	exports.Set("nativeDrops", Napi::Function::New(env, NativeDrops));
	exports.Set("mapDump", Napi::Function::New(env, MapDump));
	exports.Set("setCallback", Napi::Function::New(env, SetCallback));
	exports.Set("poll", Napi::Function::New(env, Poll));
	exports.Set("programs", Napi::Function::New(env, Programs));
	exports.Set("probe", Napi::Function::New(env, Probe));
	exports.Set("features", Napi::Function::New(env, Features));
	napi_add_env_cleanup_hook(env, tasks_cleanup, nullptr);
	exports.Set("tasksPrepare", Napi::Function::New(env, TasksPrepare));
	exports.Set("tasksOpen", Napi::Function::New(env, TasksOpen));
	exports.Set("tasksRead", Napi::Function::New(env, TasksRead));
	exports.Set("tasksClose", Napi::Function::New(env, TasksClose));
	exports.Set("tasksLayout", Napi::Function::New(env, TasksLayout));
	napi_add_env_cleanup_hook(env, taskfiles_cleanup, nullptr);
	exports.Set("taskFilesRead", Napi::Function::New(env, TaskFilesRead));
	exports.Set("taskFilesClose", Napi::Function::New(env, TaskFilesClose));
	exports.Set("taskFilesRecordSize", Napi::Function::New(env, TaskFilesRecordSize));
	termguard_init(env, exports);
	return exports;
}

} // namespace

NODE_API_MODULE(ostop_native, Init)
