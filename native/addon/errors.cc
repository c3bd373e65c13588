// libbpf never prints to the terminal (the TUI owns it): its messages are
// kept (the last 60 lines, also from the reaper and iterator threads) and the
// last few are appended to the errors thrown to JS, with a hint that says
// what is missing and how to get it.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>

#include "internal.h"

namespace ostop {
namespace {

std::deque<std::string> g_log;
std::mutex g_log_mu; // libbpf also logs from the reaper and loader threads

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
	if (err == EPERM || err == EACCES)
		return " (needs root, or CAP_BPF + CAP_PERFMON: run ostop with sudo)";
	if (err == ENOENT || err == ESRCH)
		return " (a kernel tracepoint or BTF type it needs is missing)";
	if (err == ENOMEM)
		return " (not enough locked memory or map space)";
	return "";
}

} // namespace

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

void log_clear()
{
	std::lock_guard<std::mutex> lock(g_log_mu);
	g_log.clear();
}

void fail(Napi::Env env, const std::string &what, int err)
{
	if (err < 0)
		err = -err;
	std::string msg = what + ": " + strerror(err) + hint_for(err) + log_tail(4);
	Napi::Error e = Napi::Error::New(env, msg);
	e.Set("errno", Napi::Number::New(env, err));
	throw e;
}

} // namespace ostop
