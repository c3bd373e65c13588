// Wire layouts for the TypeScript decoders: the C offsetof/sizeof of every
// field of every record struct (tables built by registry.c from the
// <T>_LAYOUTS macros of bpf/<t>.h), so tests can hold the TS offsets to them.
#include "internal.h"

namespace ostop {
namespace {

// { struct: { size, fields: { name: { offset, size } } } } of a table
// terminated by name == NULL.
Napi::Object layouts_object(Napi::Env env, const ostop_layout *layouts)
{
	Napi::Object out = Napi::Object::New(env);
	for (const ostop_layout *l = layouts; l && l->name; l++) {
		Napi::Object lo = Napi::Object::New(env), fields = Napi::Object::New(env);
		for (const ostop_field *f = l->fields; f && f->name; f++) {
			Napi::Object fo = Napi::Object::New(env);
			fo.Set("offset", (double)f->offset);
			fo.Set("size", (double)f->size);
			fields.Set(f->name, fo);
		}
		lo.Set("size", (double)l->size);
		lo.Set("fields", fields);
		out.Set(l->name, lo);
	}
	return out;
}

} // namespace

// tracers() -> the names in tracers.def, in its order.
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
	for (size_t i = 0; i < ostop_tracer_count; i++)
		all.Set(ostop_tracers[i].name, layouts_object(env, ostop_tracers[i].layouts));
	return all;
}

// tasksLayout() -> { tasks_rec: { size, fields: { name: { offset, size } } } }
Napi::Value TasksLayout(const Napi::CallbackInfo &info)
{
	return layouts_object(info.Env(), ostop_tasks_layouts);
}

// taskFilesLayout() -> { taskfiles_rec: { size, fields: { ... } } }
Napi::Value TaskFilesLayout(const Napi::CallbackInfo &info)
{
	return layouts_object(info.Env(), ostop_taskfiles_layouts);
}

} // namespace ostop
