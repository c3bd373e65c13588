/* Expands tracers.def twice: first the per-tracer open/destroy wrappers and
 * layout tables, then the descriptor array. Nothing here is tracer-specific.
 * The iterators' record layouts (tasks.h, taskfiles.h) are built the same way. */
#include <stddef.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "registry.h"
#include "tracers.gen.h"
#include "tasks.h"
#include "taskfiles.h"

#define OSTOP_FIELD(T, f) { #f, offsetof(T, f), sizeof(((T *)0)->f) },
#define OSTOP_DEF_FIELDS(type, FIELDS) \
	static const struct ostop_field type##_fields[] = { FIELDS(OSTOP_FIELD, struct type) { NULL, 0, 0 } };
#define OSTOP_DEF_LAYOUT(type, FIELDS) { #type, sizeof(struct type), type##_fields },

#define OSTOP_TRACER(name, LAYOUTS)                                              \
	LAYOUTS(OSTOP_DEF_FIELDS)                                                \
	static const struct ostop_layout name##_layouts[] = { LAYOUTS(OSTOP_DEF_LAYOUT) { NULL, 0, NULL } }; \
	static void *name##_open(struct bpf_object **obj)                       \
	{                                                                        \
		struct name##_bpf *s = name##_bpf__open();                       \
		if (s)                                                           \
			*obj = s->obj;                                           \
		return s;                                                        \
	}                                                                        \
	static void name##_destroy(void *s) { name##_bpf__destroy((struct name##_bpf *)s); }
#include "tracers.def"
#undef OSTOP_TRACER

#define OSTOP_TRACER(name, LAYOUTS) { #name, name##_open, name##_destroy, name##_layouts },
const struct ostop_tracer_desc ostop_tracers[] = {
#include "tracers.def"
};
#undef OSTOP_TRACER

const size_t ostop_tracer_count = sizeof(ostop_tracers) / sizeof(ostop_tracers[0]);

#define OSTOP_ITERATOR_LAYOUTS(name, LAYOUTS)                                   \
	LAYOUTS(OSTOP_DEF_FIELDS)                                                \
	const struct ostop_layout ostop_##name##_layouts[] = { LAYOUTS(OSTOP_DEF_LAYOUT) { NULL, 0, NULL } };
OSTOP_ITERATOR_LAYOUTS(tasks, TASKS_LAYOUTS)
OSTOP_ITERATOR_LAYOUTS(taskfiles, TASKFILES_LAYOUTS)
#undef OSTOP_ITERATOR_LAYOUTS
