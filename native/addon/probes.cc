// Feature probes: can a program of a given ELF section work on this kernel?
// Start() asks before load and set_autoload(false)s what cannot, so a tracer
// runs with what it can and says what it left out. Kernel BTF is loaded once;
// whether fentry can attach is tried once with a 2-instruction program.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

namespace ostop {
namespace {

btf *g_vmlinux_btf = nullptr;
bool g_vmlinux_btf_tried = false;
int g_fentry_ok = -1; // -1 unknown, 0 no, 1 yes

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

} // namespace

bool path_exists(const std::string &p)
{
	struct stat st;
	return stat(p.c_str(), &st) == 0;
}

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

// probe(section) -> "" or why a program of that section cannot work here.
Napi::Value Probe(const Napi::CallbackInfo &info)
{
	return Napi::String::New(info.Env(), probe_section(info[0].ToString()));
}

// features() -> { btf, fentry, kprobes, libbpf }
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

} // namespace ostop
