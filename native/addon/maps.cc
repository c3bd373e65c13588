// A running tracer's maps, as JS sees them: the PID filter it reads
// (ostop-common.h's struct ostop_filter), the per-CPU drop counters it
// writes, and any map dumped whole (aggregations read from JS).
#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

#include "internal.h"
#include "ostop-common.h"

namespace ostop {

bool write_filter(int filter_fd, uint32_t pid)
{
	ostop_filter f = { pid, 0 };
	uint32_t zero = 0;
	return bpf_map_update_elem(filter_fd, &zero, &f, BPF_ANY) == 0;
}

// setFilter(id, pid): 0 = every process.
Napi::Value SetFilter(const Napi::CallbackInfo &info)
{
	Instance *in = get_instance(info);
	if (in->filter_fd < 0)
		throw Napi::Error::New(info.Env(), std::string("tracer ") + in->desc->name + " has no filter map");
	if (!write_filter(in->filter_fd, info[1].ToNumber().Uint32Value()))
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

// Entries read at most per dump (a map refilled as fast as it is read ends).
static const uint32_t DUMP_MAX = 1000000;

static void append(std::vector<uint8_t> &out, const uint8_t *k, size_t ks, const uint8_t *v, size_t vs)
{
	out.insert(out.end(), k, k + ks);
	out.insert(out.end(), v, v + vs);
}

// The whole map in a few BPF_MAP_LOOKUP_BATCH (or LOOKUP_AND_DELETE_BATCH)
// calls: a hash of thousands of entries costs a handful of syscalls instead
// of two per entry. False (nothing read, nothing deleted) when the map type
// has no batch operations (stack traces, ring buffers; EINVAL/ENOTSUPP), so
// the caller walks it entry by entry.
static bool dump_batch(int fd, size_t ks, size_t vs, uint32_t max_entries, bool clear,
		       std::vector<uint8_t> &out, uint32_t &count)
{
	uint32_t chunk = max_entries < 256 ? 256 : max_entries > 4096 ? 4096 : max_entries;
	// The batch token: a bucket index (hash) or a key (arrays).
	std::vector<uint8_t> in_tok(ks > 8 ? ks : 8), out_tok(in_tok.size());
	std::vector<uint8_t> keys, vals;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	bool first = true;
	for (;;) {
		keys.resize((size_t)chunk * ks);
		vals.resize((size_t)chunk * vs);
		uint32_t n = chunk;
		int err = clear ? bpf_map_lookup_and_delete_batch(fd, first ? nullptr : in_tok.data(), out_tok.data(),
								  keys.data(), vals.data(), &n, &opts)
				: bpf_map_lookup_batch(fd, first ? nullptr : in_tok.data(), out_tok.data(),
						       keys.data(), vals.data(), &n, &opts);
		if (err && err != -ENOENT) {
			if (first && count == 0 && (err == -EINVAL || err == -EOPNOTSUPP || err == -524))
				return false; // ENOTSUPP (524): the kernel's "no batch ops for this map type"
			if (err == -ENOSPC && n == 0 && chunk < (1u << 20)) {
				chunk *= 2; // a bucket holds more than a chunk: retry it bigger
				continue;
			}
			if (first && count == 0)
				return false;
			break; // an error mid-way: keep what was read
		}
		if (n > (uint32_t)chunk)
			n = chunk;
		for (uint32_t i = 0; i < n && count < DUMP_MAX; i++, count++)
			append(out, &keys[(size_t)i * ks], ks, &vals[(size_t)i * vs], vs);
		if (err == -ENOENT || count >= DUMP_MAX)
			break;
		in_tok.swap(out_tok);
		first = false;
	}
	return true;
}

// The per-entry walk (get_next_key + lookup), for maps without batch ops.
static void dump_each(int fd, size_t ks, size_t vs, bool clear, std::vector<uint8_t> &out, uint32_t &count)
{
	std::vector<uint8_t> key(ks), next(ks), val(vs);
	void *prev = nullptr;
	std::vector<std::vector<uint8_t>> keys;
	while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
		key = next;
		prev = key.data();
		if (bpf_map_lookup_elem(fd, key.data(), val.data()))
			continue;
		append(out, key.data(), ks, val.data(), vs);
		count++;
		if (clear)
			keys.push_back(key);
		if (count >= DUMP_MAX)
			break;
	}
	for (auto &k : keys)
		bpf_map_delete_elem(fd, k.data());
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
	std::vector<uint8_t> out;
	uint32_t count = 0;
	if (!dump_batch(fd, ks, vs, bpf_map__max_entries(m), clear, out, count))
		dump_each(fd, ks, vs, clear, out, count);
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

// mapClear(id, mapName) -> entries deleted: empties a hash or stack-trace
// map without reading its values (e.g. a profiler's `counts` and `stacks`
// when its PID filter changes). Arrays cannot be emptied: an error.
Napi::Value MapClear(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Instance *in = get_instance(info);
	std::string mname = info[1].ToString();
	bpf_map *m = bpf_object__find_map_by_name(in->obj, mname.c_str());
	if (!m || bpf_map__is_internal(m))
		throw Napi::Error::New(env, "tracer " + std::string(in->desc->name) + " has no map " + mname);
	enum bpf_map_type t = bpf_map__type(m);
	if (t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_RINGBUF)
		throw Napi::Error::New(env, "map " + mname + " cannot be cleared (not a hash or stack-trace map)");
	int fd = bpf_map__fd(m);
	size_t ks = bpf_map__key_size(m);
	std::vector<uint8_t> key(ks), next(ks);
	double n = 0;
	// The next key is taken before the current one is deleted; keys the
	// BPF side adds meanwhile may stay (the bound stops a map that refills
	// as fast as it is emptied).
	bool have = bpf_map_get_next_key(fd, nullptr, key.data()) == 0;
	while (have && n < 1e7) {
		have = bpf_map_get_next_key(fd, key.data(), next.data()) == 0;
		if (bpf_map_delete_elem(fd, key.data()) == 0)
			n++;
		key.swap(next);
	}
	return Napi::Number::New(env, n);
}

} // namespace ostop
