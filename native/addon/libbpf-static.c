/* Debian ships libbpf.a compiled as PIE, not PIC: its only reference to an
 * external data symbol, glibc's `stderr`, uses a PC-relative relocation that
 * a shared object (our .node) cannot resolve. We give libbpf a hidden,
 * module-local `stderr` instead and point it at glibc's stream at init.
 * libbpf only uses it in its default print callback, which the addon
 * replaces anyway (libbpf_set_print). */
#define _GNU_SOURCE
#include <dlfcn.h>

struct _IO_FILE;
__attribute__((visibility("hidden"))) struct _IO_FILE *stderr;

void ostop_libbpf_static_init(void)
{
	struct _IO_FILE **real = (struct _IO_FILE **)dlsym(RTLD_DEFAULT, "stderr");
	if (real)
		stderr = *real;
}
