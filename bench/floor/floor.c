// floor PROG...: runs `dd if=/dev/zero of=/dev/null bs=1 count=N` (N from
// FLOOR_BYTES, default 1000000) with the named programs of floor.bpf.c
// attached (none: untraced) and prints the wall time in ms. dd is forked
// first and held on a pipe, so load and attach are not timed.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "floor.skel.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int wanted(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *n = getenv("FLOOR_BYTES");
	char count[64];
	snprintf(count, sizeof(count), "count=%s", n ? n : "1000000");
	int p[2];
	if (pipe(p))
		return 1;
	pid_t c = fork();
	if (c == 0) {
		char b;
		close(p[1]);
		if (read(p[0], &b, 1) != 1)
			_exit(1);
		execlp("dd", "dd", "if=/dev/zero", "of=/dev/null", "bs=1", count, "status=none", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	struct floor_bpf *s = floor_bpf__open();
	if (!s) {
		fprintf(stderr, "floor: open failed\n");
		return 1;
	}
	s->rodata->targ_pid = c;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, s->obj)
		bpf_program__set_autoload(prog, wanted(argc, argv, bpf_program__name(prog)));
	if (argc > 1 && floor_bpf__load(s)) {
		fprintf(stderr, "floor: load failed\n");
		return 1;
	}
	bpf_object__for_each_program(prog, s->obj) {
		if (wanted(argc, argv, bpf_program__name(prog)) && !bpf_program__attach(prog)) {
			fprintf(stderr, "floor: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
	}
	double t0 = now_ms();
	if (write(p[1], "g", 1) != 1)
		return 1;
	int st;
	waitpid(c, &st, 0);
	double t1 = now_ms();
	floor_bpf__destroy(s);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "floor: dd failed\n");
		return 1;
	}
	printf("%.1f\n", t1 - t0);
	return 0;
}
