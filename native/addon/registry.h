/* Table of compiled-in tracers, built from tracers.def by registry.c (C,
 * because bpftool skeletons are C headers). The addon is generic over it. */
#ifndef __OSTOP_REGISTRY_H__
#define __OSTOP_REGISTRY_H__
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpf_object;

struct ostop_field {
	const char *name;
	size_t offset;
	size_t size;
};

struct ostop_layout {
	const char *name; /* struct tag, e.g. "opens_event" */
	size_t size;
	const struct ostop_field *fields; /* terminated by name == NULL */
};

struct ostop_tracer_desc {
	const char *name;
	/* Opens the embedded object (no load); returns the skeleton, sets *obj. */
	void *(*open)(struct bpf_object **obj);
	void (*destroy)(void *skel);
	const struct ostop_layout *layouts; /* terminated by name == NULL */
};

extern const struct ostop_tracer_desc ostop_tracers[];
extern const size_t ostop_tracer_count;

/* The iterators' records (not tracers: bpf/tasks.h, bpf/taskfiles.h). */
extern const struct ostop_layout ostop_tasks_layouts[];
extern const struct ostop_layout ostop_taskfiles_layouts[];

#ifdef __cplusplus
}
#endif
#endif
