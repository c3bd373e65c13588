// Tracer instances, from start to stop.
//
// Start, always: open -> set rodata (targ_*) -> probe and
// bpf_program__set_autoload(false) what cannot work or what JS disabled ->
// load -> set the PID filter -> attach -> add its ring to the ring loop.
// Stop: drain, rebuild the ring manager without it, destroy links, free the
// object (on a thread of its own unless asked to wait). Links are fd-based
// and nothing is pinned, so when the process dies (even by SIGKILL) the
// kernel unloads everything.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/perf_event.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <thread>
#include <fcntl.h>
#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

namespace ostop {

std::map<uint16_t, Instance *> g_instances;

namespace {

uint16_t g_next_id = 1;
std::atomic<int> g_reaping{0}; // instances being torn down off the main thread

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

void destroy_instance(Instance *in)
{
	for (bpf_link *l : in->links)
		bpf_link__destroy(l);
	in->links.clear();
	if (in->skel)
		in->desc->destroy(in->skel);
	delete in;
}

int map_fd(bpf_object *obj, const char *name)
{
	bpf_map *m = bpf_object__find_map_by_name(obj, name);
	return m ? bpf_map__fd(m) : -1;
}

const ostop_tracer_desc *find_tracer(const std::string &name)
{
	for (size_t i = 0; i < ostop_tracer_count; i++)
		if (name == ostop_tracers[i].name)
			return &ostop_tracers[i];
	return nullptr;
}

// Step 3 of start: disables (set_autoload(false)) every program JS named in
// `off` or that cannot work here, listing each with its reason in `disabled`.
// Returns how many programs stay enabled.
int probe_programs(Napi::Env env, bpf_object *obj, const std::vector<std::string> &off, Napi::Array disabled)
{
	bpf_program *p;
	int enabled = 0;
	bpf_object__for_each_program(p, obj) {
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
	return enabled;
}

// The online CPUs, from /sys/devices/system/cpu/online ("0-3,5,7-8").
std::vector<int> online_cpus(Napi::Env env)
{
	std::ifstream f("/sys/devices/system/cpu/online");
	std::string line;
	if (!f || !std::getline(f, line))
		throw Napi::Error::New(env, "cannot read /sys/devices/system/cpu/online: " + std::string(strerror(errno)));
	std::vector<int> cpus;
	size_t i = 0;
	while (i < line.size()) {
		size_t end = line.find(',', i);
		std::string part = line.substr(i, end == std::string::npos ? std::string::npos : end - i);
		i = end == std::string::npos ? line.size() : end + 1;
		if (part.empty() || part == "\n")
			continue;
		int a = -1, b = -1;
		char dash;
		int n = sscanf(part.c_str(), "%d%c%d", &a, &dash, &b);
		if (n == 1)
			b = a;
		else if (n != 3 || dash != '-')
			throw Napi::Error::New(env, "cannot parse /sys/devices/system/cpu/online: '" + line + "'");
		if (a < 0 || b < a || b > 65535)
			throw Napi::Error::New(env, "cannot parse /sys/devices/system/cpu/online: '" + line + "'");
		for (int c = a; c <= b; c++)
			cpus.push_back(c);
	}
	if (cpus.empty())
		throw Napi::Error::New(env, "no online CPU in /sys/devices/system/cpu/online");
	return cpus;
}

// The sampling frequency of perf_event programs: start option perfFreq (Hz,
// default 49), at most the kernel's perf_event_max_sample_rate.
uint64_t perf_frequency(Napi::Env env, const Napi::Object &opts)
{
	double hz = 49;
	if (opts.Has("perfFreq") && !opts.Get("perfFreq").IsUndefined()) {
		Napi::Value v = opts.Get("perfFreq");
		hz = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
		if (!(hz >= 1 && hz <= 1000000) || hz != std::floor(hz))
			throw Napi::Error::New(env, "perfFreq must be a whole number of Hz from 1 up (got " + v.ToString().Utf8Value() + ")");
	}
	std::ifstream f("/proc/sys/kernel/perf_event_max_sample_rate");
	uint64_t max = 0;
	if (f >> max && max > 0 && hz > (double)max)
		throw Napi::Error::New(env, "perfFreq " + std::to_string((uint64_t)hz) + " Hz is above the kernel's limit of " +
					    std::to_string(max) + " Hz (sysctl kernel.perf_event_max_sample_rate)");
	return (uint64_t)hz;
}

// Attaches a SEC("perf_event") program to a software cpu-clock event (no PMU
// needed, so VMs work) on every online CPU, in frequency mode. Each perf fd
// belongs to its link (bpf_link__destroy closes it); a CPU that cannot open
// or attach is an error naming it.
void attach_perf_event(Napi::Env env, Instance *in, bpf_program *p, uint64_t hz)
{
	for (int cpu : online_cpus(env)) {
		perf_event_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = PERF_TYPE_SOFTWARE;
		attr.config = PERF_COUNT_SW_CPU_CLOCK;
		attr.freq = 1;
		attr.sample_freq = hz;
		int pfd = (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (pfd < 0) {
			int err = errno;
			if (err == ENODEV || err == ENXIO)
				continue; // went offline since the file was read
			std::string hint = err == EACCES || err == EPERM ? " (needs root, or CAP_PERFMON + CAP_BPF; see also sysctl kernel.perf_event_paranoid)"
					   : err == ENOENT || err == EOPNOTSUPP ? " (this kernel has no software cpu-clock perf event)"
					   : err == EINVAL ? " (the frequency may be above kernel.perf_event_max_sample_rate)" : "";
			Napi::Error e = Napi::Error::New(env, "tracer " + std::string(in->desc->name) +
								 ": cannot open the cpu-clock perf event on CPU " + std::to_string(cpu) +
								 ": " + strerror(err) + hint);
			e.Set("errno", Napi::Number::New(env, err));
			throw e;
		}
		bpf_link *l = bpf_program__attach_perf_event(p, pfd);
		if (!l) {
			int err = errno;
			close(pfd);
			fail(env, "tracer " + std::string(in->desc->name) + ": cannot attach " + bpf_program__name(p) +
					  " to the perf event on CPU " + std::to_string(cpu), err);
		}
		in->links.push_back(l);
	}
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
		block_all_signals();
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

} // namespace

Instance *get_instance(const Napi::CallbackInfo &info)
{
	uint16_t id = (uint16_t)info[0].ToNumber().Uint32Value();
	auto it = g_instances.find(id);
	if (it == g_instances.end())
		throw Napi::Error::New(info.Env(), "no running tracer with id " + std::to_string(id));
	return it->second;
}

// start(name, { rodata?: {targ_x: number|boolean}, pid?: number,
//               ringBytes?: number, disable?: string[], perfFreq?: number,
//               maxEntries?: {map: number} })
//   -> { id, attached: string[], disabled: {name, reason}[] }
Napi::Value Start(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	std::string name = info[0].ToString();
	Napi::Object opts = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
	const ostop_tracer_desc *desc = find_tracer(name);
	if (!desc)
		throw Napi::Error::New(env, "unknown native tracer '" + name + "'");
	if (!path_exists("/sys/kernel/btf/vmlinux"))
		throw Napi::Error::New(env, "tracer " + name + ": kernel BTF (/sys/kernel/btf/vmlinux) is missing: needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	if (g_instances.size() >= 0xfff0)
		throw Napi::Error::New(env, "too many tracers");

	log_clear();
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
		if (opts.Has("maxEntries") && opts.Get("maxEntries").IsObject()) {
			Napi::Object me = opts.Get("maxEntries").As<Napi::Object>();
			Napi::Array keys = me.GetPropertyNames();
			for (uint32_t i = 0; i < keys.Length(); i++) {
				std::string k = keys.Get(i).ToString();
				double n = me.Get(k).ToNumber().DoubleValue();
				bpf_map *m = bpf_object__find_map_by_name(in->obj, k.c_str());
				if (!m || bpf_map__is_internal(m))
					throw Napi::Error::New(env, "tracer " + name + " has no map " + k);
				if (!(n >= 1 && n <= (1 << 24)) || n != std::floor(n))
					throw Napi::Error::New(env, "maxEntries." + k + " must be a whole number from 1 to 16777216");
				if (int err = bpf_map__set_max_entries(m, (uint32_t)n))
					fail(env, "tracer " + name + ": cannot size map " + k, -err);
			}
		}
		uint64_t perf_hz = perf_frequency(env, opts);
		// 3. probe: disable what cannot work here, and what JS asked to disable
		std::vector<std::string> off;
		if (opts.Has("disable") && opts.Get("disable").IsArray()) {
			Napi::Array d = opts.Get("disable").As<Napi::Array>();
			for (uint32_t i = 0; i < d.Length(); i++)
				off.push_back(d.Get(i).ToString());
		}
		if (!probe_programs(env, in->obj, off, disabled))
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
		if (opts.Has("pid") && opts.Get("pid").IsNumber() && in->filter_fd >= 0)
			write_filter(in->filter_fd, opts.Get("pid").ToNumber().Uint32Value());
		// 5. attach
		bpf_program *p;
		bpf_object__for_each_program(p, in->obj) {
			if (!bpf_program__autoload(p))
				continue;
			if (std::string(bpf_program__section_name(p)) == "perf_event") {
				attach_perf_event(env, in, p, perf_hz);
				attached.Set(attached.Length(), Napi::String::New(env, bpf_program__name(p)));
				continue;
			}
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
		try {
			ring_add(env, in);
		} catch (...) {
			g_instances.erase(in->id);
			throw;
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

// stopping() -> instances still being torn down by stop() (0 = all detached).
Napi::Value Stopping(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), g_reaping.load());
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

// mallocTrim(): give free malloc pages back to the kernel (glibc keeps
// freed chunks in the middle of its heap otherwise); the app calls it with
// its periodic heap compaction.
Napi::Value MallocTrim(const Napi::CallbackInfo &info)
{
	return Napi::Boolean::New(info.Env(), malloc_trim(0) != 0);
}

// Env teardown: no JS any more, just release the kernel objects (the ring
// manager first: ring_cleanup()).
void lifecycle_cleanup(void *)
{
	ring_cleanup();
	for (auto &kv : g_instances)
		destroy_instance(kv.second);
	g_instances.clear();
}

} // namespace ostop
