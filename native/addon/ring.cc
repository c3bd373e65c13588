// The one shared ring-buffer loop, on Node's own event loop.
//
// - One libbpf ring_buffer holds the "events" ring of every running tracer
//   instance; its epoll fd is watched by one uv_poll_t (unref'd, so tracing
//   never keeps the process alive). A wake-up does not drain at once: it
//   stops the poll and drains kCoalesceMs later (see there why).
// - A drain fills ONE ArrayBuffer: records are
//   [u16 instance id][u16 0][u32 len][len bytes][pad to 8], little endian.
//   No JS object is created per event here.
// - Records drained while no JS callback is set are counted (nativeDrops()).
#include <uv.h>

#include <cerrno>
#include <cstring>

#include "internal.h"

namespace ostop {
namespace {

ring_buffer *g_rb = nullptr;
uv_poll_t *g_poll = nullptr;
uv_timer_t *g_timer = nullptr;
bool g_more = false; // the last drain stopped at kBatchLimit
napi_env g_env = nullptr;
Napi::FunctionReference g_callback;
std::vector<uint8_t> g_batch;
uint64_t g_native_drops = 0;
bool g_draining = false;

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

void free_ring()
{
	close_poll();
	if (g_rb) {
		ring_buffer__free(g_rb);
		g_rb = nullptr;
	}
}

} // namespace

void ring_init(Napi::Env env)
{
	g_env = env;
}

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

// libbpf 1.1 cannot remove a ring from a ring_buffer, so a stop rebuilds it
// from the remaining instances (their unread records stay in their rings).
void ring_rebuild(Napi::Env env)
{
	free_ring();
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

void ring_add(Napi::Env env, const Instance *in)
{
	if (in->ring_fd < 0)
		return;
	if (!g_rb)
		ring_rebuild(env);
	else if (int err = ring_buffer__add(g_rb, in->ring_fd, on_sample, (void *)(uintptr_t)in->id))
		fail(env, "cannot add the ring of " + std::string(in->desc->name), err);
}

// Env teardown: no JS any more.
void ring_cleanup()
{
	free_ring();
	g_callback.Reset();
}

// setCallback(fn | null): the one receiver of every batch.
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

// nativeDrops() -> records drained while no callback was set.
Napi::Value NativeDrops(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), (double)g_native_drops);
}

} // namespace ostop
