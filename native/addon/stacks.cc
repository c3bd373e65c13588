// The profilers' stack-trace maps (BPF_MAP_TYPE_STACK_TRACE), read by id:
// the `counts` maps (mapDump) hold stack ids, this turns them into
// instruction pointers. Symbolisation is symbols.cc (user code) and JS
// (/proc/kallsyms for the kernel).
#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

#include "internal.h"
#include "profile.h"

namespace ostop {

// stackDepth() -> PROFILE_STACK_DEPTH: u64 slots per stack in stackTraces().
Napi::Value StackDepth(const Napi::CallbackInfo &info)
{
	return Napi::Number::New(info.Env(), PROFILE_STACK_DEPTH);
}

// stackTraces(id, mapName, ids: Int32Array | number[], remove = false) ->
// ArrayBuffer of ids.length x PROFILE_STACK_DEPTH little-endian u64
// instruction pointers, innermost frame first; a 0 ends a stack early, and
// an id that is negative (no stack) or not in the map (removed) gives zeros.
// With remove, each stack read is deleted from the map (frees its slot for
// new stacks; a sample taken since that refers to it loses its stack).
Napi::Value StackTraces(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	Instance *in = get_instance(info);
	std::string mname = info[1].ToString();
	bpf_map *m = bpf_object__find_map_by_name(in->obj, mname.c_str());
	if (!m)
		throw Napi::Error::New(env, "tracer " + std::string(in->desc->name) + " has no map " + mname);
	if (bpf_map__type(m) != BPF_MAP_TYPE_STACK_TRACE)
		throw Napi::Error::New(env, "map " + mname + " of tracer " + in->desc->name + " is not a stack-trace map");
	size_t vs = bpf_map__value_size(m);
	if (vs != PROFILE_STACK_DEPTH * sizeof(uint64_t))
		throw Napi::Error::New(env, "map " + mname + ": stack of " + std::to_string(vs / 8) + " frames, expected " +
					    std::to_string(PROFILE_STACK_DEPTH));

	std::vector<int64_t> ids;
	if (info[2].IsTypedArray()) {
		Napi::TypedArray ta = info[2].As<Napi::TypedArray>();
		if (ta.TypedArrayType() != napi_int32_array)
			throw Napi::TypeError::New(env, "stackTraces: ids must be an Int32Array or an array of numbers");
		Napi::Int32Array a = info[2].As<Napi::Int32Array>();
		ids.assign(a.Data(), a.Data() + a.ElementLength());
	} else if (info[2].IsArray()) {
		Napi::Array a = info[2].As<Napi::Array>();
		ids.reserve(a.Length());
		for (uint32_t i = 0; i < a.Length(); i++) {
			Napi::Value v = a.Get(i);
			if (!v.IsNumber())
				throw Napi::TypeError::New(env, "stackTraces: ids[" + std::to_string(i) + "] is not a number");
			ids.push_back(v.As<Napi::Number>().Int64Value());
		}
	} else {
		throw Napi::TypeError::New(env, "stackTraces: ids must be an Int32Array or an array of numbers");
	}
	if (ids.size() > (1u << 20))
		throw Napi::RangeError::New(env, "stackTraces: at most 1048576 ids per call");

	bool remove = info.Length() > 3 && info[3].ToBoolean();
	int fd = bpf_map__fd(m);
	Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, ids.size() * vs);
	uint8_t *out = (uint8_t *)ab.Data();
	memset(out, 0, ids.size() * vs);
	for (size_t i = 0; i < ids.size(); i++) {
		if (ids[i] < 0 || ids[i] > UINT32_MAX)
			continue;
		uint32_t key = (uint32_t)ids[i];
		if (bpf_map_lookup_elem(fd, &key, out + i * vs) != 0) {
			if (errno != ENOENT)
				fail(env, "stackTraces: cannot read stack " + std::to_string(key) + " of map " + mname, errno);
			memset(out + i * vs, 0, vs);
		} else if (remove) {
			bpf_map_delete_elem(fd, &key); // ENOENT when an id repeats: fine
		}
	}
	return ab;
}

} // namespace ostop
