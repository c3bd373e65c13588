// Terminal guard: restores the terminal when ostop dies of a signal that
// JavaScript cannot handle.
//
// Node runs a JS signal listener on the event loop, after the signal handler
// returned. That cannot work for a real SIGSEGV/SIGBUS/SIGFPE/SIGILL (the
// faulting instruction runs again at once, forever), nor for SIGABRT from
// abort() (V8's fatal errors: glibc re-raises with the default action if a
// handler returns), nor for the real-time signals (Node has no names for
// them). For those this installs a plain sigaction handler that writes the
// terminal's reset sequence, puts back the termios saved before raw mode,
// and re-raises the signal with its default action, so the process still
// dies of it (core dump and exit status as the shell expects: 128+N).
// Only async-signal-safe calls (write, tcsetattr, sigaction, raise) run in
// the handler; the sequence is copied into a static buffer when armed.
#include <napi.h>

#include <csignal>
#include <cstring>
#include <termios.h>
#include <unistd.h>

#include "termguard.h"

namespace {

char g_seq[1024];
size_t g_seq_len;
int g_out_fd = -1;
int g_in_fd = -1;
struct termios g_saved;
bool g_have_termios;
volatile sig_atomic_t g_armed;
// What was there before arming (Node's own SIGSEGV handler, for one), put
// back when disarmed.
struct sigaction g_old[65];
bool g_have_old[65];

// Signals whose default action ends the process and that JS listeners cannot
// handle; the real-time ones are added at arm time (SIGRTMIN is a function).
const int kFatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

void on_fatal(int sig)
{
	if (g_armed) {
		g_armed = 0;
		if (g_seq_len && g_out_fd >= 0) {
			ssize_t r = write(g_out_fd, g_seq, g_seq_len);
			(void)r;
		}
		if (g_have_termios)
			tcsetattr(g_in_fd, TCSANOW, &g_saved);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, nullptr);
	// A fault re-executes the instruction on return and dies of SIG_DFL;
	// a signal sent with kill(2) needs the raise.
	raise(sig);
}

void each_signal(void (*f)(int))
{
	for (int s : kFatal)
		f(s);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		f(s);
}

void install(int sig)
{
	if (sig < 0 || sig >= 65)
		return;
	if (!g_have_old[sig])
		g_have_old[sig] = sigaction(sig, nullptr, &g_old[sig]) == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	// SA_ONSTACK: a stack overflow still finds a stack if Node set one up.
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigaction(sig, &sa, nullptr);
}

// armTerminalGuard(outFd, inFd, resetSequence): save inFd's termios now
// (call before raw mode) and install the handlers.
Napi::Value Arm(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString())
		throw Napi::TypeError::New(env, "armTerminalGuard(outFd, inFd, sequence)");
	std::string seq = info[2].As<Napi::String>().Utf8Value();
	g_armed = 0;
	g_seq_len = seq.size() < sizeof(g_seq) ? seq.size() : sizeof(g_seq);
	memcpy(g_seq, seq.data(), g_seq_len);
	g_out_fd = info[0].As<Napi::Number>().Int32Value();
	g_in_fd = info[1].As<Napi::Number>().Int32Value();
	g_have_termios = tcgetattr(g_in_fd, &g_saved) == 0;
	each_signal(install);
	g_armed = 1;
	return Napi::Boolean::New(env, g_have_termios);
}

// disarmTerminalGuard(): the terminal was restored the normal way; the
// signals get their default action back.
Napi::Value Disarm(const Napi::CallbackInfo &info)
{
	g_armed = 0;
	each_signal([](int s) {
		if (s >= 0 && s < 65 && g_have_old[s]) {
			sigaction(s, &g_old[s], nullptr);
			g_have_old[s] = false;
		}
	});
	return info.Env().Undefined();
}

} // namespace

void termguard_init(Napi::Env env, Napi::Object exports)
{
	exports.Set("armTerminalGuard", Napi::Function::New(env, Arm));
	exports.Set("disarmTerminalGuard", Napi::Function::New(env, Disarm));
}
